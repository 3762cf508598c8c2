using MuonInr.Autograd;

namespace MuonInr.Tensors;

/// <summary>
/// Tensor operations. Each op computes its result with a forward kernel and, when gradients are being
/// recorded and an input requires one, records a <see cref="TapeNode"/> whose rule lives in
/// <see cref="DerivativeRules"/>. The op files are split by concept (Ops.Linear.cs, Ops.Elementwise.cs, …).
/// </summary>
public static partial class Ops
{
    /// <summary>True when <paramref name="t"/> takes part in the graph being recorded.</summary>
    internal static bool Tracks(Tensor? t) => t is not null && t.RequiresGrad && GradMode.IsEnabled;

    /// <summary>Records <paramref name="node"/> as the producer of <paramref name="output"/>.</summary>
    internal static Tensor Record(Tensor output, TapeNode node)
    {
        output.Node = node;
        output.RequiresGrad = true;
        return output;
    }

    internal static void RequireRank(Tensor t, int rank, string op, string name)
    {
        if (t.Rank != rank)
            throw new ArgumentException($"{op}: {name} must have rank {rank}, got shape {Tensor.ShapeString(t.Shape)}.");
    }

    internal static void RequireSameShape(Tensor a, Tensor b, string op)
    {
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new ArgumentException($"{op}: shapes {Tensor.ShapeString(a.Shape)} and {Tensor.ShapeString(b.Shape)} differ.");
    }
}
