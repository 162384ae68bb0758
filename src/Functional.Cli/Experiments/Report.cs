using System.Text.Json.Nodes;
using Functional.Cli.Reporting;

namespace Functional.Cli.Experiments;

/// <summary>JSON building blocks for the reports (non-finite numbers become null).</summary>
public static class Report
{
    public static JsonArray Numbers(IEnumerable<double> xs) => new([.. xs.Select(JsonFiles.Num)]);

    public static JsonArray Strings(IEnumerable<string> xs) => new([.. xs.Select(x => (JsonNode)x)]);

    public static JsonArray Objects(IEnumerable<JsonObject> xs) => new([.. xs.Cast<JsonNode>()]);

    /// <summary>The header every report starts with.</summary>
    public static JsonObject Start(IExperiment e, ExperimentContext ctx, JsonObject config) =>
        new()
        {
            ["experiment"] = e.Name,
            ["description"] = e.Description,
            ["seed"] = ctx.Seed,
            ["quick"] = ctx.Quick,
            ["config"] = config,
        };
}
