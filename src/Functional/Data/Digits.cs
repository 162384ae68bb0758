using System.Collections.Immutable;
using System.Globalization;
using Functional.Core;
using LanguageExt;
using LanguageExt.Common;

namespace Functional.Data;

/// <summary>The UCI 8×8 handwritten digits as a CSV (optionally gzip): 64 pixel values 0..16, then the label 0..9.
/// The file has no header line.</summary>
public static class Digits
{
    /// <summary>Pixels per sample (8×8), the number of feature columns.</summary>
    public const int Pixels = 64;

    /// <summary>"0" to "9", as for MNIST.</summary>
    public static readonly ImmutableArray<string> ClassNames = Mnist.ClassNames;

    /// <summary>X holds the raw pixel values, T one-hot rows over 10 classes.</summary>
    public static Fin<Dataset> Load(string path) => FileInput.Read(path, Parse);

    /// <summary>The seed's whole-array standardisation (x - mean) / std over all values at once, with the
    /// population std. Sums run in a fixed row-major order with plain scalar loops (no vectorised reductions),
    /// so the result is bitwise identical on every CPU.</summary>
    public static Dataset Standardize(Dataset d)
    {
        int n = d.Count,
            f = d.Features;
        double[] a = d.X.ToArray();
        if (a.Length == 0)
            return d;
        double sum = 0;
        for (int i = 0; i < n; i++)
        for (int j = 0; j < f; j++)
            sum += a[j * n + i];
        double mean = sum / a.Length;
        double squares = 0;
        for (int i = 0; i < n; i++)
        for (int j = 0; j < f; j++)
        {
            double e = a[j * n + i] - mean;
            squares += e * e;
        }
        double std = Math.Sqrt(squares / a.Length);
        // A constant array has std 0: centre it rather than fill it with NaN.
        double divisor = std > 0 ? std : 1;
        for (int k = 0; k < a.Length; k++)
            a[k] = (a[k] - mean) / divisor;
        return d with { X = Tensor.Wrap(n, f, a) };
    }

    /// <summary>Test = rows perm[0..testCount), train = the rest; see <see cref="Splits.ByPermutation"/>.</summary>
    public static TrainTest Split(Dataset d, int[] permutation, int testCount) =>
        Splits.ByPermutation(d, permutation, testCount);

    /// <summary>The longest line read: 65 fields of up to 1000 characters each, far beyond any real row. A longer
    /// one (a file of another kind, or a gzip file of zeros decompressing to hundreds of MB) is refused at its start
    /// before it is held.</summary>
    internal const int MaxLine = 65_536;

    internal static Fin<Dataset> Parse(Source src)
    {
        using var reader = new StreamReader(src.Stream, leaveOpen: true);
        var pixels = new List<double>();
        var labels = ImmutableArray.CreateBuilder<int>();
        int lineNo = 0;
        long offset = 0; // of the current line, in characters (bytes for the ASCII of a real file)
        var text = new System.Text.StringBuilder();
        for (
            var end = ReadLine(reader, text, out var terminator);
            end != LineEnd.None;
            end = ReadLine(reader, text, out terminator)
        )
        {
            lineNo++;
            if (end == LineEnd.TooLong)
                return Error.New(
                    $"{src.Where}: line {lineNo} at offset {offset} runs past {MaxLine} characters without a line end; not a digits CSV"
                );
            var line = text.ToString();
            var start = offset;
            offset += line.Length + terminator;
            if (line.Length == 0)
                continue;
            // The list may double its capacity, and the matrix copies it: refuse before that outgrows the memory.
            if (
                pixels.Count + Pixels > pixels.Capacity
                && MemoryBudget.Exceeded(8L * (2L * pixels.Capacity + pixels.Count + Pixels)) is long budget
            )
                return Error.New(
                    $"{src.Where}: line {lineNo} at offset {start}: {labels.Count} samples read so far already need about {MemoryBudget.Gb(24L * pixels.Count)} of memory loaded, more than the {MemoryBudget.Gb(budget)} available"
                );
            var fail = ParseLine(line, pixels, labels);
            if (fail is not null)
                return Error.New($"{src.Path}: line {lineNo}, {fail}");
        }
        if (labels.Count == 0)
            return Error.New($"{src.Path}: no samples");
        int n = labels.Count;
        var x = new double[n * Pixels];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < Pixels; j++)
            x[j * n + i] = pixels[i * Pixels + j];
        var ys = labels.ToImmutable();
        return new Dataset(
            "digits",
            Tensor.Wrap(n, Pixels, x),
            Functional.Core.Mat.OneHot(ys.AsSpan(), ClassNames.Length),
            ys,
            ClassNames
        );
    }

    private enum LineEnd
    {
        None,
        Newline,
        EndOfFile,
        TooLong,
    }

    /// <summary>The next line into <paramref name="text"/>, ended as <see cref="StreamReader.ReadLine"/> ends one
    /// ('\n', '\r' or "\r\n", whose length is <paramref name="terminator"/>), but at most <see cref="MaxLine"/>
    /// characters of it are held.</summary>
    private static LineEnd ReadLine(StreamReader reader, System.Text.StringBuilder text, out int terminator)
    {
        text.Clear();
        terminator = 0;
        for (int c = reader.Read(); ; c = reader.Read())
        {
            if (c < 0)
                return text.Length == 0 ? LineEnd.None : LineEnd.EndOfFile;
            if (c == '\n' || c == '\r')
            {
                terminator = 1;
                if (c == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                    terminator = 2;
                }
                return LineEnd.Newline;
            }
            if (text.Length == MaxLine)
                return LineEnd.TooLong;
            text.Append((char)c);
        }
    }

    /// <summary>Appends one row's values; returns the reason (with 1-based column) when the line is malformed.</summary>
    private static string? ParseLine(string line, List<double> pixels, ImmutableArray<int>.Builder labels)
    {
        var fields = line.Split(',');
        if (fields.Length != Pixels + 1)
            return $"column {Math.Min(fields.Length, Pixels + 1)}: expected {Pixels + 1} comma-separated fields, found {fields.Length}";
        for (int j = 0; j < Pixels; j++)
        {
            if (
                !double.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                || !double.IsFinite(v)
            )
                return $"column {j + 1}: cannot read pixel value '{Clip(fields[j])}'";
            if (v is < 0 or > 16)
                return $"column {j + 1}: pixel value '{Clip(fields[j])}' is outside 0..16";
            pixels.Add(v);
        }
        if (
            !int.TryParse(fields[Pixels], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label)
            || label is < 0 or > 9
        )
        {
            pixels.RemoveRange(pixels.Count - Pixels, Pixels);
            return $"column {Pixels + 1}: label must be an integer 0..9, got '{Clip(fields[Pixels])}'";
        }
        labels.Add(label);
        return null;
    }

    /// <summary>At most 20 characters of a field, control characters shown as '?' so the message stays one line.</summary>
    private static string Clip(string s) =>
        string.Concat((s.Length <= 20 ? s : s[..20] + "…").Select(c => char.IsControl(c) ? '?' : c));
}
