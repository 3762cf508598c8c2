using System.Diagnostics;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Kernels;

/// <summary>
/// A small real training step timed with a given GEMM provider, for <see cref="GemmCalibration"/>: forward,
/// MSE and backward of a 5-layer, 128-wide ReLU MLP on 8,192 points (about 2.6 GFLOP). GEMM shapes alone
/// do not decide which provider gives the faster step: with a native BLAS the elementwise kernels run on
/// one thread (<see cref="RowParallel.Degree"/>, so they do not fight the BLAS's spinning threads), and
/// narrow layers over many points are where that shows. Measured on this machine with OpenBLAS's own
/// AVX-512 kernels: OpenBLAS won the GEMM shapes (8.3 against 9.1 ms) yet lost the protocol-B step
/// (relu-mlp 0.21 against 0.15–0.17 s).
/// </summary>
internal static class GemmCalibrationStep
{
    /// <summary>Best of <paramref name="repetitions"/> steps after two warm-up steps, with <paramref name="provider"/> installed; the previous provider is put back.</summary>
    public static double Seconds(IGemmProvider provider, int points = 8192, int hidden = 128, int repetitions = 3)
    {
        var previous = Gemm.Installed;
        Gemm.Installed = provider;
        try
        {
            var rng = new Rng(0);
            var modules = new List<Module>();
            for (int i = 0; i < 5; i++)
            {
                modules.Add(new Linear(i == 0 ? 2 : hidden, i == 4 ? 3 : hidden, rng));
                if (i < 4) modules.Add(new ReLU());
            }
            using var model = new Sequential([.. modules]);
            using var coords = Tensor.Uniform(rng, -1f, 1f, points, 2).Escape();
            using var target = Tensor.Uniform(rng, 0f, 1f, points, 3).Escape();
            double best = double.PositiveInfinity;
            for (int r = 0; r < 2 + repetitions; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                using (new TensorScope())
                {
                    model.ZeroGrad();
                    Ops.MseLoss(model.Forward(coords), target).Backward();
                }
                double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                if (r >= 2) best = Math.Min(best, s);
            }
            return best;
        }
        finally { Gemm.Installed = previous; }
    }
}
