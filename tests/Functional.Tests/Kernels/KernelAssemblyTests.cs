using Functional.Kernels;
using Xunit;

namespace Functional.Tests.Kernels;

/// <summary>The kernel wing is its own assembly and imports nothing from the library above it.</summary>
public class KernelAssemblyTests
{
    [Fact]
    public void The_kernels_are_their_own_assembly_and_reference_no_library_assembly()
    {
        var kernels = typeof(Gemm).Assembly;
        Assert.Equal("Functional.Kernels", kernels.GetName().Name);
        foreach (var t in new[] { typeof(Workers), typeof(PartJob), typeof(Elementwise), typeof(OwedRows) })
            Assert.Same(kernels, t.Assembly);

        var referenced = kernels.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.DoesNotContain(
            referenced,
            n => n == "Functional" || n.StartsWith("Functional.", StringComparison.Ordinal)
        );
        Assert.DoesNotContain(referenced, n => n.StartsWith("LanguageExt", StringComparison.Ordinal));
    }

    [Fact]
    public void The_library_references_the_kernels()
    {
        var library = typeof(Functional.Core.Mat).Assembly;
        Assert.Contains(library.GetReferencedAssemblies(), a => a.Name == "Functional.Kernels");
    }
}
