using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Functional.Tests.Cli;

/// <summary>Runs the built CLI (fnn.dll, copied beside the tests) as a child process, and sends it POSIX signals.</summary>
public static partial class Fnn
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "fnn.dll");

    public sealed record Result(int Code, string Out, string Err);

    /// <summary>A started child with its stdout lines collected as they arrive (so a test can wait for one).</summary>
    public sealed class Child : IDisposable
    {
        readonly Process _p;
        readonly StringBuilder _out = new();
        readonly StringBuilder _err = new();
        readonly object _gate = new();

        internal Child(Process p)
        {
            _p = p;
            p.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                    return;
                lock (_gate)
                {
                    _out.AppendLine(e.Data);
                    Monitor.PulseAll(_gate);
                }
            };
            p.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null)
                    return;
                lock (_gate)
                    _err.AppendLine(e.Data);
            };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
        }

        public int Pid => _p.Id;

        public string Out
        {
            get
            {
                lock (_gate)
                    return _out.ToString();
            }
        }

        /// <summary>Waits until stdout contains <paramref name="text"/>; false on timeout or exit.</summary>
        public bool WaitForOutput(string text, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            lock (_gate)
            {
                while (!_out.ToString().Contains(text, StringComparison.Ordinal))
                {
                    if (clock.Elapsed > timeout)
                        return false;
                    if (_p.HasExited)
                        break;
                    Monitor.Wait(_gate, 50);
                }
                if (!_p.HasExited)
                    return true;
            }
            // Exited: its last lines may still be on their way through the output reader; wait for the end of the
            // stream (outside the lock the reader takes) before deciding.
            _p.WaitForExit();
            lock (_gate)
                return _out.ToString().Contains(text, StringComparison.Ordinal);
        }

        public void Signal(int sig)
        {
            if (Kill(_p.Id, sig) != 0 && !_p.HasExited)
                throw new InvalidOperationException(
                    $"kill({_p.Id}, {sig}) failed: errno {Marshal.GetLastPInvokeError()}"
                );
        }

        public Result Wait(TimeSpan timeout)
        {
            if (!_p.WaitForExit(timeout))
            {
                _p.Kill(entireProcessTree: true);
                throw new TimeoutException($"fnn did not exit within {timeout}; stdout so far:\n{Out}");
            }
            _p.WaitForExit(); // drains the asynchronous readers
            lock (_gate)
                return new Result(_p.ExitCode, _out.ToString(), _err.ToString());
        }

        public void Dispose()
        {
            if (!_p.HasExited)
                _p.Kill(entireProcessTree: true);
            _p.Dispose();
        }
    }

    public static Child Start(IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["CI"] = "true"; // plain one-line-per-epoch progress
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            psi.Environment[k] = v;
        return new Child(Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet"));
    }

    public static Result Run(
        IEnumerable<string> args,
        IDictionary<string, string>? env = null,
        int timeoutSeconds = 120
    )
    {
        using var c = Start(args, env);
        return c.Wait(TimeSpan.FromSeconds(timeoutSeconds));
    }

    /// <summary>report.json without its "timing" object: what must be identical between equivalent runs.</summary>
    public static string ReportWithoutTiming(string dir)
    {
        var r = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!.AsObject();
        Assert.True(r.Remove("timing"), "report.json has no timing object");
        return r.ToJsonString();
    }

    public static string Sha(string dir) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!["parameters_sha256"]!.GetValue<string>();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
