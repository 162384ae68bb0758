using System.IO.Compression;
using LanguageExt;
using LanguageExt.Common;

namespace Functional.Data;

/// <summary>An open input: the (possibly decompressed) stream plus what error messages need to say.</summary>
internal sealed record Source(string Path, Stream Stream, bool IsGzip, long FileLength)
{
    /// <summary>A gzip file's ISIZE (its decompressed length mod 2^32, the file's last 4 bytes), read before any
    /// data, so a parser can compare a declared size with it before allocating; null for a plain file or a file
    /// too short to hold a gzip trailer.</summary>
    public uint? GzipSize { get; init; }

    /// <summary>Prefix of every error: offsets of a gzip file refer to its decompressed bytes.</summary>
    public string Where => IsGzip ? $"{Path} (gzip; offsets in decompressed data)" : Path;

    public Error Fail(string message) => Error.New($"{Where}: {message}");
}

/// <summary>Opens a file, transparently decompressing gzip, and turns I/O failures into Fin errors.</summary>
internal static class FileInput
{
    /// <summary>gzip is detected by its magic bytes 1f 8b, not by the name: mirrors differ in how they name files.</summary>
    internal static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;

    internal static Fin<T> Read<T>(string path, Func<Source, Fin<T>> parse)
    {
        try
        {
            using var file = new FileStream(
                path,
                FileMode.Open,
                FileAccess.Read,
                FileShare.Read,
                1 << 16,
                FileOptions.SequentialScan
            );
            return Read(path, file, parse);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return Error.New($"{path}: cannot read file ({OneLine(e.Message)})");
        }
    }

    /// <summary>Parses an open, seekable stream (a file, or a resource bundled in the assembly) named
    /// <paramref name="path"/> in error messages.</summary>
    internal static Fin<T> Read<T>(string path, Stream file, Func<Source, Fin<T>> parse)
    {
        try
        {
            Span<byte> head = stackalloc byte[2];
            int got = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
            file.Position = 0;
            bool gzip = IsGzip(head[..got]);
            if (!gzip)
                return parse(new Source(path, file, false, file.Length));
            uint? isize = null;
            if (file.Length >= 18)
            {
                Span<byte> trailer = stackalloc byte[4];
                file.Position = file.Length - 4;
                file.ReadExactly(trailer);
                file.Position = 0;
                isize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
            }
            using var inflated = new CountingStream(new GZipStream(file, CompressionMode.Decompress, leaveOpen: true));
            var result = parse(new Source(path, inflated, true, file.Length) { GzipSize = isize });
            return result.IsSucc ? CheckGzipEnd(path, file, inflated).Match(e => Fin<T>.Fail(e), () => result) : result;
        }
        catch (InvalidDataException e)
        {
            return Error.New($"{path}: corrupt gzip stream ({OneLine(e.Message)})");
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return Error.New($"{path}: cannot read file ({OneLine(e.Message)})");
        }
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");

    /// <summary>
    /// .NET's GZipStream returns the decodable prefix of a truncated gzip file without an error, so a file cut at a
    /// line boundary would load as a silently shorter data set. When the parser has consumed the whole stream, the
    /// byte count must equal ISIZE, the uncompressed length mod 2^32 stored in the file's last 4 bytes (RFC 1952).
    /// (A multi-member gzip file, whose ISIZE covers only its last member, is reported the same way.)
    /// </summary>
    private static Option<Error> CheckGzipEnd(string path, Stream file, CountingStream inflated)
    {
        if (inflated.Read(stackalloc byte[1]) > 0)
            return Option<Error>.None; // the parser stopped early on purpose: it has judged the data itself
        long length = file.Length;
        if (length < 18)
            return Error.New($"{path}: truncated gzip file: {length} bytes cannot hold a gzip header and trailer");
        Span<byte> trailer = stackalloc byte[4];
        file.Position = length - 4;
        file.ReadExactly(trailer);
        uint isize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        return (uint)inflated.Count == isize
            ? Option<Error>.None
            : Error.New(
                $"{path}: truncated gzip file: it decompresses to {inflated.Count} bytes but its trailer (offset {length - 4}) records {isize}"
            );
    }

    /// <summary>A read-only pass-through stream that counts the bytes read through it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => Count;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            Count += n;
            return n;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
