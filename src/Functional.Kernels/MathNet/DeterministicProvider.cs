using MathNet.Numerics.Providers.LinearAlgebra;

namespace Functional.Kernels;

/// <summary>
/// Opt-in for programs that use MathNet.Numerics beside Functional: MathNet's own matrix products on Functional's
/// deterministic kernel. Functional never calls this itself, and its results do not depend on it (it multiplies
/// through its kernel directly).
/// </summary>
public static class DeterministicProvider
{
    private static readonly Lock Gate = new();

    /// <summary>
    /// Makes Functional's provider MathNet's process-wide <c>LinearAlgebraControl.Provider</c> and returns the one it
    /// replaces (pass it back to <c>LinearAlgebraControl.Provider</c> to undo).
    /// </summary>
    /// <remarks>
    /// From then on every double-precision matrix product MathNet computes in the process (<c>a * b</c>, matrix
    /// times vector, <c>TransposeThisAndMultiply</c>, <c>TransposeAndMultiply</c>, …) runs on Functional's kernel:
    /// each element summed in one fixed order, so the bits are the same for any thread count and equal to those of
    /// Functional's own products. Every other operation (other element types, factorizations, element-wise array
    /// operations) goes to MathNet's managed provider, also when a native provider was in use before. Thread-safe;
    /// calling it again changes nothing further.
    /// </remarks>
    public static ILinearAlgebraProvider UseForMathNet()
    {
        lock (Gate)
        {
            var previous = LinearAlgebraControl.Provider;
            LinearAlgebraControl.Provider = FastProvider.Shared;
            return previous;
        }
    }
}
