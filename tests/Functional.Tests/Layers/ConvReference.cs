namespace Functional.Tests.Layers;

/// <summary>
/// Convolution written as nested loops over plain arrays indexed (n, c, h, w): the definition the Conv2D layer is
/// checked against. Each sum follows the deterministic GEMM's documented order (k cut into equal blocks of at most
/// 256, one fused multiply-add per term from zero inside a block, the block sums added in block order), so the
/// layer's results are expected bit for bit.
/// </summary>
static class ConvReference
{
    /// <summary>Σ term(k) for k in [0, k) in the GEMM's order.</summary>
    public static double Sum(int k, Func<int, (double A, double B)> term)
    {
        var blocks = (k + 255) / 256;
        var kc = blocks == 0 ? 0 : (k + blocks - 1) / blocks;
        var c = 0.0;
        for (var p0 = 0; p0 < k; p0 += kc)
        {
            var s = 0.0;
            for (var p = p0; p < Math.Min(k, p0 + kc); p++)
            {
                var (a, b) = term(p);
                s = Math.FusedMultiplyAdd(a, b, s);
            }
            c = p0 == 0 ? s : s + c;
        }
        return c;
    }

    /// <summary>x[n, c, h, w] of a batch stored sample-fastest, 0 outside the image (the padding).</summary>
    static double At(double[] x, int n, int c, int h, int w, int N, int H, int W) =>
        h < 0 || h >= H || w < 0 || w >= W ? 0.0 : x[n + N * ((c * H + h) * W + w)];

    public sealed record Conv(int N, int C, int H, int W, int F, int KH, int KW, int S, int P)
    {
        public int OH => (H + 2 * P - KH) / S + 1;
        public int OW => (W + 2 * P - KW) / S + 1;
        public int K => C * KH * KW;
        public int M => OH * OW * N;

        (int C, int I, int J) Tap(int k) => (k / (KH * KW), k / KW % KH, k % KW);

        double Col(double[] x, int n, int oh, int ow, int k)
        {
            var (c, i, j) = Tap(k);
            return At(x, n, c, oh * S - P + i, ow * S - P + j, N, H, W);
        }

        /// <summary>y[n, f, oh, ow] = Σ_k x·W[k, f] + b[f], stored sample-fastest; w is K×F column-major.</summary>
        public double[] Forward(double[] x, double[] w, double[] b)
        {
            var y = new double[N * F * OH * OW];
            for (var f = 0; f < F; f++)
            for (var oh = 0; oh < OH; oh++)
            for (var ow = 0; ow < OW; ow++)
            for (var n = 0; n < N; n++)
                y[n + N * ((f * OH + oh) * OW + ow)] = Sum(K, k => (Col(x, n, oh, ow, k), w[k + K * f])) + b[f];
            return y;
        }

        /// <summary>dW[k, f] = Σ over (oh, ow, n), n fastest, of x·dy.</summary>
        public double[] DW(double[] x, double[] dy)
        {
            var dw = new double[K * F];
            for (var f = 0; f < F; f++)
            for (var k = 0; k < K; k++)
                dw[k + K * f] = Sum(
                    M,
                    m =>
                    {
                        int n = m % N,
                            pos = m / N,
                            oh = pos / OW,
                            ow = pos % OW;
                        return (Col(x, n, oh, ow, k), dy[n + N * ((f * OH + oh) * OW + ow)]);
                    }
                );
            return dw;
        }

        /// <summary>db[f] = Σ over (oh, ow, n), n fastest, of dy, added one by one.</summary>
        public double[] DB(double[] dy)
        {
            var db = new double[F];
            for (var f = 0; f < F; f++)
            {
                var s = 0.0;
                for (var oh = 0; oh < OH; oh++)
                for (var ow = 0; ow < OW; ow++)
                for (var n = 0; n < N; n++)
                    s += dy[n + N * ((f * OH + oh) * OW + ow)];
                db[f] = s;
            }
            return db;
        }

        /// <summary>dx[n, c, h, w] = Σ over taps k in increasing order (and the one output each tap reaches) of
        /// Σ_f dy·W[k, f].</summary>
        public double[] DX(double[] dy, double[] w)
        {
            var dx = new double[N * C * H * W];
            for (var k = 0; k < K; k++)
            {
                var (c, i, j) = Tap(k);
                for (var oh = 0; oh < OH; oh++)
                for (var ow = 0; ow < OW; ow++)
                {
                    int h = oh * S - P + i,
                        ww = ow * S - P + j;
                    if (h < 0 || h >= H || ww < 0 || ww >= W)
                        continue;
                    for (var n = 0; n < N; n++)
                        dx[n + N * ((c * H + h) * W + ww)] += Sum(
                            F,
                            f => (dy[n + N * ((f * OH + oh) * OW + ow)], w[k + K * f])
                        );
                }
            }
            return dx;
        }
    }
}
