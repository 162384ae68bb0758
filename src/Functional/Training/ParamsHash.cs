using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Functional.Core;

namespace Functional.Training;

/// <summary>A fingerprint of parameters: SHA-256 over key, shape and IEEE bits of every array, in key order.</summary>
public static class ParamsHash
{
    /// <summary>The digest as 64 lowercase hex digits; equal strings mean bitwise-equal parameters.</summary>
    public static string Sha256(Params ps)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buf = stackalloc byte[8];
        foreach (var (k, m) in ps.Values)
        {
            h.AppendData(Encoding.UTF8.GetBytes(k.ToString()));
            BinaryPrimitives.WriteInt32LittleEndian(buf, m.RowCount);
            BinaryPrimitives.WriteInt32LittleEndian(buf[4..], m.ColumnCount);
            h.AppendData(buf);
            foreach (var v in Mat.Data(m))
            {
                BinaryPrimitives.WriteDoubleLittleEndian(buf, v);
                h.AppendData(buf);
            }
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }
}
