using System.Globalization;

namespace Functional.Cli;

/// <summary>
/// The size of a network and of its training, computed in checked arithmetic from the configuration before anything
/// is allocated: what no array can hold, or what cannot fit in the memory available, is refused with the amount.
/// </summary>
public static class SizeCheck
{
    /// <summary>The parameters of the network the configuration describes; refuses a matrix no array can hold.</summary>
    public static long Parameters(TrainConfig cfg, int inputs, int outputs)
    {
        var total = 0L;
        long n = inputs;
        try
        {
            foreach (var h in cfg.Hidden.Append(outputs))
            {
                var weights = checked(n * h);
                if (weights > Array.MaxLength)
                    throw new UsageException(
                        $"--hidden {string.Join(',', cfg.Hidden)}: a {n}×{h} weight matrix has {weights:N0} elements, more than the {Array.MaxLength:N0} an array can hold; use smaller layers"
                    );
                total = checked(total + weights + h + (cfg.BatchNorm && h != outputs ? 4L * h : 0));
                n = h;
            }
        }
        catch (OverflowException)
        {
            throw new UsageException(
                $"--hidden {string.Join(',', cfg.Hidden)}: the parameter count overflows 64 bits; use smaller layers"
            );
        }
        return total;
    }

    /// <summary>Refuses a training run whose estimated memory exceeds what the process may use.</summary>
    public static void Require(TrainConfig cfg, int inputs, int outputs, int trainCount) =>
        Require(cfg, inputs, outputs, trainCount, Available());

    /// <summary>The memory the GC may use. It is reported as of the last collection, and as 0 before the first
    /// one, so a process that has not collected yet runs a gen-0 collection to learn it.</summary>
    static long Available()
    {
        var known = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (known > 0)
            return known;
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        known = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return known > 0 ? known : long.MaxValue;
    }

    public static void Require(TrainConfig cfg, int inputs, int outputs, int trainCount, long available)
    {
        var ps = Parameters(cfg, inputs, outputs);
        var slots = cfg.Optimizer switch
        {
            "sgd" => 0,
            "adam" or "adamw" => 2,
            _ => 1,
        };
        var widths = cfg.Hidden.Select(h => (long)h).Append(inputs).Append(outputs).ToArray();
        long need;
        try
        {
            // Parameters, gradients and the step's fresh parameters and slots, plus the recycled previous state;
            // the batch's activations (about six arrays a layer forward and backward); an evaluation chunk.
            var state = checked(ps * 8 * (4 + 2 * slots));
            var batch = Math.Min(cfg.Batch, Math.Max(trainCount, 1));
            var activations = checked(batch * widths.Sum() * 8 * 6);
            var evaluation = checked(
                Math.Min(Models.Network.EvaluationChunk, Math.Max(trainCount, 1)) * widths.Max() * 8 * 4
            );
            need = checked(state + activations + evaluation);
        }
        catch (OverflowException)
        {
            need = long.MaxValue;
        }
        if (need > available)
            throw new UsageException(
                $"--hidden {string.Join(',', cfg.Hidden)} --batch {cfg.Batch}: the network has {ps:N0} parameters and training needs about {Gb(need)}, more than the {Gb(available)} of memory available; use smaller layers or batches"
            );
    }

    static string Gb(long bytes) =>
        bytes == long.MaxValue
            ? "more than 9 EB"
            : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.##} GB");
}
