using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Functional.Core;
using Functional.Data;
using Functional.Tests.Data;
using Functional.Training;
using LanguageExt;
using Xunit;
using static Functional.Tests.Training.CheckpointBytes;

namespace Functional.Tests.Training;

/// <summary>
/// Damaged checkpoints: Decode must return a Fin — success, or one line naming the file and the byte offset or the
/// field — never throw, and finish fast without allocating more than a small multiple of the file. Flips without a
/// re-hash must always be caught by the SHA-256 trailer; flips WITH a re-hash get past it and exercise the structural
/// checks behind it (what a buggy writer, rather than a bad disk, would produce).
/// </summary>
public sealed class CheckpointFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    const string Source = "fuzz.ckpt";
    static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    /// <summary>Decodes under a clock and an allocation meter; returns the outcome, or null when a rule was broken
    /// (the reason is in <paramref name="why"/>).</summary>
    static Fin<Checkpoint>? Guarded(byte[] bytes, out string why)
    {
        var clock = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Fin<Checkpoint> r;
        try
        {
            r = Checkpoint.Decode(bytes, Source);
        }
        catch (Exception e)
        {
            why = $"threw {e.GetType().Name}: {e.Message}";
            return null;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (clock.Elapsed > Budget)
        {
            why = $"took {clock.Elapsed.TotalMilliseconds} ms";
            return null;
        }
        if (allocated > 4_000_000 + 16L * bytes.Length)
        {
            why = $"allocated {allocated} bytes for a {bytes.Length}-byte file";
            return null;
        }
        var msg = r.Match(_ => "", e => e.Message);
        if (
            r.IsFail
            && (msg.Contains('\n') || msg.Contains('\r') || !msg.StartsWith(Source + ": ", StringComparison.Ordinal))
        )
        {
            why = $"message is not one line starting with the file name: {msg}";
            return null;
        }
        why = msg;
        return r;
    }

    static int? BlamedOffset(string msg) =>
        System.Text.RegularExpressions.Regex.Match(msg, @"byte (\d+):") is { Success: true } m
            ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    static bool NamesOffsetOrField(string msg) =>
        msg.Contains("byte ", StringComparison.Ordinal)
        || msg.Contains("header field", StringComparison.Ordinal)
        || msg.Contains("array '", StringComparison.Ordinal);

    static Property Fails(byte[] bytes, Func<string, bool>? extra = null)
    {
        var r = Guarded(bytes, out var why);
        var ok = r is { } fin && fin.IsFail && NamesOffsetOrField(why) && (extra?.Invoke(why) ?? true);
        return ok.Label(why);
    }

    static Property NeverThrows(byte[] bytes)
    {
        var r = Guarded(bytes, out var why);
        return (r is { } fin && (fin.IsSucc || NamesOffsetOrField(why))).Label(why);
    }

    static byte[] Flip(byte[] src, int[] bits, int from, int to)
    {
        var b = src.ToArray();
        foreach (var f in bits)
        {
            var bit = from * 8 + (int)((uint)f % (uint)((to - from) * 8));
            b[bit / 8] ^= (byte)(1 << (bit % 8));
        }
        return b;
    }

    static Arbitrary<int[]> BitFlips =>
        Gen.Choose(0, int.MaxValue).ArrayOf().Where(a => a.Length is > 0 and <= 8).ToArbitrary();

    [Fact]
    public void The_sample_round_trips_and_a_real_file_error_names_the_path()
    {
        output.WriteLine($"sample: {Valid.Length} bytes, {LengthFields(Valid).Count} length fields");
        var c = FinAssert.Succ(Checkpoint.Decode(Valid, Source));
        Assert.Equal(ParamsHash.Sha256(Sample().State.Params), ParamsHash.Sha256(c.State.Params));
        Assert.Equal(Valid, Checkpoint.Encode(c));
        using var tmp = new TempDir();
        var path = tmp.Write("cut.ckpt", Valid[..^1]);
        FinAssert.Fail(Checkpoint.Load(path), path, "byte ");
        FinAssert.Fail(Checkpoint.Load(Path.Combine(tmp.Path, "absent.ckpt")), "absent.ckpt", "cannot read");
    }

    [Property(MaxTest = 400, Replay = "(4021,2027)")]
    public Property Every_truncation_is_an_error_naming_a_byte_offset() =>
        Prop.ForAll(Gen.Choose(0, Valid.Length - 1).ToArbitrary(), cut => Fails(Valid[..cut]));

    [Property(MaxTest = 400, Replay = "(4022,2029)")]
    public Property Bit_flips_anywhere_are_caught_by_the_checksum_or_the_magic() =>
        Prop.ForAll(BitFlips, bits => Fails(Flip(Valid, bits, 0, Valid.Length)));

    [Property(MaxTest = 1000, Replay = "(4023,2039)")]
    public Property Bit_flips_in_the_body_with_a_recomputed_hash_never_escape_as_exceptions() =>
        Prop.ForAll(BitFlips, bits => NeverThrows(Rehash(Flip(Valid, bits, 0, Valid.Length - HashSize))));

    /// <summary>The same, aimed at the structure: the header JSON and the array names and sizes (not the doubles).</summary>
    [Property(MaxTest = 1000, Replay = "(4024,2053)")]
    public Property Bit_flips_in_the_header_with_a_recomputed_hash_never_escape_as_exceptions()
    {
        var (start, length) = Header(Valid);
        return Prop.ForAll(BitFlips, bits => NeverThrows(Rehash(Flip(Valid, bits, start, start + length))));
    }

    [Property(MaxTest = 500, Replay = "(4025,2063)")]
    public Property Length_fields_near_int_MaxValue_are_rejected_at_their_offset()
    {
        var fields = LengthFields(Valid);
        var values = new long[]
        {
            int.MaxValue,
            int.MaxValue - 1,
            int.MaxValue - 7,
            int.MinValue,
            -1,
            1 << 30,
            ushort.MaxValue,
            0,
        };
        var gen =
            from f in Gen.Elements(fields.ToArray())
            from v in Gen.Elements(values)
            from delta in Gen.Choose(0, 3)
            select (f, v - delta);
        return Prop.ForAll(
            gen.ToArbitrary(),
            fv =>
            {
                var (f, v) = fv;
                var b = Valid.ToArray();
                if (f.Width == 4)
                    BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(f.Offset), unchecked((int)v));
                else
                    BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(f.Offset), unchecked((ushort)v));
                var original =
                    f.Width == 4
                        ? BinaryPrimitives.ReadInt32LittleEndian(Valid.AsSpan(f.Offset))
                        : BinaryPrimitives.ReadUInt16LittleEndian(Valid.AsSpan(f.Offset));
                var written =
                    f.Width == 4
                        ? BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(f.Offset))
                        : BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(f.Offset));
                if (written == original)
                    return true.ToProperty(); // the value happened to be the real one
                return Fails(Rehash(b), m => BlamedOffset(m) is int at && at >= f.BlamedOffset && at <= f.BlamedMax)
                    .Label($"{f.Name} = {written}");
            }
        );
    }

    public static TheoryData<string> HeaderEdits => new(HeaderEdit.Keys.ToArray());

    static readonly Dictionary<string, Func<JsonObject, JsonNode?>> HeaderEdit = new()
    {
        ["network claims 2e9×2e9 weights"] = h =>
        {
            var l = h["network"]!["layers"]![0]!;
            l["in"] = 2_000_000_000;
            h["network"]!["inputs"] = 2_000_000_000;
            return h;
        },
        ["network with a negative size"] = h =>
        {
            h["network"]!["layers"]![0]!["out"] = -3;
            h["network"]!["layers"]![1]!["features"] = -3;
            h["network"]!["layers"]![3]!["in"] = -3;
            return h;
        },
        ["network with a zero size"] = h =>
        {
            h["network"]!["layers"]![0]!["out"] = 0;
            h["network"]!["layers"]![1]!["features"] = 0;
            h["network"]!["layers"]![3]!["in"] = 0;
            return h;
        },
        ["network without its last layer (an array is left over)"] = h =>
        {
            var layers = h["network"]!["layers"]!.AsArray();
            layers.RemoveAt(layers.Count - 1);
            return h;
        },
        ["key is not hex"] = h =>
        {
            h["key"] = "not-hex";
            return h;
        },
        ["key is a number"] = h =>
        {
            h["key"] = 12;
            return h;
        },
        ["key overflows 64 bits"] = h =>
        {
            h["key"] = "1FFFFFFFFFFFFFFFF";
            return h;
        },
        ["step is text"] = h =>
        {
            h["step"] = "three";
            return h;
        },
        ["step is fractional"] = h =>
        {
            h["step"] = 2.5;
            return h;
        },
        ["step is negative"] = h =>
        {
            h["step"] = -1;
            return h;
        },
        ["optimizer_step is an object"] = h =>
        {
            h["optimizer_step"] = new JsonObject();
            return h;
        },
        ["has_optimizer_state is a number"] = h =>
        {
            h["has_optimizer_state"] = 1;
            return h;
        },
        ["optimizer kind unknown"] = h =>
        {
            h["optimizer"]!["kind"] = "sgdx";
            return h;
        },
        ["optimizer lr is text"] = h =>
        {
            h["optimizer"]!["lr"] = "fast";
            return h;
        },
        ["clip_global_norm is text"] = h =>
        {
            h["clip_global_norm"] = "x";
            return h;
        },
        ["layer kind unknown"] = h =>
        {
            h["network"]!["layers"]![2]!["kind"] = "gelu";
            return h;
        },
        ["layers is not an array"] = h =>
        {
            h["network"]!["layers"] = 3;
            return h;
        },
        ["header is an array"] = _ => new JsonArray(1, 2),
        ["header is null"] = _ => null,
        ["network is missing"] = h =>
        {
            h.Remove("network");
            return h;
        },
    };

    [Theory]
    [MemberData(nameof(HeaderEdits))]
    public void Header_fields_of_the_wrong_type_or_size_are_one_line_errors(string edit)
    {
        var bytes = WithHeader(Valid, HeaderEdit[edit]);
        var r = Guarded(bytes, out var why);
        Assert.True(r is not null, why);
        Assert.True(r!.Value.IsFail, $"{edit}: decoded successfully");
        Assert.True(NamesOffsetOrField(why), why);
    }
}
