using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/MuonInr.Bench -- --filter '*'
// dotnet run -c Release --project bench/MuonInr.Bench -- --activation-ratios [rounds]   (quick Stopwatch ratios)
if (args.Length > 0 && args[0] == "--activation-ratios")
{
    MuonInr.Bench.ActivationRatios.Run(args.Length > 1 ? int.Parse(args[1]) : 9);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(MuonInr.Bench.GemmBenchmarks).Assembly).Run(args);
