namespace Functional.Kernels;

/// <summary>Work cut into a fixed number of disjoint parts; part p of P is always the same work.</summary>
/// <remarks>
/// A part job writes only its own part of a fresh result, so the result is the same whichever thread runs a part
/// and however many parts there are (the GEMM's parts are sums in one fixed order, the gather's are copies, the
/// optimizer's are element-wise).
/// </remarks>
internal abstract class PartJob
{
    public abstract void RunPart(int part, int parts);
}
