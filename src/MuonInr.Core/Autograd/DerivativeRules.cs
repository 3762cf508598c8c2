
using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Autograd;

/// <summary>
/// Every derivative rule of MuonInr, in one file so they can be reviewed together. A rule receives the
/// node, the op's output y and dL/dy, and adds dL/d(input) into each input that requires a gradient.
/// dL/dy belongs to the backward pass and is released right after the rule, so rules may overwrite it.
/// </summary>
internal static class DerivativeRules
{
    public static void Backward(TapeNode node, Tensor y, Tensor gy)
    {
        switch (node.Op)
        {
            case OpKind.MatMul: MatMul(node, gy); break;
            case OpKind.Linear: Linear(node, y, gy); break;
            case OpKind.Relu: Relu(node, gy); break;
            case OpKind.MseLoss: MseLoss(node, gy); break;
            case OpKind.Add or OpKind.Sub or OpKind.Mul or OpKind.Div: Binary(node, gy); break;
            case OpKind.Scale or OpKind.AddScalar or OpKind.Neg or OpKind.Exp or OpKind.Log or OpKind.Sin or OpKind.Cos
                or OpKind.Tanh or OpKind.Square or OpKind.Sqrt or OpKind.Abs: Unary(node, y, gy); break;
            case OpKind.Sum or OpKind.Mean: Reduce(node, gy); break;
            case OpKind.SumAxis or OpKind.MeanAxis: ReduceAxis(node, gy); break;
            case OpKind.Reshape: AddInto(node.A!, gy.Span); break;
            case OpKind.GatherRows: GatherRows(node, gy); break;
            case OpKind.ScatterAddRows: ScatterAddRows(node, gy); break;
            case OpKind.SliceRows: SliceRows(node, gy); break;
            case OpKind.SliceColumns: SliceColumns(node, gy); break;
            case OpKind.ConcatColumns: ConcatColumns(node, gy); break;
            case OpKind.Custom: LinearOperator(node, gy); break;
            // INR activations
            case OpKind.Sine: Sine(node, gy); break;
            case OpKind.Gaussian: Gaussian(node, y, gy); break;
            case OpKind.Finer: Finer(node, gy); break;
            case OpKind.RealGabor: RealGabor(node, y, gy); break;
            case OpKind.ComplexGabor: ComplexGabor(node, y, gy); break;
            case OpKind.ComplexWeightBlock: ComplexWeightBlock(node, gy); break;
            case OpKind.ComplexBiasBlock: ComplexBiasBlock(node, gy); break;
            case OpKind.FourierFeatures: FourierFeatures(node, y, gy); break;
            case OpKind.PositionalEncoding: PositionalEncoding(node, y, gy); break;
            // convolutional networks and classification
            case OpKind.Conv2d: Conv2d(node, y, gy); break;
            case OpKind.MaxPool2d: MaxPool2d(node, gy); break;
            case OpKind.CrossEntropy: CrossEntropy(node, gy); break;
            default: throw new NotSupportedException($"No derivative rule for {node.Op}.");
        }
    }

    /// <summary>
    /// The gradient buffer of <paramref name="x"/>: a fresh one (and <paramref name="accumulate"/> false,
    /// so kernels write rather than add) or the existing one (accumulate true). Null when x needs none.
    /// </summary>
    private static Tensor? Target(Tensor? x, out bool accumulate)
    {
        accumulate = false;
        if (x is null || !x.RequiresGrad) return null;
        if (x.Grad is { } g) { accumulate = true; return g; }
        return x.Grad = Tensor.Unscoped(x.Shape);
    }

    // C = op(A)·op(B); A [m,k] or [k,m]; B [k,n] or [n,k]; C, gC [m,n].
    private static void MatMul(TapeNode node, Tensor gc)
    {
        var a = node.A!; var b = node.B!;
        bool ta = node.F0, tb = node.F1;
        int m = gc.Dim(0), n = gc.Dim(1), k = ta ? a.Dim(0) : a.Dim(1);
        int lda = a.Dim(1), ldb = b.Dim(1);
        if (Target(a, out bool accA) is { } ga)
        {
            float beta = accA ? 1f : 0f;
            if (!ta) Gemm.Sgemm(false, !tb, m, k, n, 1f, gc.Span, n, b.Span, ldb, beta, ga.Span, k);       // dA = dC·op(B)ᵀ
            else Gemm.Sgemm(tb, true, k, m, n, 1f, b.Span, ldb, gc.Span, n, beta, ga.Span, m);           // dA = op(B)·dCᵀ
        }
        if (Target(b, out bool accB) is { } gb)
        {
            float beta = accB ? 1f : 0f;
            if (!tb) Gemm.Sgemm(!ta, false, k, n, m, 1f, a.Span, lda, gc.Span, n, beta, gb.Span, n);      // dB = op(A)ᵀ·dC
            else Gemm.Sgemm(true, ta, n, k, m, 1f, gc.Span, n, a.Span, lda, beta, gb.Span, k);          // dB = dCᵀ·op(A)
        }
    }

