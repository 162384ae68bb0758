using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.Kernels;

// The Vector256 tiles of the shifted product (Gemm.MultiplyShifted), for cores with AVX2 and FMA but not AVX-512.
internal static partial class Gemm
{
    /// <summary>Up to six columns (<paramref name="nr"/>) of <see cref="MultiplyShifted"/> with Vector256: tiles of
    /// 8 rows by 6 columns (twelve accumulators, two loads of A and six broadcasts of B per p: the AVX2 register file
    /// holds no wider tile), the columns past nr repeating column nr − 1 and not stored; then
    /// <see cref="ShiftedRows256"/> for the rows past the last 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Columns6(
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
            q3 = Math.Min(3, nr - 1),
            q4 = Math.Min(4, nr - 1),
            q5 = Math.Min(5, nr - 1);
        int i = 0;
        for (; i + 8 <= m; i += 8)
        {
            var c00 = Vector256<double>.Zero;
            var c01 = Vector256<double>.Zero;
            var c02 = Vector256<double>.Zero;
            var c03 = Vector256<double>.Zero;
            var c04 = Vector256<double>.Zero;
            var c05 = Vector256<double>.Zero;
            var c10 = Vector256<double>.Zero;
            var c11 = Vector256<double>.Zero;
            var c12 = Vector256<double>.Zero;
            var c13 = Vector256<double>.Zero;
            var c14 = Vector256<double>.Zero;
            var c15 = Vector256<double>.Zero;
            double* w = bt;
            for (int p = 0; p < k; p++, w += ldt)
            {
                double* a = cols[p] + i;
                var x0 = Avx.LoadVector256(a);
                var x1 = Avx.LoadVector256(a + 4);
                var bv = Vector256.Create(w[0]);
                c00 = Fma.MultiplyAdd(x0, bv, c00);
                c10 = Fma.MultiplyAdd(x1, bv, c10);
                bv = Vector256.Create(w[q1]);
                c01 = Fma.MultiplyAdd(x0, bv, c01);
                c11 = Fma.MultiplyAdd(x1, bv, c11);
                bv = Vector256.Create(w[q2]);
                c02 = Fma.MultiplyAdd(x0, bv, c02);
                c12 = Fma.MultiplyAdd(x1, bv, c12);
                bv = Vector256.Create(w[q3]);
                c03 = Fma.MultiplyAdd(x0, bv, c03);
                c13 = Fma.MultiplyAdd(x1, bv, c13);
                bv = Vector256.Create(w[q4]);
                c04 = Fma.MultiplyAdd(x0, bv, c04);
                c14 = Fma.MultiplyAdd(x1, bv, c14);
                bv = Vector256.Create(w[q5]);
                c05 = Fma.MultiplyAdd(x0, bv, c05);
                c15 = Fma.MultiplyAdd(x1, bv, c15);
            }

            double* o = c + i;
            Shifted8(o, c00, c10, bias[0], relu);
            if (nr > 1)
            {
                Shifted8(o + ldc, c01, c11, bias[1], relu);
            }

            if (nr > 2)
            {
                Shifted8(o + (2L * ldc), c02, c12, bias[2], relu);
            }

            if (nr > 3)
            {
                Shifted8(o + (3L * ldc), c03, c13, bias[3], relu);
            }

            if (nr > 4)
            {
                Shifted8(o + (4L * ldc), c04, c14, bias[4], relu);
            }

            if (nr > 5)
            {
                Shifted8(o + (5L * ldc), c05, c15, bias[5], relu);
            }
        }

        ShiftedRows256(i, m, k, cols, bt, ldt, bias, relu, c, ldc, nr);
    }

    /// <summary>Rows [i, m) of <paramref name="nr"/> columns: 4 at a time, one Vector256 chain per column, then one
    /// scalar chain per element.</summary>
    private static unsafe void ShiftedRows256(
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
        for (; i + 4 <= m; i += 4)
        {
            for (int j = 0; j < nr; j++)
            {
                var s = Vector256<double>.Zero;
                for (int p = 0; p < k; p++)
                {
                    s = Fma.MultiplyAdd(Avx.LoadVector256(cols[p] + i), Vector256.Create(bt[(p * ldt) + j]), s);
                }

                Avx.Store(c + ((long)j * ldc) + i, ShiftedFinish(s, bias[j], relu));
            }
        }

        ShiftedScalar(i, m, k, cols, bt, ldt, bias, relu, c, ldc, nr);
    }

    /// <summary>8 rows of one column: <see cref="ShiftedFinish(Vector256{double}, double, bool)"/> of two
    /// vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Shifted8(double* c, Vector256<double> s0, Vector256<double> s1, double bias, bool relu)
    {
        Avx.Store(c, ShiftedFinish(s0, bias, relu));
        Avx.Store(c + 4, ShiftedFinish(s1, bias, relu));
    }

    /// <summary>The packed path's store with alpha 1, beta 0 and a tile bias (<see cref="StoreBias"/>): 1·s + bias,
    /// then the select on v &gt; 0 under <paramref name="relu"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ShiftedFinish(Vector256<double> s, double bias, bool relu)
    {
        var r = Avx.Add(Avx.Multiply(Vector256.Create(1.0), s), Vector256.Create(bias));
        return relu
            ? Vector256.ConditionalSelect(Vector256.GreaterThan(r, Vector256<double>.Zero), r, Vector256<double>.Zero)
            : r;
    }
}
