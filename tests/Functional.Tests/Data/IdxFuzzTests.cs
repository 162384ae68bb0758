using System.Diagnostics;
using FsCheck.Xunit;
using Functional.Data;

namespace Functional.Tests.Data;

/// <summary>Damaged files must yield a Fin (success or a failure naming the file), never an exception, and quickly.</summary>
public sealed class IdxFuzzTests : IDisposable
{
    private static readonly byte[] Valid = IdxBytes.Images(4, 3, 3);
    private static readonly byte[] ValidGz = IdxBytes.Gzip(Valid);
    private readonly TempDir tmp = new();

    public void Dispose() => tmp.Dispose();

    [Property(MaxTest = 300, Replay = "(20251122,7919)")]
    public bool Truncations_and_bit_flips_never_throw(bool gzip, int cut, int[] flips)
    {
        var bytes = (gzip ? ValidGz : Valid).ToArray();
        foreach (int f in flips ?? [])
        {
            int bit = (f & int.MaxValue) % (bytes.Length * 8);
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        }
        bytes = bytes[..((cut & int.MaxValue) % (bytes.Length + 1))];
        string name = $"fuzz-{Guid.NewGuid():N}.bin";
        var clock = Stopwatch.StartNew();
        var result = Idx.Read(tmp.Write(name, bytes));
        bool ok = result.Match(
            _ => true,
            e => e.Message.Contains(name, StringComparison.Ordinal) && !e.Message.Contains('\n')
        );
        return ok && clock.Elapsed < TimeSpan.FromSeconds(2);
    }
}
