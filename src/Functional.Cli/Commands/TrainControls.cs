using System.Text.Json.Nodes;
using Functional.Data;
using Functional.Optim;
using Functional.Training;
using static Functional.Cli.Reporting.JsonFiles;

namespace Functional.Cli.Commands;

/// <summary>
/// The training controls of a run, applied epoch by epoch from the recorded history of validation losses: the
/// plateau's multiplier and the early-stopping decision are recomputed from it, never kept as state, so a resumed
/// run takes the same decisions as the straight one.
/// </summary>
public sealed class TrainControls(TrainConfig cfg, Dataset? validation)
{
    /// <summary>The held-out rows, or null when the run does not validate.</summary>
    public Dataset? Validation => validation;

    bool Plateaus => cfg.LrSchedule == "plateau";

    /// <summary>True when the rule may change at each epoch boundary, so training runs one epoch at a time.</summary>
    public bool PerEpoch => Plateaus;

    /// <summary>The rule of the epoch after <paramref name="losses"/>: the run's rule with the plateau's
    /// multiplier set.</summary>
    public IRule RuleFor(IRule opt, IReadOnlyList<double> losses) =>
        Plateaus ? Plateau.At(opt, Multiplier(losses)) : opt;

    double Multiplier(IReadOnlyList<double> losses) => Plateau.Factor(losses, cfg.PlateauFactor, cfg.PlateauPatience);

    /// <summary>Whether early stopping ends the run after <paramref name="losses"/>.</summary>
    public bool Stops(IReadOnlyList<double> losses) => cfg.EarlyStop is int p && EarlyStopping.ShouldStop(losses, p);

    /// <summary>The validation loss of a state, in evaluation mode (null without a validation set).</summary>
    public double? Loss(Functional.Models.Network net, TrainState s) =>
        validation is null ? null : Train.Evaluate(net, s.Params, s.Model, validation).Loss;

    /// <summary>The history's JSON entries with each epoch's validation loss added.</summary>
    public static JsonArray WithValidation(JsonArray history, IReadOnlyList<double> losses)
    {
        if (losses.Count == 0)
            return history;
        for (var i = 0; i < history.Count; i++)
            history[i]!["validation_loss"] = Num(losses[i]);
        return history;
    }

    /// <summary>The validation losses stored in a checkpoint's history (empty when it holds none).</summary>
    public static List<double> Losses(JsonArray history) =>
        history.Count > 0 && history.All(h => h is JsonObject o && o.ContainsKey("validation_loss"))
            ? [.. history.Select(h => h!["validation_loss"]?.GetValue<double>() ?? double.NaN)]
            : [];

    /// <summary>What the controls did, for report.json; null when none is set.</summary>
    public JsonObject? Report(IReadOnlyList<double> losses, bool stopped, int epochs)
    {
        if (cfg.Warmup is null && !Plateaus && cfg.EarlyStop is null && !cfg.Validates && cfg.Accumulate == 1)
            return null;
        var o = new JsonObject();
        if (cfg.Warmup is long w)
            o["warmup_steps"] = w;
        if (validation is not null)
            o["validation"] = new JsonObject
            {
                ["fraction"] = cfg.Validation,
                ["samples"] = validation.Count,
                ["best_epoch"] = EarlyStopping.BestEpoch(losses) + 1,
            };
        if (Plateaus)
        {
            var during = Enumerable.Range(0, losses.Count).Select(e => Multiplier([.. losses.Take(e)])).ToArray();
            o["plateau"] = new JsonObject
            {
                ["factor"] = cfg.PlateauFactor,
                ["patience"] = cfg.PlateauPatience,
                ["multiplier_per_epoch"] = new JsonArray([.. during.Select(m => (JsonNode)m)]),
                ["reduced_at_epochs"] = new JsonArray([
                    .. Enumerable
                        .Range(1, Math.Max(0, during.Length - 1))
                        .Where(e => during[e] != during[e - 1])
                        .Select(e => (JsonNode)(e + 1)),
                ]),
            };
        }
        if (cfg.EarlyStop is int p)
            o["early_stop"] = new JsonObject
            {
                ["patience"] = p,
                ["stopped"] = stopped,
                ["stopped_at_epoch"] = stopped ? epochs : null,
            };
        if (cfg.Accumulate != 1)
            o["accumulate"] = new JsonObject
            {
                ["micro_batches"] = cfg.Accumulate,
                ["micro_batch_rows"] = cfg.Batch,
                ["rows_per_update"] = cfg.EffectiveBatch,
            };
        return o;
    }
}
