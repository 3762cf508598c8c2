using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuonInr.Experiments;

namespace MuonInr.Benchmarking;

/// <summary>One PyTorch measurement of <see cref="TorchInrReference.Run"/>.</summary>
/// <param name="Model">Architecture name.</param>
/// <param name="Optimizer"><c>adam</c> or <c>muon</c>.</param>
/// <param name="Seconds">Median seconds of one step (NaN when the script reported an error).</param>
/// <param name="StepSeconds">Every timed step.</param>
/// <param name="Loss">Loss of the last step.</param>
/// <param name="TorchVersion">torch.__version__.</param>
/// <param name="Threads">torch.get_num_threads() during the run.</param>
/// <param name="Error">The script's error for this case, or null.</param>
public sealed record TorchStepResult(string Model, string Optimizer, double Seconds, IReadOnlyList<double> StepSeconds, double Loss,
    string? TorchVersion, int Threads, string? Error);

/// <summary>
/// The PyTorch side of the INR suite: <c>tools/reference/torch_inr_step.py</c> (embedded in this assembly,
/// so the installed tool needs no checkout) run with a Python that has torch, given each architecture's
/// resolved hyperparameters and learning rates as JSON built here from the same presets as MuonInr's side
/// (<see cref="Config"/>), so the two cannot drift. The script prints one JSON line per (model, optimizer).
/// </summary>
public static class TorchInrReference
{
    /// <summary>Environment variable naming the Python to use.</summary>
    public const string PythonVariable = "MUONINR_TORCH_PYTHON";

    /// <summary>The Python tried when <see cref="PythonVariable"/> is unset: Debian's, which has python3-torch here.</summary>
    public const string DefaultPython = "/usr/bin/python3";

    /// <summary>The script's text (tools/reference/torch_inr_step.py).</summary>
    public static string Script { get; } = LoadScript();

