using System.IO.Compression;
using Functional.Tests.Support;

namespace Functional.Tests.Numerics;

/// <summary>
/// The correctly rounded tables written by make_tables.py (its docstring gives the format): the arguments are
/// regenerated from the segments, the results are the stored low bits (drawn points) or full bits (edges).
/// </summary>
public sealed record ElementaryTable(
    string Name,
    double[] Drawn,
    ushort[] DrawnLow,
    sbyte[] DrawnFrac,
    double[] Edges,
    long[] EdgeBits,
    sbyte[] EdgeFrac
)
{
    public static IReadOnlyDictionary<string, ElementaryTable> All { get; } = Load();

    public IEnumerable<double> Arguments => Drawn.Concat(Edges);

    /// <summary>Doubles in value order as integers: neighbours differ by 1, and −0 and +0 are both 0.</summary>
    public static long Ordered(double x)
    {
        var b = BitConverter.DoubleToInt64Bits(x);
        return b >= 0 ? b : long.MinValue - b;
    }

    public static double FromOrdered(long o) => BitConverter.Int64BitsToDouble(o >= 0 ? o : long.MinValue - o);

    static Dictionary<string, ElementaryTable> Load()
    {
        var path = Path.Combine(Snap.Root, "tests", "Functional.Tests", "Numerics", "elementary-tables.bin.gz");
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var r = new BinaryReader(gz);
        if (new string(r.ReadChars(8)) != "FNELEM01")
            throw new InvalidDataException("not an elementary-function table: " + path);
        var tables = new Dictionary<string, ElementaryTable>();
        var functions = r.ReadUInt32();
        for (var f = 0; f < functions; f++)
        {
            var name = new string(r.ReadChars(r.ReadByte()));
            var drawn = new List<double>();
            var segments = r.ReadUInt32();
            for (var s = 0; s < segments; s++)
            {
                var kind = r.ReadByte();
                var lo = r.ReadDouble();
                var hi = r.ReadDouble();
                var count = r.ReadUInt32();
                var seed = r.ReadUInt64();
                drawn.AddRange(Draw(kind, lo, hi, count, seed));
            }
            var edges = new double[r.ReadUInt32()];
            for (var i = 0; i < edges.Length; i++)
                edges[i] = r.ReadDouble();
            var low = new ushort[drawn.Count];
            var frac = new sbyte[drawn.Count];
            for (var i = 0; i < drawn.Count; i++)
            {
                low[i] = r.ReadUInt16();
                frac[i] = r.ReadSByte();
            }
            var edgeBits = new long[edges.Length];
            var edgeFrac = new sbyte[edges.Length];
            for (var i = 0; i < edges.Length; i++)
            {
                edgeBits[i] = r.ReadInt64();
                edgeFrac[i] = r.ReadSByte();
            }
            tables[name] = new ElementaryTable(name, [.. drawn], low, frac, edges, edgeBits, edgeFrac);
        }
        return tables;
    }

    static IEnumerable<double> Draw(byte kind, double lo, double hi, uint count, ulong seed)
    {
        var state = seed;
        for (var i = 0; i < count; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            if (kind == 0)
            {
                var u = (z >> 11) * (1.0 / 9007199254740992.0);
                yield return lo + (hi - lo) * u;
            }
            else
            {
                var blo = (ulong)BitConverter.DoubleToInt64Bits(lo);
                var bhi = (ulong)BitConverter.DoubleToInt64Bits(hi);
                var x = BitConverter.Int64BitsToDouble((long)(blo + z % (bhi - blo + 1)));
                yield return kind == 2 ? -x : x;
            }
        }
    }
}
