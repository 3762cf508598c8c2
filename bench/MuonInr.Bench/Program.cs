using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/MuonInr.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(MuonInr.Bench.GemmBenchmarks).Assembly).Run(args);
