using System.Reflection;
using System.Runtime.Loader;
using Functional.Kernels;
using Functional.Tests.Support;
using MathNet.Numerics.Providers.LinearAlgebra;
using Xunit;

namespace Functional.Tests.Kernels;

/// <summary>
/// Loading and using Functional leaves MathNet's process-wide provider as the program set it (only
/// <see cref="DeterministicProvider.UseForMathNet"/> changes it). In <see cref="ProcessWide"/>: no other test may
/// opt in meanwhile.
/// </summary>
[Collection(nameof(ProcessWide))]
public sealed class ProviderUntouchedTests
{
    /// <summary>A fresh copy of the library, the kernels and the CLI that shares MathNet (and so its global provider)
    /// with the tests: loading it runs the library's module initializers again, as a first load in a program would.</summary>
    sealed class FreshLibrary(string dir) : AssemblyLoadContext("fresh Functional", isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name) =>
            name.Name is "Functional" or "Functional.Kernels" or "fnn"
                ? LoadFromAssemblyPath(Path.Combine(dir, name.Name + ".dll"))
                : null;
    }

    [Fact]
    public void Loading_Functional_and_training_leave_MathNet_s_provider_as_it_was()
    {
        var before = LinearAlgebraControl.Provider;
        Assert.IsNotType<FastProvider>(before); // this process loaded Functional long ago, and trained with it

        var fresh = new FreshLibrary(AppContext.BaseDirectory);
        var fnn = fresh.LoadFromAssemblyName(new AssemblyName("fnn"));
        Assert.NotSame(typeof(Gemm).Assembly, fresh.LoadFromAssemblyName(new AssemblyName("Functional.Kernels")));
        var run = fnn.GetType("Functional.Cli.Cli", throwOnError: true)!.GetMethod("Run")!;
        var dir = Path.Combine(Path.GetTempPath(), "fnn-provider-" + Guid.NewGuid().ToString("N"));
        var console = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            string[] args = ["train", "--epochs", "1", "--limit-train", "200", "--out", dir];
            Assert.Equal(0, run.Invoke(null, [args]));
        }
        finally
        {
            Console.SetOut(console);
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }

        Assert.Same(before, LinearAlgebraControl.Provider);
    }
}
