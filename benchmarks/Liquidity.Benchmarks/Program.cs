using BenchmarkDotNet.Running;
using Polysim.Liquidity.Benchmarks;

// dotnet run -c Release --project benchmarks/Liquidity.Benchmarks -- --filter '*'
// One virtual hour of the `typical` synthetic market, replayed as fast as possible (see docs/PERFORMANCE.md).
var summaries = BenchmarkSwitcher.FromAssembly(typeof(SyntheticFlowBenchmarks).Assembly).Run(args);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
