using System.Diagnostics;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Functional.Data;
using LanguageExt;
using Xunit;

namespace Functional.Tests.Data;

/// <summary>
/// Damaged digits CSV files (plain and gzip): Digits.Load returns a Fin — never throws — within a time and
/// allocation budget; a failure is one printable line starting with the file's path; a success holds only
/// in-range pixels and labels and never more rows than the original.
/// </summary>
public sealed class DigitsFuzzTests : IDisposable
{
    private const int Rows = 6;
    private static readonly string Text = string.Join(
        "",
        ReadLines(RepoData.Path("digits.csv.gz")).Take(Rows).Select(l => l + "\n")
    );
    private static readonly byte[] Plain = Encoding.UTF8.GetBytes(Text);
    private static readonly byte[] Gz = IdxBytes.Gzip(Plain);
    private readonly TempDir tmp = new();

    public void Dispose() => tmp.Dispose();

    private static IEnumerable<string> ReadLines(string gz)
    {
        using var f = File.OpenRead(gz);
        using var z = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionMode.Decompress);
        using var r = new StreamReader(z);
        for (string? l = r.ReadLine(); l is not null; l = r.ReadLine())
            yield return l;
    }

    /// <summary>Loads under a clock and an allocation meter; "" when every rule holds, else what broke.</summary>
    private string Check(byte[] bytes, out Fin<Dataset>? result)
    {
        string name = $"digits-{Guid.NewGuid():N}.csv";
        string path = tmp.Write(name, bytes);
        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        result = null;
        try
        {
            result = Digits.Load(path);
        }
        catch (Exception e)
        {
            return $"threw {e.GetType().Name}: {e.Message}";
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (clock.Elapsed > TimeSpan.FromSeconds(1))
            return $"took {clock.Elapsed.TotalMilliseconds} ms";
        if (allocated > 4_000_000)
            return $"allocated {allocated} bytes";
        return result.Value.Match(
            d =>
                d.Count > Rows ? $"{d.Count} rows from a {Rows}-row file"
                : d.X.Enumerate().Any(v => v is < 0 or > 16) ? "pixel outside 0..16"
                : d.Labels.Any(l => l is < 0 or > 9) ? "label outside 0..9"
                : "",
            e =>
                !e.Message.StartsWith(path + ":", StringComparison.Ordinal)
                    ? $"message does not start with the path: {e.Message}"
                : e.Message.Any(char.IsControl) ? $"message is not one printable line: {e.Message}"
                : ""
        );
    }

    private static byte[] Damage(byte[] src, int cut, int[] flips)
    {
        var b = src.ToArray();
        foreach (int f in flips)
        {
            int bit = (int)((uint)f % (uint)(b.Length * 8));
            b[bit / 8] ^= (byte)(1 << (bit % 8));
        }
        return b[..((int)((uint)cut % (uint)(b.Length + 1)))];
    }

    [Property(MaxTest = 400, Replay = "(5101,3001)")]
    public Property Truncations_and_bit_flips_never_throw() =>
        Prop.ForAll(
            ArbMap.Default.ArbFor<bool>(),
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            Gen.Choose(0, int.MaxValue).ArrayOf().Where(a => a.Length <= 6).ToArbitrary(),
            (gzip, cut, flips) =>
            {
                string why = Check(Damage(gzip ? Gz : Plain, cut, flips), out _);
                return (why.Length == 0).Label(why);
            }
        );

    /// <summary>
    /// Every cut of the gzip file is an error: .NET's GZipStream hands back a truncated file's decodable prefix
    /// without complaint, so without the ISIZE check a cut that ends the prefix on a line boundary loaded as a
    /// silently shorter data set.
    /// </summary>
    [Fact]
    public void Every_truncation_of_the_gzip_file_is_an_error()
    {
        for (int cut = 0; cut < Gz.Length; cut++)
        {
            string why = Check(Gz[..cut], out var r);
            Assert.True(why.Length == 0, $"cut {cut}: {why}");
            Assert.True(r!.Value.IsFail, $"cut {cut} of {Gz.Length}: loaded {r.Value.Map(d => d.Count)} rows");
        }
    }

    /// <summary>A plain CSV has no length or checksum: a cut exactly at a line end is indistinguishable from a shorter
    /// file (a documented limit, docs/RELIABILITY.md), and a cut that only drops the final newline loses nothing.
    /// Every other cut is an error naming the line.</summary>
    [Fact]
    public void A_plain_file_cut_inside_a_line_is_an_error_naming_the_line()
    {
        for (int cut = 0; cut < Plain.Length; cut++)
        {
            string why = Check(Plain[..cut], out var r);
            Assert.True(why.Length == 0, $"cut {cut}: {why}");
            int complete = Text[..cut].Count(c => c == '\n');
            bool atLineEnd = cut > 0 && Plain[cut - 1] == (byte)'\n';
            bool onlyNewlineLost = Plain[cut] == (byte)'\n'; // the last line is whole, just unterminated
            if (atLineEnd || onlyNewlineLost)
                Assert.Equal(complete + (onlyNewlineLost ? 1 : 0), r!.Value.Match(d => d.Count, _ => -1));
            else
                Assert.Contains(
                    cut == 0 ? "no samples" : $"line {complete + 1}",
                    r!.Value.Match(_ => "success", e => e.Message)
                );
        }
    }

    [Fact]
    public void A_pixel_outside_0_to_16_is_an_error_naming_line_and_column()
    {
        string row =
            string.Join(',', Enumerable.Repeat("3", 20))
            + ",96,"
            + string.Join(',', Enumerable.Repeat("3", 43))
            + ",5\n";
        var r = Digits.Load(tmp.WriteText("range.csv", row));
        FinAssert.Fail(r, "range.csv", "line 1", "column 21", "0..16");
        string formFeed = "1\f2," + string.Join(',', Enumerable.Repeat("3", 63)) + ",5\n"; // ',' with one bit flipped
        string msg = FinAssert.Fail(Digits.Load(tmp.WriteText("ff.csv", formFeed)), "ff.csv", "column 1");
        Assert.DoesNotContain(msg, char.IsControl);
    }
}
