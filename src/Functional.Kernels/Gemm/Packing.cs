using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.Kernels;

// Copying op(A) and op(B) into the kernels' panels, and the per-thread scratch the panels live in.
internal static partial class Gemm
{
    // ---------------------------------------------------------------- scratch

    [ThreadStatic]
    private static double[]? t_scratch;

    /// <summary>The largest buffer a thread keeps (8 MB, above the packed path's 4.4 MB blocks): a larger request (the
    /// small-shape path packs all of k) gets a buffer of its own that the collector takes back after the call.</summary>
    private const int KeptDoubles = 1 << 20;

    private static unsafe double* Scratch(int doubles, out double[] keepAlive)
    {
        var buf = t_scratch;
        if (buf == null || buf.Length < doubles + 8)
        {
            buf = GC.AllocateUninitializedArray<double>(Math.Max(doubles + 8, 1024), pinned: true);
            if (buf.Length <= KeptDoubles)
                t_scratch = buf;
        }

        keepAlive = buf;
        // The array is pinned (POH): align the start to 64 bytes.
        double* p = (double*)Unsafe.AsPointer(ref buf[0]);
        nint mis = ((nint)p & 63) / sizeof(double);
        return mis == 0 ? p : p + (8 - mis);
    }

    /// <summary>Packs op(A)[ic..ic+mc, pc..pc+kc) as MR-row panels, k-major, zero-padded rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackA(ref Job job, int ic, int mc, int pc, int kc, double* dst)
    {
        if (job.Codes != null)
        {
            PackACodes(ref job, ic, mc, pc, kc, dst);
            return;
        }

        int lda = job.Lda;
        int ir0 = 0;
        if (!job.TransA)
        {
            // The full panels a column at a time: each column of the block is one run of memory, read front to
            // back, where panel by panel every column's cache lines were fetched once per panel (perf of the
            // convnet's 100×4320·4320×100 product on one thread: packing A fell from 0.29 to 0.21 of the
            // kernel's time).
            int panels = mc / MR;
            long panelSize = (long)MR * kc;
            double* s = job.A + ((long)pc * lda) + ic;
            for (int p = 0; p < kc; p++, s += lda)
            {
                double* d = dst + ((long)p * MR);
                for (int q = 0; q < panels; q++, d += panelSize)
                {
                    Avx.Store(d, Avx.LoadVector256(s + (q * MR)));
                    Avx.Store(d + 4, Avx.LoadVector256(s + (q * MR) + 4));
                }
            }

            ir0 = panels * MR;
        }

        for (int ir = ir0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            double* d = dst + (ir * kc);
            if (!job.TransA)
            {
                // op(A)(i,p) = A[p*lda + i]: the narrow last panel (the full ones are packed above).
                double* s = job.A + ((long)pc * lda) + ic + ir;
                for (int p = 0; p < kc; p++)
                {
                    for (int r = 0; r < mr; r++)
                    {
                        d[r] = s[r];
                    }

                    for (int r = mr; r < MR; r++)
                    {
                        d[r] = 0.0;
                    }

                    d += MR;
                    s += lda;
                }
            }
            else
            {
                // op(A)(i,p) = A[i*lda + p]
                double* s = job.A + ((long)(ic + ir) * lda) + pc;
                if (mr == MR)
                {
                    int p = 0;
                    for (; p + 4 <= kc; p += 4)
                    {
                        // Two 4x4 transposes: rows r..r+3 of op(A), k = p..p+3.
                        Transpose4x4(s + p, lda, d + (p * MR), MR);
                        Transpose4x4(s + p + (4L * lda), lda, d + (p * MR) + 4, MR);
                    }

                    for (; p < kc; p++)
                    {
                        for (int r = 0; r < MR; r++)
                        {
                            d[(p * MR) + r] = s[((long)r * lda) + p];
                        }
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int r = 0; r < mr; r++)
                        {
                            d[(p * MR) + r] = s[((long)r * lda) + p];
                        }

                        for (int r = mr; r < MR; r++)
                        {
                            d[(p * MR) + r] = 0.0;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// <see cref="PackA"/> for a deferred batch (op(A) = A, rows picked by <c>Index</c> from row-major codes): each
    /// element is <c>Palette[code]</c>, stored both in the panel and in A itself, so that A is written by the time the
    /// product returns. A part of the product covers all of k for its rows, and parts never share a row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackACodes(ref Job job, int ic, int mc, int pc, int kc, double* dst)
    {
        int lda = job.Lda;
        long cols = job.K;
        double* pal = job.Palette;
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            double* d = dst + (ir * kc);
            double* s = job.A + ((long)pc * lda) + ic + ir;
            int* rows = job.Index + ic + ir;
            if (mr == MR)
            {
                byte* r0 = job.Codes + (rows[0] * cols) + pc,
                    r1 = job.Codes + (rows[1] * cols) + pc,
                    r2 = job.Codes + (rows[2] * cols) + pc,
                    r3 = job.Codes + (rows[3] * cols) + pc,
                    r4 = job.Codes + (rows[4] * cols) + pc,
                    r5 = job.Codes + (rows[5] * cols) + pc,
                    r6 = job.Codes + (rows[6] * cols) + pc,
                    r7 = job.Codes + (rows[7] * cols) + pc;
                for (int p = 0; p < kc; p++)
                {
                    var v0 = Vector256.Create(pal[r0[p]], pal[r1[p]], pal[r2[p]], pal[r3[p]]);
                    var v1 = Vector256.Create(pal[r4[p]], pal[r5[p]], pal[r6[p]], pal[r7[p]]);
                    Avx.Store(d, v0);
                    Avx.Store(d + 4, v1);
                    Avx.Store(s, v0);
                    Avx.Store(s + 4, v1);
                    d += MR;
                    s += lda;
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    for (int r = 0; r < mr; r++)
                    {
                        double v = pal[job.Codes[(rows[r] * cols) + pc + p]];
                        d[r] = v;
                        s[r] = v;
                    }

                    for (int r = mr; r < MR; r++)
                    {
                        d[r] = 0.0;
                    }

                    d += MR;
                    s += lda;
                }
            }
        }
    }

    /// <summary>Writes rows [i0, i1) of a deferred batch into A (all of k) and drops the codes from the job.</summary>
    private static unsafe void FillFromCodes(ref Job job, int i0, int i1)
    {
        if (job.Codes == null)
        {
            return;
        }

        long cols = job.K;
        for (int i = i0; i < i1; i++)
        {
            byte* row = job.Codes + (job.Index[i] * cols);
            double* a = job.A + i;
            for (long p = 0; p < cols; p++)
            {
                a[p * job.Lda] = job.Palette[row[p]];
            }
        }

        job.Codes = null;
    }

    /// <summary>
    /// Reads a 4x4 block whose rows r start at src + r*lds (4 contiguous values each) and writes
    /// its transpose: dst[c*ldd + r] = src[r*lds + c].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose4x4(double* src, long lds, double* dst, int ldd)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + (2 * lds));
        var r3 = Avx.LoadVector256(src + (3 * lds));
        var t0 = Avx.UnpackLow(r0, r1); // r0[0] r1[0] r0[2] r1[2]
        var t1 = Avx.UnpackHigh(r0, r1); // r0[1] r1[1] r0[3] r1[3]
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        Avx.Store(dst, Avx.Permute2x128(t0, t2, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(t1, t3, 0x20));
        Avx.Store(dst + (2 * ldd), Avx.Permute2x128(t0, t2, 0x31));
        Avx.Store(dst + (3 * ldd), Avx.Permute2x128(t1, t3, 0x31));
    }

    /// <summary>Packs op(B)[pc..pc+kc, jc..jc+nc) as NR-column panels, k-major, zero-padded columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackB(ref Job job, int pc, int kc, int jc, int nc, double* dst)
    {
        int ldb = job.Ldb;
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            double* d = dst + (jr * kc);
            if (job.TransB)
            {
                // op(B)(p,j) = B[p*ldb + j]
                double* s = job.B + ((long)pc * ldb) + jc + jr;
                if (nr == NR)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        Avx.Store(d, Avx.LoadVector256(s));
                        d += NR;
                        s += ldb;
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int q = 0; q < nr; q++)
                        {
                            d[q] = s[q];
                        }

                        for (int q = nr; q < NR; q++)
                        {
                            d[q] = 0.0;
                        }

                        d += NR;
                        s += ldb;
                    }
                }
            }
            else
            {
                // op(B)(p,j) = B[j*ldb + p]
                double* s = job.B + ((long)(jc + jr) * ldb) + pc;
                if (nr == NR)
                {
                    int p = 0;
                    for (; p + 4 <= kc; p += 4)
                    {
                        Transpose4x4(s + p, ldb, d + (p * NR), NR);
                    }

                    for (; p < kc; p++)
                    {
                        d[(p * NR) + 0] = s[p];
                        d[(p * NR) + 1] = s[ldb + p];
                        d[(p * NR) + 2] = s[(2L * ldb) + p];
                        d[(p * NR) + 3] = s[(3L * ldb) + p];
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int q = 0; q < nr; q++)
                        {
                            d[(p * NR) + q] = s[((long)q * ldb) + p];
                        }

                        for (int q = nr; q < NR; q++)
                        {
                            d[(p * NR) + q] = 0.0;
                        }
                    }
                }
            }
        }
    }
}
