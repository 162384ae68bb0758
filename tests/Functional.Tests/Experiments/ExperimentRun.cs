using System.Text.Json;
using System.Text.Json.Nodes;
using Functional.Cli.Commands;
using Functional.Cli.Experiments;
using Functional.Tests.Data;
using Xunit;

namespace Functional.Tests.Experiments;

/// <summary>Runs an experiment in-process on a tiny configuration into a temporary folder.</summary>
public static class ExperimentRun
{
    public static JsonObject Run(
        string name,
        Func<ExperimentContext, ExperimentContext> configure,
        params string[] figures
    )
    {
        using var dir = new TempDir();
        var ctx = configure(new ExperimentContext(dir.Path, 1, TextWriter.Null));
        var report = ExperimentCommand.Find(name).Run(ctx);
        foreach (var f in figures)
            Assert.True(new FileInfo(Path.Combine(dir.Path, f)).Length > 10_000, $"{f} was not drawn");
        return report;
    }

    static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The report as lines of indented JSON: doubles are written round-trip, so equal lines mean equal bits.</summary>
    public static string[] Lines(JsonObject report) => report.ToJsonString(Indented).Split('\n');

    public static double D(JsonNode? n) => n!.GetValue<double>();
}
