using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.Kernels;

// The Vector512 register tiles (16×8, 16×4, 8×8) of the packed path, for cores with AVX-512.
internal static partial class Gemm
{
    /// <summary>
    /// Whether the packed path runs <see cref="Kernel16x8"/> where two full row panels meet two full column panels
    /// (and <see cref="Kernel8x8"/> for the rows left under them). The 512-bit kernels only widen the tile: every
    /// element is still one FMA per k in increasing order, stored with the same expressions, so the bits are those of
    /// <see cref="Kernel8x4"/> (tested by recomputing C in 4-column slices, which take only 8×4 tiles, and 8-row
    /// slices, which take only 8×8 ones). A core with full-width AVX-512 (e.g. Zen 5)
    /// does twice the FMAs per cycle with them.
    /// </summary>
    private static readonly bool Wide = Avx512F.IsSupported;

    /// <summary>
    /// 16×8 register tile: rows from the packed 8-row panels at a and a + 8·kc; op(B)(p, q) at b + p·step + q·col for
    /// the first four columns and b1 + p·step + (q − 4)·col for the others (two packed 4-column panels, or op(B) where
    /// it lies); 16 Vector512 accumulators (one per column and row panel). Full tiles only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel16x8(
        int kc,
        double* a,
        double* b,
        double* b1,
        long step,
        long col,
        double* c,
        int ldc,
        double alpha,
        double beta,
        int mode,
        double* bias,
        bool relu
    )
    {
        var c00 = Vector512<double>.Zero;
        var c01 = Vector512<double>.Zero;
        var c02 = Vector512<double>.Zero;
        var c03 = Vector512<double>.Zero;
        var c04 = Vector512<double>.Zero;
        var c05 = Vector512<double>.Zero;
        var c06 = Vector512<double>.Zero;
        var c07 = Vector512<double>.Zero;
        var c10 = Vector512<double>.Zero;
        var c11 = Vector512<double>.Zero;
        var c12 = Vector512<double>.Zero;
        var c13 = Vector512<double>.Zero;
        var c14 = Vector512<double>.Zero;
        var c15 = Vector512<double>.Zero;
        var c16 = Vector512<double>.Zero;
        var c17 = Vector512<double>.Zero;
        double* a1 = a + (MR * kc);
        long col2 = 2 * col,
            col3 = 3 * col;

        for (int p = 0; p < kc; p++)
        {
            var x0 = Avx512F.LoadVector512(a);
            var x1 = Avx512F.LoadVector512(a1);
            var bv = Vector512.Create(b[0]);
            c00 = Avx512F.FusedMultiplyAdd(x0, bv, c00);
            c10 = Avx512F.FusedMultiplyAdd(x1, bv, c10);
            bv = Vector512.Create(b[col]);
            c01 = Avx512F.FusedMultiplyAdd(x0, bv, c01);
            c11 = Avx512F.FusedMultiplyAdd(x1, bv, c11);
            bv = Vector512.Create(b[col2]);
            c02 = Avx512F.FusedMultiplyAdd(x0, bv, c02);
            c12 = Avx512F.FusedMultiplyAdd(x1, bv, c12);
            bv = Vector512.Create(b[col3]);
            c03 = Avx512F.FusedMultiplyAdd(x0, bv, c03);
            c13 = Avx512F.FusedMultiplyAdd(x1, bv, c13);
            bv = Vector512.Create(b1[0]);
            c04 = Avx512F.FusedMultiplyAdd(x0, bv, c04);
            c14 = Avx512F.FusedMultiplyAdd(x1, bv, c14);
            bv = Vector512.Create(b1[col]);
            c05 = Avx512F.FusedMultiplyAdd(x0, bv, c05);
            c15 = Avx512F.FusedMultiplyAdd(x1, bv, c15);
            bv = Vector512.Create(b1[col2]);
            c06 = Avx512F.FusedMultiplyAdd(x0, bv, c06);
            c16 = Avx512F.FusedMultiplyAdd(x1, bv, c16);
            bv = Vector512.Create(b1[col3]);
            c07 = Avx512F.FusedMultiplyAdd(x0, bv, c07);
            c17 = Avx512F.FusedMultiplyAdd(x1, bv, c17);
            a += MR;
            a1 += MR;
            b += step;
            b1 += step;
        }

        Store16(c, c00, c10, alpha, beta, mode, bias, 0, relu);
        Store16(c + ldc, c01, c11, alpha, beta, mode, bias, 1, relu);
        Store16(c + (2L * ldc), c02, c12, alpha, beta, mode, bias, 2, relu);
        Store16(c + (3L * ldc), c03, c13, alpha, beta, mode, bias, 3, relu);
        Store16(c + (4L * ldc), c04, c14, alpha, beta, mode, bias, 4, relu);
        Store16(c + (5L * ldc), c05, c15, alpha, beta, mode, bias, 5, relu);
        Store16(c + (6L * ldc), c06, c16, alpha, beta, mode, bias, 6, relu);
        Store16(c + (7L * ldc), c07, c17, alpha, beta, mode, bias, 7, relu);
    }

    /// <summary>
    /// 16×4 register tile: rows from the packed 8-row panels at a and a + 8·kc, one packed 4-column panel of op(B)
    /// at b (<see cref="NR"/> per k, zero past the matrix); 8 Vector512 accumulators. Full rows; the first
    /// <paramref name="nr"/> columns are stored (a narrow last panel costs a 16-row tile, not two 8×4 scalar-stored
    /// ones). The same sums and stores as <see cref="Kernel8x4"/>, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel16x4(
        int kc,
        double* a,
        double* b,
        double* c,
        int ldc,
        double alpha,
        double beta,
        int mode,
        double* bias,
        bool relu,
        int nr
    )
    {
        var c00 = Vector512<double>.Zero;
        var c01 = Vector512<double>.Zero;
        var c02 = Vector512<double>.Zero;
        var c03 = Vector512<double>.Zero;
        var c10 = Vector512<double>.Zero;
        var c11 = Vector512<double>.Zero;
        var c12 = Vector512<double>.Zero;
        var c13 = Vector512<double>.Zero;
        double* a1 = a + (MR * kc);

        for (int p = 0; p < kc; p++)
        {
            var x0 = Avx512F.LoadVector512(a);
            var x1 = Avx512F.LoadVector512(a1);
            var bv = Vector512.Create(b[0]);
            c00 = Avx512F.FusedMultiplyAdd(x0, bv, c00);
            c10 = Avx512F.FusedMultiplyAdd(x1, bv, c10);
            bv = Vector512.Create(b[1]);
            c01 = Avx512F.FusedMultiplyAdd(x0, bv, c01);
            c11 = Avx512F.FusedMultiplyAdd(x1, bv, c11);
            bv = Vector512.Create(b[2]);
            c02 = Avx512F.FusedMultiplyAdd(x0, bv, c02);
            c12 = Avx512F.FusedMultiplyAdd(x1, bv, c12);
            bv = Vector512.Create(b[3]);
            c03 = Avx512F.FusedMultiplyAdd(x0, bv, c03);
            c13 = Avx512F.FusedMultiplyAdd(x1, bv, c13);
            a += MR;
            a1 += MR;
            b += NR;
        }

        Store16(c, c00, c10, alpha, beta, mode, bias, 0, relu);
        if (nr > 1)
            Store16(c + ldc, c01, c11, alpha, beta, mode, bias, 1, relu);
        if (nr > 2)
            Store16(c + (2L * ldc), c02, c12, alpha, beta, mode, bias, 2, relu);
        if (nr > 3)
            Store16(c + (3L * ldc), c03, c13, alpha, beta, mode, bias, 3, relu);
    }

    /// <summary>
    /// 8×8 register tile: the rows left under <see cref="Kernel16x8"/>'s tiles (one 8-row panel, its first
    /// <paramref name="mr"/> rows valid), the same columns and strides; a partial tile is stored through
    /// <paramref name="tile"/> with <see cref="Kernel8x4"/>'s scalar arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel8x8(
        int kc,
        double* a,
        double* b,
        double* b1,
        long step,
        long col,
        double* c,
        int ldc,
        double alpha,
        double beta,
        int mode,
        int mr,
        double* tile,
        double* bias,
        bool relu
    )
    {
        var c0 = Vector512<double>.Zero;
        var c1 = Vector512<double>.Zero;
        var c2 = Vector512<double>.Zero;
        var c3 = Vector512<double>.Zero;
        var c4 = Vector512<double>.Zero;
        var c5 = Vector512<double>.Zero;
        var c6 = Vector512<double>.Zero;
        var c7 = Vector512<double>.Zero;
        long col2 = 2 * col,
            col3 = 3 * col;

        for (int p = 0; p < kc; p++)
        {
            var x = Avx512F.LoadVector512(a);
            c0 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b[0]), c0);
            c1 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b[col]), c1);
            c2 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b[col2]), c2);
            c3 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b[col3]), c3);
            c4 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b1[0]), c4);
            c5 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b1[col]), c5);
            c6 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b1[col2]), c6);
            c7 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b1[col3]), c7);
            a += MR;
            b += step;
            b1 += step;
        }

        if (mr == MR)
        {
            Store8(c, c0, alpha, beta, mode, bias, 0, relu);
            Store8(c + ldc, c1, alpha, beta, mode, bias, 1, relu);
            Store8(c + (2L * ldc), c2, alpha, beta, mode, bias, 2, relu);
            Store8(c + (3L * ldc), c3, alpha, beta, mode, bias, 3, relu);
            Store8(c + (4L * ldc), c4, alpha, beta, mode, bias, 4, relu);
            Store8(c + (5L * ldc), c5, alpha, beta, mode, bias, 5, relu);
            Store8(c + (6L * ldc), c6, alpha, beta, mode, bias, 6, relu);
            Store8(c + (7L * ldc), c7, alpha, beta, mode, bias, 7, relu);
            return;
        }

        Avx512F.Store(tile, c0);
        Avx512F.Store(tile + 8, c1);
        Avx512F.Store(tile + 16, c2);
        Avx512F.Store(tile + 24, c3);
        Avx512F.Store(tile + 32, c4);
        Avx512F.Store(tile + 40, c5);
        Avx512F.Store(tile + 48, c6);
        Avx512F.Store(tile + 56, c7);
        StoreCorner(tile, c, ldc, mr, 2 * NR, alpha, beta, mode, bias, relu);
    }

    /// <summary>16 rows of one column of C (two row panels), each 8 by <see cref="Store8"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store16(
        double* c,
        Vector512<double> top,
        Vector512<double> bottom,
        double alpha,
        double beta,
        int mode,
        double* bias,
        int j,
        bool relu
    )
    {
        Store8(c, top, alpha, beta, mode, bias, j, relu);
        Store8(c + MR, bottom, alpha, beta, mode, bias, j, relu);
    }

    /// <summary>8 rows of one column of C: the same expressions as <see cref="Store"/> and, with a bias,
    /// <see cref="StoreBias"/> (bias[j] added, then the select on v &gt; 0 under <paramref name="relu"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store8(
        double* c,
        Vector512<double> s,
        double alpha,
        double beta,
        int mode,
        double* bias,
        int j,
        bool relu
    )
    {
        var av = Vector512.Create(alpha);
        var r = mode switch
        {
            ModeOverwrite => Avx512F.Multiply(av, s),
            ModeBeta => Avx512F.FusedMultiplyAdd(
                av,
                s,
                Avx512F.Multiply(Vector512.Create(beta), Avx512F.LoadVector512(c))
            ),
            _ => Avx512F.FusedMultiplyAdd(av, s, Avx512F.LoadVector512(c)),
        };
        if (bias != null)
        {
            r = Avx512F.Add(r, Vector512.Create(bias[j]));
            if (relu)
                r = Vector512.ConditionalSelect(
                    Vector512.GreaterThan(r, Vector512<double>.Zero),
                    r,
                    Vector512<double>.Zero
                );
        }

        Avx512F.Store(c, r);
    }
}
