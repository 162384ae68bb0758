using System.Diagnostics;
using System.Globalization;
using Functional.Training;
using Spectre.Console;

namespace Functional.Cli.Reporting;

/// <summary>What the training loop reports to: a step, an epoch.</summary>
public interface IProgressView
{
    void Step(long step, double loss);
    void Epoch(EpochLog log, long totalSteps);
}

/// <summary>
/// A live Spectre.Console bar with loss and accuracy on a terminal; plain one-line-per-epoch output when stdout is
/// not a terminal or CI is set (Spectre's own fallback prints partial lines about once a second).
/// </summary>
public static class Progress
{
    public static bool Interactive =>
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
        && AnsiConsole.Profile.Capabilities.Interactive;

    public static void Run(TextWriter log, long total, long first, Action<IProgressView> body)
    {
        if (!Interactive || log != Console.Out)
        {
            body(new Plain(log));
            return;
        }
        AnsiConsole
            .Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn()
            )
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: total);
                task.Value = first;
                body(new Live(task));
            });
    }

    sealed class Plain(TextWriter log) : IProgressView
    {
        public void Step(long step, double loss) { }

        public void Epoch(EpochLog e, long totalSteps) => log.WriteLine(Line(e, totalSteps));
    }

    sealed class Live(ProgressTask task) : IProgressView
    {
        readonly Stopwatch _since = Stopwatch.StartNew();
        string _epoch = "";
        double _loss = double.NaN;

        public void Step(long step, double loss)
        {
            _loss = double.IsNaN(_loss) ? loss : 0.98 * _loss + 0.02 * loss;
            if (_since.ElapsedMilliseconds < 100 && step < task.MaxValue)
                return; // redraw at most ten times a second
            _since.Restart();
            task.Value = step;
            task.Description = Markup.Escape(FormattableString.Invariant($"step {step} loss {_loss:F4}{_epoch}"));
        }

        public void Epoch(EpochLog e, long totalSteps)
        {
            _epoch = $" | epoch {e.Epoch} " + Metrics(e.TrainLoss, e.TrainAccuracy, e.TestLoss, e.TestAccuracy);
            task.Value = e.Step;
            task.Description = Markup.Escape(FormattableString.Invariant($"step {e.Step} loss {_loss:F4}{_epoch}"));
        }
    }

    public static string Line(EpochLog e, long totalSteps) =>
        string.Create(CultureInfo.InvariantCulture, $"epoch {e.Epoch, 4}  step {e.Step, 7}/{totalSteps}  ")
        + Metrics(e.TrainLoss, e.TrainAccuracy, e.TestLoss, e.TestAccuracy);

    /// <summary>"train loss … acc … test loss … acc …", without accuracies for a regression.</summary>
    public static string Metrics(double trainLoss, double trainAcc, double testLoss, double testAcc) =>
        double.IsFinite(trainAcc)
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"train loss {trainLoss:F4} acc {trainAcc:F4}  test loss {testLoss:F4} acc {testAcc:F4}"
            )
            : string.Create(CultureInfo.InvariantCulture, $"train loss {trainLoss:F4}  test loss {testLoss:F4}");
}
