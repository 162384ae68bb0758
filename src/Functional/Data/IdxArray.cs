using System.Collections.Immutable;

namespace Functional.Data;

/// <summary>The contents of an IDX file of unsigned bytes: dimension sizes and the data in row-major order.</summary>
public sealed record IdxArray(ImmutableArray<int> Dims, ImmutableArray<byte> Data)
{
    /// <summary>Bytes before the data: the 4-byte magic number and one 4-byte size per dimension.</summary>
    public int HeaderLength => 4 + 4 * Dims.Length;
}
