using System.Runtime.CompilerServices;

namespace Functional.Kernels;

/// <summary>Sums over column-major storage, each in one fixed order.</summary>
internal static class Reductions
{
    /// <summary>
    /// sums[j] = the sum of column j of the column-major <paramref name="rows"/>×sums.Length array
    /// <paramref name="x"/>, summed from row 0 down, one addition after another. Allocates nothing, so it can run on a
    /// worker.
    /// </summary>
    /// <remarks>
    /// Four columns are summed side by side: one column's additions form a chain that waits on each addition's
    /// latency, so four independent chains keep the adder busy without changing any column's order.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSums(ReadOnlySpan<double> x, int rows, Span<double> sums) =>
        ColumnSums(x, rows, rows, sums);

    /// <summary>sums[j] = the sum of the <paramref name="count"/> values from x[j·<paramref name="stride"/>] in order
    /// (what <see cref="ColumnSums(ReadOnlySpan{double}, int, Span{double})"/> does with stride = count = rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSums(ReadOnlySpan<double> x, int stride, int count, Span<double> sums)
    {
        var n = count;
        var j = 0;
        for (; j + 4 <= sums.Length; j += 4)
        {
            var c0 = x.Slice(j * stride, n);
            var c1 = x.Slice((j + 1) * stride, n);
            var c2 = x.Slice((j + 2) * stride, n);
            var c3 = x.Slice((j + 3) * stride, n);
            double a0 = 0.0,
                a1 = 0.0,
                a2 = 0.0,
                a3 = 0.0;
            for (var i = 0; i < n; i++)
            {
                a0 += c0[i];
                a1 += c1[i];
                a2 += c2[i];
                a3 += c3[i];
            }
            (sums[j], sums[j + 1], sums[j + 2], sums[j + 3]) = (a0, a1, a2, a3);
        }
        for (; j < sums.Length; j++)
        {
            var acc = 0.0;
            foreach (var v in x.Slice(j * stride, n))
                acc += v;
            sums[j] = acc;
        }
    }
}
