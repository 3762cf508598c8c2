using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Samples.Mnist;

/// <summary>The two benchmark models. Both take NHWC digits (N, 28, 28, 1) and return 10 logits.</summary>
internal static class Models
{
    /// <summary>Names accepted by --models.</summary>
    public static readonly string[] Names = ["mlp", "cnn"];

    /// <summary>Builds model <paramref name="name"/> with PyTorch's default initialisation drawn from <paramref name="rng"/>.</summary>
    public static Sequential Create(string name, Rng rng) => name switch
    {
        // 784-256-128-10 with ReLU: 235,146 parameters.
        "mlp" => new Sequential(
            new Flatten(),
            new Linear(784, 256, rng), new ReLU(),
            new Linear(256, 128, rng), new ReLU(),
            new Linear(128, 10, rng)),
        // conv 3×3·16 (pad 1) → ReLU → maxpool 2 → conv 3×3·32 (pad 1) → ReLU → maxpool 2 → flatten → linear 10:
        // (28,28,1) → (28,28,16) → (14,14,16) → (14,14,32) → (7,7,32) → 1568 → 10; 20,490 parameters.
        "cnn" => new Sequential(
            new Conv2d(1, 16, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(),
            new Linear(7 * 7 * 32, 10, rng)),
        _ => throw new ArgumentException($"Unknown model '{name}' (choose from {string.Join(", ", Names)})."),
    };
}