    // y = act(x·Wᵀ + b); x [N,in], W [out,in], b [out], y, gy [N,out].
    private static void Linear(TapeNode node, Tensor y, Tensor gy)
    {
        var x = node.A!; var w = node.B!; var bias = node.C;
        int n = x.Dim(0), inF = x.Dim(1), outF = w.Dim(0);
        var act = (FusedActivation)node.I0;
        var gb = Target(bias, out bool accB);
        // gz = gy ⊙ act'(y), in place in gy; gb (+)= Σ_rows gz in the same pass.
        if (act != FusedActivation.None || gb is not null)
            LinearEpilogue.ActivationBackward(gy.Span, y.Span, n, outF, act, gb is null ? default : gb.Span, accB);
        if (Target(w, out bool accW) is { } gw)
            Gemm.Sgemm(true, false, outF, inF, n, 1f, gy.Span, outF, x.Span, inF, accW ? 1f : 0f, gw.Span, inF);  // dW = gzᵀ·x
        if (Target(x, out bool accX) is { } gx)
            Gemm.Sgemm(false, false, n, inF, outF, 1f, gy.Span, outF, w.Span, inF, accX ? 1f : 0f, gx.Span, inF); // dx = gz·W
    }

    private static void Relu(TapeNode node, Tensor gy)
    {
        var x = node.A!;
        if (Target(x, out bool acc) is not { } gx) return;
        var xs = x.Span; var g = gy.Span; var d = gx.Span;
        if (acc) for (int i = 0; i < d.Length; i++) d[i] += xs[i] > 0f ? g[i] : 0f;
        else for (int i = 0; i < d.Length; i++) d[i] = xs[i] > 0f ? g[i] : 0f;
    }

    // L = mean((p − t)²); Saved holds 2(p − t)/n from the forward pass.
    private static void MseLoss(TapeNode node, Tensor gl)
    {
        var p = node.A!;
        var saved = node.Saved!;
        float g = gl.Span[0];
        if (!p.RequiresGrad) return;
        if (p.Grad is null && g == 1f)
        {
            // Hand the forward pass's buffer over: no copy, no extra pass.
            p.Grad = saved.Escape();
            node.Saved = null;
            return;
        }
        var target = Target(p, out bool acc)!;
        if (acc) TensorPrimitives.MultiplyAdd(saved.Span, g, target.Span, target.Span);
        else TensorPrimitives.Multiply(saved.Span, g, target.Span);
    }

    /// <summary>x.Grad (+)= g (same length).</summary>
    private static void AddInto(Tensor x, ReadOnlySpan<float> g)
    {
        if (Target(x, out bool acc) is not { } gx) return;
        if (acc) TensorPrimitives.Add(gx.Span, g, gx.Span); else g.CopyTo(gx.Span);
    }

    /// <summary>Adds a full-shape contribution <paramref name="g"/> [rows, cols] to operand x, reduced to x's broadcast kind.</summary>
    private static void AddBroadcast(Tensor x, Ops.Broadcast kind, ReadOnlySpan<float> g, int rows, int cols)
    {
        if (kind == Ops.Broadcast.Full) { AddInto(x, g); return; }
        if (Target(x, out bool acc) is not { } gx) return;
        var d = gx.Span;
        if (!acc) d.Clear();
        if (kind == Ops.Broadcast.Scalar)
        {
            double s = 0;
            foreach (float v in g) s += v;
            d[0] += (float)s;
            return;
        }
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(d, g.Slice(r * cols, cols), d);
    }

