using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.Kernels;

// The Vector256 register tile (8×4) of the packed path and the store arithmetic every path shares.
internal static partial class Gemm
{
    private const int ModeOverwrite = 0; // c = alpha*s              (first k block, beta == 0)
    private const int ModeBeta = 1; // c = fma(alpha, s, beta*c) (first k block)
    private const int ModeAccumulate = 2; // c = fma(alpha, s, c)      (later k blocks)

    /// <summary>
    /// 8x4 register tile over packed panels: a holds kc groups of 8 rows, b kc groups of 4 columns.
    /// Writes the valid mr x nr corner of the tile to c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel8x4(
        int kc,
        double* a,
        double* b,
        double* c,
        int ldc,
        double alpha,
        double beta,
        int mode,
        int mr,
        int nr,
        double* tile,
        double* bias,
        bool relu
    )
    {
        var c00 = Vector256<double>.Zero;
        var c10 = Vector256<double>.Zero;
        var c01 = Vector256<double>.Zero;
        var c11 = Vector256<double>.Zero;
        var c02 = Vector256<double>.Zero;
        var c12 = Vector256<double>.Zero;
        var c03 = Vector256<double>.Zero;
        var c13 = Vector256<double>.Zero;

        for (int p = 0; p < kc; p++)
        {
            var a0 = Avx.LoadVector256(a);
            var a1 = Avx.LoadVector256(a + 4);
            var bv = Vector256.Create(b[0]);
            c00 = Fma.MultiplyAdd(a0, bv, c00);
            c10 = Fma.MultiplyAdd(a1, bv, c10);
            bv = Vector256.Create(b[1]);
            c01 = Fma.MultiplyAdd(a0, bv, c01);
            c11 = Fma.MultiplyAdd(a1, bv, c11);
            bv = Vector256.Create(b[2]);
            c02 = Fma.MultiplyAdd(a0, bv, c02);
            c12 = Fma.MultiplyAdd(a1, bv, c12);
            bv = Vector256.Create(b[3]);
            c03 = Fma.MultiplyAdd(a0, bv, c03);
            c13 = Fma.MultiplyAdd(a1, bv, c13);
            a += MR;
            b += NR;
        }

        if (mr == MR && nr == NR)
        {
            if (bias == null)
            {
                Store(c, c00, c10, alpha, beta, mode);
                Store(c + ldc, c01, c11, alpha, beta, mode);
                Store(c + (2L * ldc), c02, c12, alpha, beta, mode);
                Store(c + (3L * ldc), c03, c13, alpha, beta, mode);
            }
            else
            {
                StoreBias(c, c00, c10, alpha, beta, mode, bias[0], relu);
                StoreBias(c + ldc, c01, c11, alpha, beta, mode, bias[1], relu);
                StoreBias(c + (2L * ldc), c02, c12, alpha, beta, mode, bias[2], relu);
                StoreBias(c + (3L * ldc), c03, c13, alpha, beta, mode, bias[3], relu);
            }

            return;
        }

        Avx.Store(tile, c00);
        Avx.Store(tile + 4, c10);
        Avx.Store(tile + 8, c01);
        Avx.Store(tile + 12, c11);
        Avx.Store(tile + 16, c02);
        Avx.Store(tile + 20, c12);
        Avx.Store(tile + 24, c03);
        Avx.Store(tile + 28, c13);
        StoreCorner(tile, c, ldc, mr, nr, alpha, beta, mode, bias, relu);
    }

    /// <summary>The valid mr×nr corner of a partial tile (column j at tile + j·8), stored element by element with the
    /// full tiles' arithmetic: <see cref="Combine"/>, then + bias[j] and the select on v &gt; 0 under
    /// <paramref name="relu"/>.</summary>
    private static unsafe void StoreCorner(
        double* tile,
        double* c,
        int ldc,
        int mr,
        int nr,
        double alpha,
        double beta,
        int mode,
        double* bias,
        bool relu
    )
    {
        for (int j = 0; j < nr; j++)
        {
            double* cj = c + ((long)j * ldc);
            for (int i = 0; i < mr; i++)
            {
                double v = Combine(tile[(j * MR) + i], cj[i], alpha, beta, mode);
                if (bias != null)
                {
                    v += bias[j];
                    v = relu ? (v > 0 ? v : 0.0) : v;
                }

                cj[i] = v;
            }
        }
    }

    /// <summary><see cref="Store"/>, then + b and, with <paramref name="relu"/>, max(·, 0) as Affine's AddBiasRelu
    /// writes it (select on v &gt; 0, so NaN becomes 0 there too).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreBias(
        double* c,
        Vector256<double> s0,
        Vector256<double> s1,
        double alpha,
        double beta,
        int mode,
        double b,
        bool relu
    )
    {
        var av = Vector256.Create(alpha);
        Vector256<double> r0,
            r1;
        if (mode == ModeOverwrite)
        {
            r0 = Avx.Multiply(av, s0);
            r1 = Avx.Multiply(av, s1);
        }
        else if (mode == ModeBeta)
        {
            var bv = Vector256.Create(beta);
            r0 = Fma.MultiplyAdd(av, s0, Avx.Multiply(bv, Avx.LoadVector256(c)));
            r1 = Fma.MultiplyAdd(av, s1, Avx.Multiply(bv, Avx.LoadVector256(c + 4)));
        }
        else
        {
            r0 = Fma.MultiplyAdd(av, s0, Avx.LoadVector256(c));
            r1 = Fma.MultiplyAdd(av, s1, Avx.LoadVector256(c + 4));
        }

        var biasv = Vector256.Create(b);
        r0 = Avx.Add(r0, biasv);
        r1 = Avx.Add(r1, biasv);
        if (relu)
        {
            var zero = Vector256<double>.Zero;
            r0 = Vector256.ConditionalSelect(Vector256.GreaterThan(r0, zero), r0, zero);
            r1 = Vector256.ConditionalSelect(Vector256.GreaterThan(r1, zero), r1, zero);
        }

        Avx.Store(c, r0);
        Avx.Store(c + 4, r1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(
        double* c,
        Vector256<double> s0,
        Vector256<double> s1,
        double alpha,
        double beta,
        int mode
    )
    {
        var av = Vector256.Create(alpha);
        if (mode == ModeOverwrite)
        {
            Avx.Store(c, Avx.Multiply(av, s0));
            Avx.Store(c + 4, Avx.Multiply(av, s1));
        }
        else if (mode == ModeBeta)
        {
            var bv = Vector256.Create(beta);
            Avx.Store(c, Fma.MultiplyAdd(av, s0, Avx.Multiply(bv, Avx.LoadVector256(c))));
            Avx.Store(c + 4, Fma.MultiplyAdd(av, s1, Avx.Multiply(bv, Avx.LoadVector256(c + 4))));
        }
        else
        {
            Avx.Store(c, Fma.MultiplyAdd(av, s0, Avx.LoadVector256(c)));
            Avx.Store(c + 4, Fma.MultiplyAdd(av, s1, Avx.LoadVector256(c + 4)));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Combine(double s, double old, double alpha, double beta, int mode) =>
        mode switch
        {
            ModeOverwrite => alpha * s,
            ModeBeta => Math.FusedMultiplyAdd(alpha, s, beta * old),
            _ => Math.FusedMultiplyAdd(alpha, s, old),
        };
}
