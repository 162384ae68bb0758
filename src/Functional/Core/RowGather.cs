using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Functional.Kernels;

namespace Functional.Core;

// Mat's row gathers: taking a batch of rows from a data set, the one operation whose speed depends on the layout.
// Rows of a column-major matrix are a column-height apart, so large sets are read through a row-major copy made once
// per (immutable) tensor, byte codes where the values allow, written straight into the step's arrays.
public static partial class Mat
{
    /// <summary>The rows at <paramref name="index"/>, in that order (one copy, straight into the result).</summary>
    /// <remarks>
    /// In column-major storage the elements of one row are a column-height apart, so gathering rows of a matrix
    /// larger than the caches misses the cache on every element (a 128-row batch of Fashion-MNIST took ~2.5 ms).
    /// For such a matrix a row-major copy is made once and memoised per matrix instance (matrices are never
    /// mutated after they leave their creator, so the copy stays valid); rows are then read contiguously. When the
    /// matrix has at most 256 distinct values (byte-valued images) the copy is one byte code per element.
    /// </remarks>
    public static Tensor Rows(Tensor x, ReadOnlySpan<int> index)
    {
        CheckRows(x, index);
        return GathersRowMajor(x, index) ? RowsViaRowMajor(x, index) : RowsColumnMajor(x, index);
    }

    static void CheckRows(Tensor x, ReadOnlySpan<int> index)
    {
        var n = x.RowCount;
        foreach (var r in index)
            if ((uint)r >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(index), $"Rows: row {r} is outside 0..{n - 1}.");
    }

    /// <summary>Whether a gather from <paramref name="x"/> goes through its row-major copy (see <see cref="Rows"/>).</summary>
    static bool GathersRowMajor(Tensor x, ReadOnlySpan<int> index) =>
        (long)x.RowCount * x.ColumnCount >= RowMajorThreshold && index.Length > 0;

    /// <summary>
    /// <see cref="Rows"/> into the next array of a training loop's <see cref="StepScratch"/>, which the returned
    /// matrix wraps: the loop drops the batch before the scratch hands the array out again.
    /// </summary>
    internal static Tensor RowsInto(Tensor x, ReadOnlySpan<int> index, StepScratch scratch) =>
        RowsInto(x, index, scratch, GathersRowMajor(x, index));

    /// <summary><see cref="RowsInto(Tensor, ReadOnlySpan{int}, StepScratch)"/> by the path given (tests take both).</summary>
    internal static Tensor RowsInto(Tensor x, ReadOnlySpan<int> index, StepScratch scratch, bool rowMajor)
    {
        CheckRows(x, index);
        var (m, d) = scratch.Next(index.Length, x.ColumnCount);
        if (rowMajor)
            GatherRowMajor(x, index, d);
        else
            GatherColumnMajor(x, index, d);
        return m;
    }

