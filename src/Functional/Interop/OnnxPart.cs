using System.Buffers.Binary;
using Functional.Core;
using Functional.Interop.OnnxProto;
using Functional.Layers;
using Google.Protobuf;

namespace Functional.Interop;

/// <summary>What one layer adds to an ONNX graph: its nodes, their constants and the name of its output value
/// (the input's name for a layer that is absent at inference, such as Dropout).</summary>
internal sealed record OnnxPart(IReadOnlyList<NodeProto> Nodes, IReadOnlyList<TensorProto> Constants, string Output)
{
    /// <summary>No node: the layer's output is its input.</summary>
    public static OnnxPart Absent(string input) => new([], [], input);
}

/// <summary>Where a layer sits in the graph: its index and kind (the prefix of every name it adds), the value it
/// reads and that value's per-sample shape, the trained arrays it may turn into constants, and the graph's element
/// type.</summary>
internal sealed record OnnxSite(
    int Index,
    string Kind,
    string Input,
    SampleShape Shape,
    Params Params,
    ModelState State,
    OnnxPrecision Precision
)
{
    /// <summary>True for a float32 graph.</summary>
    public bool Float32 => Precision == OnnxPrecision.Float32;

    /// <summary>A value or constant name unique to this layer: "1.batchnorm.std".</summary>
    public string Name(string role) => $"{Index}.{Kind}.{role}";

    /// <summary>The layer's trained array <paramref name="name"/>.</summary>
    public Tensor Param(string name) => Params[Index, name];

    /// <summary>The layer's model-state array <paramref name="name"/> (running statistics).</summary>
    public Tensor Statistic(string name) => State[Index, name];

    /// <summary>A node of the default ONNX domain with one output.</summary>
    public static NodeProto Node(string op, string output, params string[] inputs)
    {
        var n = new NodeProto { OpType = op, Name = output };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        return n;
    }

    /// <summary>A constant of shape <paramref name="dims"/> holding <paramref name="rowMajor"/>: float64, or for a
    /// float32 graph each value rounded to nearest.</summary>
    public static TensorProto Constant(
        string name,
        IReadOnlyList<long> dims,
        ReadOnlySpan<double> rowMajor,
        OnnxPrecision precision = OnnxPrecision.Float64
    )
    {
        var single = precision == OnnxPrecision.Float32;
        var bytes = new byte[rowMajor.Length * (single ? sizeof(float) : sizeof(double))];
        for (var k = 0; k < rowMajor.Length; k++)
            if (single)
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * k), (float)rowMajor[k]);
            else
                BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * k), rowMajor[k]);
        var t = new TensorProto
        {
            Name = name,
            DataType = (int)ElementType(precision),
            RawData = ByteString.CopyFrom(bytes),
        };
        t.Dims.AddRange(dims);
        return t;
    }

    /// <summary>The ONNX element type of <paramref name="precision"/>.</summary>
    public static TensorProto.Types.DataType ElementType(OnnxPrecision precision) =>
        precision == OnnxPrecision.Float32 ? TensorProto.Types.DataType.Float : TensorProto.Types.DataType.Double;

    /// <summary>A constant of this graph's element type.</summary>
    public TensorProto Real(string name, IReadOnlyList<long> dims, ReadOnlySpan<double> rowMajor) =>
        Constant(name, dims, rowMajor, Precision);

    /// <summary>A 1×n array as a vector of n (broadcast over the batch).</summary>
    public TensorProto Vector(string name, Tensor row) => Real(name, [row.ColumnCount], row.Span);

    /// <summary>An array with every axis kept, row-major.</summary>
    public TensorProto Array(string name, Tensor t) => Real(name, [.. t.Dims.Select(d => (long)d)], RowMajor.Of(t));

    /// <summary>A vector of int64 (a shape, pads or axes operand).</summary>
    public static TensorProto Int64s(string name, params long[] values)
    {
        var bytes = new byte[values.Length * sizeof(long)];
        for (var k = 0; k < values.Length; k++)
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * k), values[k]);
        var t = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Int64,
            RawData = ByteString.CopyFrom(bytes),
        };
        t.Dims.Add(values.Length);
        return t;
    }

    /// <summary>An int32 array of shape <paramref name="dims"/> (Gather's indices: half the bytes of int64).</summary>
    public static TensorProto Int32s(string name, IReadOnlyList<long> dims, ReadOnlySpan<int> rowMajor)
    {
        var bytes = new byte[rowMajor.Length * sizeof(int)];
        for (var k = 0; k < rowMajor.Length; k++)
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * k), rowMajor[k]);
        var t = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Int32,
            RawData = ByteString.CopyFrom(bytes),
        };
        t.Dims.AddRange(dims);
        return t;
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new()
        {
            Name = name,
            Type = AttributeProto.Types.AttributeType.Int,
            I = value,
        };

    /// <summary>A list-of-integers attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary><paramref name="node"/> with <paramref name="attributes"/> added.</summary>
    public static NodeProto With(NodeProto node, params AttributeProto[] attributes)
    {
        node.Attribute.AddRange(attributes);
        return node;
    }
}
