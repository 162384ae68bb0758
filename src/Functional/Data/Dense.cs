using Functional.Core;

namespace Functional.Data;

/// <summary>Builds MathNet dense matrices straight from column-major arrays
/// (element (i, j) at j * rows + i), avoiding per-element delegates.</summary>
internal static class Dense
{
    // Rows per tile of the byte-to-double transpose: 64 samples of 784 bytes stay in L2 while each
    // column is written as one contiguous run of 64 doubles.
    private const int Tile = 64;

    /// <summary>Row-major bytes (sample after sample) to a rows × cols matrix, each byte mapped through lut.</summary>
    internal static Tensor FromBytes(ReadOnlySpan<byte> rowMajor, int rows, int cols, ReadOnlySpan<double> lut)
    {
        var a = new double[checked(rows * cols)];
        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int i1 = Math.Min(rows, i0 + Tile);
            for (int j = 0; j < cols; j++)
            {
                int dst = j * rows;
                for (int i = i0; i < i1; i++)
                    a[dst + i] = lut[rowMajor[i * cols + j]];
            }
        }
        return Tensor.Wrap(rows, cols, a);
    }

    internal static Tensor Column(ReadOnlySpan<int> values)
    {
        var a = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
            a[i] = values[i];
        return Tensor.Wrap(values.Length, 1, a);
    }
}
