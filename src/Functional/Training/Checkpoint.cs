using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Functional.Training;

/// <summary>
/// Everything needed to resume or to predict: the architecture, the rule (absent in a model-only file), the whole
/// <see cref="TrainState"/> and free-form metadata (e.g. the CLI's configuration). File format: docs/CHECKPOINT.md.
/// </summary>
public sealed record Checkpoint(Network Net, IRule? Optimizer, TrainState State, JsonObject Meta)
{
    /// <summary>The format version written in the header; a file of another version is refused on load.</summary>
    public const uint Version = 1;
    static readonly byte[] Magic = "FNCK"u8.ToArray();
    const int HashSize = 32;
    const int MaxName = 1024;

    /// <summary>The largest JSON header read (256 MiB): far above any real one, it bounds what a header length
    /// makes the reader allocate.</summary>
    const int MaxHeader = 1 << 28;

    /// <summary>False for a file saved without optimizer state: its rule is named, its slots are fresh zeros.</summary>
    public bool OptimizerStateStored { get; init; } = true;

    /// <summary>
    /// Writes to a temporary file beside the target, flushes it to disk, then renames it over the target, so a
    /// crash at any moment leaves either the previous checkpoint or the new one, whole. A failure (no space, no
    /// permission) is a <c>Fin</c> error naming the file; the previous checkpoint is then untouched.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="c">What to save.</param>
    /// <param name="withOptimizerState">False writes the network and its parameters only (enough to evaluate and
    /// predict, not to resume).</param>
    public static Fin<Unit> Save(string path, Checkpoint c, bool withOptimizerState = true)
    {
        try
        {
            AtomicFile.Write(path, s => EncodeTo(s, c, withOptimizerState));
            return Prelude.unit;
        }
        catch (OutputWriteException e)
        {
            return Error.New(e);
        }
    }

    /// <summary>The bytes <see cref="Save"/> writes.</summary>
    internal static byte[] Encode(Checkpoint c, bool withOptimizerState = true)
    {
        using var ms = new MemoryStream();
        EncodeTo(ms, c, withOptimizerState);
        return ms.ToArray();
    }

