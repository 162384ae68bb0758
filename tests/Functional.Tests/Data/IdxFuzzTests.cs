using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Functional.Data;
using Xunit;

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

    /// <summary>
    /// Complements the property above: dimension sizes near int.MaxValue (and past it, up to uint.MaxValue), in
    /// plain and gzip files, are rejected from the header alone — within 1 s and without allocating anything near
    /// the declared size — with one line naming the file and an offset.
    /// </summary>
    [Property(MaxTest = 300, Replay = "(5201,3011)")]
    public Property Sizes_near_int_MaxValue_are_rejected_without_allocating()
    {
        var size = Gen.OneOf(
            Gen.Choose(0, 64).Select(d => (uint)int.MaxValue - (uint)d),
            Gen.Choose(0, 64).Select(d => (uint)int.MaxValue + 1 + (uint)d),
            Gen.Choose(0, 64).Select(d => uint.MaxValue - (uint)d),
            Gen.Choose(1 << 20, 1 << 30).Select(d => (uint)d)
        );
        var gen =
            from gzip in ArbMap.Default.GeneratorFor<bool>()
            from rank in Gen.Choose(1, 4)
            from big in size.ArrayOf(rank)
            from small in Gen.Choose(1, 3).ArrayOf(rank)
            from which in Gen.Choose(0, rank - 1)
            select (gzip, Enumerable.Range(0, rank).Select(k => k == which ? big[k] : (uint)small[k]).ToArray());
        return Prop.ForAll(
            gen.ToArbitrary(),
            c =>
            {
                var (gzip, dims) = c;
                var plain = IdxBytes.Make(new int[dims.Length], new byte[16]);
                for (int k = 0; k < dims.Length; k++)
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(plain.AsSpan(4 + 4 * k), dims[k]);
                var bytes = gzip ? IdxBytes.Gzip(plain) : plain;
                string name = $"big-{Guid.NewGuid():N}.idx";
                string path = tmp.Write(name, bytes);
                long before = GC.GetAllocatedBytesForCurrentThread();
                var clock = Stopwatch.StartNew();
                var r = Idx.Read(path);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                string msg = r.Match(_ => "unexpected success", e => e.Message);
                bool ok =
                    r.IsFail
                    && msg.StartsWith(path, StringComparison.Ordinal)
                    && msg.Contains("offset", StringComparison.Ordinal)
                    && !msg.Any(char.IsControl)
                    && allocated < 1_000_000
                    && clock.Elapsed < TimeSpan.FromSeconds(1);
                return ok.Label($"dims [{string.Join(",", dims)}] gzip {gzip}: {msg}; {allocated} bytes allocated");
            }
        );
    }

    /// <summary>Every cut of a gzip IDX file is an error (the declared size or the gzip trailer gives it away).</summary>
    [Fact]
    public void Every_truncation_of_a_gzip_file_is_an_error()
    {
        for (int cut = 0; cut < ValidGz.Length; cut++)
            FinAssert.Fail(Idx.Read(tmp.Write($"cut-{cut}.idx.gz", ValidGz[..cut])), $"cut-{cut}.idx.gz");
    }
}
