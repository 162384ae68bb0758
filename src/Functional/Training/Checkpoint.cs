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
            AtomicFile.Write(path, Encode(c, withOptimizerState));
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
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
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
        var body = ms.ToArray();
        return [.. body, .. SHA256.HashData(body)];
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
    /// a device, a huge file or a file of another kind is refused before its body is read.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="kinds">The layer types its network may name (default <see cref="LayerKinds.BuiltIn"/>).</param>
    public static Fin<Checkpoint> Load(string path, LayerKinds? kinds = null)
    {
        byte[] bytes;
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
            if (length > System.Array.MaxLength)
                return Fail(
                    path,
                    Bad(0, $"file is {length} bytes, more than a checkpoint can hold ({System.Array.MaxLength})")
                );
            if (got == head.Length && Bound(fs, head, length) is { } bound && length > bound)
                return Fail(
                    path,
                    Bad(0, $"file is {length} bytes; its header's network and optimizer account for at most {bound}")
                );
            bytes = new byte[length];
            fs.Position = 0;
            fs.ReadExactly(bytes);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return FinFail<Checkpoint>(Error.New($"{path}: cannot read checkpoint: {e.Message}"));
        }
        return Decode(bytes, path, kinds);
    }

    static Fin<Checkpoint> Fail(string path, CheckpointFormatException e) =>
        FinFail<Checkpoint>(Error.New($"{path}: {OneLine(e.Message)}"));

    /// <summary>The largest file the JSON header allows (the network's arrays, its optimizer slots, their names and
    /// shapes, the checksum), or null when the header cannot be read: the full decoder then says what is wrong.</summary>
    static long? Bound(FileStream fs, byte[] head, long length)
    {
        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(8));
        if (headerLength < 0 || headerLength > length - head.Length)
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
        try
        {
            return FinSucc(DecodeOrThrow(bytes, source, kinds));
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

    static Checkpoint DecodeOrThrow(byte[] bytes, string source, LayerKinds? kinds)
    {
        if (bytes.Length < Magic.Length + 4 + HashSize)
            throw Bad(0, $"file is {bytes.Length} bytes, too short to be a checkpoint");
        if (!bytes.AsSpan(0, 4).SequenceEqual(Magic))
            throw Bad(0, "not a Functional checkpoint (magic number is not 'FNCK')");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
        if (version != Version)
            throw Bad(4, $"checkpoint version {version} is not supported (this build reads version {Version})");
        var bodyLength = bytes.Length - HashSize;
        if (!SHA256.HashData(bytes.AsSpan(0, bodyLength)).AsSpan().SequenceEqual(bytes.AsSpan(bodyLength)))
            throw Bad(bodyLength, "SHA-256 checksum does not match: the file is truncated or corrupt");

        var pos = 8;
        int ReadInt(string what)
        {
            if (pos + 4 > bodyLength)
                throw Bad(pos, $"truncated while reading {what}");
            var v = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos));
            pos += 4;
            return v;
        }
        var headerLength = ReadInt("the header length");
        if (headerLength < 0 || headerLength > bodyLength - pos)
            throw Bad(pos - 4, $"header length {headerLength} exceeds the file");
        JsonObject header;
        try
        {
            header =
                JsonNode.Parse(bytes.AsSpan(pos, headerLength)) as JsonObject
                ?? throw Bad(pos, "header is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Bad(pos, $"header is not valid JSON: {e.Message}");
        }
        pos += headerLength;

        var arrays = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var count = ReadInt("the array count");
        if (count < 0 || count > (bodyLength - pos) / 10)
            throw Bad(pos - 4, $"array count {count} is impossible for the file's length");
        for (var a = 0; a < count; a++)
        {
            if (pos + 2 > bodyLength)
                throw Bad(pos, $"truncated at array {a}");
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(pos));
            pos += 2;
            if (nameLength > MaxName || pos + nameLength > bodyLength)
                throw Bad(pos - 2, $"array {a}: name length {nameLength} exceeds the file");
            var name = Encoding.UTF8.GetString(bytes, pos, nameLength);
            pos += nameLength;
            var rows = ReadInt($"the rows of '{name}'");
            var cols = ReadInt($"the columns of '{name}'");
            // rows·cols < 2^62 cannot overflow a long; rows·cols·8 could, so compare element counts instead.
            var elements = (long)rows * cols;
            if (rows <= 0 || cols <= 0 || elements > (bodyLength - pos) / 8)
                throw Bad(
                    pos - 8,
                    $"array '{name}' claims {rows}×{cols} doubles, more than the {bodyLength - pos} bytes left hold"
                );
            var data = new double[elements];
            for (var i = 0; i < data.Length; i++)
                data[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(pos + 8 * i));
            pos += (int)(elements * 8);
            if (!arrays.TryAdd(name, Tensor.Wrap(rows, cols, data)))
                throw Bad(pos, $"array '{name}' appears twice");
        }
        if (pos != bodyLength)
            throw Bad(pos, $"{bodyLength - pos} unexpected bytes after the last array");
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
        foreach (var (layer, i) in net.Indexed)
        {
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
        var shapes = net.Init(Key.Of(0)); // shapes only
        var ps = new Params(shapes.Values.Map((k, m) => Get($"param/{k}", m.RowCount, m.ColumnCount)));
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