    private static string LoadScript()
    {
        using var s = typeof(TorchInrReference).Assembly.GetManifestResourceStream("MuonInr.torch_inr_step.py")
            ?? throw new InvalidOperationException("torch_inr_step.py is missing from the assembly.");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    /// <summary>
    /// The script's configuration for one architecture: sizes, steps, threads, seed, the resolved model
    /// section (snake_case, as config.json writes it) and each optimizer's resolved section.
    /// </summary>
    /// <param name="cases">The cases of one architecture (one per optimizer).</param>
    /// <param name="options">Sizes and repetitions.</param>
    /// <param name="threads">Threads PyTorch may use (the same as MuonInr's).</param>
    public static JsonObject Config(IReadOnlyList<InrBenchCase> cases, InrSuiteOptions options, int threads)
    {
        if (cases.Count == 0) throw new ArgumentException("No case to configure.");
        if (cases.Select(c => c.Model).Distinct().Count() != 1) throw new ArgumentException("One configuration holds one architecture.");
        var optimizers = new JsonObject();
        foreach (var c in cases)
            optimizers[c.Optimizer] = RunSpecJson.ToNode(c.Spec)["optimizer"]!.DeepClone();
        return new JsonObject
        {
            ["width"] = options.Width,
            ["height"] = options.Height,
            ["steps"] = options.Steps,
            ["warmup"] = options.Warmup,
            ["total_steps"] = options.TotalSteps,
            ["threads"] = threads,
            ["seed"] = options.Seed,
            ["model"] = RunSpecJson.ToNode(cases[0].Spec)["model"]!.DeepClone(),
            ["optimizers"] = optimizers,
        };
    }

    /// <summary>
    /// The Python to use: <paramref name="requested"/> (<c>none</c> = skip), else <see cref="PythonVariable"/>,
    /// else <see cref="DefaultPython"/>; checked by importing torch. Returns the Python and torch version, or
    /// null and one line saying why PyTorch is skipped.
    /// </summary>
    public static (string? Python, string? Version, string? Reason) Resolve(string? requested)
    {
        if (string.Equals(requested?.Trim(), "none", StringComparison.OrdinalIgnoreCase)) return (null, null, "PyTorch skipped (--torch none).");
        string? env = Environment.GetEnvironmentVariable(PythonVariable);
        string python = !string.IsNullOrWhiteSpace(requested) ? requested.Trim() : !string.IsNullOrWhiteSpace(env) ? env.Trim() : DefaultPython;
        string source = !string.IsNullOrWhiteSpace(requested) ? "--torch" : !string.IsNullOrWhiteSpace(env) ? PythonVariable : "default";
        var (version, error) = Probe(python);
        return version is null
            ? (null, null, $"PyTorch skipped: {python} ({source}) cannot import torch: {error}")
            : (python, version, null);
    }

    /// <summary>Imports torch with <paramref name="python"/>: its version, or the error.</summary>
    public static (string? Version, string? Error) Probe(string python, int timeoutSeconds = 120)
    {
        var (code, stdout, stderr, failure) = Execute(python, ["-c", "import torch; print(torch.__version__)"], TimeSpan.FromSeconds(timeoutSeconds));
        if (failure is not null) return (null, failure);
        if (code != 0) return (null, LastLine(stderr) ?? $"exit code {code}");
        return (stdout.Trim(), null);
    }

    /// <summary>
    /// Runs the script with <paramref name="python"/> on <paramref name="config"/> (see <see cref="Config"/>)
    /// and returns one result per (model, optimizer) it printed. A failed run gives one result per
    /// optimizer with <see cref="TorchStepResult.Error"/> set.
    /// </summary>
    public static IReadOnlyList<TorchStepResult> Run(string python, JsonObject config, TimeSpan timeout)
    {
        string script = Path.Combine(Path.GetTempPath(), $"muoninr-torch-inr-{Environment.ProcessId}-{Guid.NewGuid():N}.py");
        File.WriteAllText(script, Script);
        try
        {
            var (code, stdout, stderr, failure) = Execute(python, [script, "--config", config.ToJsonString()], timeout);
            var results = new List<TorchStepResult>();
            foreach (var line in stdout.Split('\n'))
            {
                string l = line.Trim();
                if (!l.StartsWith('{')) continue;
                try { results.Add(Parse(JsonNode.Parse(l)!.AsObject())); }
                catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { }
            }
            string model = (string?)config["model"]?["name"] ?? "?";
            string? error = failure ?? (code != 0 ? LastLine(stderr) ?? $"exit code {code}" : null);
            foreach (var (opt, _) in config["optimizers"]?.AsObject() ?? [])
                if (!results.Any(r => r.Model == model && r.Optimizer == opt))
                    results.Add(new TorchStepResult(model, opt, double.NaN, [], double.NaN, null, 0, error ?? "the script printed no result"));
            return results;
        }
        finally { try { File.Delete(script); } catch (IOException) { } }
    }

    private static TorchStepResult Parse(JsonObject o)
    {
        double Num(string key) => o[key] is JsonValue v && v.TryGetValue(out double d) ? d : double.NaN;
        var times = (o["times"] as JsonArray)?.Select(t => (double)t!).ToArray() ?? [];
        return new TorchStepResult((string)o["model"]!, (string)o["optimizer"]!, Num("seconds"), times, Num("loss"),
            (string?)o["torch"], o["threads"] is JsonValue tv && tv.TryGetValue(out int t) ? t : 0, (string?)o["error"]);
    }

    private static string? LastLine(string text)
        => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();

    private static (int Code, string Stdout, string Stderr, string? Failure) Execute(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi) ?? throw new Win32Exception("the process did not start"); }
        catch (Win32Exception e) { return (-1, "", "", $"cannot start {file}: {e.Message}"); }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                p.WaitForExit();
                return (-1, stdout.Result, stderr.Result, string.Create(CultureInfo.InvariantCulture, $"timed out after {timeout.TotalSeconds:F0} s"));
            }
            p.WaitForExit();
            return (p.ExitCode, stdout.Result, stderr.Result, null);
        }
    }
}
