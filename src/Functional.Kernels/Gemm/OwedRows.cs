namespace Functional.Kernels;

/// <summary>
/// Rows owed to the A operand of a product (<see cref="Gemm.Product.FillA"/>): row i of the column-major
/// <see cref="Index"/>.Length×<see cref="Cols"/> array <see cref="Target"/> is to be
/// <c>Palette[Codes[Index[i]·Cols + p]]</c> for p in [0, Cols), and nothing has written it yet.
/// </summary>
/// <remarks>
/// A product handed such rows packs op(A) straight from the codes and writes each value into <see cref="Target"/> as it
/// goes (<c>PackACodes</c>), so A is complete when the product returns and no separate pass copies it first. The
/// values written are the palette's own doubles, so the result is bitwise that of the product of the filled array.
/// </remarks>
internal abstract class OwedRows(byte[] codes, double[] palette, int[] index, int cols, double[] target)
{
    /// <summary>One code per element, row-major, <see cref="Cols"/> per row.</summary>
    public byte[] Codes => codes;

    /// <summary>256 doubles: element = Palette[code].</summary>
    public double[] Palette => palette;

    /// <summary>The source rows, in the order of A's rows (each already checked to lie inside the codes).</summary>
    public int[] Index => index;

    /// <summary>Elements per row (the product's k).</summary>
    public int Cols => cols;

    /// <summary>A's storage: row i, column p at <c>p·Index.Length + i</c>.</summary>
    public double[] Target => target;

    /// <summary>Writes every owed row into <see cref="Target"/> (for a product that never reads A, e.g. an empty one).</summary>
    public abstract void Fill();
}
