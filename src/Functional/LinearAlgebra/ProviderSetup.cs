using System.Runtime.CompilerServices;

namespace Functional.LinearAlgebra;

internal static class ProviderSetup
{
    /// <summary>
    /// Every matrix product of the library goes through <see cref="FastProvider"/> from the moment the assembly
    /// loads: the same deterministic kernel (fixed summation order, any thread count) for the tests, the CLI and
    /// any user, so a snapshot taken in one is valid in the others.
    /// </summary>
#pragma warning disable CA2255 // a library module initializer is deliberate here: results must not depend on call order
    [ModuleInitializer]
    internal static void Install() => FastProvider.Install();
#pragma warning restore CA2255
}
