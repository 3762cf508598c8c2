namespace MuonInr.Core.Tests.TestSupport;

/// <summary>
/// Independent double-precision scalar references of the tensor ops, for <see cref="GradCheck.CheckDouble"/>.
/// Plain loops over flat row-major double[] written from each op's documented math; none of them calls
/// the op under test or its kernels. Shapes are passed explicitly.
/// </summary>
public static class DoubleReference
{
    public static double[] Map(double[] x, Func<double, double> f) => x.Select(f).ToArray();

    /// <summary>op(A)·op(B): A [m, k] (or [k, m] when <paramref name="ta"/>), B [k, n] (or [n, k] when <paramref name="tb"/>) → [m, n].</summary>
    public static double[] MatMul(double[] a, double[] b, int m, int k, int n, bool ta, bool tb)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = s;
            }
        return c;
    }

    /// <summary>y = act(x·Wᵀ + b): x [N, in], W [out, in], b [out] or null; relu when <paramref name="relu"/>.</summary>
    public static double[] Linear(double[] x, double[] w, double[]? bias, int n, int inF, int outF, bool relu)
    {
        var y = new double[n * outF];
        for (int r = 0; r < n; r++)
            for (int o = 0; o < outF; o++)
            {
                double s = bias is null ? 0 : bias[o];
                for (int i = 0; i < inF; i++) s += x[r * inF + i] * w[o * inF + i];
                y[r * outF + o] = relu ? Math.Max(0, s) : s;
            }
        return y;
    }

    /// <summary>mean((p − t)²) as one value.</summary>
    public static double[] Mse(double[] p, double[] t)
    {
        double s = 0;
        for (int i = 0; i < p.Length; i++) s += (p[i] - t[i]) * (p[i] - t[i]);
        return [s / p.Length];
    }

    /// <summary>
    /// a ∘ b with broadcasting: the output has the larger operand's length; the other operand is the same
    /// length (elementwise), a single value, or a row vector of <paramref name="cols"/> values repeated
    /// over the rows (element i uses column i mod cols).
    /// </summary>
    public static double[] Broadcast(double[] a, double[] b, int cols, Func<double, double, double> op)
    {
        int n = Math.Max(a.Length, b.Length);
        double At(double[] v, int i) => v.Length == n ? v[i] : v.Length == 1 ? v[0] : v[i % cols];
        var y = new double[n];
        for (int i = 0; i < n; i++) y[i] = op(At(a, i), At(b, i));
        return y;
    }

    /// <summary>Sum over axis 0 (→ [cols]) or 1 (→ [rows]) of a [rows, cols] matrix, divided by the count when <paramref name="mean"/>.</summary>
    public static double[] ReduceAxis(double[] x, int rows, int cols, int axis, bool mean)
    {
        var y = new double[axis == 0 ? cols : rows];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) y[axis == 0 ? c : r] += x[r * cols + c];
        if (mean) for (int i = 0; i < y.Length; i++) y[i] /= axis == 0 ? rows : cols;
        return y;
    }

    public static double[] GatherRows(double[] x, int cols, int[] index)
    {
        var y = new double[index.Length * cols];
        for (int i = 0; i < index.Length; i++)
            for (int c = 0; c < cols; c++) y[i * cols + c] = x[index[i] * cols + c];
        return y;
    }

    public static double[] ScatterAddRows(double[] src, int cols, int[] index, int rows)
    {
        var y = new double[rows * cols];
        for (int i = 0; i < index.Length; i++)
            for (int c = 0; c < cols; c++) y[index[i] * cols + c] += src[i * cols + c];
        return y;
    }

    public static double[] SliceColumns(double[] x, int rows, int cols, int start, int count)
    {
        var y = new double[rows * count];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < count; c++) y[r * count + c] = x[r * cols + start + c];
        return y;
    }

    /// <summary>[N, F1], [N, F2], … → [N, ΣF].</summary>
    public static double[] ConcatColumns(int rows, params (double[] X, int Cols)[] parts)
    {
        int total = parts.Sum(p => p.Cols);
        var y = new double[rows * total];
        int offset = 0;
        foreach (var (x, f) in parts)
        {
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < f; c++) y[r * total + offset + c] = x[r * f + c];
            offset += f;
        }
        return y;
    }

    /// <summary>WIRE's y = exp(iωz − |σz|²) for z = a + ib: [N, 2F] = [Re y | Im y]; z is [N, 2F] = [a | b], or [N, F] (b = 0) when <paramref name="realInput"/>.</summary>
    public static double[] ComplexGabor(double[] z, int rows, int features, double omega, double sigma, bool realInput)
    {
        var y = new double[rows * 2 * features];
        int inCols = realInput ? features : 2 * features;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < features; j++)
            {
                double a = z[r * inCols + j], b = realInput ? 0 : z[r * inCols + features + j];
                // iω(a + ib) − σ²(a² + b²) = (−ωb − σ²(a² + b²)) + i·ωa
                double re = -omega * b - sigma * sigma * (a * a + b * b), im = omega * a;
                double mag = Math.Exp(re);
                y[r * 2 * features + j] = mag * Math.Cos(im);
                y[r * 2 * features + features + j] = mag * Math.Sin(im);
            }
        return y;
    }

    /// <summary>B = [[Wr, −Wi], [Wi, Wr]] ([2o, 2i]), or only the first block row [Wr, −Wi] ([o, 2i]).</summary>
    public static double[] ComplexWeightBlock(double[] wr, double[] wi, int o, int i, bool realPartOnly)
    {
        int outRows = realPartOnly ? o : 2 * o, cols = 2 * i;
        var b = new double[outRows * cols];
        for (int r = 0; r < outRows; r++)
            for (int c = 0; c < cols; c++)
            {
                int k = (r % o) * i + (c % i);
                bool top = r < o, left = c < i;
                b[r * cols + c] = top ? (left ? wr[k] : -wi[k]) : (left ? wi[k] : wr[k]);
            }
        return b;
    }

    /// <summary>γ(x) = [cos(2π x·Bᵀ) | sin(2π x·Bᵀ)]: x [N, in], B [m, in] → [N, 2m].</summary>
    public static double[] FourierFeatures(double[] x, double[] b, int n, int inF, int m)
    {
        var y = new double[n * 2 * m];
        for (int r = 0; r < n; r++)
            for (int j = 0; j < m; j++)
            {
                double dot = 0;
                for (int c = 0; c < inF; c++) dot += x[r * inF + c] * b[j * inF + c];
                y[r * 2 * m + j] = Math.Cos(2 * Math.PI * dot);
                y[r * 2 * m + m + j] = Math.Sin(2 * Math.PI * dot);
            }
        return y;
    }

    /// <summary>NeRF encoding: x [N, d] → [N, d·2K], per feature [sin(2⁰πp), cos(2⁰πp), …, sin(2^(K−1)πp), cos(2^(K−1)πp)].</summary>
    public static double[] PositionalEncoding(double[] x, int n, int d, int bands)
    {
        var y = new double[n * d * 2 * bands];
        for (int r = 0; r < n; r++)
            for (int f = 0; f < d; f++)
                for (int k = 0; k < bands; k++)
                {
                    double arg = Math.Pow(2, k) * Math.PI * x[r * d + f];
                    int c = r * d * 2 * bands + f * 2 * bands + 2 * k;
                    y[c] = Math.Sin(arg);
                    y[c + 1] = Math.Cos(arg);
                }
        return y;
    }

    /// <summary>y = A·x for a dense A [rows, cols] (row-major).</summary>
    public static double[] DenseApply(double[] a, double[] x, int rows, int cols)
    {
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) y[r] += a[r * cols + c] * x[c];
        return y;
    }

    /// <summary>
    /// Direct 2-D cross-correlation with zero padding, NHWC: x (n, h, w, cin), weight (cout, kh, kw, cin),
    /// bias (cout) or null → y (n, oh, ow, cout), oh = (h + 2p − kh)/s + 1; relu when <paramref name="relu"/>.
    /// </summary>
    public static double[] Conv2d(double[] x, double[] weight, double[]? bias, int n, int h, int w, int cin,
        int cout, int kh, int kw, int stride, int padding, bool relu = false)
    {
        int oh = (h + 2 * padding - kh) / stride + 1, ow = (w + 2 * padding - kw) / stride + 1;
        var y = new double[n * oh * ow * cout];
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int o = 0; o < cout; o++)
                    {
                        double s = bias is null ? 0 : bias[o];
                        for (int ky = 0; ky < kh; ky++)
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                for (int c = 0; c < cin; c++)
                                    s += x[((b * h + iy) * w + ix) * cin + c] * weight[((o * kh + ky) * kw + kx) * cin + c];
                            }
                        y[((b * oh + oy) * ow + ox) * cout + o] = relu ? Math.Max(0, s) : s;
                    }
        return y;
    }

    /// <summary>Max over size×size windows (no padding), NHWC: x (n, h, w, c) → (n, (h − size)/s + 1, (w − size)/s + 1, c).</summary>
    public static double[] MaxPool2d(double[] x, int n, int h, int w, int c, int size, int stride)
    {
        int oh = (h - size) / stride + 1, ow = (w - size) / stride + 1;
        var y = new double[n * oh * ow * c];
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        double m = double.NegativeInfinity;
                        for (int ky = 0; ky < size; ky++)
                            for (int kx = 0; kx < size; kx++)
                                m = Math.Max(m, x[((b * h + oy * stride + ky) * w + ox * stride + kx) * c + ch]);
                        y[((b * oh + oy) * ow + ox) * c + ch] = m;
                    }
        return y;
    }

    /// <summary>Mean over rows of −log softmax(z)[label]: z (n, k), labels (n) → one value.</summary>
    public static double[] CrossEntropy(double[] z, int[] labels, int n, int k)
    {
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.Exp(z[i * k + j]);
            total += Math.Log(sum) - z[i * k + labels[i]];
        }
        return [total / n];
    }
}
