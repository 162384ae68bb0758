using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Functional.Cli.Reporting;

/// <summary>Writes JSON (and other outputs) by temp-file-and-rename, so a crash never leaves half a file.</summary>
public static class JsonFiles
{
    static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(string path, JsonNode node) =>
        WriteAtomically(path, Encoding.UTF8.GetBytes(node.ToJsonString(Indented) + "\n"));

    public static void WriteAtomically(string path, byte[] bytes) => Functional.Training.AtomicFile.Write(path, bytes);

    /// <summary>A double as JSON: non-finite values (an accuracy of a regression) become null.</summary>
    public static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