    /// <summary>Gathers by reading each column of <paramref name="x"/> (indices already checked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Tensor RowsColumnMajor(Tensor x, ReadOnlySpan<int> index)
    {
        var (result, dst) = New(index.Length, x.ColumnCount);
        GatherColumnMajor(x, index, dst);
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void GatherColumnMajor(Tensor x, ReadOnlySpan<int> index, double[] dst)
    {
        var n = x.RowCount;
        var k = index.Length;
        var src = Data(x);
        for (var j = 0; j < x.ColumnCount; j++)
        {
            var col = src.AsSpan(j * n, n);
            var d = dst.AsSpan(j * k, k);
            for (var i = 0; i < d.Length; i++)
                d[i] = col[index[i]];
        }
    }

    /// <summary>
    /// Gathers by reading whole rows of the memoised row-major copy, whichever form it has (indices already checked).
    /// </summary>
    internal static Tensor RowsViaRowMajor(Tensor x, ReadOnlySpan<int> index)
    {
        var (result, dst) = FreshBatch(index.Length, x.ColumnCount);
        GatherRowMajor(x, index, dst);
        return result;
    }

    /// <summary>The row-major gather into dst, on all workers for a large batch.</summary>
    static void GatherRowMajor(Tensor x, ReadOnlySpan<int> index, double[] dst) =>
        GatherInto(RowMajorCopies.GetValue(x, MakeRowMajor), x.ColumnCount, index, dst);

    static void GatherInto(RowMajor copy, int cols, ReadOnlySpan<int> index, double[] dst)
    {
        var k = index.Length;
        var parts = (long)k * cols >= ParallelGather ? Math.Min(Workers.Available, (k + 7) / 8) : 1;
        if (parts < 2 || !Workers.TryRun(new Gather(copy, cols, index.ToArray(), dst), parts))
            GatherRows(copy, cols, index, dst, 0, k);
    }

    /// <summary>A deferred batch's gather (<see cref="DeferredRows.Fill"/>).</summary>
    internal static void GatherCodesInto(byte[] codes, double[] palette, int cols, int[] index, double[] dst) =>
        GatherInto(new RowMajor { Codes = codes, Palette = palette }, cols, index, dst);

    /// <summary>
    /// <see cref="RowsInto(Tensor, ReadOnlySpan{int}, StepScratch)"/>, except that a batch of a palette-coded data set
    /// is not copied yet: the scratch keeps it as <see cref="DeferredRows"/> for the network's first layer
    /// (<see cref="StepScratch.TakeDeferred"/>), and the returned matrix's storage is written by the time that layer
    /// has read it. The training loop's gather; its caller passes the batch to nothing but the network.
    /// </summary>
    internal static Tensor RowsDeferred(Tensor x, int[] index, StepScratch scratch) =>
        RowsDeferred(x, index, scratch, GathersRowMajor(x, index));

    /// <summary><see cref="RowsDeferred(Tensor, int[], StepScratch)"/> with the choice of a row-major gather given (tests
    /// defer batches of small matrices).</summary>
    internal static Tensor RowsDeferred(Tensor x, int[] index, StepScratch scratch, bool rowMajor)
    {
        CheckRows(x, index);
        if (!rowMajor || RowMajorCopies.GetValue(x, MakeRowMajor) is not { Codes: { } codes } copy)
            return RowsInto(x, index, scratch, rowMajor);
        var (m, d) = scratch.Next(index.Length, x.ColumnCount);
        scratch.Defer(new DeferredRows(codes, copy.Palette!, index, x.ColumnCount, d));
        return m;
    }

    /// <summary>The row-major gather with its parts run one after another on this thread (tests check the split).</summary>
    internal static Tensor RowsInParts(Tensor x, int[] index, int parts)
    {
        var (result, dst) = FreshBatch(index.Length, x.ColumnCount);
        var job = new Gather(RowMajorCopies.GetValue(x, MakeRowMajor), x.ColumnCount, index, dst);
        for (var p = 0; p < parts; p++)
            job.RunPart(p, parts);
        return result;
    }

    /// <summary>Batches with at least this many elements (128 KB) are gathered by all workers.</summary>
    /// <remarks>
    /// Each part is a run of 8-row blocks, cut as the GEMM cuts the rows of a product (<c>Gemm.PartBounds</c>), so
    /// a worker gathers the rows it then multiplies in the first layer and finds them in its own cache. Two-layer
    /// bench 0.53 → 0.47 ms/step (three alternating runs each, docs/PERFORMANCE.md). One part per thread, then, not
    /// <see cref="Workers.ChunksPerThread"/>: smaller parts claimed by either thread would lose that.
    /// </remarks>
    internal const long ParallelGather = 16_384;

    /// <summary>Part p of P: a run of whole 8-row blocks (<see cref="Workers.Cut"/>).</summary>
    sealed class Gather(RowMajor copy, int cols, int[] index, double[] dst) : PartJob
    {
        public override void RunPart(int part, int parts)
        {
            var (lo, hi) = Workers.Cut(index.Length, 8, part, parts);
            GatherRows(copy, cols, index, dst, lo, hi);
        }
    }

    /// <summary>Rows [lo, hi) of the batch (lo a multiple of 8) from either form of the row-major copy.</summary>
    static void GatherRows(RowMajor copy, int cols, ReadOnlySpan<int> index, double[] dst, int lo, int hi)
    {
        if (copy.Codes is { } codes)
            GatherCodes(codes, copy.Palette!, cols, index, dst, lo, hi);
        else
            GatherValues(copy.Values!, cols, index, dst, lo, hi);
    }

    /// <summary>Whether the memoised row-major copy of <paramref name="x"/> is palette codes (made if missing).</summary>
    internal static bool RowMajorIsPalette(Tensor x) => RowMajorCopies.GetValue(x, MakeRowMajor).Codes is not null;

    /// <summary>Matrices with at least this many elements (32 MB) are gathered through a row-major copy.</summary>
    internal const long RowMajorThreshold = 4L << 20;

    /// <summary>
    /// A row-major copy of a matrix: either one byte per element indexing <see cref="Palette"/> (when the matrix
    /// has at most 256 distinct bit patterns, as byte-valued images do), or the values themselves.
    /// </summary>
    /// <remarks>
    /// Codes make a gathered row 8× smaller to read (784 B instead of 6 272 B for Fashion-MNIST, whose random rows
    /// come from DRAM) and the copy 8× smaller to keep (47 MB instead of 376 MB). Palette entries are the original
    /// doubles, found by bit pattern, so a gathered element is bitwise the original (NaN payloads and ±0 included).
    /// </remarks>
    sealed class RowMajor
    {
        public double[]? Values { get; init; }
        public byte[]? Codes { get; init; }
        public double[]? Palette { get; init; }
    }

    static readonly ConditionalWeakTable<Tensor, RowMajor> RowMajorCopies = new();

    static RowMajor MakeRowMajor(Tensor x) => PaletteCopy(x) ?? new RowMajor { Values = RowMajorCopy(x) };

    /// <summary>A k×cols batch for a row-major gather, its storage already in the cache.</summary>
    /// <remarks>
    /// The gathers write eight-element runs a column (k elements) apart; as first writes to memory fresh from the
    /// allocator every such run missed the cache (the hardware prefetcher does not follow that stride), which cost
    /// more than the gather itself: 100-row Fashion-MNIST batch with random rows ~105 → ~57 µs from palette codes,
    /// ~145 → ~110 µs from doubles. Clearing first touches the batch sequentially, which the prefetcher streams.
    /// </remarks>
    static (Tensor M, double[] D) FreshBatch(int k, int cols)
    {
        var (m, d) = New(k, cols);
        Array.Clear(d);
        return (m, d);
    }

    /// <summary>Eight rows at a time from a row-major copy of the values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void GatherValues(double[] rm, int cols, ReadOnlySpan<int> index, double[] dst, int lo, int hi)
    {
        var k = index.Length;
        // Eight rows at a time: each column of the block is then one contiguous 64-byte write, instead of one
        // scattered write per element (the batch is column-major, the source rows are contiguous).
        var i0 = lo;
        for (; i0 + 8 <= hi; i0 += 8)
        {
            var r0 = rm.AsSpan(index[i0] * cols, cols);
            var r1 = rm.AsSpan(index[i0 + 1] * cols, cols);
            var r2 = rm.AsSpan(index[i0 + 2] * cols, cols);
            var r3 = rm.AsSpan(index[i0 + 3] * cols, cols);
            var r4 = rm.AsSpan(index[i0 + 4] * cols, cols);
            var r5 = rm.AsSpan(index[i0 + 5] * cols, cols);
            var r6 = rm.AsSpan(index[i0 + 6] * cols, cols);
            var r7 = rm.AsSpan(index[i0 + 7] * cols, cols);
            var d = i0;
            for (var j = 0; j < cols; j++, d += k)
            {
                var o = dst.AsSpan(d, 8);
                o[0] = r0[j];
                o[1] = r1[j];
                o[2] = r2[j];
                o[3] = r3[j];
                o[4] = r4[j];
                o[5] = r5[j];
                o[6] = r6[j];
                o[7] = r7[j];
            }
        }
        for (var i = i0; i < hi; i++)
        {
            var row = rm.AsSpan(index[i] * cols, cols);
            var d = i;
            for (var j = 0; j < row.Length; j++, d += k)
                dst[d] = row[j];
        }
    }

    /// <summary>Eight rows at a time from row-major palette codes; each element is <c>palette[code]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void GatherCodes(
        byte[] codes,
        double[] palette,
        int cols,
        ReadOnlySpan<int> index,
        double[] dst,
        int lo,
        int hi
    )
    {
        var k = index.Length;
        if (palette.Length != 256)
            throw new InvalidOperationException("Rows: a palette must have 256 entries.");
        // Unchecked reads, each safe by construction: the palette has exactly 256 entries and a code is a byte; a
        // row start index[i]·cols is checked once (AsSpan) and the row has cols codes; the block of 8 rows written
        // at column j starts at j·k + i0 with i0 + 8 ≤ hi ≤ k, inside dst's k·cols elements.
        ref var pal = ref MemoryMarshal.GetArrayDataReference(palette);
        var i0 = lo;
        for (; i0 + 8 <= hi; i0 += 8)
        {
            ref var r0 = ref MemoryMarshal.GetReference(codes.AsSpan(index[i0] * cols, cols));
            ref var r1 = ref MemoryMarshal.GetReference(codes.AsSpan(index[i0 + 1] * cols, cols));
            ref var r2 = ref MemoryMarshal.GetReference(codes.AsSpan(index[i0 + 2] * cols, cols));
            ref var r3 = ref MemoryMarshal.GetReference(codes.AsSpan(index[i0 + 3] * cols, cols));
            ref var r4 = ref MemoryMarshal.GetReference(codes.AsSpan(index[i0 + 4] * cols, cols));
            ref var r5 = ref MemoryMarshal.GetReference(codes.AsSpan(index[i0 + 5] * cols, cols));
            ref var r6 = ref MemoryMarshal.GetReference(codes.AsSpan(index[i0 + 6] * cols, cols));
            ref var r7 = ref MemoryMarshal.GetReference(codes.AsSpan(index[i0 + 7] * cols, cols));
            // Each column of the block is one contiguous 64-byte write into the column-major batch.
            ref var o = ref MemoryMarshal.GetArrayDataReference(dst);
            o = ref Unsafe.Add(ref o, i0);
            for (var j = 0; j < cols; j++)
            {
                Unsafe.Add(ref o, 0) = Unsafe.Add(ref pal, Unsafe.Add(ref r0, j));
                Unsafe.Add(ref o, 1) = Unsafe.Add(ref pal, Unsafe.Add(ref r1, j));
                Unsafe.Add(ref o, 2) = Unsafe.Add(ref pal, Unsafe.Add(ref r2, j));
                Unsafe.Add(ref o, 3) = Unsafe.Add(ref pal, Unsafe.Add(ref r3, j));
                Unsafe.Add(ref o, 4) = Unsafe.Add(ref pal, Unsafe.Add(ref r4, j));
                Unsafe.Add(ref o, 5) = Unsafe.Add(ref pal, Unsafe.Add(ref r5, j));
                Unsafe.Add(ref o, 6) = Unsafe.Add(ref pal, Unsafe.Add(ref r6, j));
                Unsafe.Add(ref o, 7) = Unsafe.Add(ref pal, Unsafe.Add(ref r7, j));
                o = ref Unsafe.Add(ref o, k);
            }
        }
        for (var i = i0; i < hi; i++)
        {
            var row = codes.AsSpan(index[i] * cols, cols);
            var d = i;
            for (var j = 0; j < row.Length; j++, d += k)
                dst[d] = Unsafe.Add(ref pal, row[j]);
        }
    }

