using System.Text.Json.Nodes;
using Functional.Cli.Commands;
using Functional.Tests.Data;
using Xunit;

namespace Functional.Tests.Cli;

/// <summary>
/// The `bench` command on short runs (its timings are not asserted — speed is measured, not tested): it reports
/// every workload, its results are deterministic, and the allocation per step stays within the bound of at most twice
/// the step's activations and gradients.
/// </summary>
public sealed class BenchCommandTests : IDisposable
{
    readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    JsonArray Run(
        string file,
        int repeats = 2,
        long steps = 40,
        string workloads = "digits-bn,two-layer,optimizers-adam,regression"
    )
    {
        var log = new StringWriter();
        var code = BenchCommand.Run(
            workloads,
            RepoData.Path("fashion-mnist-mini"),
            repeats,
            steps,
            Path.Combine(_tmp.Path, file),
            log,
            waitQuiet: false
        );
        Assert.True(code == 0, log.ToString());
        Assert.Contains("clean", log.ToString());
        return JsonNode.Parse(File.ReadAllText(Path.Combine(_tmp.Path, file)))!["workloads"]!.AsArray();
    }

    [Fact]
    public void Reports_every_workload_with_deterministic_results()
    {
        var first = Run("a.json");
        var second = Run("b.json");
        Assert.Equal(
            ["digits-bn", "two-layer", "optimizers-adam", "regression"],
            first.Select(w => (string)w!["workload"]!)
        );
        for (var i = 0; i < first.Count; i++)
        {
            var w = first[i]!;
            var name = (string)w["workload"]!;
            Assert.Equal(40L, (long)w["steps"]!);
            Assert.True((double)w["ms_per_step_median"]! > 0, name);
            Assert.True((int)w["clean_runs"]! <= w["ms_per_step_runs"]!.AsArray().Count, name);
            // Same final loss and accuracy from the same seed, run to run.
            Assert.Equal((string)w["result"]!, (string)second[i]!["result"]!);
        }
    }

    [Fact]
    public void Allocates_at_most_twice_the_activations_and_gradients_per_step()
    {
        // The small networks run 1 000 steps so that the run's one-time allocations (iterator, first batch
        // permutation: ~13 KB) are amortised as over the peers' step counts; the large ones have megabytes of margin.
        var small = Run("small.json", repeats: 1, steps: 1000, workloads: "digits-bn,regression");
        var large = Run("large.json", repeats: 1, steps: 60, workloads: "two-layer,optimizers-adam");
        foreach (var w in small.Concat(large))
        {
            var ratio = (double)w!["bytes_ratio"]!;
            Assert.True(ratio <= 2.0, $"{w["workload"]}: {ratio}× the activations and gradients");
        }
    }

    [Fact]
    public void An_unknown_workload_is_a_usage_error()
    {
        var e = Assert.Throws<Functional.Cli.UsageException>(() =>
            BenchCommand.Run("digits", null, 1, 1, Path.Combine(_tmp.Path, "x.json"), TextWriter.Null, waitQuiet: false)
        );
        Assert.Contains("got 'digits'", e.Message);
    }
}
