using Functional.Kernels;
using Functional.Numerics;

namespace Functional.Core;

/// <summary>
/// The kernel wing's element-wise loops (<see cref="Elementwise"/>), and the library's own sigmoid and tanh
/// (<see cref="Elementary"/>, which the kernel wing cannot import), on matrices, each writing a fresh matrix (dX from
/// a training loop's scratch when one is given). Static extension members of <see cref="Elementwise"/>, so a layer
/// reads <c>Elementwise.Relu(x)</c> on a matrix as the kernel reads it on spans.
/// </summary>
internal static class ElementwiseMatrices
{
    extension(Elementwise)
    {
        public static Tensor Relu(Tensor x)
        {
            var (y, d) = Mat.New(x.RowCount, x.ColumnCount);
            Elementwise.Relu(Mat.Data(x), d);
            return y;
        }

        public static Tensor ReluBackward(Tensor yOut, Tensor dY, StepScratch? work = null)
        {
            var (dx, d) = StepScratch.New(work, dY.RowCount, dY.ColumnCount);
            Elementwise.ReluBackward(Mat.Data(yOut).AsSpan(0, d.Length), Mat.Data(dY).AsSpan(0, d.Length), d);
            return dx;
        }

        public static Tensor Sigmoid(Tensor x)
        {
            var (y, d) = Mat.New(x.RowCount, x.ColumnCount);
            Elementary.Sigmoid(Mat.Data(x), d);
            return y;
        }

        public static Tensor SigmoidBackward(Tensor yOut, Tensor dY, StepScratch? work = null)
        {
            var (dx, d) = StepScratch.New(work, dY.RowCount, dY.ColumnCount);
            Elementwise.SigmoidBackward(Mat.Data(yOut), Mat.Data(dY), d);
            return dx;
        }

        public static Tensor Tanh(Tensor x)
        {
            var (y, d) = Mat.New(x.RowCount, x.ColumnCount);
            Elementary.Tanh(Mat.Data(x), d);
            return y;
        }

        public static Tensor TanhBackward(Tensor yOut, Tensor dY, StepScratch? work = null)
        {
            var (dx, d) = StepScratch.New(work, dY.RowCount, dY.ColumnCount);
            Elementwise.TanhBackward(Mat.Data(yOut), Mat.Data(dY), d);
            return dx;
        }
    }
}
