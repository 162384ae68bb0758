using System.Reflection;
using System.Xml.Linq;
using Functional.Kernels;
using Xunit;

namespace Functional.Tests;

/// <summary>
/// The public surface is documented: each library assembly is built with its XML documentation file, which the
/// compiler only writes when every public member has a doc comment (missing ones, CS1591, fail the build as
/// warnings are errors). The file must sit next to the assembly, be from the same build, and describe every public
/// type with a summary.
/// </summary>
public class SurfaceTests
{
    public static TheoryData<string> Assemblies => new() { "Functional", "Functional.Kernels" };

    static Assembly Load(string name) =>
        name switch
        {
            "Functional" => typeof(Params).Assembly,
            "Functional.Kernels" => typeof(DeterministicProvider).Assembly,
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void The_documentation_file_sits_next_to_the_assembly_and_is_from_its_build(string name)
    {
        var dll = Load(name).Location;
        var xml = Path.ChangeExtension(dll, ".xml");
        Assert.True(File.Exists(xml), $"{xml} is missing: is GenerateDocumentationFile on for {name}?");
        // A file left from an earlier build (the flag since turned off) would be older than the assembly.
        var gap = (File.GetLastWriteTimeUtc(dll) - File.GetLastWriteTimeUtc(xml)).Duration();
        Assert.True(gap < TimeSpan.FromMinutes(1), $"{xml} and {dll} were written {gap} apart");
        var doc = XDocument.Load(xml);
        Assert.Equal(name, doc.Root!.Element("assembly")!.Element("name")!.Value);
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Every_public_type_has_a_summary_in_the_documentation_file(string name)
    {
        var assembly = Load(name);
        var doc = XDocument.Load(Path.ChangeExtension(assembly.Location, ".xml"));
        var summaries = doc.Descendants("member")
            .ToDictionary(m => (string)m.Attribute("name")!, m => m.Element("summary")?.Value.Trim() ?? "");
        var types = assembly.GetExportedTypes();
        Assert.NotEmpty(types);
        var undocumented = types
            .Select(t => "T:" + t.FullName!.Replace('+', '.'))
            .Where(id => !summaries.TryGetValue(id, out var s) || s.Length == 0)
            .ToArray();
        Assert.True(undocumented.Length == 0, "no summary for " + string.Join(", ", undocumented));
    }
}
