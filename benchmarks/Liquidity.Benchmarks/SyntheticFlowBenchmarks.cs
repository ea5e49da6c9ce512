using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Polysim.Benchmarks.Shared;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Synthetic;
using Polysim.MatchingEngine;

namespace Polysim.Liquidity.Benchmarks;

/// <summary>
/// One virtual hour of a `typical` synthetic market (seed 1), stepped wake by wake as fast as possible. <c>Bare</c> is the
/// source and the engine alone; <c>Harness</c> is <see cref="SyntheticRun"/> with the SHA-256 of the event log and the
/// per-second book samples. Each invocation builds a fresh engine (included: a few hundred microseconds).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(VirtualHourConfig))]
public class SyntheticFlowBenchmarks
{
    private const long Hour = 3_600_000;

    [Benchmark(Baseline = true)]
    public long Bare()
    {
        var engine = new Engine();
        var venue = new EngineVenue(engine);
        venue.Apply(Command.CreateMarket(0, 0, 1, new MarketParameters(100)));
        SyntheticMarket.EnsureAccounts(venue);
        var source = new SyntheticMarket(1, SyntheticScenario.Typical(), 1);
        source.Start(0);
        while (source.NextWakeMs <= Hour)
        {
            var t = source.NextWakeMs;
            venue.SetTime(t);
            source.Advance(venue, t);
        }

        return venue.CommandCount;
    }

    [Benchmark]
    public long Harness() => SyntheticRun.Run(new SyntheticRunOptions { Scenario = SyntheticScenario.Typical(), Seed = 1, DurationMs = Hour }).Commands;
}

/// <summary>One launch, 2 warm-up and 8 measured iterations of one invocation each (an invocation is a whole virtual hour).</summary>
/// <remarks>The build timeout is raised from BDN's 2 minutes: the generated project rebuilds the server assembly, which takes
/// longer than that on a busy 2-core machine.</remarks>
public sealed class VirtualHourConfig : ManualConfig
{
    public VirtualHourConfig()
    {
        BuildTimeout = TimeSpan.FromMinutes(15);
        AddJob(BenchJob.Base.WithLaunchCount(1).WithInvocationCount(1).WithUnrollFactor(1).WithWarmupCount(2).WithIterationCount(8).WithId("VirtualHour"));
        AddColumn(new VirtualSecondsPerWallSecond());
    }
}

/// <summary>3600 virtual seconds divided by the mean wall time of one invocation.</summary>
public sealed class VirtualSecondsPerWallSecond : IColumn
{
    public string Id => nameof(VirtualSecondsPerWallSecond);

    public string ColumnName => "Virtual s / wall s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Virtual seconds simulated per wall-clock second (3600 / mean)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        return report?.ResultStatistics is { } stats ? (3600.0 / (stats.Mean / 1e9)).ToString("N0", style.CultureInfo) : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
