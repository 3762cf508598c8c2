using System.CommandLine;
using MuonInr.Experiments;
using MuonInr.Fields;

namespace MuonInr.Cli.Commands;

/// <summary>
/// <c>muoninr demo</c>: generates a high-frequency test image (zone plate, Siemens star, fine bars) and
/// compares Adam with Muon + auxiliary Adam on a relu-mlp, in a few minutes on a laptop CPU.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(TextWriter output)
    {
        var steps = new Option<int>("--steps") { Description = "Training steps per optimizer.", DefaultValueFactory = _ => 1000 };
        var width = new Option<int>("--width") { Description = "Width of the generated image (height is 2/3 of it).", DefaultValueFactory = _ => 144 };
        var outDir = new Option<string?>("--out") { Description = "Run directory (default runs/<time>-demo)." };
        var cmd = new Command("demo", "Adam vs Muon on a generated high-frequency image: prints the table and the report's path.") { steps, width, outDir };
        cmd.SetAction(p =>
        {
            int n = p.GetValue(steps), w = p.GetValue(width);
            if (n < 1 || w < 16) throw new CliException("--steps must be ≥ 1 and --width ≥ 16.", CliApp.Usage);
            var baseOptions = new ImageFitOptions
            {
                ImagePath = null,
                GeneratedWidth = w,
                Model = "relu-mlp",
                Field = new FieldOptions { Hidden = 256, Layers = 5 },
                Steps = n,
                EvalEvery = Math.Max(1, n / 20),
                RankEvery = Math.Max(1, n / 20),
            };
            var configs = new[]
            {
                baseOptions with { Optimizer = new OptimizerOptions { Name = "adam", LearningRate = 1e-3 } },
                baseOptions with { Optimizer = new OptimizerOptions { Name = "muon", LearningRate = 1e-3, MuonLearningRate = 0.1 } },
            };
            output.WriteLine($"MuonInr demo: relu-mlp 5x256 on a generated {w}x{Math.Max(8, w * 2 / 3)} high-frequency image, {n} steps, Adam (1e-3) vs Muon (0.1) + aux Adam (1e-3), GEMM: {MuonInr.Kernels.Gemm.Provider.Name}");
            var dir = ImageCommands.CreateDir(p.GetValue(outDir), "demo", overwrite: false);
            return ImageCommands.RunComparison(output, dir, configs);
        });
        return cmd;
    }
}
