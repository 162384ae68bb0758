namespace Functional.Core;

/// <summary>Shape checks for programmer errors: the message names the layer, what was expected and what was given.</summary>
public static class Shape
{
    public static string Of(Matrix m) => $"{m.RowCount}×{m.ColumnCount}";

    public static void RequireColumns(Matrix x, int columns, string where)
    {
        if (x.ColumnCount != columns)
            throw new ArgumentException(
                $"{where}: expected {columns} features per sample (a batch of n×{columns}), got {Of(x)}."
            );
    }

    public static void RequireSame(Matrix a, Matrix b, string where)
    {
        if (a.RowCount != b.RowCount || a.ColumnCount != b.ColumnCount)
            throw new ArgumentException($"{where}: expected shape {Of(a)}, got {Of(b)}.");
    }

    public static void Require(bool condition, string message)
    {
        if (!condition)
            throw new ArgumentException(message);
    }
}
