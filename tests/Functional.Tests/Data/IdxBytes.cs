using System.Buffers.Binary;
using System.IO.Compression;

namespace Functional.Tests.Data;

/// <summary>Builds IDX byte images in memory for the tests.</summary>
public static class IdxBytes
{
    public static byte[] Make(int[] dims, byte[] data, byte type = 0x08)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int k = 0; k < dims.Length; k++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * k), dims[k]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    /// <summary>count images of rows × cols with a deterministic pixel pattern.</summary>
    public static byte[] Images(int count, int rows = 2, int cols = 3) =>
        Make([count, rows, cols], Enumerable.Range(0, count * rows * cols).Select(i => (byte)(i * 37 % 256)).ToArray());

    public static byte[] Labels(params byte[] labels) => Make([labels.Length], labels);

    public static byte[] Gzip(byte[] plain)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gz.Write(plain);
        return output.ToArray();
    }
}
