using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.Kernels;

// act(A·B + bias) where every column of A is a run of one array: a stride-1 convolution's im2col block read from the
// image where it lies, without packing it or the product's panels.
internal static partial class Gemm
{
    /// <summary>
    /// C (m×n, column-major, leading dimension <paramref name="ldc"/>) = act(A·B + bias) with A(i, p) =
    /// src[offsets[p] + i] and B k×n given by its rows (B(p, j) = <paramref name="bt"/>[p·ldt + j], the transpose of
    /// a column-major B, made once by the caller for all the products it takes B to), act the identity or,
    /// with <paramref name="relu"/>, v &gt; 0 ? v : 0 — on the calling thread, with the bits of
    /// <see cref="Multiply(in Product, Epilogue?, int)"/> on the same A with a tile bias: where that product takes
    /// the packed path in one k block, every element is one fma chain from zero in increasing p, times alpha 1, plus
    /// bias[j], then the select; this kernel computes those same expressions. False, with C untouched, where the
    /// GEMM would do otherwise (k above one block, a product small enough for its direct path) or without FMA: the
    /// caller then packs A and takes the GEMM. <paramref name="narrow"/> takes the Vector256 tiles even where
    /// AVX-512 is there (for tests: the bits are the same).
    /// </summary>
    /// <remarks>
    /// With AVX-512, tiles of 24 rows (three Vector512) by 8 columns: per p three loads of A and eight broadcasts of
    /// B feed 24 fmas, where the GEMM first copies A and B into panels (for k = 25 the copies cost about as much as
    /// the multiply-adds). The columns past the last 8 take a 24×4 tile whose unused columns repeat the last one and
    /// are not stored; rows past the last 24, 8-row tiles and then scalar chains (Math.FusedMultiplyAdd rounds as
    /// one lane of a vector fma). Without it, 8×6 Vector256 tiles (<see cref="Columns6"/>).
    /// </remarks>
    internal static unsafe bool MultiplyShifted(
        int m,
        int n,
        int k,
        double[] src,
        ReadOnlySpan<int> offsets,
        double[] bt,
        int ldt,
        double[] bias,
        bool relu,
        double[] c,
        int ldc,
        bool narrow = false
    )
    {
        if (!MultipliesShifted(m, n, k))
        {
            return false;
        }

        if (
            offsets.Length < k
            || bias.Length < n
            || ldt < n
            || (long)(k - 1) * ldt + n > bt.Length
            || ldc < m
            || (long)(n - 1) * ldc + m > c.Length
        )
        {
            throw new ArgumentException(
                $"a shifted product of {m}×{n}, k {k} given {offsets.Length} offsets, {bias.Length} biases, {bt.Length} values of B by rows of {ldt}, ldc {ldc} and {c.Length} outputs"
            );
        }

        for (int p = 0; p < k; p++)
        {
            if (offsets[p] < 0 || (long)offsets[p] + m > src.Length)
            {
                throw new ArgumentException(
                    $"column {p} of A at {offsets[p]}…{(long)offsets[p] + m} lies outside its {src.Length} values"
                );
            }
        }

        // A's columns as pointers, one per p.
        double** cols = stackalloc double*[k];
        fixed (
            double* x = src,
                pb = bt,
                pc = c,
                pbias = bias
        )
        {
            for (int p = 0; p < k; p++)
            {
                cols[p] = x + offsets[p];
            }

            var wide = Avx512F.IsSupported && !narrow;
            int j0 = 0;
            for (; wide && j0 + 8 <= n; j0 += 8)
            {
                Columns8(m, k, cols, pb + j0, ldt, pbias + j0, relu, pc + ((long)j0 * ldc), ldc);
            }

            for (; wide && j0 < n; j0 += 4)
            {
                Columns4(m, k, cols, pb + j0, ldt, pbias + j0, relu, pc + ((long)j0 * ldc), ldc, Math.Min(4, n - j0));
            }

            for (; j0 < n; j0 += 6)
            {
                Columns6(m, k, cols, pb + j0, ldt, pbias + j0, relu, pc + ((long)j0 * ldc), ldc, Math.Min(6, n - j0));
            }
        }

        return true;
    }

    /// <summary>Whether <see cref="MultiplyShifted"/> computes an m×n product over k (and does not hand it back).</summary>
    internal static bool MultipliesShifted(int m, int n, int k) =>
        Fma.IsSupported && Avx2.IsSupported && k >= 1 && k <= KcMax && Packs(k, 0, m, 0, n);

