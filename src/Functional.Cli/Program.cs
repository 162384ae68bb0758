using System.CommandLine;
using System.Runtime.InteropServices;
using Functional.Cli;
using Functional.Cli.Commands;

return Cli.Run(args);

namespace Functional.Cli
{
    /// <summary>Entry point: parses, runs a command, and turns bad input into one line and exit code 2.</summary>
    public static class Cli
    {
        public const int ExitUsage = 2;

        /// <summary>An output could not be written during the run (disk full, permission); the previous file,
        /// e.g. the last good checkpoint, is kept.</summary>
        public const int ExitOutput = 4;

        public static int Run(string[] args)
        {
            // `train` turns SIGINT/SIGTERM into a checkpoint and exit 130: listening before parsing covers the
            // moments before the command starts; other commands keep the default (they have nothing to save).
            using var interrupt = new CancellationTokenSource();
            using var sigint = args.FirstOrDefault() == "train" ? Listen(PosixSignal.SIGINT, interrupt) : null;
            using var sigterm = args.FirstOrDefault() == "train" ? Listen(PosixSignal.SIGTERM, interrupt) : null;
            var root = new RootCommand("Functional: deep learning from scratch, written as pure functions.");
            var train = new TrainOptions();
            var trainCmd = new Command("train", "Train a network (default: the digits BatchNorm notebook).");
            foreach (var o in train.All)
                trainCmd.Options.Add(o);
            trainCmd.Options.Add(train.Overwrite);
            trainCmd.SetAction(r =>
            {
                var outDir = r.GetValue(train.Out) ?? DefaultOut("train");
                return TrainCommand.Run(
                    train.ToConfig(r),
                    outDir,
                    r.GetValue(train.Resume),
                    Console.Out,
                    train.ResumeOverrides(r),
                    r.GetValue(train.Overwrite),
                    interrupt.Token
                );
            });
            root.Subcommands.Add(trainCmd);
            root.Subcommands.Add(EvaluateCommand.Build());
            foreach (var c in Registry.Commands())
                root.Subcommands.Add(c);

            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                // "Unrecognized command or argument 'x'" names the culprit; "Required command was not provided" doesn't.
                var error =
                    parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal))
                    ?? parse.Errors[0];
                Console.Error.WriteLine($"error: {OutputLocation.Safe(error.Message)} (see --help)");
                return ExitUsage;
            }
            try
            {
                return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"error: {OutputLocation.Safe(e.Message)}");
                return ExitUsage;
            }
            catch (Functional.Training.OutputWriteException e)
            {
                Console.Error.WriteLine($"error: {OutputLocation.Safe(e.Message)}");
                return ExitOutput;
            }
        }

        static PosixSignalRegistration Listen(PosixSignal signal, CancellationTokenSource interrupt) =>
            PosixSignalRegistration.Create(
                signal,
                c =>
                {
                    c.Cancel = true;
                    interrupt.Cancel();
                }
            );

        /// <summary>A fresh directory name under runs/ (unique per process and call, never an earlier run's).</summary>
        public static string DefaultOut(string command) => OutputLocation.UniqueDefault(command);
    }
}
