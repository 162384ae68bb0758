namespace Functional.Core;

/// <summary>
/// A training batch not yet copied out of its data set: rows <see cref="Index"/> of a palette-coded row-major copy
/// (<see cref="Mat"/>'s gather), owed to <see cref="Target"/>, a column-major rows×<see cref="Cols"/> array of a
/// training loop's <see cref="StepScratch"/>.
/// </summary>
/// <remarks>
/// The first layer of a network is almost always an Affine, whose product packs the batch into panels of 8 rows
/// anyway. Handed this, the product packs straight from the codes and writes the batch's values into the target
/// as it goes (<c>Gemm.PackACodes</c>), so the separate gather pass, its hand-off to the worker and the re-reading of
/// the batch by the packing are gone. The values written are the palette's own doubles, as the gather writes them,
/// so every result is bitwise the same. Whoever takes it from the scratch (<see cref="StepScratch.TakeDeferred"/>)
/// must either hand it to such a product or call <see cref="Fill"/> before reading the batch.
/// </remarks>
internal sealed class DeferredRows(byte[] codes, double[] palette, int[] index, int cols, double[] target)
{
    /// <summary>One code per element, row-major, <see cref="Cols"/> per row.</summary>
    public byte[] Codes => codes;

    /// <summary>256 doubles: element = Palette[code].</summary>
    public double[] Palette => palette;

    /// <summary>The data set's rows that make the batch, in batch order (already checked).</summary>
    public int[] Index => index;

    public int Cols => cols;

    /// <summary>The batch's storage: row i, column j at <c>j·Index.Length + i</c>.</summary>
    public double[] Target => target;

    /// <summary>Writes the whole batch into <see cref="Target"/> (the gather, on all workers).</summary>
    public void Fill() => Mat.GatherCodesInto(codes, palette, cols, index, target);
}
