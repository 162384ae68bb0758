using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using LanguageExt;

namespace Functional.Data;

/// <summary>Reader of the IDX format used by MNIST: magic 00 00 type rank, big-endian int32 sizes, then the data.</summary>
public static class Idx
{
    /// <summary>The type byte of unsigned 8-bit data, the only type the reader accepts.</summary>
    public const byte UnsignedByte = 0x08;

    // Deflate cannot expand input by more than ~1032:1, so a gzip file of n bytes holds at most this many
    // times n bytes. Checking the declared size against it rejects absurd headers before allocating.
    private const long MaxDeflateRatio = 1032;

    /// <summary>Reads an IDX file of unsigned bytes, gzip-compressed or plain. Never throws for a bad file.</summary>
    public static Fin<IdxArray> Read(string path) => Read(path, (_, declared) => declared);

    /// <summary>
    /// <see cref="Read(string)"/> for a caller that turns the data into something larger: <paramref name="memory"/>
    /// gives, from the dimensions and the data's byte count, the bytes that will be held in the end, and a size the
    /// memory available cannot hold is an error naming the dimensions' offset, before anything is allocated.
    /// </summary>
    internal static Fin<IdxArray> Read(string path, Func<ImmutableArray<int>, Int128, Int128> memory) =>
        FileInput.Read(path, src => Parse(src, memory));

    private static Fin<IdxArray> Parse(Source src, Func<ImmutableArray<int>, Int128, Int128> memory)
    {
        Span<byte> magic = stackalloc byte[4];
        int got = src.Stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4)
            return src.Fail($"truncated header: the magic number needs offsets 0-3 but the data ends at offset {got}");
        if (magic[0] != 0 || magic[1] != 0)
            return src.Fail(
                $"wrong magic number: bytes at offset 0-1 must be 00 00, found {magic[0]:x2} {magic[1]:x2}"
            );
        if (magic[2] != UnsignedByte)
            return src.Fail(
                $"unsupported data type 0x{magic[2]:x2} ({TypeName(magic[2])}) at offset 2; only unsigned byte 0x08 is supported"
            );
        int rank = magic[3];
        if (rank is < 1 or > 4)
            return src.Fail($"wrong magic number: dimension count {rank} at offset 3 must be 1..4");

        Span<byte> sizes = stackalloc byte[4 * rank];
        got = src.Stream.ReadAtLeast(sizes, sizes.Length, throwOnEndOfStream: false);
        if (got < sizes.Length)
            return src.Fail(
                $"truncated header: {rank} dimension sizes need offsets 4-{3 + sizes.Length} but the data ends at offset {4 + got}"
            );

        var dims = new int[rank];
        Int128 declared = 1; // at most 4 factors below 2^32: cannot overflow 127 bits
        for (int k = 0; k < rank; k++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(sizes[(4 * k)..]);
            if (size > int.MaxValue)
                return src.Fail($"dimension {k} size {size} at offset {4 + 4 * k} is larger than int.MaxValue");
            dims[k] = (int)size;
            declared *= size;
        }
        return ReadData(src, ImmutableCollectionsMarshal.AsImmutableArray(dims), 4 + 4 * rank, declared, memory);
    }

    private static Fin<IdxArray> ReadData(
        Source src,
        ImmutableArray<int> dims,
        int header,
        Int128 declared,
        Func<ImmutableArray<int>, Int128, Int128> memory
    )
    {
        string shape = $"dims [{string.Join(", ", dims)}]";
        // What the file can possibly hold: exact for a plain file, an upper bound for gzip.
        Int128 available = src.IsGzip ? (Int128)src.FileLength * MaxDeflateRatio : src.FileLength - header;
        if (declared > available)
            return src.Fail(
                src.IsGzip
                    ? $"truncated data: {shape} need {declared} bytes from offset {header}, more than a {src.FileLength}-byte gzip file can hold"
                    : $"truncated data: {shape} need {declared} bytes from offset {header}, but the file ends at offset {src.FileLength}"
            );
        if (!src.IsGzip && declared < available)
            return src.Fail(
                $"trailing data: {shape} end the data at offset {header + declared}, but {available - declared} more bytes follow"
            );
        if (declared > Array.MaxLength)
            return src.Fail(
                $"{shape} declare {declared} data bytes from offset {header}, more than one array can hold"
            );

        // A gzip file records its decompressed length: a size field that disagrees with it is caught here, before
        // the data is allocated or decompressed (a 300 KB file of zeros can otherwise decompress to 300 MB).
        if (src.GzipSize is uint isize && isize != header + declared)
            return src.Fail(
                isize < header + declared
                    ? $"truncated data: {shape} need the data to end at offset {header + declared}, but the gzip trailer (file offset {src.FileLength - 4}) records {isize} bytes, ending it at offset {isize}"
                    : $"trailing data: {shape} end the data at offset {header + declared}, but the gzip trailer (file offset {src.FileLength - 4}) records {isize} bytes"
            );
        var need = memory(dims, declared);
        if (MemoryBudget.Exceeded(need) is long budget)
            return src.Fail(
                $"{shape} at offset 4 declare {declared} data bytes, which need {MemoryBudget.Gb(need)} of memory loaded, more than the {MemoryBudget.Gb(budget)} available"
            );
        var data = new byte[(int)declared];
        int got = src.Stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (got < data.Length)
            return src.Fail(
                $"truncated data: {shape} need the data to end at offset {header + declared}, but it ends at offset {header + got}"
            );
        // Probing a single extra byte detects trailing data without decompressing the rest of a possible bomb.
        if (src.IsGzip && src.Stream.ReadAtLeast(stackalloc byte[1], 1, throwOnEndOfStream: false) > 0)
            return src.Fail(
                $"trailing data: {shape} end the data at offset {header + declared}, but more bytes follow"
            );
        return new IdxArray(dims, ImmutableCollectionsMarshal.AsImmutableArray(data));
    }

    private static string TypeName(byte code) =>
        code switch
        {
            0x09 => "signed byte",
            0x0B => "short",
            0x0C => "int",
            0x0D => "float",
            0x0E => "double",
            _ => "unknown type code",
        };
}