    /// <summary>Writes the file to <paramref name="output"/> as it is produced (header, arrays, then the SHA-256 of
    /// both), holding no more than the JSON header and a buffer.</summary>
    static void EncodeTo(Stream output, Checkpoint c, bool withOptimizerState)
    {
        var (rule, clip) = SplitClip(c.Optimizer);
        var header = new JsonObject
        {
            ["network"] = NetworkSpec.ToJson(c.Net),
            ["optimizer"] = rule is null ? null : RuleSpec.ToJson(rule),
            ["clip_global_norm"] = clip,
            ["has_optimizer_state"] = withOptimizerState && c.Optimizer is not null,
            ["step"] = c.State.Step,
            ["optimizer_step"] = c.State.Opt.Step,
            ["key"] = c.State.Key.Value.ToString("X16", System.Globalization.CultureInfo.InvariantCulture),
            ["meta"] = c.Meta.DeepClone(),
        };
        var arrays = Arrays(c.State, withOptimizerState && c.Optimizer is not null).ToList();
        using var sink = new CheckpointSink(output);
        var buffered = new BufferedStream(sink, 1 << 16); // flushed, not disposed: that would dispose the sink
        using (var w = new BinaryWriter(buffered, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            var h = Encoding.UTF8.GetBytes(header.ToJsonString());
            w.Write(h.Length);
            w.Write(h);
            w.Write(arrays.Count);
            foreach (var (name, m) in arrays)
            {
                var n = Encoding.UTF8.GetBytes(name);
                w.Write((ushort)n.Length);
                w.Write(n);
                w.Write(m.RowCount);
                w.Write(m.ColumnCount);
                foreach (var v in Mat.Data(m))
                    w.Write(v); // little-endian IEEE 754, column-major
            }
        }
        buffered.Flush();
        sink.WriteTrailer();
    }

    static IEnumerable<(string Name, Tensor M)> Arrays(TrainState s, bool withOpt)
    {
        foreach (var (k, m) in s.Params.Values)
            yield return ($"param/{k}", m);
        foreach (var (k, m) in s.Model.Values)
            yield return ($"bn/{k.Layer}/{k.Name}", m); // "bn/": the state section's name since BatchNorm's statistics
        if (!withOpt)
            yield break;
        foreach (var (k, slot) in s.Opt.Slots)
        {
            var j = 0;
            foreach (var b in slot.Buffers)
                yield return ($"opt/{k}/{j++}", b);
        }
    }

    /// <summary>
    /// Reads a checkpoint file; every failure is a <c>Fin</c> error naming the file. The fixed header and the JSON
    /// header are read first and the file's length is checked against what that header's network can account for, so
    /// a device, a huge file or a file of another kind is refused before its body is read. The body is then read
    /// twice as a stream, a buffer at a time: once for the checksum, so a damaged file is refused before anything is
    /// allocated from its sizes, and once into the arrays, so no copy of the file is ever held in memory.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="kinds">The layer types its network may name (default <see cref="LayerKinds.BuiltIn"/>).</param>
    public static Fin<Checkpoint> Load(string path, LayerKinds? kinds = null)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var head = new byte[12];
            var got = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (got >= 4 && !head.AsSpan(0, 4).SequenceEqual(Magic))
                return Fail(path, Bad(0, "not a Functional checkpoint (magic number is not 'FNCK')"));
            if (!fs.CanSeek)
                return Fail(path, Bad(0, "not a regular file"));
            var length = fs.Length;
            if (got == head.Length && Bound(fs, head, length) is { } bound && length > bound)
                return Fail(
                    path,
                    Bad(0, $"file is {length} bytes; its header's network and optimizer account for at most {bound}")
                );
            return Decode(fs, length, path, kinds);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return FinFail<Checkpoint>(Error.New($"{path}: cannot read checkpoint: {OneLine(e.Message)}"));
        }
    }

    static Fin<Checkpoint> Fail(string path, CheckpointFormatException e) =>
        FinFail<Checkpoint>(Error.New($"{path}: {OneLine(e.Message)}"));

    /// <summary>The largest file the JSON header allows (the network's arrays, its optimizer slots, their names and
    /// shapes, the checksum), or null when the header cannot be read: the full decoder then says what is wrong.</summary>
    static long? Bound(FileStream fs, byte[] head, long length)
    {
        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(8));
        if (headerLength < 0 || headerLength > length - head.Length || headerLength > MaxHeader)
            return null;
        var json = new byte[headerLength];
        fs.Position = head.Length;
        fs.ReadExactly(json);
        try
        {
            var header = JsonNode.Parse(json) as JsonObject;
            var net = NetworkSpec.FromJson(header?["network"]);
            var slots = header?["optimizer"] is JsonObject r ? RuleSpec.FromJson(r).SlotSize : 0;
            long values = 0,
                arrays = 0;
            var shape = net.InputShape;
            foreach (var (layer, _) in net.Indexed)
            {
                // Each layer's parameter and state arrays, counted as if every one had the optimizer's slots.
                var owned = layer.ParamShapes(shape).Concat(layer.StateShapes(shape)).ToList();
                values += owned.Sum(x => x.Size) * (1 + slots);
                arrays += owned.Count * (1 + slots);
                shape = layer.OutputShape(shape);
            }
            return checked(head.Length + headerLength + 4 + values * 8 + arrays * (2 + MaxName + 8) + HashSize);
        }
        catch (Exception e)
            when (e
                    is JsonException
                        or FormatException
                        or InvalidOperationException
                        or ArgumentException
                        or OverflowException
                        or KeyNotFoundException
                        or NullReferenceException
                        or NotSupportedException
            )
        {
            return null;
        }
    }

    /// <summary>Parses a checkpoint; every failure names the file and the byte offset or field.</summary>
    public static Fin<Checkpoint> Decode(byte[] bytes, string source, LayerKinds? kinds = null)
    {
        using var ms = new MemoryStream(bytes, writable: false);
        return Decode(ms, bytes.Length, source, kinds);
    }

    /// <summary><see cref="Decode(byte[], string, LayerKinds?)"/> over a seekable stream of
    /// <paramref name="length"/> bytes, read from its start.</summary>
    static Fin<Checkpoint> Decode(Stream stream, long length, string source, LayerKinds? kinds)
    {
        try
        {
            return FinSucc(DecodeOrThrow(stream, length, source, kinds));
        }
        catch (CheckpointFormatException e)
        {
            return FinFail<Checkpoint>(Error.New($"{source}: {OneLine(e.Message)}"));
        }
        // The header is JSON that passed the checksum but may still hold the wrong types or impossible values
        // (a buggy writer, a hand edit): whatever the typed accessors and constructors throw is a format error.
        catch (Exception e)
            when (e
                    is FormatException
                        or InvalidOperationException
                        or ArgumentException
                        or OverflowException
                        or KeyNotFoundException
                        or NullReferenceException
                        or IndexOutOfRangeException
                        or NotSupportedException
                        or JsonException
            )
        {
            return FinFail<Checkpoint>(Error.New($"{source}: header field: {OneLine(e.Message)}"));
        }
    }

    static string OneLine(string s) => s.ReplaceLineEndings(" ");

    sealed class CheckpointFormatException(string message) : Exception(message);

    static CheckpointFormatException Bad(long offset, string what) => new($"byte {offset}: {what}");

    static Checkpoint DecodeOrThrow(Stream stream, long length, string source, LayerKinds? kinds)
    {
        if (length < Magic.Length + 4 + HashSize)
            throw Bad(0, $"file is {length} bytes, too short to be a checkpoint");
        Span<byte> fixedHead = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(fixedHead);
        if (!fixedHead[..4].SequenceEqual(Magic))
            throw Bad(0, "not a Functional checkpoint (magic number is not 'FNCK')");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(fixedHead[4..]);
        if (version != Version)
            throw Bad(4, $"checkpoint version {version} is not supported (this build reads version {Version})");
        var bodyLength = length - HashSize;
        var (computed, stored) = CheckpointBody.Checksum(stream, bodyLength);
        if (!computed.AsSpan().SequenceEqual(stored))
            throw Bad(bodyLength, "SHA-256 checksum does not match: the file is truncated or corrupt");

        stream.Position = 0;
        using var body = new CheckpointBody(stream, bodyLength);
        body.Read(fixedHead);
        int ReadInt(string what)
        {
            if (body.Remaining < 4)
                throw Bad(body.Position, $"truncated while reading {what}");
            return body.ReadInt32();
        }
        var headerLength = ReadInt("the header length");
        if (headerLength < 0 || headerLength > body.Remaining)
            throw Bad(body.Position - 4, $"header length {headerLength} exceeds the file");
        if (headerLength > MaxHeader)
            throw Bad(
                body.Position - 4,
                $"header length {headerLength} is over the {MaxHeader} bytes a checkpoint header may hold"
            );
        JsonObject header;
        var headerAt = body.Position;
        var json = new byte[headerLength];
        body.Read(json);
        try
        {
            header = JsonNode.Parse(json) as JsonObject ?? throw Bad(headerAt, "header is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Bad(headerAt, $"header is not valid JSON: {e.Message}");
        }

        var arrays = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var count = ReadInt("the array count");
        if (count < 0 || count > body.Remaining / 10)
            throw Bad(body.Position - 4, $"array count {count} is impossible for the file's length");
        for (var a = 0; a < count; a++)
        {
            if (body.Remaining < 2)
                throw Bad(body.Position, $"truncated at array {a}");
            int nameLength = body.ReadUInt16();
            if (nameLength > MaxName || nameLength > body.Remaining)
                throw Bad(body.Position - 2, $"array {a}: name length {nameLength} exceeds the file");
            var name = body.ReadUtf8(nameLength);
            var rows = ReadInt($"the rows of '{name}'");
            var cols = ReadInt($"the columns of '{name}'");
            // rows·cols < 2^62 cannot overflow a long; rows·cols·8 could, so compare element counts instead.
            var elements = (long)rows * cols;
            if (rows <= 0 || cols <= 0 || elements > body.Remaining / 8)
                throw Bad(
                    body.Position - 8,
                    $"array '{name}' claims {rows}×{cols} doubles, more than the {body.Remaining} bytes left hold"
                );
            var data = new double[elements];
            body.ReadDoubles(data);
            if (!arrays.TryAdd(name, Tensor.Wrap(rows, cols, data)))
                throw Bad(body.Position, $"array '{name}' appears twice");
        }
        if (body.Remaining != 0)
            throw Bad(body.Position, $"{body.Remaining} unexpected bytes after the last array");
        if (!body.Hash().AsSpan().SequenceEqual(stored))
            throw Bad(bodyLength, "the file changed while it was being read");
        return Assemble(header, arrays, kinds);
    }

    /// <summary>
    /// A leading global-norm clip is written as the header's <c>clip_global_norm</c> beside the rest of the chain
    /// (the format's field for it), so a file reads the same with or without this link.
    /// </summary>
    static (IRule? Rule, double Clip) SplitClip(IRule? rule) =>
        rule is Chain { First: ClipByGlobalNorm clip } c && clip.Max > 0 ? (c.Then, clip.Max) : (rule, 0.0);

    /// <summary>The inverse of <see cref="SplitClip"/>.</summary>
    static IRule JoinClip(IRule rule, double clip) => clip > 0 ? new Chain(new ClipByGlobalNorm(clip), rule) : rule;

    static Checkpoint Assemble(JsonObject header, Dictionary<string, Tensor> arrays, LayerKinds? kinds)
    {
        Network net;
        IRule? opt;
        try
        {
            net = NetworkSpec.FromJson(header["network"], kinds);
            var clip = header["clip_global_norm"]?.GetValue<double>() ?? 0;
            if (!(double.IsFinite(clip) && clip >= 0))
                throw new CheckpointFormatException(
                    $"header field 'clip_global_norm': expected a finite bound ≥ 0 (0: no clipping), got {clip}"
                );
            opt = header["optimizer"] is JsonObject r ? JoinClip(RuleSpec.FromJson(r), clip) : null;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            throw new CheckpointFormatException($"header field: {e.Message}");
        }
        // Check the sizes the header declares against what the file holds BEFORE anything is allocated from them:
        // a header claiming a 2e9×2e9 layer must be an error, not an attempt to allocate 32 EB.
        var held = arrays.Values.Sum(m => (long)m.RowCount * m.ColumnCount);
        var needed = 0L;
        var shape = net.InputShape;
        var paramShapes = new List<(ParamKey Key, ArrayShape Shape)>(); // what Init would draw, without drawing it
        foreach (var (layer, i) in net.Indexed)
        {
            paramShapes.AddRange(layer.ParamShapes(shape).Select(a => (new ParamKey(i, a.Name), a)));
            var owned = layer.ParamShapes(shape).Concat(layer.StateShapes(shape)).ToList();
            if (owned.Any(a => a.Rows <= 0 || a.Columns <= 0))
                throw new CheckpointFormatException($"header field 'network': layer {i} has a size ≤ 0");
            if (
                layer is BatchNorm { Config: var bc }
                && !(
                    double.IsFinite(bc.Epsilon)
                    && bc.Epsilon > 0
                    && bc.RunningDecay is >= 0 and <= 1
                    && double.IsFinite(bc.InitialRunningVar)
                    && bc.InitialRunningVar >= 0
                )
            )
                throw new CheckpointFormatException(
                    $"header field 'network': BatchNorm layer {i} needs epsilon > 0, a decay in [0, 1] and an initial variance ≥ 0, got {bc}"
                );
            if (layer is Dropout { Ratio: var r } && !(r is >= 0 and < 1))
                throw new CheckpointFormatException(
                    $"header field 'network': dropout layer {i} has ratio {r}, not in [0, 1)"
                );
            needed += owned.Sum(a => a.Size);
            shape = layer.OutputShape(shape);
        }
        if (!(double.IsFinite(net.WeightDecay) && net.WeightDecay >= 0))
            throw new CheckpointFormatException(
                $"header field 'network': weight decay {net.WeightDecay} is not a number ≥ 0"
            );
        if (needed > held)
            throw new CheckpointFormatException(
                $"header field 'network': the network needs at least {needed} values, the file holds {held}"
            );
        var used = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        Tensor Get(string name, int rows, int cols)
        {
            used.Add(name);
            if (!arrays.TryGetValue(name, out var m))
                throw new CheckpointFormatException($"array '{name}' is missing");
            if (m.RowCount != rows || m.ColumnCount != cols)
                throw new CheckpointFormatException(
                    $"array '{name}' is {Shape.Of(m)}, the network expects {rows}×{cols}"
                );
            return m;
        }
        var ps = new Params(
            toMap(paramShapes.Select(p => (p.Key, Get($"param/{p.Key}", p.Shape.Rows, p.Shape.Columns))))
        );
        var st = new ModelState(
            net.InitState().Values.Map((k, m) => Get($"bn/{k.Layer}/{k.Name}", m.RowCount, m.ColumnCount))
        );
        var hasOpt = header["has_optimizer_state"]?.GetValue<bool>() ?? false;
        var optState =
            opt is null ? new OptState(0, Map<ParamKey, ISlot>())
            : hasOpt
                ? new OptState(
                    header["optimizer_step"]?.GetValue<long>() ?? 0,
                    ps.Values.Map(
                        (k, p) =>
                            opt.Restore(
                                toSeq(
                                    Enumerable
                                        .Range(0, opt.SlotSize)
                                        .Select(j => Get($"opt/{k}/{j}", p.RowCount, p.ColumnCount))
                                        .ToList()
                                )
                            )
                    )
                )
            : Optimizers.Init(opt, ps);
        var key = ulong.Parse(
            header["key"]?.GetValue<string>() ?? throw new CheckpointFormatException("header field 'key' is missing"),
            System.Globalization.NumberStyles.HexNumber,
            System.Globalization.CultureInfo.InvariantCulture
        );
        var step = header["step"]?.GetValue<long>() ?? 0;
        if (step < 0 || optState.Step < 0)
            throw new CheckpointFormatException($"header field 'step': {step} / {optState.Step} is negative");
        foreach (var (name, m) in arrays)
        {
            var data = Mat.Data(m);
            for (var i = 0; i < data.Length; i++)
                if (!double.IsFinite(data[i]))
                    throw new CheckpointFormatException(
                        $"array '{name}' holds a non-finite value (NaN or ±∞) at element {i}"
                    );
        }
        foreach (var (k, s) in st.Values)
            if (k.Name == "var" && Mat.Data(s).Any(v => v < 0))
                throw new CheckpointFormatException($"array 'bn/{k.Layer}/var' holds a negative variance");
        var unused = arrays.Keys.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (unused is not null)
            throw new CheckpointFormatException($"array '{unused}' is not part of the network or its optimizer state");
        var meta = header["meta"] as JsonObject ?? new JsonObject();
        return new Checkpoint(
            net,
            opt,
            new TrainState(ps, st, optState, new Key(key), step),
            (JsonObject)meta.DeepClone()
        )
        {
            OptimizerStateStored = hasOpt,
        };
    }
}
