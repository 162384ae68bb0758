using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.Kernels;

// The portable path (no AVX2/FMA) and the beta-only update, in the same summation order.
internal static partial class Gemm
{
    // ---------------------------------------------------------------- scalar fallback / beta-only

    /// <summary>Portable path (no AVX2/FMA): the same summation order, one element at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScalarRange(ref Job job, int i0, int i1, int j0, int j1)
    {
        int k = job.K;
        int kcb = KcFor(k);
        long aRow = job.TransA ? job.Lda : 1,
            aCol = job.TransA ? 1 : job.Lda;
        long bRow = job.TransB ? job.Ldb : 1,
            bCol = job.TransB ? 1 : job.Ldb;
        for (int j = j0; j < j1; j++)
        {
            for (int i = i0; i < i1; i++)
            {
                double* cij = job.C + ((long)j * job.Ldc) + i;
                for (int pc = 0; pc < k; pc += kcb)
                {
                    int kc = Math.Min(kcb, k - pc);
                    int mode = pc == 0 ? (job.Beta == 0.0 ? ModeOverwrite : ModeBeta) : ModeAccumulate;
                    double s = 0.0;
                    for (int p = pc; p < pc + kc; p++)
                    {
                        s = Math.FusedMultiplyAdd(job.A[(i * aRow) + (p * aCol)], job.B[(p * bRow) + (j * bCol)], s);
                    }

                    *cij = Combine(s, *cij, job.Alpha, job.Beta, mode);
                }
            }
        }
    }

    private static unsafe void ScaleC(ref Job job, int i0, int i1, int j0, int j1)
    {
        for (int j = j0; j < j1; j++)
        {
            double* cj = job.C + ((long)j * job.Ldc);
            for (int i = i0; i < i1; i++)
            {
                cj[i] = job.Beta == 0.0 ? 0.0 : job.Beta * cj[i];
            }
        }
    }
}
