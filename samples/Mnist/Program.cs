using System.Globalization;
using MuonInr.Data;
using MuonInr.Kernels;
using MuonInr.Samples.Mnist;
using MuonInr.Tensors;

// MNIST benchmark: Muon vs AdamW vs SGD on an MLP and a small CNN, on the 10,000 digits of shared/data/mnist
// (fixed stratified split 8,000 train / 2,000 test, seed 0). Every run starts from the same initialisation
// for its model (seed --seed) and sees the same batches (seed --seed + 1). Seconds per epoch count the
// training steps only (after three untimed warm-up steps on a throwaway copy, so JIT is not timed).
//
//   dotnet run -c Release --project samples/Mnist -- [--data ../shared/data/mnist] [--epochs 5]
//       [--models mlp,cnn] [--optimizers muon,adamw,sgd] [--batch 128] [--seed 0] [--report 1,3,5]
// --optimizers also takes the other members of the Muon family (normuon, adamuon, muon-moonlight, …);
// --muon-first-layer no sends the input layer's weight to the auxiliary AdamW instead of Muon.

var culture = CultureInfo.InvariantCulture;
string data = Path.Combine("..", "shared", "data", "mnist");
int epochs = 5, batch = 128;
ulong seed = 0;
string[] models = Models.Names, optimizers = Optimizers.Defaults;
int[]? report = null;
bool firstLayerToMuon = true;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        int Positive(string flag, string v) => int.TryParse(v, NumberStyles.None, culture, out int n) && n > 0 ? n : throw new ArgumentException($"{flag} needs a positive integer, got '{v}'.");
        string[] List(string flag, string v, string[] allowed)
        {
            var items = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = items.Where(x => !allowed.Contains(x)).ToList();
            if (items.Length == 0 || unknown.Count > 0)
                throw new ArgumentException($"{flag}: unknown {string.Join(", ", unknown.Select(u => $"'{u}'"))} (choose from {string.Join(", ", allowed)}).");
            return items;
        }
        switch (args[i])
        {
            case "--data": data = Value(); break;
            case "--epochs": epochs = Positive("--epochs", Value()); break;
            case "--batch": batch = Positive("--batch", Value()); break;
            case "--seed": seed = ulong.TryParse(Value(), NumberStyles.None, culture, out var s) ? s : throw new ArgumentException("--seed needs a non-negative integer."); break;
            case "--models": models = List("--models", Value(), Models.Names); break;
            case "--optimizers": optimizers = List("--optimizers", Value(), Optimizers.Names); break;
            case "--muon-first-layer":
                firstLayerToMuon = Value() switch { "yes" => true, "no" => false, var v => throw new ArgumentException($"--muon-first-layer takes yes or no, got '{v}'.") };
                break;
            case "--report": report = Value().Split(',').Select(v => Positive("--report", v.Trim())).ToArray(); break;
            case "-h" or "--help":
                Console.WriteLine("usage: dotnet run -c Release --project samples/Mnist -- [--data DIR] [--epochs 5] [--models mlp,cnn] [--optimizers muon,adamw,sgd] [--batch 128] [--seed 0] [--report 1,3,5] [--muon-first-layer yes|no]");
                Console.WriteLine($"optimizers: {string.Join(", ", Optimizers.Names)}");
                return 0;
            default: throw new ArgumentException($"Unknown option '{args[i]}' (try --help).");
        }
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
report ??= new[] { 1, 3, 5 }.Where(e => e <= epochs).Append(epochs).Distinct().ToArray();
if (report.Any(e => e > epochs))
{
    Console.Error.WriteLine($"error: --report asks for epoch {report.Max()} but only {epochs} run.");
    return 2;
}

LabeledImages train, test;
try { (train, test) = MnistDigits.LoadSplit(data); }
catch (InvalidDataException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

Console.WriteLine($"MNIST digits from {Path.GetFullPath(data)}: {train.Count} train / {test.Count} test (stratified, split seed {MnistDigits.SplitSeed})");
Console.WriteLine($"batch {batch}, {epochs} epochs, no augmentation, no schedule; init seed {seed}, batch-order seed {seed + 1}; " +
                  $"{Environment.ProcessorCount} logical CPUs, {WorkerPool.Degree} GEMM threads, GEMM provider {Gemm.Provider.Name}");
foreach (var o in optimizers) Console.WriteLine("  " + Optimizers.Describe(o));
Console.WriteLine();

var all = new List<(string Model, string Optimizer, List<EpochResult> Epochs)>();
foreach (var m in models)
    foreach (var o in optimizers)
    {
        Training.WarmUp(() => Models.Create(m, new Rng(seed)), model => Optimizers.Create(o, model, firstLayerToMuon), train, batch);
        using var model = Models.Create(m, new Rng(seed));
        var optimizer = Optimizers.Create(o, model, firstLayerToMuon);
        if (MuonInr.Optim.MuonRule.IsMuonFamily(o)) Console.WriteLine($"[{m}] routing {MuonInr.Optim.ParamRouting.HiddenWeights(firstLayerToMuon).Split(model)}");
        var results = Training.Run(model, optimizer, train, test, epochs, batch, seed + 1, r =>
            Console.WriteLine(string.Create(culture, $"[{m} {o}] epoch {r.Epoch}: train loss {r.TrainLoss:F4}, test accuracy {100 * r.TestAccuracy:F2} %, {r.Seconds:F2} s")));
        all.Add((m, o, results));
    }

Console.WriteLine();
foreach (int e in report)
{
    Console.WriteLine($"After epoch {e}:");
    Console.WriteLine("| model | optimizer | train loss | test accuracy | s/epoch (mean) |");
    Console.WriteLine("|---|---|---:|---:|---:|");
    foreach (var (m, o, results) in all)
    {
        var r = results[e - 1];
        double meanSeconds = results.Take(e).Average(x => x.Seconds);
        Console.WriteLine(string.Create(culture, $"| {m} | {o} | {r.TrainLoss:F4} | {100 * r.TestAccuracy:F2} % | {meanSeconds:F2} |"));
    }
    foreach (var m in models)
    {
        var muon = all.FirstOrDefault(x => x.Model == m && x.Optimizer == "muon");
        if (muon.Epochs is null) continue;
        foreach (var (_, o, results) in all.Where(x => x.Model == m && x.Optimizer != "muon"))
            Console.WriteLine(string.Create(culture,
                $"  {m}: muon's train loss is {100 * (1 - muon.Epochs[e - 1].TrainLoss / results[e - 1].TrainLoss):F1} % below {o}'s; muon costs {muon.Epochs.Take(e).Average(x => x.Seconds) / results.Take(e).Average(x => x.Seconds):F2}x its time per epoch"));
    }
    Console.WriteLine();
}
return 0;
