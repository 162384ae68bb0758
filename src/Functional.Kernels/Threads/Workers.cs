using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Functional.Kernels;

/// <summary>Dedicated background threads that share a job's parts with the caller: the caller takes part 0, then
/// every thread claims the next part left until none is.</summary>
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
    /// Runs the parts of <paramref name="job"/> concurrently on <paramref name="threads"/> threads (0: one per part);
    /// false (nothing run) when the workers are taken, and the caller then runs the parts itself: same result, no
    /// waiting.
    /// </summary>
    /// <remarks>
    /// Each thread claims the next part not yet taken until none is left, so a thread that starts late (its vCPU
    /// taken by the host, or the worker asleep) does less of the job instead of holding the caller up, and the caller
    /// takes the job back from a worker that has not started it. Which thread runs a part never changes the result.
    /// With a busy loop pinned to one CPU, the paired `toggle` measured the steps at 0.50× (two-layer) and 0.53× (SGD
    /// MLP) of the time with fixed parts (one per thread, each thread its own); on a quiet machine 0.97–1.00×.
    /// </remarks>
    public static bool TryRun(PartJob job, int parts, int threads = 0)
    {
        threads = threads <= 0 ? parts : Math.Min(threads, parts);
        if (threads < 2 || !Gate.TryEnter())
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
            if (s_workers.Length < threads - 1)
            {
                var grown = new Worker[threads - 1];
                Array.Copy(s_workers, grown, s_workers.Length);
                for (int t = s_workers.Length; t < grown.Length; t++)
                {
                    grown[t] = new Worker(t + 1);
                }

                s_workers = grown;
            }

            // The caller's first part is part 0 (the gather's and the first layer's parts then stay on one thread when
            // the parts keep pace); the rest go to whichever thread claims them first.
            s_next = 1;
            s_parts = parts;
            for (int t = 1; t < threads; t++)
            {
                s_workers[t - 1].Start(job);
            }

            // The workers are waited for even when the caller's part fails: a worker must be idle before the gate
            // opens, or the next job would be posted to it mid-part.
            ExceptionDispatchInfo? own = null;
            try
            {
                job.RunPart(0, parts);
                RunClaimed(job);
            }
#pragma warning disable CA1031 // rethrown below, once the workers are idle
            catch (Exception e)
#pragma warning restore CA1031
            {
                own = ExceptionDispatchInfo.Capture(e);
            }

            for (int t = 1; t < threads; t++)
            {
                var failed = s_workers[t - 1].Finish(); // every worker, even after a failure
                own ??= failed;
            }

            // A failing part surfaces as itself, whichever thread happened to claim it.
            own?.Throw();
            return true;
        }
        finally
        {
            s_running = false;
            Gate.Exit();
        }
    }

    /// <summary>
    /// How many parts per thread a job of cheap, independent pieces (the optimizer's element ranges) is cut into, so
    /// that a late or slowed thread holds up the others by a quarter of its share at most. Not the GEMM: its parts
    /// each pack the operand they share, and four per thread made the steps 3–6 % slower; nor the batch gather, whose
    /// parts follow the first product's rows.
    /// </summary>
    internal const int ChunksPerThread = 4;

    private static long s_takenBack;

    /// <summary>How many times a job was taken back from a worker that had not started it (since the process
    /// started).</summary>
    internal static long TakenBack => Volatile.Read(ref s_takenBack);

    // The next unclaimed part of the running job, and its number of parts (set before the job is posted).
    private static int s_next,
        s_parts;

    /// <summary>Runs parts of the current job until none is left unclaimed.</summary>
    private static void RunClaimed(PartJob job)
    {
        int parts = s_parts;
        for (int p = Interlocked.Increment(ref s_next) - 1; p < parts; p = Interlocked.Increment(ref s_next) - 1)
        {
            job.RunPart(p, parts);
        }
    }

    /// <summary>
    /// How long an idle worker spins for the next job before it sleeps on its monitor. A training step's next product
    /// usually comes within 250 µs (the update and the next batch's gather sit between a step's last product and the
    /// next step's first); a sleeping worker starts its part a futex wake-up late and the caller waits for it (the
    /// two-layer step measured ~8 % slower with a 50 µs spin). Past it the worker blocks: an idle process keeps no
    /// thread busy.
    /// </summary>
    internal const long SpinMicroseconds = 250;

    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    private static int s_parked;

    /// <summary>How many workers are asleep on their monitor, waiting for a job (not spinning).</summary>
    internal static int Parked => Volatile.Read(ref s_parked);

    /// <summary>How many worker threads have been started (they live as long as the process).</summary>
    internal static int Started => Volatile.Read(ref s_workers).Length;

    private sealed class Worker
    {
        // Idle → Posted (the caller) → Running (the worker takes it) → Done (the worker) → Idle (the caller); or
        // Posted → Idle when the caller takes the job back before the worker started it.
        private const int Idle = 0,
            Posted = 1,
            Done = 2,
            Running = 3;
        private readonly object _sync = new();
        private int _state;
        private PartJob? _job;
        private ExceptionDispatchInfo? _error;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = "Functional worker " + index };
            thread.Start();
        }

        public void Start(PartJob job)
        {
            _job = job;
            _error = null;
            lock (_sync)
            {
                Volatile.Write(ref _state, Posted);
                Monitor.Pulse(_sync);
            }
        }

        /// <summary>Takes the job back if the worker has not started it, or waits until it is done; the error of
        /// its parts, if any.</summary>
        public ExceptionDispatchInfo? Finish()
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Posted) == Posted)
            {
                s_takenBack++;
                _job = null;
                return null;
            }

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
                // Spin first, then sleep (see SpinMicroseconds): the fast hand-off for back-to-back jobs.
                long until = Stopwatch.GetTimestamp() + SpinTicks;
                while (Volatile.Read(ref _state) != Posted && Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(20);
                }

                if (Volatile.Read(ref _state) != Posted)
                {
                    lock (_sync)
                    {
                        Interlocked.Increment(ref s_parked);
                        while (Volatile.Read(ref _state) != Posted)
                        {
                            Monitor.Wait(_sync);
                        }

                        Interlocked.Decrement(ref s_parked);
                    }
                }

                // The caller may have taken the job back meanwhile: then wait for the next one.
                if (Interlocked.CompareExchange(ref _state, Running, Posted) != Posted)
                {
                    continue;
                }

                try
                {
                    RunClaimed(_job!);
                }
#pragma warning disable CA1031 // handed back to the caller
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _error = ExceptionDispatchInfo.Capture(e);
                }

                Volatile.Write(ref _state, Done);
            }
        }
    }
}
