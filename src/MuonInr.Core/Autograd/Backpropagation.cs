using MuonInr.Tensors;

namespace MuonInr.Autograd;

/// <summary>
/// Reverse-mode differentiation over the recorded graph: iterative topological sort (no recursion, so
/// deep graphs cannot overflow the stack), then each node's rule in reverse order. Gradients of
/// intermediate tensors go back to the pool as soon as their node has run; leaves keep theirs in
/// <see cref="Tensor.Grad"/>, accumulating across calls until zeroed.
/// </summary>
internal static class Backpropagation
{
    [ThreadStatic] private static List<Tensor>? _order;
    [ThreadStatic] private static Stack<(Tensor Tensor, bool Expanded)>? _stack;
    private static int _epoch;

    public static void Run(Tensor root, Tensor? seed)
    {
        if (root.Node is null && !root.RequiresGrad)
            throw new InvalidOperationException($"Backward() on {root}: it does not require a gradient and was not produced by a recorded op (was it computed under GradMode.NoGrad, or from tensors without RequiresGrad?).");
        if (seed is null && root.Length != 1)
            throw new InvalidOperationException($"Backward() without a seed gradient needs a scalar, got shape {Tensor.ShapeString(root.Shape)}.");
        if (seed is not null && !seed.Shape.SequenceEqual(root.Shape))
            throw new ArgumentException($"Backward seed has shape {Tensor.ShapeString(seed.Shape)} but the tensor has shape {Tensor.ShapeString(root.Shape)}.");

        var order = _order ??= new List<Tensor>(64);
        var stack = _stack ??= new Stack<(Tensor, bool)>(64);
        order.Clear();
        int epoch = Interlocked.Increment(ref _epoch);

        // Post-order DFS: a tensor is appended after all of its inputs.
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (t, expanded) = stack.Pop();
            var node = t.Node;
            if (node is null) continue;
            if (expanded) { order.Add(t); continue; }
            if (node.Epoch == epoch) continue;
            node.Epoch = epoch;
            stack.Push((t, true));
            PushInput(stack, node.A, epoch);
            PushInput(stack, node.B, epoch);
            PushInput(stack, node.C, epoch);
            if (node.Inputs is not null) foreach (var x in node.Inputs) PushInput(stack, x, epoch);
        }

        // Seed dL/droot.
        var rootGrad = Tensor.Unscoped(root.ShapeArray);
        if (seed is null) rootGrad.Span.Fill(1f); else seed.Span.CopyTo(rootGrad.Span);
        AccumulateInto(root, rootGrad);

        using (GradMode.NoGrad())
        {
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var t = order[i];
                var node = t.Node!;
                if (t.Grad is { } g) DerivativeRules.Backward(node, t, g);
                // The graph is single-use: drop the node and release the intermediate gradient now
                // (unless a rule handed its buffer on to an input), so peak memory is bounded by the
                // live activations, not by every gradient at once.
                t.Node = null;
                if (t.Grad is { } left) { t.Grad = null; left.Dispose(); }
            }
        }
        order.Clear();
    }

    private static void PushInput(Stack<(Tensor, bool)> stack, Tensor? x, int epoch)
    {
        if (x?.Node is { } n && n.Epoch != epoch) stack.Push((x, false));
    }

    /// <summary>Adds <paramref name="g"/> to <paramref name="t"/>.Grad, taking ownership of <paramref name="g"/>.</summary>
    internal static void AccumulateInto(Tensor t, Tensor g)
    {
        if (t.Grad is null) { t.Grad = g; return; }
        System.Numerics.Tensors.TensorPrimitives.Add(t.Grad.Span, g.Span, t.Grad.Span);
        g.Dispose();
    }
}
