using System.Text;
using System.Text.Json.Nodes;
using Functional.Cli;
using Functional.Cli.Commands;
using Functional.Tests.Cli;
using Functional.Training;
using Xunit;
using static Functional.Tests.Reliability.InProcess;

namespace Functional.Tests.Reliability;

/// <summary>
/// The history of a run lives in history.jsonl beside model.ckpt, one line per finished epoch, and the checkpoint
/// carries only its length and SHA-256: writing an epoch costs the same at epoch 1 and at epoch 8000, every finished
/// epoch is on disk after a SIGKILL, and a resume reads exactly the epochs its checkpoint counts.
/// </summary>
[Collection("Console")]
public sealed class HistoryLogTests
{
    /// <summary>One-step epochs: 20 digits, a batch of 20.</summary>
    static TrainConfig OneStep(int epochs) => TrainConfig.Default with { Epochs = epochs, LimitTrain = 20, Batch = 20 };

    static string Trained(int epochs)
    {
        var dir = Fresh("hist");
        Assert.Equal(0, TrainCommand.Run(OneStep(epochs), dir, null, TextWriter.Null));
        return dir;
    }

    static string[] Lines(string dir) => File.ReadAllLines(Path.Combine(dir, "history.jsonl"));

    static JsonArray ReportHistory(string dir) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!["history"]!.AsArray();

    [Fact]
    public void The_checkpoint_is_the_same_size_after_3_and_after_120_epochs()
    {
        var (few, many) = (Trained(3), Trained(120));
        var (a, b) = (
            new FileInfo(Path.Combine(few, "model.ckpt")).Length,
            new FileInfo(Path.Combine(many, "model.ckpt")).Length
        );
        // Only numbers grow a digit or two (the configuration's epochs, the steps, the count of lines); nothing else.
        Assert.True(Math.Abs(a - b) <= 16, $"model.ckpt is {a} bytes after 3 epochs, {b} after 120");
        Assert.Equal(120, Lines(many).Length);
    }

    [Fact]
    public void The_lines_are_the_reports_history()
    {
        var dir = Trained(5);
        var report = ReportHistory(dir);
        var lines = Lines(dir);
        Assert.Equal(report.Count, lines.Length);
        for (var i = 0; i < lines.Length; i++)
            Assert.True(JsonNode.DeepEquals(report[i], JsonNode.Parse(lines[i])), $"line {i + 1}: {lines[i]}");
    }

