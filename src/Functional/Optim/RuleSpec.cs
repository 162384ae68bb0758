using System.Text.Json.Nodes;

namespace Functional.Optim;

/// <summary>An optimizer as JSON (for checkpoints and reports) and back.</summary>
public static class RuleSpec
{
    /// <summary>The JSON form of a built-in rule or of a composition of them.</summary>
    public static JsonObject ToJson(IRule rule) =>
        rule switch
        {
            Sgd r => new JsonObject { ["kind"] = "sgd", ["lr"] = r.LearningRate },
            Momentum r => new JsonObject
            {
                ["kind"] = "momentum",
                ["lr"] = r.LearningRate,
                ["rho"] = r.Rho,
            },
            Nesterov r => new JsonObject
            {
                ["kind"] = "nesterov",
                ["lr"] = r.LearningRate,
                ["rho"] = r.Rho,
            },
            AdaGrad r => new JsonObject
            {
                ["kind"] = "adagrad",
                ["lr"] = r.LearningRate,
                ["epsilon"] = r.Epsilon,
            },
            RmsProp r => new JsonObject
            {
                ["kind"] = "rmsprop",
                ["lr"] = r.LearningRate,
                ["decay"] = r.Decay,
                ["epsilon"] = r.Epsilon,
            },
            Adam r => new JsonObject
            {
                ["kind"] = "adam",
                ["lr"] = r.LearningRate,
                ["beta1"] = r.Beta1,
                ["beta2"] = r.Beta2,
                ["epsilon"] = r.Epsilon,
                ["folded_bias_correction"] = r.FoldedBiasCorrection,
            },
            AdamW r => new JsonObject
            {
                ["kind"] = "adamw",
                ["lr"] = r.LearningRate,
                ["weight_decay"] = r.WeightDecay,
                ["beta1"] = r.Beta1,
                ["beta2"] = r.Beta2,
                ["epsilon"] = r.Epsilon,
            },
            WeightDecay r => new JsonObject { ["kind"] = "weight_decay", ["lambda"] = r.Lambda },
            ScaleBySchedule r => new JsonObject { ["kind"] = "schedule", ["schedule"] = ScheduleJson(r.Schedule) },
            ClipByGlobalNorm r => new JsonObject { ["kind"] = "clip_by_global_norm", ["max"] = r.Max },
            Chain c => new JsonObject
            {
                ["kind"] = "chain",
                ["first"] = ToJson(c.First),
                ["then"] = ToJson(c.Then),
            },
            _ => throw new NotSupportedException($"rule {rule.GetType().Name} has no JSON form"),
        };

    static JsonObject ScheduleJson(LearningRateSchedule s) =>
        s switch
        {
            LearningRateSchedule.Constant => new JsonObject { ["kind"] = "constant" },
            LearningRateSchedule.StepDecay d => new JsonObject
            {
                ["kind"] = "step",
                ["every"] = d.Every,
                ["gamma"] = d.Gamma,
            },
            LearningRateSchedule.Cosine c => new JsonObject
            {
                ["kind"] = "cosine",
                ["total"] = c.Total,
                ["floor"] = c.Floor,
            },
            LearningRateSchedule.Warmup w => new JsonObject { ["kind"] = "warmup", ["steps"] = w.Steps },
            LearningRateSchedule.Fixed f => new JsonObject { ["kind"] = "fixed", ["multiplier"] = f.Multiplier },
            _ => throw new NotSupportedException(s.GetType().Name),
        };

    /// <summary>The rule a <see cref="ToJson"/> object names.</summary>
    public static IRule FromJson(JsonNode? node)
    {
        var o = node as JsonObject ?? throw new FormatException("optimizer spec is not a JSON object");
        return Str(o, "kind") switch
        {
            "sgd" => new Sgd(Num(o, "lr")),
            "momentum" => new Momentum(Num(o, "lr"), Num(o, "rho")),
            "nesterov" => new Nesterov(Num(o, "lr"), Num(o, "rho")),
            "adagrad" => new AdaGrad(Num(o, "lr"), Num(o, "epsilon")),
            "rmsprop" => new RmsProp(Num(o, "lr"), Num(o, "decay"), Num(o, "epsilon")),
            "adam" => new Adam(
                Num(o, "lr"),
                Num(o, "beta1"),
                Num(o, "beta2"),
                Num(o, "epsilon"),
                o["folded_bias_correction"]?.GetValue<bool>() ?? true
            ),
            "adamw" => new AdamW(
                Num(o, "lr"),
                Num(o, "weight_decay"),
                Num(o, "beta1"),
                Num(o, "beta2"),
                Num(o, "epsilon")
            ),
            "weight_decay" => new WeightDecay(Num(o, "lambda")),
            "schedule" => new ScaleBySchedule(ParseSchedule(o["schedule"] as JsonObject)),
            "clip_by_global_norm" => new ClipByGlobalNorm(Num(o, "max")),
            "chain" => new Chain(FromJson(o["first"]), FromJson(o["then"])),
            var k => throw new FormatException($"unknown optimizer kind '{k}'"),
        };
    }

    static LearningRateSchedule ParseSchedule(JsonObject? o) =>
        o is null
            ? throw new FormatException("schedule is missing")
            : Str(o, "kind") switch
            {
                "constant" => new LearningRateSchedule.Constant(),
                "step" => new LearningRateSchedule.StepDecay(o["every"]!.GetValue<long>(), Num(o, "gamma")),
                "cosine" => new LearningRateSchedule.Cosine(o["total"]!.GetValue<long>(), Num(o, "floor")),
                "warmup" => new LearningRateSchedule.Warmup(o["steps"]!.GetValue<long>()),
                "fixed" => new LearningRateSchedule.Fixed(Num(o, "multiplier")),
                var k => throw new FormatException($"unknown schedule '{k}'"),
            };

    static string Str(JsonObject o, string name) =>
        o[name]?.GetValue<string>() ?? throw new FormatException($"missing field '{name}'");

    static double Num(JsonObject o, string name) =>
        o[name]?.GetValue<double>() ?? throw new FormatException($"missing field '{name}'");
}
