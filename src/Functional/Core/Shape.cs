using System.Runtime.CompilerServices;
using System.Text;

namespace Functional.Core;

/// <summary>Shape checks for programmer errors: the message names the layer, what was expected and what was given.</summary>
internal static class Shape
{
    public static string Of(Tensor m) => $"{m.RowCount}×{m.ColumnCount}";

    public static void RequireColumns(Tensor x, int columns, string where)
    {
        if (x.ColumnCount != columns)
            throw ColumnsError(x, columns, where);
    }

    internal static ArgumentException ColumnsError(Tensor x, int columns, string where) =>
        new($"{where}: expected {columns} features per sample (a batch of n×{columns}), got {Of(x)}.");

    public static void RequireSame(Tensor a, Tensor b, string where)
    {
        if (a.RowCount != b.RowCount || a.ColumnCount != b.ColumnCount)
            throw new ArgumentException($"{where}: expected shape {Of(a)}, got {Of(b)}.");
    }

    /// <summary>Same check; the interpolated <paramref name="where"/> is only formatted when the shapes differ.</summary>
    public static void RequireSame(
        Tensor a,
        Tensor b,
        [InterpolatedStringHandlerArgument("a", "b")] ref SameShapeHandler where
    )
    {
        if (a.RowCount != b.RowCount || a.ColumnCount != b.ColumnCount)
            throw new ArgumentException($"{where.Text()}: expected shape {Of(a)}, got {Of(b)}.");
    }

    public static void Require(bool condition, string message)
    {
        if (!condition)
            throw new ArgumentException(message);
    }

    /// <summary>Same check; an interpolated <paramref name="message"/> is only formatted when the condition fails,
    /// so checks on the training step's hot path allocate nothing.</summary>
    public static void Require(
        bool condition,
        [InterpolatedStringHandlerArgument("condition")] ref RequireHandler message
    )
    {
        if (!condition)
            throw new ArgumentException(message.Text());
    }

    /// <summary>Formats its parts only when the condition is false.</summary>
    [InterpolatedStringHandler]
    public ref struct RequireHandler
    {
        readonly StringBuilder? _sb;

        public RequireHandler(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
        {
            _sb = condition ? null : new StringBuilder(literalLength + 16 * formattedCount);
            shouldAppend = !condition;
        }

        public readonly void AppendLiteral(string s) => _sb!.Append(s);

        public readonly void AppendFormatted<T>(T value) => _sb!.Append(System.FormattableString.Invariant($"{value}"));

        public readonly void AppendFormatted<T>(T value, string? format) =>
            _sb!.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, $"{{0:{format}}}", value));

        internal readonly string Text() => _sb?.ToString() ?? "";
    }

    /// <summary>Formats its parts only when the two shapes differ.</summary>
    [InterpolatedStringHandler]
    public ref struct SameShapeHandler
    {
        RequireHandler _inner;

        public SameShapeHandler(int literalLength, int formattedCount, Tensor a, Tensor b, out bool shouldAppend) =>
            _inner = new RequireHandler(
                literalLength,
                formattedCount,
                a.RowCount == b.RowCount && a.ColumnCount == b.ColumnCount,
                out shouldAppend
            );

        public readonly void AppendLiteral(string s) => _inner.AppendLiteral(s);

        public readonly void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

        public readonly void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

        internal readonly string Text() => _inner.Text();
    }
}
