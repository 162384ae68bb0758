using System.Globalization;
using System.Runtime.CompilerServices;
using Snapshooter;
using Snapshooter.Xunit;

namespace Functional.Tests.Support;

/// <summary>
/// Snapshot helper: files go to the top-level snapshots/&lt;Area&gt;/__snapshots__/&lt;Class&gt;.&lt;Method&gt;.snap.
/// Only plain DTOs are snapshotted; doubles are written as round-trip strings ("R") so a snapshot pins every bit.
/// </summary>
public static class Snap
{
    public static void Match(
        object dto,
        string area,
        [CallerMemberName] string method = "",
        [CallerFilePath] string file = ""
    )
    {
        var cls = Path.GetFileNameWithoutExtension(file);
        Snapshot.Match(dto, new SnapshotFullName($"{cls}.{method}.snap", Path.Combine(Root, "snapshots", area)));
    }

    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Functional.sln")))
            dir = dir.Parent;
        return dir?.FullName
            ?? throw new InvalidOperationException("Functional.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Round-trip text of a double: two equal strings mean bitwise equal values.</summary>
    public static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    public static string[][] R(Tensor m) =>
        Enumerable
            .Range(0, m.RowCount)
            .Select(i => Enumerable.Range(0, m.ColumnCount).Select(j => R(m[i, j])).ToArray())
            .ToArray();

    public static string Sig(double x, int digits = 8) => x.ToString("G" + digits, CultureInfo.InvariantCulture);
}