    // y = a ∘ b with broadcasting; contributions are formed at full shape, then reduced per operand.
    private static void Binary(TapeNode node, Tensor gy)
    {
        var a = node.A!; var b = node.B!;
        var ka = (Ops.Broadcast)node.I0; var kb = (Ops.Broadcast)node.I1;
        int rows = gy.Rows, cols = gy.Columns, n = gy.Length;
        var g = gy.Span;
        float A(int i) => ka == Ops.Broadcast.Full ? a.Span[i] : ka == Ops.Broadcast.Row ? a.Span[i % cols] : a.Span[0];
        float B(int i) => kb == Ops.Broadcast.Full ? b.Span[i] : kb == Ops.Broadcast.Row ? b.Span[i % cols] : b.Span[0];
        var tmp = TensorPool.Rent(n);
        try
        {
            var t = tmp.AsSpan(0, n);
            if (a.RequiresGrad)
            {
                switch (node.Op)
                {
                    case OpKind.Add or OpKind.Sub: g.CopyTo(t); break;
                    case OpKind.Mul: for (int i = 0; i < n; i++) t[i] = g[i] * B(i); break;
                    default: for (int i = 0; i < n; i++) t[i] = g[i] / B(i); break;
                }
                AddBroadcast(a, ka, t, rows, cols);
            }
            if (b.RequiresGrad)
            {
                switch (node.Op)
                {
                    case OpKind.Add: g.CopyTo(t); break;
                    case OpKind.Sub: TensorPrimitives.Negate(g, t); break;
                    case OpKind.Mul: for (int i = 0; i < n; i++) t[i] = g[i] * A(i); break;
                    default: for (int i = 0; i < n; i++) { float bi = B(i); t[i] = -g[i] * A(i) / (bi * bi); } break;
                }
                AddBroadcast(b, kb, t, rows, cols);
            }
        }
        finally { TensorPool.Return(tmp); }
    }

    private static void Unary(TapeNode node, Tensor y, Tensor gy)
    {
        var x = node.A!;
        if (!x.RequiresGrad) return;
        var g = gy.Span; var xs = x.Span; var ys = y.Span;
        // gy is ours to overwrite: turn it into dL/dx in place, then add it in.
        switch (node.Op)
        {
            case OpKind.Scale: TensorPrimitives.Multiply(g, node.S0, g); break;
            case OpKind.AddScalar: break;
            case OpKind.Neg: TensorPrimitives.Negate(g, g); break;
            case OpKind.Exp: TensorPrimitives.Multiply(g, ys, g); break;
            case OpKind.Log: TensorPrimitives.Divide(g, xs, g); break;
            case OpKind.Sin or OpKind.Cos or OpKind.Tanh:
            {
                // Vectorised through a pooled temporary: the scalar MathF loops were the bottleneck of sine networks.
                var tmp = TensorPool.Rent(g.Length);
                try
                {
                    var t = tmp.AsSpan(0, g.Length);
                    if (node.Op == OpKind.Sin) TensorPrimitives.Cos(xs, t);
                    else if (node.Op == OpKind.Cos) { TensorPrimitives.Sin(xs, t); TensorPrimitives.Negate(t, t); }
                    else { TensorPrimitives.Multiply(ys, ys, t); TensorPrimitives.Subtract(1f, t, t); }
                    TensorPrimitives.Multiply(g, t, g);
                }
                finally { TensorPool.Return(tmp); }
                break;
            }
            case OpKind.Square: TensorPrimitives.Multiply(g, xs, g); TensorPrimitives.Multiply(g, 2f, g); break;
            case OpKind.Sqrt: for (int i = 0; i < g.Length; i++) g[i] *= 0.5f / ys[i]; break;
            case OpKind.Abs: for (int i = 0; i < g.Length; i++) g[i] *= xs[i] > 0 ? 1f : xs[i] < 0 ? -1f : xs[i] == 0 ? 0f : float.NaN; break; // NaN-safe sign
        }
        AddInto(x, g);
    }

    private static void Reduce(TapeNode node, Tensor gy)
    {
        var x = node.A!;
        if (Target(x, out bool acc) is not { } gx) return;
        float v = gy.Span[0] / (node.Op == OpKind.Mean ? x.Length : 1);
        if (acc) TensorPrimitives.Add(gx.Span, v, gx.Span); else gx.Span.Fill(v);
    }

