using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Functional.Training;

/// <summary>
/// Sequential reads over a checkpoint's body (every byte before the SHA-256 trailer) with the file offset of each
/// read kept for error messages. Every byte read is hashed again, so a file changed between the checksum pass and
/// this one is caught; nothing but the current field and one fixed-size buffer is held.
/// </summary>
internal sealed class CheckpointBody : IDisposable
{
    const int Chunk = 1 << 16;
    readonly Stream stream;
    readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    readonly byte[] scratch = new byte[Chunk];

    /// <param name="stream">Positioned at offset 0 of the file.</param>
    /// <param name="bodyLength">The file's length less the trailer.</param>
    public CheckpointBody(Stream stream, long bodyLength)
    {
        this.stream = stream;
        BodyLength = bodyLength;
    }

    public long BodyLength { get; }

    /// <summary>The file offset of the next byte to read.</summary>
    public long Position { get; private set; }

    public long Remaining => BodyLength - Position;

    /// <summary>Reads exactly <paramref name="into"/>.Length bytes; the caller has checked they lie in the body.</summary>
    public void Read(Span<byte> into)
    {
        stream.ReadExactly(into);
        hash.AppendData(into);
        Position += into.Length;
    }

    public int ReadInt32()
    {
        Span<byte> b = stackalloc byte[4];
        Read(b);
        return BinaryPrimitives.ReadInt32LittleEndian(b);
    }

    public ushort ReadUInt16()
    {
        Span<byte> b = stackalloc byte[2];
        Read(b);
        return BinaryPrimitives.ReadUInt16LittleEndian(b);
    }

    public string ReadUtf8(int length)
    {
        var b = length <= Chunk ? scratch.AsSpan(0, length) : new byte[length];
        Read(b);
        return Encoding.UTF8.GetString(b);
    }

    /// <summary>Little-endian IEEE 754 doubles straight into <paramref name="into"/>, a buffer at a time.</summary>
    public void ReadDoubles(double[] into)
    {
        for (var done = 0; done < into.Length; )
        {
            var n = Math.Min(into.Length - done, Chunk / 8);
            var b = scratch.AsSpan(0, n * 8);
            Read(b);
            for (var i = 0; i < n; i++)
                into[done + i] = BinaryPrimitives.ReadDoubleLittleEndian(b[(8 * i)..]);
            done += n;
        }
    }

    /// <summary>The SHA-256 of the bytes read so far.</summary>
    public byte[] Hash() => hash.GetCurrentHash();

    /// <summary>The SHA-256 of the first <paramref name="bodyLength"/> bytes of <paramref name="stream"/> (read from
    /// its start, a buffer at a time), then the trailer that follows them.</summary>
    public static (byte[] Computed, byte[] Stored) Checksum(Stream stream, long bodyLength)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Chunk];
        stream.Position = 0;
        for (var left = bodyLength; left > 0; )
        {
            var n = (int)Math.Min(left, buffer.Length);
            stream.ReadExactly(buffer, 0, n);
            h.AppendData(buffer, 0, n);
            left -= n;
        }
        var stored = new byte[SHA256.HashSizeInBytes];
        stream.ReadExactly(stored);
        return (h.GetHashAndReset(), stored);
    }

    public void Dispose() => hash.Dispose();
}
