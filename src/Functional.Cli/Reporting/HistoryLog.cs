using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Functional.Training;

namespace Functional.Cli.Reporting;

/// <summary>
/// A run's history as <c>history.jsonl</c> beside its checkpoint: one compact JSON line per finished epoch, appended
/// as the epoch ends, so the checkpoint written after it carries only a fixed-size reference (the number of epochs
/// and the SHA-256 of their lines) and an epoch costs the same whatever the history's length. A line reaches the
/// operating system before the checkpoint that counts it, so after a kill at any moment the file holds at least the
/// epochs the checkpoint names; lines past them (an epoch whose checkpoint was not written) are dropped on resume.
/// </summary>
public sealed class HistoryLog : IDisposable
{
    /// <summary>The file's name, in the checkpoint's folder.</summary>
    public const string FileName = "history.jsonl";

    /// <summary>The checkpoint's <c>meta</c> field holding the reference.</summary>
    public const string MetaKey = "history_log";

    /// <summary>The longest line read back (a real one is about 200 bytes).</summary>
    const int MaxLine = 1 << 16;

    readonly string path;
    readonly FileStream file;
    readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    HistoryLog(string path, FileStream file, IEnumerable<byte[]> known)
    {
        this.path = path;
        this.file = file;
        foreach (var line in known)
        {
            hash.AppendData(line);
            Epochs++;
        }
    }

    /// <summary>The epochs the file holds.</summary>
    public int Epochs { get; private set; }

    /// <summary>
    /// Starts the log in <paramref name="dir"/> with the epochs a resumed run already has: the file is replaced by
    /// them atomically (dropping lines of epochs no checkpoint counts), then opened for appending.
    /// </summary>
    /// <exception cref="OutputWriteException">The file could not be written.</exception>
    public static HistoryLog Start(string dir, IEnumerable<EpochLog> known)
    {
        var path = Path.Combine(dir, FileName);
        var lines = known.Select(Line).ToList();
        AtomicFile.Write(
            path,
            s =>
            {
                foreach (var l in lines)
                    s.Write(l);
            }
        );
        try
        {
            var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
            return new HistoryLog(path, file, lines);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputWriteException(path, e.Message.ReplaceLineEndings(" "), e);
        }
    }

    /// <summary>Appends one epoch's line, written through to the operating system before returning.</summary>
    /// <exception cref="OutputWriteException">The line could not be written.</exception>
    public void Append(EpochLog e)
    {
        var line = Line(e);
        try
        {
            file.Write(line);
            file.Flush();
        }
        catch (IOException ex)
        {
            throw new OutputWriteException(path, ex.Message.ReplaceLineEndings(" "), ex);
        }
        hash.AppendData(line);
        Epochs++;
    }

    /// <summary>What the checkpoint stores: the number of epochs and the SHA-256 of their lines.</summary>
    public JsonObject Reference() =>
        new() { ["epochs"] = Epochs, ["sha256"] = Convert.ToHexStringLower(hash.GetCurrentHash()) };

    /// <summary>
    /// The epochs a checkpoint's reference names, read from the <see cref="FileName"/> beside
    /// <paramref name="checkpoint"/>: the first <c>epochs</c> lines, whose SHA-256 must match. A missing, short or
    /// different file is a <see cref="UsageException"/> saying so; lines after them are ignored.
    /// </summary>
    public static List<EpochLog> Read(string checkpoint, JsonObject reference, Func<JsonObject, EpochLog> parse)
    {
        var epochs = reference["epochs"]?.GetValue<int>() ?? throw new FormatException($"{MetaKey}: no epochs");
        var sha = reference["sha256"]?.GetValue<string>() ?? throw new FormatException($"{MetaKey}: no sha256");
        if (epochs < 0)
            throw new FormatException($"{MetaKey}: {epochs} epochs is impossible");
        var dir = Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;
        var path = Path.Combine(dir, FileName);
        var where = $"--resume {checkpoint}: {path}";
        if (!File.Exists(path))
            throw new UsageException(
                $"{where} is missing; the checkpoint's history of {epochs} epochs is kept there (copy it along with the checkpoint)"
            );
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var lines = new List<byte[]>();
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var current = new MemoryStream();
            for (int b; lines.Count < epochs && (b = fs.ReadByte()) >= 0; )
            {
                current.WriteByte((byte)b);
                if (current.Length > MaxLine)
                    throw new UsageException(
                        $"{where}: line {lines.Count + 1} runs past {MaxLine} bytes; not a history written by train"
                    );
                if (b != '\n')
                    continue;
                lines.Add(current.ToArray());
                current.SetLength(0);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{where}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
        if (lines.Count < epochs)
            throw new UsageException(
                $"{where} holds {lines.Count} whole line(s), the checkpoint records {epochs} epochs (a file from another run, or cut)"
            );
        foreach (var l in lines)
            h.AppendData(l);
        if (!string.Equals(Convert.ToHexStringLower(h.GetHashAndReset()), sha, StringComparison.Ordinal))
            throw new UsageException(
                $"{where}: its first {epochs} lines are not the ones the checkpoint recorded (edited, or from another run)"
            );
        return
        [
            .. lines.Select(l =>
                parse(
                    JsonNode.Parse(l) as JsonObject ?? throw new FormatException($"{FileName}: a line is not an object")
                )
            ),
        ];
    }

    static byte[] Line(EpochLog e) =>
        Encoding.UTF8.GetBytes(Commands.TrainCommand.LogJson(e).ToJsonString(Compact) + "\n");

    static readonly JsonSerializerOptions Compact = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void Dispose()
    {
        file.Dispose();
        hash.Dispose();
    }
}
