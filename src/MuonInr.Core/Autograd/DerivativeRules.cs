
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
}
