using BenchmarkDotNet.Running;
using Polysim.MatchingEngine.Benchmarks;

// dotnet run -c Release --project benchmarks/MatchingEngine.Benchmarks -- <subcommand>
//   latency    [--commands N] [--rate R] [--warmup W] [--no-memory]   open-loop latency harness (HdrHistogram) + memory per order
//   throughput [--commands N] [--runs K]                              back-to-back replay of the mixed flow, commands/s
//   memory     [--orders N]                                           memory per resting order only
//   (anything else)                                                   BenchmarkDotNet, e.g. --filter '*' (see docs/PERFORMANCE.md)
// Flow options shared by latency and throughput: --markets 8 --accounts 1000 --book 1000 --seed S.
return args.FirstOrDefault() switch
{
    "latency" => Harness.Latency(new HarnessArgs(args[1..])),
    "throughput" => Harness.Throughput(new HarnessArgs(args[1..])),
    "memory" => Harness.MemoryPerOrder(new HarnessArgs(args[1..])),
    _ => RunBenchmarkDotNet(args),
};

static int RunBenchmarkDotNet(string[] args)
{
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(WarmBook).Assembly).Run(args);
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
