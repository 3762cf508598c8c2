using System.CommandLine;
using MuonInr.Experiments;

namespace MuonInr.Cli.Commands;

/// <summary>
/// <c>muoninr run CONFIG</c>: runs a RunSpec file (a run directory's config.json, or one written by hand
/// or by a sweep). A resolved config.json repeats its run bit for bit on the same machine and GEMM
/// provider; a partial spec is completed from the presets like the command line would.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliContext ctx)
    {
        var config = new Argument<string>("CONFIG") { Description = "RunSpec JSON file, or a run directory (its config.json)." };
        var outDir = new Option<string?>("--out") { Description = "Run directory (default runs/<time>-<model>-<optimizer>); never overwritten unless --overwrite." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Empty and reuse an existing non-empty run directory." };
        var presetsFile = new Option<string?>("--presets") { Description = "A presets file laid over the built-in table (for fields the spec leaves unset)." };
        var cmd = new Command("run", "Run a RunSpec file (config.json): the same run again, bit for bit, or a spec written by hand.") { config, outDir, overwrite, presetsFile };
        cmd.SetAction(p =>
        {
            string path = p.GetValue(config)!;
            var spec = TaskCommands.Guard(() => RunSpecJson.ReadFile(path));
            var presets = TaskCommands.Guard(() => p.GetValue(presetsFile) is { } f ? Presets.WithFile(f) : Presets.BuiltIn);
            if (spec.MuoninrVersion is { } v && v != RunSpec.CurrentVersion)
                ctx.Error.WriteLine($"warning: '{path}' was written by MuonInr {v}; this is {RunSpec.CurrentVersion}: results may differ.");
            var resolved = TaskCommands.Resolve(spec, presets);
            string label = $"{resolved.Model.Name}-{resolved.Optimizer.Name}";
            string dir = p.GetValue(outDir) ?? RunDirectory.DefaultPath("runs", label);
            return TaskCommands.RunOne(ctx, resolved, dir, p.GetValue(overwrite), null, label);
        });
        return cmd;
    }
}
