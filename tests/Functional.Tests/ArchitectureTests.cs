using System.Text.RegularExpressions;
using Xunit;

namespace Functional.Tests;

/// <summary>
/// The library's folders depend on each other only downwards (docs/ARCHITECTURE.md): read from the sources, every
/// reference from one folder to another — a <c>using</c>, a qualified name or a doc <c>cref</c> — must follow an arrow
/// of <see cref="Allowed"/>. No source file is longer than 600 lines.
/// </summary>
public class ArchitectureTests
{
    static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Core"] = ["Kernels", "Numerics"],
        ["Numerics"] = [],
        ["Data"] = ["Core", "Kernels", "Numerics"],
        ["Layers"] = ["Core", "Kernels", "Numerics"],
        ["Optim"] = ["Core", "Kernels", "Numerics"],
        ["Models"] = ["Core", "Kernels", "Numerics", "Layers"],
        ["Training"] = ["Core", "Kernels", "Numerics", "Data", "Layers", "Models", "Optim"],
        ["Interop"] = ["Core", "Kernels", "Numerics", "Layers", "Models", "Training"],
    };

    static readonly Regex Reference = new(
        @"(?:using\s+(?:static\s+)?Functional\.|(?<![\w.])(?:Functional\.)?)(Core|Numerics|Data|Layers|Optim|Models|Training|Interop|Kernels)(?:\.[A-Z]|;)",
        RegexOptions.Compiled
    );

    static string Src => Path.Combine(Support.Snap.Root, "src");

    [Fact]
    public void Folders_reference_each_other_only_downwards()
    {
        var bad = new List<string>();
        foreach (var (folder, allowed) in Allowed)
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Src, "Functional", folder), "*.cs"))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
                foreach (Match m in Reference.Matches(lines[i]))
                {
                    var target = m.Groups[1].Value;
                    if (target != folder && !allowed.Contains(target))
                        bad.Add($"{Path.GetRelativePath(Src, file)}:{i + 1}: {folder} → {target}: {lines[i].Trim()}");
                }
        }
        Assert.True(bad.Count == 0, "references against the arrows:\n" + string.Join("\n", bad));
    }

    [Fact]
    public void The_kernel_wing_names_nothing_of_the_library()
    {
        var bad = Directory
            .EnumerateFiles(Path.Combine(Src, "Functional.Kernels"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal))
            .SelectMany(f =>
                File.ReadAllLines(f)
                    .Select((l, i) => (l, i))
                    .Where(x =>
                        Regex.IsMatch(x.l, @"\bFunctional\.(Core|Numerics|Data|Layers|Optim|Models|Training)\b")
                    )
                    .Select(x => $"{Path.GetRelativePath(Src, f)}:{x.i + 1}: {x.l.Trim()}")
            )
            .ToList();
        Assert.True(bad.Count == 0, string.Join("\n", bad));
    }

    [Fact]
    public void No_source_file_is_longer_than_600_lines()
    {
        var long_ = Directory
            .EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories)
            .Where(f =>
                !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)
            )
            .Select(f => (File: Path.GetRelativePath(Src, f), Lines: File.ReadAllLines(f).Length))
            .Where(x => x.Lines > 600)
            .Select(x => $"{x.File}: {x.Lines} lines")
            .ToList();
        Assert.True(long_.Count == 0, string.Join("\n", long_));
    }
}
