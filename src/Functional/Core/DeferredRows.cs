using Functional.Kernels;

namespace Functional.Core;

/// <summary>
/// A training batch not yet copied out of its data set: rows <see cref="OwedRows.Index"/> of a palette-coded
/// row-major copy (<see cref="Mat"/>'s gather), owed to <see cref="OwedRows.Target"/>, a column-major
/// rows×<see cref="OwedRows.Cols"/> array of a training loop's <see cref="StepScratch"/>.
/// </summary>
/// <remarks>
/// The first layer of a network is almost always an Affine, whose product packs the batch into panels of 8 rows
/// anyway. Handed this (as <see cref="Gemm.Product.FillA"/>), the product packs straight from the codes and writes
/// the batch's values into the target as it goes, so the separate gather pass, its hand-off to the worker and the
/// re-reading of the batch by the packing are gone. The values written are the palette's own doubles, as the gather
/// writes them, so every result is bitwise the same. Whoever takes it from the scratch
/// (<see cref="StepScratch.TakeDeferred"/>) must either hand it to such a product or call <see cref="Fill"/> before
/// reading the batch.
/// </remarks>
internal sealed class DeferredRows(byte[] codes, double[] palette, int[] index, int cols, double[] target)
    : OwedRows(codes, palette, index, cols, target)
{
    /// <summary>Writes the whole batch into the target (the gather, on all workers).</summary>
    public override void Fill() => Mat.GatherCodesInto(Codes, Palette, Cols, Index, Target);
}