    /// <summary>Eight columns of <see cref="MultiplyShifted"/>: row tiles of 24, then <see cref="ShiftedRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Columns8(
        int m,
        int k,
        double** cols,
        double* bt,
        int ldt,
        double* bias,
        bool relu,
        double* c,
        int ldc
    )
    {
        int i = 0;
        for (; i + 24 <= m; i += 24)
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
            var c20 = Vector512<double>.Zero;
            var c21 = Vector512<double>.Zero;
            var c22 = Vector512<double>.Zero;
            var c23 = Vector512<double>.Zero;
            var c24 = Vector512<double>.Zero;
            var c25 = Vector512<double>.Zero;
            var c26 = Vector512<double>.Zero;
            var c27 = Vector512<double>.Zero;
            double* w = bt;
            for (int p = 0; p < k; p++, w += ldt)
            {
                double* a = cols[p] + i;
                var x0 = Avx512F.LoadVector512(a);
                var x1 = Avx512F.LoadVector512(a + 8);
                var x2 = Avx512F.LoadVector512(a + 16);
                var bv = Vector512.Create(w[0]);
                c00 = Avx512F.FusedMultiplyAdd(x0, bv, c00);
                c10 = Avx512F.FusedMultiplyAdd(x1, bv, c10);
                c20 = Avx512F.FusedMultiplyAdd(x2, bv, c20);
                bv = Vector512.Create(w[1]);
                c01 = Avx512F.FusedMultiplyAdd(x0, bv, c01);
                c11 = Avx512F.FusedMultiplyAdd(x1, bv, c11);
                c21 = Avx512F.FusedMultiplyAdd(x2, bv, c21);
                bv = Vector512.Create(w[2]);
                c02 = Avx512F.FusedMultiplyAdd(x0, bv, c02);
                c12 = Avx512F.FusedMultiplyAdd(x1, bv, c12);
                c22 = Avx512F.FusedMultiplyAdd(x2, bv, c22);
                bv = Vector512.Create(w[3]);
                c03 = Avx512F.FusedMultiplyAdd(x0, bv, c03);
                c13 = Avx512F.FusedMultiplyAdd(x1, bv, c13);
                c23 = Avx512F.FusedMultiplyAdd(x2, bv, c23);
                bv = Vector512.Create(w[4]);
                c04 = Avx512F.FusedMultiplyAdd(x0, bv, c04);
                c14 = Avx512F.FusedMultiplyAdd(x1, bv, c14);
                c24 = Avx512F.FusedMultiplyAdd(x2, bv, c24);
                bv = Vector512.Create(w[5]);
                c05 = Avx512F.FusedMultiplyAdd(x0, bv, c05);
                c15 = Avx512F.FusedMultiplyAdd(x1, bv, c15);
                c25 = Avx512F.FusedMultiplyAdd(x2, bv, c25);
                bv = Vector512.Create(w[6]);
                c06 = Avx512F.FusedMultiplyAdd(x0, bv, c06);
                c16 = Avx512F.FusedMultiplyAdd(x1, bv, c16);
                c26 = Avx512F.FusedMultiplyAdd(x2, bv, c26);
                bv = Vector512.Create(w[7]);
                c07 = Avx512F.FusedMultiplyAdd(x0, bv, c07);
                c17 = Avx512F.FusedMultiplyAdd(x1, bv, c17);
                c27 = Avx512F.FusedMultiplyAdd(x2, bv, c27);
            }

            double* o = c + i;
            Shifted24(o, c00, c10, c20, bias[0], relu);
            Shifted24(o + ldc, c01, c11, c21, bias[1], relu);
            Shifted24(o + (2L * ldc), c02, c12, c22, bias[2], relu);
            Shifted24(o + (3L * ldc), c03, c13, c23, bias[3], relu);
            Shifted24(o + (4L * ldc), c04, c14, c24, bias[4], relu);
            Shifted24(o + (5L * ldc), c05, c15, c25, bias[5], relu);
            Shifted24(o + (6L * ldc), c06, c16, c26, bias[6], relu);
            Shifted24(o + (7L * ldc), c07, c17, c27, bias[7], relu);
        }

        ShiftedRows(i, m, k, cols, bt, ldt, bias, relu, c, ldc, 8);
    }

    /// <summary>Up to four columns (<paramref name="nr"/>) of <see cref="MultiplyShifted"/>, in 24×4 tiles whose
    /// columns past nr repeat column nr − 1 and are not stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Columns4(
        int m,
        int k,
        double** cols,
        double* bt,
        int ldt,
        double* bias,
        bool relu,
        double* c,
        int ldc,
        int nr
    )
    {
        int q1 = Math.Min(1, nr - 1),
            q2 = Math.Min(2, nr - 1),
            q3 = Math.Min(3, nr - 1);
        int i = 0;
        for (; i + 24 <= m; i += 24)
        {
            var c00 = Vector512<double>.Zero;
            var c01 = Vector512<double>.Zero;
            var c02 = Vector512<double>.Zero;
            var c03 = Vector512<double>.Zero;
            var c10 = Vector512<double>.Zero;
            var c11 = Vector512<double>.Zero;
            var c12 = Vector512<double>.Zero;
            var c13 = Vector512<double>.Zero;
            var c20 = Vector512<double>.Zero;
            var c21 = Vector512<double>.Zero;
            var c22 = Vector512<double>.Zero;
            var c23 = Vector512<double>.Zero;
            double* w = bt;
            for (int p = 0; p < k; p++, w += ldt)
            {
                double* a = cols[p] + i;
                var x0 = Avx512F.LoadVector512(a);
                var x1 = Avx512F.LoadVector512(a + 8);
                var x2 = Avx512F.LoadVector512(a + 16);
                var bv = Vector512.Create(w[0]);
                c00 = Avx512F.FusedMultiplyAdd(x0, bv, c00);
                c10 = Avx512F.FusedMultiplyAdd(x1, bv, c10);
                c20 = Avx512F.FusedMultiplyAdd(x2, bv, c20);
                bv = Vector512.Create(w[q1]);
                c01 = Avx512F.FusedMultiplyAdd(x0, bv, c01);
                c11 = Avx512F.FusedMultiplyAdd(x1, bv, c11);
                c21 = Avx512F.FusedMultiplyAdd(x2, bv, c21);
                bv = Vector512.Create(w[q2]);
                c02 = Avx512F.FusedMultiplyAdd(x0, bv, c02);
                c12 = Avx512F.FusedMultiplyAdd(x1, bv, c12);
                c22 = Avx512F.FusedMultiplyAdd(x2, bv, c22);
                bv = Vector512.Create(w[q3]);
                c03 = Avx512F.FusedMultiplyAdd(x0, bv, c03);
                c13 = Avx512F.FusedMultiplyAdd(x1, bv, c13);
                c23 = Avx512F.FusedMultiplyAdd(x2, bv, c23);
            }

            double* o = c + i;
            Shifted24(o, c00, c10, c20, bias[0], relu);
            if (nr > 1)
            {
                Shifted24(o + ldc, c01, c11, c21, bias[1], relu);
            }

            if (nr > 2)
            {
                Shifted24(o + (2L * ldc), c02, c12, c22, bias[2], relu);
            }

            if (nr > 3)
            {
                Shifted24(o + (3L * ldc), c03, c13, c23, bias[3], relu);
            }
        }

        ShiftedRows(i, m, k, cols, bt, ldt, bias, relu, c, ldc, nr);
    }

    /// <summary>Rows [i, m) of <paramref name="nr"/> columns: 8 at a time, one Vector512 chain per column, then one
    /// scalar chain per element.</summary>
    private static unsafe void ShiftedRows(
        int i,
        int m,
        int k,
        double** cols,
        double* bt,
        int ldt,
        double* bias,
        bool relu,
        double* c,
        int ldc,
        int nr
    )
    {
        for (; i + 8 <= m; i += 8)
        {
            for (int j = 0; j < nr; j++)
            {
                var s = Vector512<double>.Zero;
                for (int p = 0; p < k; p++)
                {
                    s = Avx512F.FusedMultiplyAdd(
                        Avx512F.LoadVector512(cols[p] + i),
                        Vector512.Create(bt[(p * ldt) + j]),
                        s
                    );
                }

                Avx512F.Store(c + ((long)j * ldc) + i, ShiftedFinish(s, bias[j], relu));
            }
        }

        ShiftedScalar(i, m, k, cols, bt, ldt, bias, relu, c, ldc, nr);
    }

    /// <summary>Rows [i, m) of <paramref name="nr"/> columns, one scalar chain per element.</summary>
    private static unsafe void ShiftedScalar(
        int i,
        int m,
        int k,
        double** cols,
        double* bt,
        int ldt,
        double* bias,
        bool relu,
        double* c,
        int ldc,
        int nr
    )
    {
        for (; i < m; i++)
        {
            for (int j = 0; j < nr; j++)
            {
                double s = 0.0;
                for (int p = 0; p < k; p++)
                {
                    s = Math.FusedMultiplyAdd(cols[p][i], bt[(p * ldt) + j], s);
                }

                double r = (1.0 * s) + bias[j];
                c[((long)j * ldc) + i] = relu ? (r > 0 ? r : 0.0) : r;
            }
        }
    }

    /// <summary>24 rows of one column: <see cref="ShiftedFinish(Vector512{double}, double, bool)"/> of each of three vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Shifted24(
        double* c,
        Vector512<double> s0,
        Vector512<double> s1,
        Vector512<double> s2,
        double bias,
        bool relu
    )
    {
        Avx512F.Store(c, ShiftedFinish(s0, bias, relu));
        Avx512F.Store(c + 8, ShiftedFinish(s1, bias, relu));
        Avx512F.Store(c + 16, ShiftedFinish(s2, bias, relu));
    }

    /// <summary>The packed path's store with alpha 1, beta 0 and a tile bias (<see cref="Store8"/>): 1·s + bias,
    /// then the select on v &gt; 0 under <paramref name="relu"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ShiftedFinish(Vector512<double> s, double bias, bool relu)
    {
        var r = Avx512F.Add(Avx512F.Multiply(Vector512.Create(1.0), s), Vector512.Create(bias));
        return relu
            ? Vector512.ConditionalSelect(Vector512.GreaterThan(r, Vector512<double>.Zero), r, Vector512<double>.Zero)
            : r;
    }
}
