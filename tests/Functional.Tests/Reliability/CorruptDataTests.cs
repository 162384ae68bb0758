using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Xunit;
using static Functional.Tests.Reliability.InProcess;

namespace Functional.Tests.Reliability;

/// <summary>
/// Damaged, empty and mismatched data sets, generated: each through `train` and `show` must either work (exit 0)
/// or be refused in one line naming the file or directory (exit 2) — never an exception. Those marked invalid must
/// be refused.
/// </summary>
[Collection("Console")]
public sealed class CorruptDataTests
{
    const string TrainImages = "train-images-idx3-ubyte";
    const string TrainLabels = "train-labels-idx1-ubyte";
    const string TestImages = "t10k-images-idx3-ubyte";
    const string TestLabels = "t10k-labels-idx1-ubyte";

    static byte[] Idx(byte type, int[] dims, byte[] data)
    {
        var b = new byte[4 + 4 * dims.Length + data.Length];
        b[2] = type;
        b[3] = (byte)dims.Length;
        for (var k = 0; k < dims.Length; k++)
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * k), dims[k]);
        data.CopyTo(b, 4 + 4 * dims.Length);
        return b;
    }

    static byte[] Images(int n, int rows, int cols) =>
        Idx(0x08, [n, rows, cols], [.. Enumerable.Range(0, n * rows * cols).Select(i => (byte)(i * 37 % 256))]);

    static byte[] Labels(int n, int classes = 10) =>
        Idx(0x08, [n], [.. Enumerable.Range(0, n).Select(i => (byte)(i % classes))]);

    static Dictionary<string, byte[]> ValidIdx() =>
        new()
        {
            [TrainImages] = Images(12, 3, 3),
            [TrainLabels] = Labels(12),
            [TestImages] = Images(6, 3, 3),
            [TestLabels] = Labels(6),
        };

    static byte[] Gzip(byte[] b)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest))
            gz.Write(b);
        return ms.ToArray();
    }

    /// <summary>(name, files, must be refused): the four IDX files, each damaged in every way that applies.</summary>
    static IEnumerable<(string, Dictionary<string, byte[]?>, bool)> IdxSets()
    {
        foreach (var file in new[] { TrainImages, TrainLabels, TestImages, TestLabels })
        {
            var images = file.Contains("images", StringComparison.Ordinal);
            var n = file.StartsWith("train", StringComparison.Ordinal) ? 12 : 6;
            var valid = ValidIdx()[file];
            var damages = new List<(string, byte[]?, bool)>
            {
                ("missing", null, true),
                ("empty", [], true),
                ("3 bytes", valid[..3], true),
                ("wrong magic", [0x12, 0x34, .. valid[2..]], true),
                ("float type", [0, 0, 0x0D, .. valid[3..]], true),
                ("rank 0", [0, 0, 8, 0, .. valid[4..]], true),
                ("rank 9", [0, 0, 8, 9, .. valid[4..]], true),
                ("truncated dims", valid[..6], true),
                ("truncated data", valid[..^2], true),
                ("one byte of data", valid[..(valid.Length - (images ? n * 9 : n) + 1)], true),
                ("trailing byte", [.. valid, 7], true),
                ("huge count", Idx(0x08, images ? [int.MaxValue, 3, 3] : [int.MaxValue], [1, 2, 3]), true),
                ("count above int", [.. valid[..4], 0xFF, 0xFF, 0xFF, 0xFF, .. valid[8..]], true),
                ("gzip of garbage", null, true),
                ("gzip truncated", null, true),
                ("valid gzip", null, false),
                ("count 0", images ? Images(0, 3, 3) : Labels(0), true),
                ("count + 1", images ? Images(n + 1, 3, 3) : Labels(n + 1), true),
                ("count - 1", images ? Images(n - 1, 3, 3) : Labels(n - 1), true),
            };
            if (images)
            {
                damages.Add(("0 rows", Images(n, 0, 3), true));
                damages.Add(("0 columns", Images(n, 3, 0), true));
                damages.Add(("0×0 images", Images(n, 0, 0), true));
                damages.Add(("2-D", Idx(0x08, [n, 9], valid[16..]), true));
                damages.Add(("4-D", Idx(0x08, [n, 3, 3, 1], valid[16..]), true));
                damages.Add(("rows×cols overflow", Idx(0x08, [0, 65536, 65536], []), true));
                damages.Add(("another size", Images(n, 4, 4), file == TestImages || file == TrainImages));
            }
            else
            {
                damages.Add(("label 10", Idx(0x08, [n], [.. Enumerable.Repeat((byte)10, n)]), true));
                damages.Add(("label 255", Idx(0x08, [n], [.. Enumerable.Repeat((byte)255, n)]), true));
                damages.Add(("2-D labels", Idx(0x08, [n, 1], valid[8..]), true));
                damages.Add(("one class", Idx(0x08, [n], new byte[n]), false));
            }
            foreach (var (what, bytes, invalid) in damages)
            {
                var files = ValidIdx().ToDictionary(kv => kv.Key, kv => (byte[]?)kv.Value);
                files[file] = bytes;
                if (what.StartsWith("gzip", StringComparison.Ordinal) || what == "valid gzip")
                {
                    files[file] = null;
                    var gz = Gzip(valid);
                    files[file + ".gz"] = what switch
                    {
                        "gzip of garbage" => Encoding.ASCII.GetBytes("this is not gzip at all"),
                        "gzip truncated" => gz[..(gz.Length / 2)],
                        _ => gz,
                    };
                }
                // "another size" of only one side is the mismatch; both resized would be consistent
                yield return ($"{file}: {what}", files, invalid);
            }
        }
    }

    static string Csv(IEnumerable<string> lines) => string.Join("\n", lines) + "\n";

    static string Row(int i, int label = -1) =>
        string.Join(
            ",",
            Enumerable
                .Range(0, 64)
                .Select(j => ((i + j) % 17).ToString(System.Globalization.CultureInfo.InvariantCulture))
        )
        + ","
        + (label < 0 ? i % 10 : label);

    static IEnumerable<(string, string, bool)> CsvSets()
    {
        var rows = Enumerable.Range(0, 40).Select(i => Row(i)).ToList();
        yield return ("0 rows", "", true);
        yield return ("1 row", Csv(rows.Take(1)), true);
        yield return ("2 rows", Csv(rows.Take(2)), false); // one training sample: shown, but BatchNorm refuses it
        yield return ("3 rows", Csv(rows.Take(3)), false);
        yield return ("only blank lines", "\n\n\n", true);
        yield return ("a header line", Csv(["p0,p1,label", .. rows]), true);
        yield return ("63 pixels", Csv(rows.Select(r => r[(r.IndexOf(',') + 1)..])), true);
        yield return ("66 values", Csv(rows.Select(r => "1," + r)), true);
        yield return ("label 10", Csv([.. rows, Row(99, 10)]), true);
        yield return ("label -1", Csv([.. rows, Row(99)[..^1] + "-1"]), true);
        yield return ("label 1.5", Csv([.. rows, Row(99)[..^1] + "1.5"]), true);
        yield return ("text pixel", Csv([.. rows, "x" + Row(99)[1..]]), true);
        yield return ("NaN pixel", Csv([.. rows, "NaN" + Row(99)[1..]]), true);
        yield return ("Infinity pixel", Csv([.. rows, "Infinity" + Row(99)[1..]]), true);
        yield return ("1e400 pixel", Csv([.. rows, "1e400" + Row(99)[1..]]), true);
        yield return ("empty field", Csv([.. rows, "," + Row(99)[Row(99).IndexOf(',')..]]), true);
        yield return ("semicolons", Csv(rows.Select(r => r.Replace(',', ';'))), true);
        yield return ("NUL bytes", Csv([.. rows, "\0\0\0"]), true);
        yield return ("one class", Csv(rows.Select((r, i) => Row(i, 3))), false);
        yield return ("valid", Csv(rows), false);
        yield return ("CRLF", string.Join("\r\n", rows) + "\r\n", false);
        yield return ("no final newline", string.Join("\n", rows), false);
        yield return ("spaces", Csv(rows.Select(r => r.Replace(",", ", "))), false);
    }

    public static TheoryData<string, string, bool> Cases()
    {
        var d = new TheoryData<string, string, bool>();
        foreach (var (name, _, invalid) in IdxSets())
        {
            d.Add("train", "idx|" + name, invalid);
            d.Add("show", "idx|" + name, invalid);
        }
        foreach (var (name, _, invalid) in CsvSets())
        {
            d.Add("train", "csv|" + name, invalid);
            d.Add("show", "csv|" + name, invalid);
            d.Add("train", "csv.gz|" + name, invalid);
        }
        d.Add("train", "csv.gz|all-zero gzip", true);
        d.Add("train", "csv.gz|gzip truncated", true);
        return d;
    }

    static string Materialize(string kind, string name)
    {
        var dir = Fresh("data");
        Directory.CreateDirectory(dir);
        if (kind == "idx")
        {
            foreach (var (f, b) in IdxSets().First(s => s.Item1 == name).Item2)
                if (b is not null)
                    File.WriteAllBytes(Path.Combine(dir, f), b);
            return dir;
        }
        var text = name switch
        {
            "all-zero gzip" => "",
            "gzip truncated" => Csv(Enumerable.Range(0, 40).Select(i => Row(i))),
            _ => CsvSets().First(s => s.Item1 == name).Item2,
        };
        var bytes = Encoding.UTF8.GetBytes(text);
        if (kind == "csv")
            File.WriteAllBytes(Path.Combine(dir, "digits.csv.gz"), bytes); // a plain file under the .gz name
        else
            File.WriteAllBytes(
                Path.Combine(dir, "digits.csv.gz"),
                name switch
                {
                    "all-zero gzip" => Gzip(new byte[300_000]),
                    "gzip truncated" => Gzip(bytes)[..200],
                    _ => Gzip(bytes),
                }
            );
        return dir;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_read_or_refused_in_one_line(string command, string set, bool invalid)
    {
        var (kind, name) = (set.Split('|')[0], set.Split('|')[1]);
        var dir = Materialize(kind, name);
        var dataset = kind == "idx" ? "mnist" : "digits";
        var o =
            command == "train"
                ? Run(
                    "train",
                    "--dataset",
                    dataset,
                    "--data",
                    dir,
                    "--hidden",
                    "4",
                    "--batch",
                    "4",
                    "--epochs",
                    "1",
                    "--out",
                    Fresh()
                )
                : Run("show", "--dataset", dataset, "--data", dir, "--count", "4", "--out", Fresh() + ".png");
        if (invalid || o.Code != 0)
            AssertOneLineError(o, 2);
        if (o.Code == 2)
            Assert.Contains(dir, o.Err, StringComparison.Ordinal); // names the file or its directory
    }

    [Fact]
    public void There_are_at_least_100_corrupt_sets() => Assert.True(Cases().Count >= 100, $"{Cases().Count}");
}