    /// <summary>The matrix in row-major order, transposed in 32×32 blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static double[] RowMajorCopy(Tensor x)
    {
        var n = x.RowCount;
        var cols = x.ColumnCount;
        var src = Data(x);
        var dst = GC.AllocateUninitializedArray<double>(n * cols);
        const int B = 32;
        for (var i0 = 0; i0 < n; i0 += B)
        {
            var i1 = Math.Min(n, i0 + B);
            for (var j0 = 0; j0 < cols; j0 += B)
            {
                var j1 = Math.Min(cols, j0 + B);
                for (var j = j0; j < j1; j++)
                for (var i = i0; i < i1; i++)
                    dst[(long)i * cols + j] = src[(long)j * n + i];
            }
        }
        return dst;
    }

    /// <summary>
    /// The matrix as row-major palette codes, or null as soon as a 257th distinct bit pattern turns up (only the part
    /// read so far is wasted: data with many distinct values typically fails within its first few hundred elements).
    /// </summary>
    /// <remarks>
    /// One pass, transposing in 64×64 blocks (a 64-byte line of codes per row) and coding each element on the way.
    /// Codes are looked up by bit pattern in an open-addressed table of 4 096 slots (40 KB): with at most 256 keys it
    /// is at most 1/16 full, so nearly every lookup ends at the first slot and the branch predicts well. For
    /// Fashion-MNIST this took ~160 ms, against ~250 ms with 1 024 slots or with a cached last value in front.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static RowMajor? PaletteCopy(Tensor x)
    {
        var n = x.RowCount;
        var cols = x.ColumnCount;
        var src = Data(x);
        var codes = GC.AllocateUninitializedArray<byte>(n * cols);
        var palette = new double[256];
        var keys = new long[Slots];
        var slotCodes = new short[Slots]; // code + 1; 0 marks an empty slot
        var count = 0;
        const int B = 64;
        for (var i0 = 0; i0 < n; i0 += B)
        {
            var i1 = Math.Min(n, i0 + B);
            for (var j0 = 0; j0 < cols; j0 += B)
            {
                var j1 = Math.Min(cols, j0 + B);
                for (var j = j0; j < j1; j++)
                for (var i = i0; i < i1; i++)
                {
                    var v = src[(long)j * n + i];
                    var bits = BitConverter.DoubleToInt64Bits(v);
                    var h = (int)((ulong)(bits * HashMultiplier) >> (64 - SlotBits));
                    while (slotCodes[h] != 0 && keys[h] != bits)
                        h = (h + 1) & (Slots - 1);
                    if (slotCodes[h] == 0)
                    {
                        if (count == 256)
                            return null;
                        keys[h] = bits;
                        slotCodes[h] = (short)(count + 1);
                        palette[count++] = v;
                    }
                    codes[(long)i * cols + j] = (byte)(slotCodes[h] - 1);
                }
            }
        }
        return new RowMajor { Codes = codes, Palette = palette };
    }

    const int SlotBits = 12;
    const int Slots = 1 << SlotBits;

    /// <summary>2⁶⁴/φ (Fibonacci hashing): the top bits of the product depend on every bit of the key.</summary>
    const long HashMultiplier = unchecked((long)0x9E3779B97F4A7C15UL);
}
