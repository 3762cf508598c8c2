using System.CommandLine;
using MuonInr.Experiments;
using MuonInr.Fields;

namespace MuonInr.Cli.Commands;

/// <summary>
/// <c>muoninr demo</c>: generates a high-frequency test image (zone plate, Siemens star, fine bars) and
/// compares Adam with Muon + auxiliary Adam on a relu-mlp 5 x 256 (protocol A's network) at the image
/// presets' learning rates, in a few minutes on a laptop CPU.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliContext ctx)
    {
        var steps = new Option<string>("--steps") { Description = "Training steps per optimizer.", DefaultValueFactory = _ => "1000" };
        var width = new Option<string>("--width") { Description = "Width of the generated image (height is 2/3 of it), 16 to 8192.", DefaultValueFactory = _ => "144" };
        var outDir = new Option<string?>("--out") { Description = "Run directory (default runs/<time>-demo)." };
        var cmd = new Command("demo", "Adam vs Muon on a generated high-frequency image: prints the table and the report's path.") { steps, width, outDir };
        cmd.SetAction(p =>
        {
            int n = CliValues.Int(p.GetValue(steps)!, "--steps"), w = CliValues.Int(p.GetValue(width)!, "--width");
            if (n < 1) throw new CliException($"--steps must be ≥ 1, got {n}.", CliApp.Usage);
            if (w is < 16 or > 8192) throw new CliException($"--width must be in [16, 8192], got {w}.", CliApp.Usage);
            var baseSpec = new RunSpec
            {
                Task = "image", Data = "generated",
                Model = new ModelSpec { Name = "relu-mlp", Hidden = 256, Layers = 5 },
                Steps = n, EvalEvery = Math.Max(1, n / 20), RankEvery = Math.Max(1, n / 20),
            }.WithOption("generated_width", w);
            // The paper's learning rates (fit_image.py: Adam 1e-3; Muon 0.1 with its auxiliary Adam at 1e-3), pinned:
            // the demo shows the paper's effect, whatever the presets' tuned values become.
            var specs = new[] { new OptimizerSpec { Name = "adam", Lr = 1e-3 }, new OptimizerSpec { Name = "muon", Lr = 1e-3, MuonLr = 0.1 } }
                .Select(o => (o.Name!, TaskCommands.Resolve(baseSpec with { Optimizer = o }, Presets.BuiltIn))).ToList();
            var adam = specs[0].Item2.Optimizer; var muon = specs[1].Item2.Optimizer;
            ctx.Out.WriteLine($"MuonInr demo: relu-mlp 5x256 on a generated {w}x{Math.Max(8, w * 2 / 3)} high-frequency image, {n} steps, Adam ({adam.Lr}) vs Muon ({muon.MuonLr}) + aux Adam ({muon.Lr}), GEMM: {MuonInr.Kernels.Gemm.Provider.Name}");
            string dir = p.GetValue(outDir) ?? RunDirectory.DefaultPath("runs", "demo");
            return TaskCommands.RunComparison(ctx, specs, dir, overwrite: false);
        });
        return cmd;
    }
}
