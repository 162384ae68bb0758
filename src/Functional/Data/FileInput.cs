using System.IO.Compression;
using LanguageExt;
using LanguageExt.Common;

namespace Functional.Data;

/// <summary>An open input: the (possibly decompressed) stream plus what error messages need to say.</summary>
internal sealed record Source(string Path, Stream Stream, bool IsGzip, long FileLength)
{
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
            Span<byte> head = stackalloc byte[2];
            int got = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
            file.Position = 0;
            bool gzip = IsGzip(head[..got]);
            using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
            return parse(new Source(path, stream, gzip, file.Length));
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
}