    // y = Σ over axis of x [rows, cols]: every x element gets the gradient of its row/column sum.
    private static void ReduceAxis(TapeNode node, Tensor gy)
    {
        var x = node.A!;
        if (Target(x, out bool acc) is not { } gx) return;
        int rows = x.Dim(0), cols = x.Dim(1), axis = node.I0;
        float scale = node.Op == OpKind.MeanAxis ? 1f / (axis == 0 ? Math.Max(1, rows) : Math.Max(1, cols)) : 1f;
        var d = gx.Span; var g = gy.Span;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                float v = (axis == 0 ? g[c] : g[r]) * scale;
                d[r * cols + c] = acc ? d[r * cols + c] + v : v;
            }
    }

    private static void GatherRows(TapeNode node, Tensor gy)
    {
        var x = node.A!; var index = (int[])node.Extra!;
        if (Target(x, out bool acc) is not { } gx) return;
        int f = x.Dim(1);
        if (!acc) gx.Span.Clear();
        for (int i = 0; i < index.Length; i++)
            TensorPrimitives.Add(gx.Span.Slice(index[i] * f, f), gy.Span.Slice(i * f, f), gx.Span.Slice(index[i] * f, f));
    }

    private static void ScatterAddRows(TapeNode node, Tensor gy)
    {
        var src = node.A!; var index = (int[])node.Extra!;
        if (Target(src, out bool acc) is not { } gs) return;
        int f = src.Dim(1);
        for (int i = 0; i < index.Length; i++)
        {
            var dst = gs.Span.Slice(i * f, f); var g = gy.Span.Slice(index[i] * f, f);
            if (acc) TensorPrimitives.Add(dst, g, dst); else g.CopyTo(dst);
        }
    }

    private static void SliceRows(TapeNode node, Tensor gy)
    {
        var x = node.A!;
        if (Target(x, out bool acc) is not { } gx) return;
        int f = x.Dim(1);
        if (!acc) gx.Span.Clear();
        var dst = gx.Span.Slice(node.I0 * f, node.I1 * f);
        TensorPrimitives.Add(dst, gy.Span, dst);
    }

    private static void SliceColumns(TapeNode node, Tensor gy)
    {
        var x = node.A!;
        if (Target(x, out bool acc) is not { } gx) return;
        int n = x.Dim(0), f = x.Dim(1), start = node.I0, count = node.I1;
        if (!acc) gx.Span.Clear();
        for (int r = 0; r < n; r++)
        {
            var dst = gx.Span.Slice(r * f + start, count);
            TensorPrimitives.Add(dst, gy.Span.Slice(r * count, count), dst);
        }
    }

    private static void ConcatColumns(TapeNode node, Tensor gy)
    {
        var parts = node.Inputs!;
        int n = gy.Dim(0), total = gy.Dim(1), offset = 0;
        foreach (var p in parts)
        {
            int f = p.Dim(1);
            if (Target(p, out bool acc) is { } gp)
            {
                for (int r = 0; r < n; r++)
                {
                    var dst = gp.Span.Slice(r * f, f); var g = gy.Span.Slice(r * total + offset, f);
                    if (acc) TensorPrimitives.Add(dst, g, dst); else g.CopyTo(dst);
                }
            }
            offset += f;
        }
    }

    // y = A·x for a fixed operator: dx (+)= Aᵀ·dy.
    private static void LinearOperator(TapeNode node, Tensor gy)
    {
        var x = node.A!; var op = (ILinearOperator)node.Extra!;
        if (Target(x, out bool acc) is not { } gx) return;
        if (!acc) { op.ApplyAdjoint(gy.Span, gx.Span); return; }
        var tmp = TensorPool.Rent(x.Length);
        try
        {
            op.ApplyAdjoint(gy.Span, tmp.AsSpan(0, x.Length));
            TensorPrimitives.Add(gx.Span, tmp.AsSpan(0, x.Length), gx.Span);
        }
        finally { TensorPool.Return(tmp); }
    }

    #region INR activations and encodings (Ops.InrActivations.cs, Ops.ComplexLinear.cs, Ops.InrEncodings.cs)

    // y = sin(ω x); x, y, gy same shape.
    private static void Sine(TapeNode node, Tensor gy)
    {
        if (Target(node.A, out bool acc) is { } gx)
            InrActivationKernels.SineBackward(node.A!.Span, gy.Span, gx.Span, node.S0, acc);
    }

    // y = exp(−x²/(2a²)); the derivative reads y.
    private static void Gaussian(TapeNode node, Tensor y, Tensor gy)
    {
        if (Target(node.A, out bool acc) is { } gx)
            InrActivationKernels.GaussianBackward(node.A!.Span, y.Span, gy.Span, gx.Span, node.S0, acc);
    }

    // y = sin(ω(|x|+1)x) with (|x|+1) held constant.
    private static void Finer(TapeNode node, Tensor gy)
    {
        if (Target(node.A, out bool acc) is { } gx)
            InrActivationKernels.FinerBackward(node.A!.Span, gy.Span, gx.Span, node.S0, acc);
    }

    // y = sin(ωx)·exp(−(σx)²); σ is stored as the bits of I0.
    private static void RealGabor(TapeNode node, Tensor y, Tensor gy)
    {
        if (Target(node.A, out bool acc) is { } gx)
            InrActivationKernels.RealGaborBackward(node.A!.Span, y.Span, gy.Span, gx.Span, node.S0, BitConverter.Int32BitsToSingle(node.I0), acc);
    }

    // y [N, 2F] = exp(iωz − |σz|²) in block layout; z [N, 2F] or real [N, F] (F0); F = I1.
    private static void ComplexGabor(TapeNode node, Tensor y, Tensor gy)
    {
        if (Target(node.A, out bool acc) is { } gz)
            InrActivationKernels.ComplexGaborBackward(node.A!.Span, y.Span, gy.Span, gz.Span, y.Dim(0), node.I1,
                node.S0, BitConverter.Int32BitsToSingle(node.I0), node.F0, acc);
    }

    // B = [[Wr, −Wi], [Wi, Wr]] ([2o, 2i]) or [Wr, −Wi] ([o, 2i]) when F0; gB blocks G11 G12 / G21 G22.
    // gWr (+)= G11 + G22, gWi (+)= G21 − G12 (G21 = G22 = 0 for the real-part-only block).
    private static void ComplexWeightBlock(TapeNode node, Tensor gb)
    {
        var wr = node.A!;
        int o = wr.Dim(0), i = wr.Dim(1);
        bool realOnly = node.F0;
        var g = gb.Span;
        if (Target(node.A, out bool accR) is { } gr)
        {
            var d = gr.Span;
            for (int r = 0; r < o; r++)
            {
                var dst = d.Slice(r * i, i);
                var g11 = g.Slice(r * 2 * i, i);
                if (realOnly) { if (accR) TensorPrimitives.Add(dst, g11, dst); else g11.CopyTo(dst); continue; }
                var g22 = g.Slice((o + r) * 2 * i + i, i);
                if (accR) { TensorPrimitives.Add(dst, g11, dst); TensorPrimitives.Add(dst, g22, dst); }
                else TensorPrimitives.Add(g11, g22, dst);
            }
        }
        if (Target(node.B, out bool accI) is { } gi)
        {
            var d = gi.Span;
            for (int r = 0; r < o; r++)
            {
                var dst = d.Slice(r * i, i);
                var g12 = g.Slice(r * 2 * i + i, i);
                if (realOnly) { if (accI) TensorPrimitives.Subtract(dst, g12, dst); else TensorPrimitives.Negate(g12, dst); continue; }
                var g21 = g.Slice((o + r) * 2 * i, i);
                if (accI) { TensorPrimitives.Add(dst, g21, dst); TensorPrimitives.Subtract(dst, g12, dst); }
                else TensorPrimitives.Subtract(g21, g12, dst);
            }
        }
    }

    // b = [br | bi]; the gradient splits.
    private static void ComplexBiasBlock(TapeNode node, Tensor gb)
    {
        int o = node.A!.Dim(0);
        if (Target(node.A, out bool accR) is { } gr)
        {
            if (accR) TensorPrimitives.Add(gr.Span, gb.Span[..o], gr.Span); else gb.Span[..o].CopyTo(gr.Span);
        }
        if (Target(node.B, out bool accI) is { } gi)
        {
            if (accI) TensorPrimitives.Add(gi.Span, gb.Span[o..], gi.Span); else gb.Span[o..].CopyTo(gi.Span);
        }
    }

    // y [N, 2m] = [cos(2πx·Bᵀ) | sin(2πx·Bᵀ)]; x [N, in]; B (Saved) [m, in] gets no gradient.
    private static void FourierFeatures(TapeNode node, Tensor y, Tensor gy)
    {
        var x = node.A!; var b = node.Saved!;
        if (Target(x, out bool acc) is { } gx)
            InrEncodingKernels.FourierFeaturesBackward(y.Span, gy.Span, b.Span, gx.Span, x.Dim(0), x.Dim(1), b.Dim(0), acc);
    }

    // y [N, d·2K] = positional encoding of x [N, d] with K = I0 bands.
    private static void PositionalEncoding(TapeNode node, Tensor y, Tensor gy)
    {
        var x = node.A!;
        if (Target(x, out bool acc) is { } gx)
            InrEncodingKernels.PositionalEncodingBackward(y.Span, gy.Span, gx.Span, x.Dim(0), x.Dim(1), node.I0, acc);
    }

    #endregion

    #region Convolutional networks and classification

    // y = act(cols·Wᵀ + b) read as (rows = N·OH·OW, Cout); cols (rows, k = kh·kw·Cin) saved from the forward
    // pass; x (N, H, W, Cin); W (Cout, kh, kw, Cin) read as (Cout, k).
    private static void Conv2d(TapeNode node, Tensor y, Tensor gy)
    {
        var x = node.A!; var w = node.B!; var bias = node.C; var cols = node.Saved!;
        int n = x.Dim(0), h = x.Dim(1), wd = x.Dim(2), cin = x.Dim(3);
        int cout = w.Dim(0), kh = w.Dim(1), kw = w.Dim(2), oh = y.Dim(1), ow = y.Dim(2);
        int rows = n * oh * ow, k = kh * kw * cin;
        var act = node.F0 ? FusedActivation.Relu : FusedActivation.None;
        var gb = Target(bias, out bool accB);
        // gz = gy ⊙ act'(y), in place in gy; gb (+)= column sums of gz in the same pass.
        if (act != FusedActivation.None || gb is not null)
            LinearEpilogue.ActivationBackward(gy.Span, y.Span, rows, cout, act, gb is null ? default : gb.Span, accB);
        if (Target(w, out bool accW) is { } gw)
            Gemm.Sgemm(true, false, cout, k, rows, 1f, gy.Span, cout, cols.Span, k, accW ? 1f : 0f, gw.Span, k);   // dW = gzᵀ·cols
        if (Target(x, out bool accX) is { } gx)
        {
            // dcols = gz·W overwrites the saved columns (no longer needed), then col2im adds them onto dx.
            Gemm.Sgemm(false, false, rows, k, cout, 1f, gy.Span, cout, w.Span, k, 0f, cols.Span, k);
            ConvolutionKernels.Col2Im(cols.Span, n, h, wd, cin, kh, kw, node.I0, node.I1, oh, ow, gx.Span, accX);
        }
        // The columns are the largest buffer of a convolutional step: back to the pool now, not at scope end.
        node.Saved = null;
        cols.Dispose();
    }

    // y = max over each window; Saved holds, as int32 bits, the flat index into x of each output's maximum.
    private static void MaxPool2d(TapeNode node, Tensor gy)
    {
        var x = node.A!; var indices = node.Saved!;
        if (Target(x, out bool acc) is { } gx)
        {
            var argmax = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(indices.Span);
            var d = gx.Span; var g = gy.Span;
            if (!acc) d.Clear();
            // Sequential: with stride < size, windows overlap and two outputs can share a maximum.
            for (int i = 0; i < g.Length; i++) d[argmax[i]] += g[i];
        }
        node.Saved = null;
        indices.Dispose();
    }

    // L = mean over rows of −log softmax(z)[label]; Saved holds (softmax − onehot)/N from the forward pass.
    private static void CrossEntropy(TapeNode node, Tensor gl)
    {
        var z = node.A!;
        var saved = node.Saved!;
        float g = gl.Span[0];
        if (!z.RequiresGrad) return;
        if (z.Grad is null && g == 1f)
        {
            // Hand the forward pass's buffer over: no copy, no extra pass.
            z.Grad = saved.Escape();
            node.Saved = null;
            return;
        }
        var target = Target(z, out bool acc)!;
        if (acc) TensorPrimitives.MultiplyAdd(saved.Span, g, target.Span, target.Span);
        else TensorPrimitives.Multiply(saved.Span, g, target.Span);
    }

    #endregion
}