    /// <summary>What a SIGKILL between an epoch's line and its checkpoint leaves (one line too many, and a cut line
    /// after it): the resume drops both and ends exactly as a run that was never stopped.</summary>
    [Fact]
    public void Lines_past_the_checkpoint_are_dropped_on_resume_and_the_run_ends_as_an_uninterrupted_one()
    {
        var dir = Trained(4);
        var path = Path.Combine(dir, "history.jsonl");
        var lines = Lines(dir);
        File.AppendAllText(
            path,
            lines[^1].Replace("\"epoch\":4", "\"epoch\":5", StringComparison.Ordinal) + "\n{\"epo"
        );
        Assert.Equal(0, Run("train", "--resume", Path.Combine(dir, "model.ckpt"), "--epochs", "7", "--out", dir).Code);
        var straight = Trained(7);
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "history.jsonl")), File.ReadAllText(path));
        Assert.True(JsonNode.DeepEquals(ReportHistory(straight), ReportHistory(dir)));
    }

    [Fact]
    public void A_resume_into_another_folder_carries_the_history_there()
    {
        var dir = Trained(3);
        var other = Fresh("hist-other");
        Assert.Equal(
            0,
            Run("train", "--resume", Path.Combine(dir, "model.ckpt"), "--epochs", "5", "--out", other).Code
        );
        Assert.Equal(3, Lines(dir).Length);
        Assert.Equal(File.ReadAllLines(Path.Combine(Trained(5), "history.jsonl")), Lines(other));
    }

    public static TheoryData<string> Damages() => ["missing", "cut", "edited", "from another run", "one endless line"];

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_missing_or_different_history_file_is_refused_in_one_line(string damage)
    {
        var dir = Trained(3);
        var path = Path.Combine(dir, "history.jsonl");
        var lines = Lines(dir);
        switch (damage)
        {
            case "missing":
                File.Delete(path);
                break;
            case "cut":
                File.WriteAllText(path, lines[0] + "\n" + lines[1]);
                break;
            case "edited":
                File.WriteAllLines(
                    path,
                    [lines[0], lines[1].Replace("\"step\":2", "\"step\":3", StringComparison.Ordinal), lines[2]]
                );
                break;
            case "one endless line":
                File.WriteAllBytes(path, new byte[1 << 20]);
                break;
            default:
                File.Copy(Path.Combine(Trained(4), "history.jsonl"), path, overwrite: true);
                File.WriteAllLines(path, File.ReadAllLines(path).Skip(1));
                break;
        }
        var r = Run("train", "--resume", Path.Combine(dir, "model.ckpt"), "--epochs", "5", "--out", dir);
        AssertOneLineError(r, 2, path);
    }

    /// <summary>A checkpoint of the earlier format, with the whole history in <c>meta.history</c>, still resumes (and
    /// its history is carried into history.jsonl).</summary>
    [Fact]
    public void A_checkpoint_holding_its_history_itself_still_resumes()
    {
        var dir = Trained(3);
        var ckpt = Path.Combine(dir, "model.ckpt");
        var c = Checkpoint.Load(ckpt).Match(x => x, e => throw new InvalidOperationException(e.Message));
        var meta = (JsonObject)c.Meta.DeepClone();
        meta.Remove("history_log");
        meta["history"] = new JsonArray([.. Lines(dir).Select(l => JsonNode.Parse(l))]);
        Checkpoint.Save(ckpt, c with { Meta = meta }).ThrowIfFail();
        File.Delete(Path.Combine(dir, "history.jsonl"));
        Assert.Equal(0, Run("train", "--resume", ckpt, "--epochs", "5", "--out", dir).Code);
        var straight = Trained(5);
        Assert.Equal(Lines(straight), Lines(dir));
        Assert.True(JsonNode.DeepEquals(ReportHistory(straight), ReportHistory(dir)));
    }

    /// <summary>A line edited to a wrong type, with the checkpoint's SHA-256 of the lines recomputed to match: the
    /// history is validated like the rest of the checkpoint.</summary>
    [Theory]
    [InlineData("\"epoch\":2", "\"epoch\":\"two\"")]
    [InlineData("\"step\":2", "\"step\":null")]
    [InlineData("{", "[")]
    public void A_line_edited_with_the_hash_recomputed_is_refused_in_one_line(string from, string to)
    {
        var dir = Trained(3);
        var lines = Lines(dir);
        lines[1] = lines[1].Replace(from, to, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        File.WriteAllBytes(Path.Combine(dir, "history.jsonl"), bytes);
        var ckpt = Path.Combine(dir, "model.ckpt");
        var c = Checkpoint.Load(ckpt).Match(x => x, e => throw new InvalidOperationException(e.Message));
        var meta = (JsonObject)c.Meta.DeepClone();
        meta["history_log"]!["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        Checkpoint.Save(ckpt, c with { Meta = meta }).ThrowIfFail();
        AssertOneLineError(Run("train", "--resume", ckpt, "--epochs", "5", "--out", dir), 2, ckpt);
    }

    /// <summary>SIGKILL at a random moment of a run of one-step epochs (an epoch, its line and its checkpoint every
    /// few milliseconds): the file holds every epoch the checkpoint counts, and the resume ends exactly as a run that
    /// was never stopped.</summary>
    [Fact]
    public void After_SIGKILL_every_epoch_the_checkpoint_counts_is_in_the_file_and_the_resume_is_exact()
    {
        var dir = Fresh("hist-kill");
        using (
            var child = Fnn.Start(["train", "--limit-train", "20", "--batch", "20", "--epochs", "100000", "--out", dir])
        )
        {
            Assert.True(child.WaitForOutput("epoch   30", TimeSpan.FromSeconds(90)), "no 30th epoch line");
            Thread.Sleep(Random.Shared.Next(50));
            child.Signal(Fnn.SIGKILL);
            Assert.Equal(137, child.Wait(TimeSpan.FromSeconds(30)).Code);
        }
        var ckpt = Path.Combine(dir, "model.ckpt");
        var c = Checkpoint.Load(ckpt).Match(x => x, e => throw new InvalidOperationException(e.Message));
        var counted = c.Meta["history_log"]!["epochs"]!.GetValue<int>();
        Assert.True(counted >= 29, $"the checkpoint counts {counted} epochs");
        var lines = File.ReadAllText(Path.Combine(dir, "history.jsonl")).Split('\n');
        Assert.True(lines.Length - 1 >= counted, $"{lines.Length - 1} whole lines for {counted} epochs");
        var total = (counted + 3).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var resumed = Fnn.Run(["train", "--resume", ckpt, "--epochs", total, "--out", dir]);
        Assert.True(resumed.Code == 0, resumed.Err);
        var straight = Fresh("hist-straight");
        var r = Fnn.Run(["train", "--limit-train", "20", "--batch", "20", "--epochs", total, "--out", straight]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(Fnn.ReportWithoutTiming(straight), Fnn.ReportWithoutTiming(dir));
        Assert.Equal(
            File.ReadAllText(Path.Combine(straight, "history.jsonl")),
            File.ReadAllText(Path.Combine(dir, "history.jsonl"))
        );
    }
}
