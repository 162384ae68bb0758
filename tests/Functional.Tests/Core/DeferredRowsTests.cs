using Functional.Core;
using Functional.Kernels;
using Functional.Layers;
using Functional.Models;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;
using static LanguageExt.Prelude;

namespace Functional.Tests.Core;

/// <summary>
/// The training loop's batch left in palette codes until the first product packs it (<see cref="DeferredRows"/>):
/// the product and the batch it writes are bitwise those of the gathered batch, on every path of the GEMM, and a
/// network whose first layer is not an Affine gets the batch written before it reads it.
/// </summary>
public class DeferredRowsTests
{
    /// <summary>400 rows of byte-like values (a palette of 256), the kind of data set whose batches are deferred.</summary>
    static Tensor Coded(int cols) =>
        Tensor.Generate(400, cols, (i, j) => (i * 7 + j * 13 + i * j) % 256 / 255.0 - 0.25);

    static int[] Index(int rows) => [.. Enumerable.Range(0, rows).Select(i => (i * 37 + 11) % 400)];

    /// <summary>A batch deferred into a scratch array that holds NaN (stale values the product must overwrite).</summary>
    static (Tensor X, DeferredRows Rows) Defer(Tensor data, int[] index)
    {
        var scratch = new StepScratch();
        scratch.Next(index.Length, data.ColumnCount).D.AsSpan().Fill(double.NaN);
        scratch.Reset();
        var x = Mat.RowsDeferred(data, index, scratch, rowMajor: true);
        var rows = scratch.TakeDeferred(x);
        Assert.NotNull(rows);
        Assert.Null(scratch.TakeDeferred(x)); // handed over once
        return (x, rows!);
    }

    /// <summary>
    /// Shapes for each path: rows cut between the threads and packed (100×784·784×50, the two-layer net's first
    /// product, and 128×784·784×100), columns cut (m ≤ n: every part reads every row, so A is written first),
    /// the small unpacked path, fewer than 8 rows, and a k longer than one block with a row count not a multiple of 8.
    /// </summary>
    [Theory]
    [InlineData(100, 784, 50, 1)]
    [InlineData(100, 784, 50, 2)]
    [InlineData(128, 784, 100, 2)]
    [InlineData(20, 64, 100, 2)]
    [InlineData(13, 70, 9, 2)]
    [InlineData(7, 300, 200, 2)]
    [InlineData(61, 517, 33, 1)]
    [InlineData(61, 517, 33, 2)]
    public void The_first_product_packs_the_batch_from_its_codes_bitwise(int rows, int k, int n, int threads)
    {
        var data = Coded(k);
        var index = Index(rows);
        var gathered = Support.Reference.Rows(data, index);
        var w = Normal(3, k, n);
        var expected = new double[rows * n];
        Gemm.Multiply(
            new Gemm.Product(false, false, rows, n, k, Mat.Data(gathered), rows, Mat.Data(w), k, expected, rows),
            maxThreads: threads
        );

        var (x, deferred) = Defer(data, index);
        var actual = new double[rows * n];
        Gemm.Multiply(
            new Gemm.Product(false, false, rows, n, k, Mat.Data(x), rows, Mat.Data(w), k, actual, rows)
            {
                FillA = deferred,
            },
            maxThreads: threads
        );

        AssertBitwise(Tensor.Wrap(rows, n, expected), Tensor.Wrap(rows, n, actual), "product");
        AssertBitwise(gathered, x, "the batch the product wrote");
    }

    [Fact]
    public void A_deferred_batch_that_is_not_the_products_operand_is_refused()
    {
        var (x, deferred) = Defer(Coded(30), Index(9));
        var other = new double[9 * 30];
        var e = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(
                new Gemm.Product(false, false, 9, 4, 30, other, 9, new double[30 * 4], 30, new double[9 * 4], 9)
                {
                    FillA = deferred,
                }
            )
        );
        Assert.Contains("not the operand A", e.Message);
        Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(
                new Gemm.Product(true, false, 30, 4, 9, Mat.Data(x), 9, new double[9 * 4], 9, new double[30 * 4], 30)
                {
                    FillA = deferred,
                }
            )
        );
    }

    public static TheoryData<string> FirstLayers => new() { "affine", "batchnorm", "dropout", "no layers" };

    /// <summary>
    /// The network's step on a deferred batch against the same step on the gathered batch: the same loss and
    /// gradients, bit for bit, and the batch written afterwards, whether the first layer packs it (Affine) or gets
    /// it written first (BatchNorm, Dropout).
    /// </summary>
    [Theory]
    [MemberData(nameof(FirstLayers))]
    public void A_step_on_a_deferred_batch_equals_the_step_on_the_gathered_one(string first)
    {
        const int inputs = 90;
        Layer[] head = first switch
        {
            "affine" => [],
            "batchnorm" => [new BatchNorm(inputs, BatchNormConfig.Reference)],
            "dropout" => [new Dropout(0.2)],
            _ => [],
        };
        Layer[] body =
        [
            new Affine(inputs, 64, new WeightInit.He()),
            new Relu(),
            new Affine(64, 10, new WeightInit.He()),
        ];
        // "no layers": the loss reads the batch itself (90 classes).
        var net = new Functional.Models.Network(
            inputs,
            toSeq(first == "no layers" ? [] : head.Concat(body)),
            new SoftmaxWithLoss()
        );
        var ps = net.Init(Key.Of(5));
        var st = net.InitState();
        var ctx = Ctx.Train(Key.Of(6));
        var data = Coded(inputs);
        var index = Index(72);
        var t = OneHot(7, index.Length, net.Outputs);
        var gathered = Support.Reference.Rows(data, index);
        var expected = net.LossAndGrads(ps, st, gathered, t, ctx);

        var scratch = new StepScratch();
        var x = Mat.RowsDeferred(data, index, scratch, rowMajor: true);
        var actual = net.LossAndGrads(ps, st, x, t, ctx, scratch, null);

        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Loss), BitConverter.DoubleToInt64Bits(actual.Loss));
        foreach (var (key, g) in expected.Grads.Values)
            AssertBitwise(g, actual.Grads[key], $"{first}: gradient {key}");
        AssertBitwise(gathered, x, $"{first}: the batch");
        Assert.Null(scratch.TakeDeferred(x));
    }

    [Fact]
    public void A_reset_drops_a_batch_nobody_read_and_a_second_defer_writes_the_first()
    {
        var data = Coded(20);
        var scratch = new StepScratch();
        var x = Mat.RowsDeferred(data, Index(9), scratch, rowMajor: true);
        scratch.Reset();
        Assert.Null(scratch.TakeDeferred(x));

        var a = Mat.RowsDeferred(data, Index(9), scratch, rowMajor: true);
        var b = Mat.RowsDeferred(data, Index(5), scratch, rowMajor: true);
        AssertBitwise(Support.Reference.Rows(data, Index(9)), a, "the first batch, written when the second came");
        Assert.Null(scratch.TakeDeferred(a));
        Assert.NotNull(scratch.TakeDeferred(b));
    }

    [Fact]
    public void A_batch_of_a_matrix_without_a_palette_is_gathered_at_once()
    {
        var data = Normal(9, 400, 20); // 8 000 distinct values: no palette, nothing to defer
        var scratch = new StepScratch();
        var x = Mat.RowsDeferred(data, Index(9), scratch, rowMajor: true);
        Assert.Null(scratch.TakeDeferred(x));
        AssertBitwise(Support.Reference.Rows(data, Index(9)), x, "gathered batch");
    }
}
