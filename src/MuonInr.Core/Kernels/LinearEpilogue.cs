using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MuonInr.Kernels;

/// <summary>Activation fused into Linear's forward pass and its backward rule.</summary>
public enum FusedActivation
{
    /// <summary>Plain affine layer.</summary>
    None,
    /// <summary>max(0, z); the backward mask is read from the output (y &gt; 0 ⇔ z &gt; 0).</summary>
    Relu,
}

/// <summary>
/// The elementwise halves of a fused Linear layer: after the GEMM, add the bias row and apply the
/// activation in one pass; before the backward GEMMs, mask the upstream gradient by the activation's
/// derivative and reduce the bias gradient in the same pass.
/// </summary>
public static class LinearEpilogue
{
    /// <summary>y[i, :] = act(y[i, :] + bias) in place. y (rows, cols), bias (cols) or empty.</summary>
    public static void BiasActivation(Span<float> y, int rows, int cols, ReadOnlySpan<float> bias, FusedActivation activation)
    {
        if (bias.Length == 0 && activation == FusedActivation.None) return;
        if (rows == 0 || cols == 0) return;
        unsafe
        {
            fixed (float* py = y)
            fixed (float* pb = bias)
            {
                float* yp = py; float* bp = pb; bool hasBias = bias.Length > 0;
                RowParallel.For(rows, cols, (_, s, e) =>
                {
                    for (int i = s; i < e; i++) BiasActivationRow(yp + (long)i * cols, hasBias ? bp : null, cols, activation);
                });
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void BiasActivationRow(float* row, float* bias, int cols, FusedActivation activation)
    {
        int j = 0;
        int w = Vector<float>.Count;
        bool relu = activation == FusedActivation.Relu;
        if (bias is not null)
        {
            for (; j <= cols - w; j += w)
            {
                var v = Unsafe.ReadUnaligned<Vector<float>>(row + j) + Unsafe.ReadUnaligned<Vector<float>>(bias + j);
                if (relu) v = Vector.Max(v, Vector<float>.Zero);
                Unsafe.WriteUnaligned(row + j, v);
            }
            for (; j < cols; j++)
            {
                float v = row[j] + bias[j];
                row[j] = relu ? MathF.Max(v, 0f) : v;
            }
        }
        else if (relu)
        {
            for (; j <= cols - w; j += w)
                Unsafe.WriteUnaligned(row + j, Vector.Max(Unsafe.ReadUnaligned<Vector<float>>(row + j), Vector<float>.Zero));
            for (; j < cols; j++) row[j] = MathF.Max(row[j], 0f);
        }
    }

    /// <summary>
    /// In place: dz = dy ⊙ act'(from y); and, when <paramref name="biasGrad"/> is not empty, biasGrad
    /// (+)= Σ_rows dz. dy, y (rows, cols); biasGrad (cols). Partial sums per fixed row chunk are added in
    /// chunk order (deterministic).
    /// </summary>
    public static void ActivationBackward(Span<float> dy, ReadOnlySpan<float> y, int rows, int cols,
        FusedActivation activation, Span<float> biasGrad, bool accumulateBias)
    {
        bool wantBias = biasGrad.Length > 0;
        if (rows == 0 || cols == 0)
        {
            if (wantBias && !accumulateBias) biasGrad.Clear();
            return;
        }
        int chunks = RowParallel.ChunkCount(rows, cols);
        float[]? partial = wantBias ? System.Buffers.ArrayPool<float>.Shared.Rent(chunks * cols) : null;
        try
        {
            unsafe
            {
                fixed (float* pdy = dy)
                fixed (float* pyv = y)
                fixed (float* pp = partial)
                {
                    float* dyp = pdy, yp = pyv, parts = pp;
                    bool relu = activation == FusedActivation.Relu;
                    RowParallel.ForChunks(rows, chunks, (c, s, e) =>
                    {
                        float* acc = parts is null ? null : parts + (long)c * cols;
                        if (acc is not null) new Span<float>(acc, cols).Clear();
                        for (int i = s; i < e; i++)
                            MaskRow(dyp + (long)i * cols, yp + (long)i * cols, acc, cols, relu);
                    });
                }
            }
            if (wantBias)
            {
                if (!accumulateBias) biasGrad.Clear();
                for (int c = 0; c < chunks; c++)
                    System.Numerics.Tensors.TensorPrimitives.Add(biasGrad, partial.AsSpan(c * cols, cols), biasGrad);
            }
        }
        finally
        {
            if (partial is not null) System.Buffers.ArrayPool<float>.Shared.Return(partial);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void MaskRow(float* dy, float* y, float* acc, int cols, bool relu)
    {
        int j = 0;
        int w = Vector<float>.Count;
        for (; j <= cols - w; j += w)
        {
            var g = Unsafe.ReadUnaligned<Vector<float>>(dy + j);
            if (relu)
            {
                var mask = Vector.GreaterThan(Unsafe.ReadUnaligned<Vector<float>>(y + j), Vector<float>.Zero);
                g = Vector.ConditionalSelect(mask, g, Vector<float>.Zero);
                Unsafe.WriteUnaligned(dy + j, g);
            }
            if (acc is not null) Unsafe.WriteUnaligned(acc + j, Unsafe.ReadUnaligned<Vector<float>>(acc + j) + g);
        }
        for (; j < cols; j++)
        {
            float g = dy[j];
            if (relu) { g = y[j] > 0f ? g : 0f; dy[j] = g; }
            if (acc is not null) acc[j] += g;
        }
    }
}
