using System.Security.Cryptography;
using Functional.Core;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Cli;

/// <summary>Child processes are timed against each other and signalled: keep them off the parallel test pool.</summary>
[CollectionDefinition("Child processes", DisableParallelization = true)]
public sealed class ChildProcessGroup;

/// <summary>
/// The CLI as a real process (the built fnn.dll under `dotnet`): Ctrl-C, SIGTERM and SIGKILL at random moments,
/// divergence and recovery, and bitwise determinism across processes and processor counts.
/// FUNCTIONAL_SOAK=1 raises the kill test from 3 to 50 kills (FUNCTIONAL_SOAK_KILLS=N for any other count).
/// </summary>
[Collection("Child processes")]
public sealed class ProcessTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    readonly string _dir = Directory
        .CreateDirectory(Path.Combine(Path.GetTempPath(), "fnn-proc-" + Guid.NewGuid().ToString("N")))
        .FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Dir(string name) => Path.Combine(_dir, name);

    static void Ok(Fnn.Result r, string what) =>
        Assert.True(r.Code == 0, $"{what}: exit {r.Code}\nstderr: {r.Err}\nstdout: {r.Out}");

    static Checkpoint Load(string path) =>
        Checkpoint
            .Load(path)
            .Match(c => c, e => throw new Xunit.Sdk.XunitException($"{path} does not load: {e.Message}"));

    /// <summary>The key promise: Ctrl-C mid-epoch writes a checkpoint and exits 130 with a resume hint, and resuming
    /// to the end gives the uninterrupted run's report (parameters_sha256 and the whole history) bit for bit.</summary>
    [Fact]
    public void Ctrl_C_then_resume_equals_the_uninterrupted_run_bitwise()
    {
        // 250 epochs of 135 steps. The signal goes 0–60 ms after the first epoch line (when the epoch-end
        // evaluation is already compiled), so it lands inside one of the first epochs — usually mid-epoch, the case
        // where the partial epoch's loss sum must survive the checkpoint; an interrupt at any other step must keep
        // the promise too. The run is long (seconds after the first epoch) so that a test thread delayed by a busy
        // machine still signals before it ends: with 12 and then 60 epochs the ever faster training step let the
        // child finish first (60 epochs took ~0.3 s after the first line: 1 failure in 8 full parallel test runs;
        // 250 take ~2.5 s).
        string[] cfg =
        [
            "train",
            "--optimizer",
            "adam",
            "--lr",
            "0.001",
            "--dropout",
            "0.1",
            "--epochs",
            "250",
            "--seed",
            "11",
        ];
        Ok(Fnn.Run([.. cfg, "--out", Dir("straight")]), "straight run");

        using (var child = Fnn.Start([.. cfg, "--out", Dir("cut")]))
        {
            if (!child.WaitForOutput("epoch    1", TimeSpan.FromSeconds(60)))
            {
                var early = child.Wait(TimeSpan.FromSeconds(60));
                Assert.Fail($"no first epoch line; exit {early.Code}\nstdout: {early.Out}\nstderr: {early.Err}");
            }
            Thread.Sleep(Random.Shared.Next(0, 60));
            child.Signal(Fnn.SIGINT);
            var r = child.Wait(TimeSpan.FromSeconds(60));
            Assert.True(
                r.Code == 130,
                $"exit {r.Code} (expected 130)\nstderr: {r.Err}\nstdout tail: {r.Out[^Math.Min(400, r.Out.Length)..]}"
            );
            Assert.Matches(@"interrupted at step \d+ of 33750; checkpoint saved to .*model\.ckpt", r.Err);
            Assert.Contains("resume with:", r.Err, StringComparison.Ordinal);
            var step = Load(Path.Combine(Dir("cut"), "model.ckpt")).State.Step;
            Assert.InRange(step, 135, 33_749);
            output.WriteLine($"interrupted at step {step} (epoch {step / 135 + 1}, step {step % 135} of 135 in it)");
        }
        Ok(Fnn.Run(["train", "--resume", Path.Combine(Dir("cut"), "model.ckpt"), "--out", Dir("cut")]), "resume");
        Assert.Equal(Fnn.ReportWithoutTiming(Dir("straight")), Fnn.ReportWithoutTiming(Dir("cut")));
    }

    /// <summary>A learning rate of 1e6 set on resume blows up in epoch 2: exit 3, a message naming the step and the
    /// first non-finite gradient, the epoch-1 checkpoint left byte for byte; resuming it with the stored rate then
    /// finishes exactly like a run that never diverged.</summary>
    [Fact]
    public void Divergence_stops_with_exit_3_keeps_the_last_good_checkpoint_and_resume_recovers()
    {
        var ckpt = Path.Combine(Dir("run"), "model.ckpt");
        Ok(Fnn.Run(["train", "--epochs", "3", "--out", Dir("straight")]), "straight run");
        Ok(Fnn.Run(["train", "--epochs", "1", "--out", Dir("run")]), "first epoch");
        var good = SHA256.HashData(File.ReadAllBytes(ckpt));

        var bad = Fnn.Run(["train", "--resume", ckpt, "--epochs", "3", "--lr", "1e6", "--out", Dir("run")]);
        Assert.True(bad.Code == 3, $"exit {bad.Code} (expected 3)\nstderr: {bad.Err}");
        Assert.Matches(@"training stopped at step (1[3-9]\d|2\d\d|3\d\d|40\d): .*'\d+\.\w+' is not finite", bad.Err);
        Assert.Contains($"last good checkpoint (step 135) is {ckpt}", bad.Err, StringComparison.Ordinal);
        Assert.Equal(good, SHA256.HashData(File.ReadAllBytes(ckpt)));
        Assert.Equal(0.01, Load(ckpt).Meta["config"]!["lr"]!.GetValue<double>());

        Ok(Fnn.Run(["train", "--resume", ckpt, "--epochs", "3", "--out", Dir("run")]), "resume after divergence");
        Assert.Equal(Fnn.ReportWithoutTiming(Dir("straight")), Fnn.ReportWithoutTiming(Dir("run")));

        var fresh = Fnn.Run(["train", "--epochs", "3", "--lr", "1e6", "--out", Dir("fresh")]);
        Assert.Equal(3, fresh.Code);
        Assert.Contains("No checkpoint was written", fresh.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Dir("fresh"), "model.ckpt")));
    }

    /// <summary>
    /// SIGKILL, SIGTERM and SIGINT at random moments (seeded), each run resuming the last one's checkpoint: after
    /// every kill, model.ckpt is either absent (killed before the first epoch ended) or whole — it loads, its
    /// SHA-256 holds, and its step never goes backwards. A graceful signal after start-up must exit 130 with a
    /// checkpoint.
    /// </summary>
    [Fact]
    public void Killing_train_at_random_moments_never_leaves_a_partial_checkpoint()
    {
        var kills =
            int.TryParse(Environment.GetEnvironmentVariable("FUNCTIONAL_SOAK_KILLS"), out var n) ? n
            : Environment.GetEnvironmentVariable("FUNCTIONAL_SOAK") == "1" ? 50
            : 3;
        var ckpt = Path.Combine(Dir("soak"), "model.ckpt");
        var key = Key.Of((ulong)Environment.TickCount64);
        var lastStep = -1L;
        var log = new List<string>();
        for (var i = 0; i < kills; i++)
        {
            var sig = (i % 3) switch
            {
                0 => Fnn.SIGKILL,
                1 => Fnn.SIGTERM,
                _ => Fnn.SIGINT,
            };
            // Digits with a tiny batch: an epoch (and so a checkpoint write) every ~50 ms, so kills land in writes too.
            string[] args = File.Exists(ckpt)
                ? ["train", "--resume", ckpt, "--out", Dir("soak")]
                : ["train", "--batch", "50", "--epochs", "100000", "--out", Dir("soak")];
            using var child = Fnn.Start(args);
            var started = child.WaitForOutput("optimizer", TimeSpan.FromSeconds(60));
            var delay = (int)(key.FoldIn((ulong)i).Bits(0) % 1500);
            Thread.Sleep(delay);
            child.Signal(sig);
            var r = child.Wait(TimeSpan.FromSeconds(60));
            log.Add($"kill {i}: signal {sig} after {delay} ms, exit {r.Code}");
            if (sig != Fnn.SIGKILL && started)
                Assert.True(r.Code == 130, $"{string.Join("\n", log)}\nstderr: {r.Err}");
            if (File.Exists(ckpt))
            {
                var step = Load(ckpt).State.Step;
                Assert.True(step >= lastStep, $"checkpoint went back from step {lastStep} to {step}");
                lastStep = step;
            }
        }
        Assert.True(lastStep > 0, "no checkpoint was ever written:\n" + string.Join("\n", log));
        var leftovers = Directory.GetFiles(Dir("soak"), "model.ckpt.tmp-*").Length;
        output.WriteLine(
            $"{kills} kills; exit codes: {string.Join(", ", log.Select(l => l[(l.LastIndexOf(' ') + 1)..]).GroupBy(c => c).Select(g => $"{g.Key}×{g.Count()}"))}; "
                + $"checkpoint loaded after every kill, last at step {lastStep}; {leftovers} temporary file(s) left by SIGKILL mid-write"
        );
    }

    /// <summary>Same seed → the same report (history and parameters_sha256) from two processes, one limited to a
    /// single processor. Batch 100 and 64-wide layers put the GEMMs above the threading threshold, so the default
    /// run really splits products across threads.</summary>
    [Theory]
    [InlineData("adam", "0.2", "false")]
    [InlineData("nesterov", "0", "true")]
    public void Same_seed_gives_identical_reports_across_processes_and_processor_counts(
        string optimizer,
        string dropout,
        string batchnorm
    )
    {
        string[] cfg =
        [
            "train",
            "--optimizer",
            optimizer,
            "--lr",
            "0.01",
            "--dropout",
            dropout,
            "--batchnorm",
            batchnorm,
            "--hidden",
            "64,64",
            "--batch",
            "100",
            "--epochs",
            "3",
            "--seed",
            "3",
        ];
        Ok(Fnn.Run([.. cfg, "--out", Dir("default")]), "default processors");
        Ok(
            Fnn.Run([.. cfg, "--out", Dir("one")], new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = "1" }),
            "one processor"
        );
        Assert.Contains("\"processor_count\": 1", File.ReadAllText(Path.Combine(Dir("one"), "report.json")));
        Assert.Equal(Fnn.ReportWithoutTiming(Dir("default")), Fnn.ReportWithoutTiming(Dir("one")));
    }
}
