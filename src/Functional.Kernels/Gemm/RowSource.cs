using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.Kernels;

// Where the sparse product's B comes from, a block of rows at a time: a column-major matrix, or (in the convolution
// layer) the images a convolution's unfolded input is a view of.
internal static partial class Gemm
{
    /// <summary>
    /// The rows of a k×n operand B, a block at a time, for <see cref="MultiplySparseTransposed(int, int, int, in SparseColumns, RowSource, double[], int, double[], int)"/>:
    /// B column-major (<see cref="ColumnRows"/>), or B never stored, its rows made from what it is a view of (a
    /// convolution's unfolded input, from the image).
    /// </summary>
    internal abstract class RowSource
    {
        /// <summary>Stores the 4×4 block whose columns are v0…v3 as four rows of <paramref name="lanes"/> from
        /// dst[o] (rows[o + r·lanes + c] = v_c[r]); all ones in the lanes where every value is finite
        /// (v − v == 0 is false for an infinity or NaN).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        protected static Vector256<double> StoreTransposed(
            Vector256<double> v0,
            Vector256<double> v1,
            Vector256<double> v2,
            Vector256<double> v3,
            ref double dst,
            nuint o,
            int lanes
        )
        {
            var t0 = Avx.UnpackLow(v0, v1);
            var t1 = Avx.UnpackHigh(v0, v1);
            var t2 = Avx.UnpackLow(v2, v3);
            var t3 = Avx.UnpackHigh(v2, v3);
            Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref dst, o);
            Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref dst, o + (nuint)lanes);
            Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref dst, o + (nuint)(2 * lanes));
            Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref dst, o + (nuint)(3 * lanes));
            return Vector256.Equals(v0 - v0, Vector256<double>.Zero)
                & Vector256.Equals(v1 - v1, Vector256<double>.Zero)
                & Vector256.Equals(v2 - v2, Vector256<double>.Zero)
                & Vector256.Equals(v3 - v3, Vector256<double>.Zero);
        }

        /// <summary>rows[p·lanes + j] = B[p0 + p, j] for p &lt; kc and j &lt; n; whether every value is finite. Lanes
        /// n ≤ j &lt; lanes need not be written (the job zeroes its rows once, and those lanes never reach C). Called
        /// concurrently for different blocks.</summary>
        public abstract bool Rows(int p0, int kc, int n, int lanes, Span<double> rows);
    }

    /// <summary>The rows of a column-major k×n B (leading dimension ldb), transposed a block at a time.</summary>
    internal sealed class ColumnRows(double[] b, int ldb) : RowSource
    {
        /// <summary>rows[p·lanes + j] = B[p0 + p, j] for j &lt; n; whether every value copied is finite.</summary>
        /// <remarks>Four columns by four rows at a time, transposed in registers; the finiteness test is v − v == 0
        /// (false for an infinity or NaN), and-ed into a mask.</remarks>
        public override bool Rows(int p0, int kc, int n, int lanes, Span<double> rows)
        {
            ref double dst = ref rows[0];
            var ok = Vector256<double>.AllBitsSet;
            int j = 0;
            int n4 = n / 4 * 4;
            int kc4 = kc / 4 * 4;
            // 32 rows at a time (8 KB of rows, which stay in L1 while all their columns are written).
            for (int r0 = 0; r0 < kc4; r0 += 32)
            {
                int r1 = Math.Min(kc4, r0 + 32);
                for (j = 0; j < n4; j += 4)
                {
                    ref double c0 = ref b[p0 + (j * ldb)];
                    ref double c1 = ref Unsafe.Add(ref c0, ldb);
                    ref double c2 = ref Unsafe.Add(ref c1, ldb);
                    ref double c3 = ref Unsafe.Add(ref c2, ldb);
                    for (int p = r0; p < r1; p += 4)
                    {
                        var v0 = Vector256.LoadUnsafe(ref c0, (nuint)p);
                        var v1 = Vector256.LoadUnsafe(ref c1, (nuint)p);
                        var v2 = Vector256.LoadUnsafe(ref c2, (nuint)p);
                        var v3 = Vector256.LoadUnsafe(ref c3, (nuint)p);
                        ok &= StoreTransposed(v0, v1, v2, v3, ref dst, (nuint)((p * lanes) + j), lanes);
                    }
                }
            }

            for (j = 0; j < n4; j += 4)
            {
                for (int p = kc4; p < kc; p++)
                {
                    for (int q = 0; q < 4; q++)
                    {
                        double v = b[p0 + p + ((j + q) * ldb)];
                        rows[(p * lanes) + j + q] = v;
                        ok &= Vector256.Create(v - v == 0.0 ? -1L : 0L).AsDouble();
                    }
                }
            }

            j = n4;
            for (; j < n; j++)
            {
                var src = b.AsSpan(p0 + (j * ldb), kc);
                for (int p = 0; p < kc; p++)
                {
                    double v = src[p];
                    rows[(p * lanes) + j] = v;
                    ok &= Vector256.Create(v - v == 0.0 ? -1L : 0L).AsDouble();
                }
            }

            return ok.AsInt64() == Vector256<long>.AllBitsSet;
        }
    }
}
