namespace Functional.Core;

/// <summary>Work cut into a fixed number of disjoint parts; part p of P is always the same work.</summary>
/// <remarks>
/// A part job writes only its own part of a fresh result, so the result is the same whichever thread runs a part
/// and however many parts there are (the GEMM's parts are sums in one fixed order, the gather's are copies, the
/// optimizer's are element-wise).
/// </remarks>
internal abstract class PartJob
{
    public abstract void RunPart(int part, int parts);
}

/// <summary>Dedicated background threads that take parts 1..P-1 of a job; the caller takes part 0.</summary>
/// <remarks>
/// Not the thread pool: a training step posts a dozen short jobs (tens of µs each), and a worker that spins briefly
/// between them starts its part within a microsecond, where a pool work item or a sleeping thread starts one late.
/// </remarks>
internal static class Workers
{
    private static readonly Lock Gate = new();
    private static Worker[] s_workers = [];
    private static bool s_running;

    /// <summary>Threads a caller may use: MathNet's Control.MaxDegreeOfParallelism, at most the processor count.</summary>
    public static int Available =>
        Math.Min(MathNet.Numerics.Control.MaxDegreeOfParallelism, Environment.ProcessorCount);

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/> of [0, extent) cut at whole units of
    /// <paramref name="unit"/> (the last unit may be short): [Lo, Hi), a pure function of its arguments.
    /// </summary>
    public static (int Lo, int Hi) Cut(int extent, int unit, int part, int parts)
    {
        long units = ((long)extent + unit - 1) / unit;
        return (
            (int)Math.Min(extent, units * part / parts * unit),
            (int)Math.Min(extent, units * (part + 1) / parts * unit)
        );
    }

    /// <summary>
    /// Runs the parts of <paramref name="job"/> concurrently; false (nothing run) when the workers are taken, and the
    /// caller then runs the parts itself: same result, no waiting.
    /// </summary>
    public static bool TryRun(PartJob job, int parts)
    {
        if (parts < 2 || !Gate.TryEnter())
        {
            return false;
        }

        if (s_running)
        {
            // The gate is re-entrant: a part that posts a job of its own (on the caller's thread) runs it itself
            // rather than handing the busy workers a second job.
            Gate.Exit();
            return false;
        }

        s_running = true;
        try
        {
            if (s_workers.Length < parts - 1)
            {
                var grown = new Worker[parts - 1];
                Array.Copy(s_workers, grown, s_workers.Length);
                for (int t = s_workers.Length; t < grown.Length; t++)
                {
                    grown[t] = new Worker(t + 1);
                }

                s_workers = grown;
            }

            for (int t = 1; t < parts; t++)
            {
                s_workers[t - 1].Start(job, t, parts);
            }

            // The workers are waited for even when the caller's part fails: a worker must be idle before the gate
            // opens, or the next job would be posted to it mid-part.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo? own = null;
            try
            {
                job.RunPart(0, parts);
            }
#pragma warning disable CA1031 // rethrown below, once the workers are idle
            catch (Exception e)
#pragma warning restore CA1031
            {
                own = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }

            Exception? error = null;
            for (int t = 1; t < parts; t++)
            {
                error ??= s_workers[t - 1].Wait();
            }

            own?.Throw();
            if (error != null)
            {
                throw new InvalidOperationException("A worker's part failed", error);
            }

            return true;
        }
        finally
        {
            s_running = false;
            Gate.Exit();
        }
    }

    private sealed class Worker
    {
        // 0 = idle, 1 = job posted, 2 = job done.
        private const int Idle = 0,
            Posted = 1,
            Done = 2;
        private readonly object _sync = new();
        private int _state;
        private PartJob? _job;
        private int _part,
            _parts;
        private Exception? _error;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = "Functional worker " + index };
            thread.Start();
        }

        public void Start(PartJob job, int part, int parts)
        {
            _job = job;
            _part = part;
            _parts = parts;
            _error = null;
            lock (_sync)
            {
                Volatile.Write(ref _state, Posted);
                Monitor.Pulse(_sync);
            }
        }

        public Exception? Wait()
        {
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _state) != Done)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            Volatile.Write(ref _state, Idle);
            _job = null;
            return _error;
        }

        private void Loop()
        {
            while (true)
            {
                // Spin for 250 µs (a training step's next product usually comes within that: the update and the
                // next batch's gather sit between a step's last product and the next step's first), then sleep. A
                // sleeping worker starts its part a futex wake-up late and the caller waits for it: the two-layer
                // step measured ~8 % slower with a 50 µs spin (bench, 3 alternating runs each).
                long until =
                    System.Diagnostics.Stopwatch.GetTimestamp() + (System.Diagnostics.Stopwatch.Frequency / 4_000);
                while (Volatile.Read(ref _state) != Posted && System.Diagnostics.Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(20);
                }

                if (Volatile.Read(ref _state) != Posted)
                {
                    lock (_sync)
                    {
                        while (Volatile.Read(ref _state) != Posted)
                        {
                            Monitor.Wait(_sync);
                        }
                    }
                }

                try
                {
                    _job!.RunPart(_part, _parts);
                }
#pragma warning disable CA1031 // handed back to the caller
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _error = e;
                }

                Volatile.Write(ref _state, Done);
            }
        }
    }
}
