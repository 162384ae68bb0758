using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Training;

/// <summary>
/// A small valid checkpoint (BatchNorm network, Adam state after two steps) and tools to damage it: re-hash the body
/// so the SHA-256 trailer matches again, and locate every length field of the format (docs/CHECKPOINT.md).
/// </summary>
public static class CheckpointBytes
{
    public const int HashSize = 32;

    public static readonly Functional.Models.Network Net = Nets.MultiLayerNetExtend(4, [3], 2, batchNorm: true);
    public static readonly IRule Opt = Adam.Dlfs(0.01);

    public static Checkpoint Sample()
    {
        var s = TrainState.Start(Net, Opt, Key.Of(7));
        var x = Normal(1, 5, 4);
        var t = OneHot(2, 5, 2);
        s = Train.Step(Net, Opt, s, x, t).State;
        s = Train.Step(Net, Opt, s, x, t).State;
        return new Checkpoint(Net, Opt, s, new JsonObject { ["note"] = "fuzz sample" });
    }

    public static readonly byte[] Valid = Checkpoint.Encode(Sample());

    /// <summary>The body (without the trailer) followed by its SHA-256: what a consistent writer would produce.</summary>
    public static byte[] Rehash(byte[] withTrailer)
    {
        var body = withTrailer.AsSpan(0, withTrailer.Length - HashSize).ToArray();
        return [.. body, .. SHA256.HashData(body)];
    }

    /// <summary>One int32/uint16 length field of the format: where it is, how wide, and the range of offsets a reader
    /// may blame (a wrong name length shifts the reader, which then blames the rows it reads out of the name).</summary>
    public sealed record Field(string Name, int Offset, int Width, int BlamedOffset, int BlamedMax);

    /// <summary>Walks a valid checkpoint and lists its length fields (header length, array count, per-array name
    /// length, rows and columns).</summary>
    public static IReadOnlyList<Field> LengthFields(byte[] b)
    {
        var fields = new List<Field> { new("header length", 8, 4, 8, 8) };
        var pos = 12 + BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(8));
        fields.Add(new("array count", pos, 4, pos, pos));
        var count = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(pos));
        pos += 4;
        for (var a = 0; a < count; a++)
        {
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(pos));
            fields.Add(new($"array {a} name length", pos, 2, pos, pos + 2 + nameLength + 8));
            pos += 2 + nameLength;
            fields.Add(new($"array {a} rows", pos, 4, pos, pos));
            fields.Add(new($"array {a} columns", pos + 4, 4, pos, pos));
            var rows = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(pos));
            var cols = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(pos + 4));
            pos += 8 + 8 * rows * cols;
        }
        return fields;
    }

    /// <summary>The header JSON region [12, 12 + length).</summary>
    public static (int Start, int Length) Header(byte[] b) => (12, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(8)));

    /// <summary>A copy of <paramref name="b"/> whose header JSON is replaced (and the length and hash fixed up).</summary>
    public static byte[] WithHeader(byte[] b, Func<JsonObject, JsonNode?> edit)
    {
        var (start, length) = Header(b);
        var header = (JsonObject)JsonNode.Parse(b.AsSpan(start, length))!;
        var edited = edit(header);
        var json = Encoding.UTF8.GetBytes(edited?.ToJsonString() ?? "null");
        var lengthBytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(lengthBytes, json.Length);
        byte[] body =
        [
            .. b.AsSpan(0, 8),
            .. lengthBytes,
            .. json,
            .. b.AsSpan(start + length, b.Length - HashSize - start - length),
        ];
        return [.. body, .. SHA256.HashData(body)];
    }
}
