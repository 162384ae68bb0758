using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Training;
using Xunit;
using static Functional.Tests.Reliability.InProcess;

namespace Functional.Tests.Reliability;

/// <summary>
/// Hand-edited checkpoints whose SHA-256 is recomputed over the edit, so only validation can catch them: each is
/// given to `train --resume` and to `evaluate`. An invalid value is refused in one line (exit 2); it is never used
/// silently and never an exception. Evaluation may accept an edit that only concerns resuming (the optimizer).
/// </summary>
[Collection("Console")]
public sealed class CheckpointEditTests
{
    /// <summary>The file with its JSON header replaced by <paramref name="edit"/>'s result, re-hashed.</summary>
    static byte[] EditHeader(byte[] file, Action<JsonObject> edit)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8));
        var header = JsonNode.Parse(file.AsSpan(12, length))!.AsObject();
        edit(header);
        var h = Encoding.UTF8.GetBytes(header.ToJsonString());
        var rest = file.AsSpan(12 + length, file.Length - 12 - length - 32).ToArray();
        var len = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, h.Length);
        byte[] body = [.. file.AsSpan(0, 8), .. len, .. h, .. rest];
        return [.. body, .. SHA256.HashData(body)];
    }

    static Action<JsonObject> Set(string path, string json) =>
        h =>
        {
            var parts = path.Split('.');
            JsonNode node = h;
            foreach (var p in parts[..^1])
                node = int.TryParse(p, out var i) ? node[i]! : node[p]!;
            if (json == "<remove>")
                node.AsObject().Remove(parts[^1]);
            else if (int.TryParse(parts[^1], out var last))
                node[last] = JsonNode.Parse(json);
            else
                node[parts[^1]] = JsonNode.Parse(json);
        };

    /// <summary>(edit, value, evaluate may accept it).</summary>
    static IEnumerable<(string, string, bool)> HeaderEdits()
    {
        foreach (var v in new[] { "\"abc\"", "0", "-1", "1.5", "null", "1", "1e10" })
            yield return ("meta.config.batch", v, false);
        foreach (var v in new[] { "-1", "\"x\"", "1.5", "null" })
            yield return ("meta.config.seed", v, false);
        foreach (var v in new[] { "-0.1", "0", "\"NaN\"", "null" })
            yield return ("meta.config.lr", v, false);
        yield return ("meta.config.lr", "0.5", true); // valid, but not the stored optimizer's
        foreach (var v in new[] { "1", "-1", "\"x\"" })
            yield return ("meta.config.dropout", v, false);
        foreach (var v in new[] { "-1", "\"x\"" })
            yield return ("meta.config.weight_decay", v, false);
        yield return ("meta.config.optimizer", "\"adam\"", true);
        yield return ("meta.config.optimizer", "\"sgdx\"", false);
        yield return ("meta.config.activation", "\"gelu\"", false);
        yield return ("meta.config.activation", "\"tanh\"", true);
        foreach (var v in new[] { "[]", "[0]", "[-1]", "\"many\"", "null" })
            yield return ("meta.config.hidden", v, false);
        yield return ("meta.config.hidden", "[32,32]", true);
        yield return ("meta.config.dataset", "\"cifar\"", false);
        yield return ("meta.config.dataset", "\"regression\"", false);
        yield return ("meta.config.sampling", "\"sometimes\"", false);
        foreach (var v in new[] { "0", "-1", "\"x\"" })
            yield return ("meta.config.epochs", v, false);
        yield return ("meta.config.iterations", "0", false);
        yield return ("meta.config.iterations", "5", false); // with epochs also set
        yield return ("meta.config.limit_train", "0", false);
        yield return ("meta.config.limit_train", "1", false);
        yield return ("meta.config.batchnorm", "\"yes\"", false);
        yield return ("meta.config.init", "\"glorious\"", false);
        yield return ("meta.config.data", "\"\"", false);
        yield return ("meta.config.data", "\"/no/such/dir\"", false);
        yield return ("meta.config", "<remove>", true);
        yield return ("meta.config", "5", true);
        yield return ("step", "-1", false);
        yield return ("step", "\"x\"", false);
        yield return ("step", "1000000000000", true);
        yield return ("optimizer_step", "-1", false);
        yield return ("key", "\"zz\"", false);
        yield return ("key", "<remove>", false);
        yield return ("has_optimizer_state", "false", true); // a model-only file: evaluated, not resumed
        yield return ("optimizer", "null", true);
        yield return ("optimizer.lr", "-1", true);
        yield return ("optimizer.lr", "0.02", true);
        yield return ("optimizer.kind", "\"adam\"", true);
        yield return ("clip_global_norm", "-1", true);
        yield return ("clip_global_norm", "5", true);
        yield return ("network.layers.3.out", "11", false);
        yield return ("network.layers.0.in", "63", false);
        yield return ("network.layers.1.epsilon", "-1", false);
        yield return ("network.inputs", "65", false);
        yield return ("network.weight_decay", "-1", false);
        yield return ("network.layers.1.running_decay", "2", false);
        yield return ("network.layers.1.initial_running_var", "-1", false);
        yield return ("network.layers.1.features", "0", false);
        yield return ("network.layers.2.kind", "\"gelu\"", false);
        yield return ("network.loss", "\"hinge\"", false);
        yield return ("network", "<remove>", false);
        yield return ("meta.history", "[1,2]", true);
        foreach (var v in new[] { "-1", "\"x\"", "0", "2", "2000000000", "null" })
            yield return ("meta.history_log.epochs", v, true);
        yield return ("meta.history_log.sha256", "\"00\"", true);
        yield return ("meta.history_log", "<remove>", true);
        yield return ("meta.partial_epoch.loss_sum_bits", "\"zz\"", true);
        yield return ("meta.partial_epoch.loss_sum_bits", "\"7FF0000000000000\"", true);
        yield return ("meta.partial_epoch.steps", "-1", true);
    }

    /// <summary>Values edited into the arrays (the encoder writes the hash): non-finite entries and a negative
    /// running variance, at seeded random positions.</summary>
    static IEnumerable<(string, int)> ArrayEdits()
    {
        string[] arrays =
        [
            "param/0.W",
            "param/0.b",
            "param/1.gamma",
            "param/1.beta",
            "param/3.W",
            "param/3.b",
            "bn/1/mean",
            "bn/1/var",
        ];
        double[] values = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];
        for (var i = 0; i < 16; i++)
            yield return (arrays[i % arrays.Length], i);
        yield return ("bn/1/var", -1);
    }

    /// <summary>The edited file in a folder of its own beside the good run's history.jsonl, so an edit is refused
    /// for itself, not for a missing history.</summary>
    static string Write(string name, byte[] bytes)
    {
        var dir = Directory.CreateDirectory(P($"edit-{name}")).FullName;
        File.Copy(
            Path.Combine(Path.GetDirectoryName(Good.Value)!, "history.jsonl"),
            Path.Combine(dir, "history.jsonl")
        );
        var path = Path.Combine(dir, "model.ckpt");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static byte[] ArrayEdited(string array, int seed)
    {
        var c = GoodCheckpoint();
        var rng = new Random(seed);
        double value =
            seed < 0 ? -1.0 : new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity }[seed % 3];
        Tensor Poke(Tensor m) => m.With(rng.Next(m.RowCount), rng.Next(m.ColumnCount), value);
        var s = c.State;
        if (array.StartsWith("param/", StringComparison.Ordinal))
        {
            var key = s.Params.Values.Keys.First(k => $"param/{k}" == array);
            s = s with { Params = new Params(s.Params.Values.SetItem(key, Poke(s.Params.Values[key]))) };
        }
        else
        {
            var layer = s.Model.Values.Keys.First().Layer;
            var key = new ParamKey(layer, array.EndsWith("mean", StringComparison.Ordinal) ? "mean" : "var");
            s = s with { Model = s.Model.SetItem(key, Poke(s.Model[key])) };
        }
        return Checkpoint.Encode(c with { State = s });
    }

    public static TheoryData<string, string, bool> Cases()
    {
        var d = new TheoryData<string, string, bool>();
        foreach (var (path, value, evalMay) in HeaderEdits())
            d.Add(path, value, evalMay);
        foreach (var (array, seed) in ArrayEdits())
            d.Add("array:" + array, seed.ToString(System.Globalization.CultureInfo.InvariantCulture), false);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_in_one_line_by_resume_and_by_evaluate_unless_harmless_there(
        string edit,
        string value,
        bool evaluateMayAccept
    )
    {
        var bytes = edit.StartsWith("array:", StringComparison.Ordinal)
            ? ArrayEdited(edit[6..], int.Parse(value, System.Globalization.CultureInfo.InvariantCulture))
            : EditHeader(
                File.ReadAllBytes(Good.Value),
                edit == "meta.config.iterations" && value == "5"
                    ? h =>
                    {
                        Set(edit, value)(h);
                        Set("meta.config.epochs", "1")(h);
                    }
                    : Set(edit, value)
            );
        var file = Write(Guid.NewGuid().ToString("N")[..8], bytes);
        var resume = Run("train", "--resume", file, "--epochs", "2", "--out", Fresh());
        AssertOneLineError(resume, 2, file);
        var evaluate = Run("evaluate", "--model", file);
        if (evaluateMayAccept && evaluate.Code == 0)
            return;
        AssertOneLineError(evaluate, 2, file);
    }

    [Fact]
    public void There_are_at_least_50_edits() => Assert.True(Cases().Count >= 50, $"{Cases().Count}");

    [Fact]
    public void The_unedited_checkpoint_passes_the_same_path()
    {
        var file = Write("unedited", EditHeader(File.ReadAllBytes(Good.Value), _ => { }));
        var resume = Run("train", "--resume", file, "--epochs", "2", "--out", Fresh());
        Assert.True(resume.Code == 0, resume.Err);
        Assert.Equal(0, Run("evaluate", "--model", file).Code);
    }
}
