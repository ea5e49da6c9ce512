using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

using Polysim.Benchmarks.Shared;

namespace Polysim.MatchingEngine.Benchmarks;

/// <summary>Benchmarks that keep the book steady by themselves: BDN picks the invocation count; 3 warm-up and 10 measured iterations.</summary>
public sealed class SteadyConfig : ManualConfig
{
    public SteadyConfig()
    {
        AddJob(BenchJob.Base.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("Steady"));
    }
}

/// <summary>
/// Benchmarks that rebuild their input in [IterationSetup]: BDN then runs one invocation per iteration, so each
/// invocation is a batch (OperationsPerInvoke) and there are many short iterations: 5 warm-up, 40 measured.
/// </summary>
public sealed class BatchConfig : ManualConfig
{
    public BatchConfig()
    {
        AddJob(BenchJob.Base.WithLaunchCount(1).WithInvocationCount(1).WithUnrollFactor(1).WithWarmupCount(5).WithIterationCount(40).WithGcForce(false).WithId("Batch"));
    }
}

/// <summary>The mixed-flow replay: each iteration rebuilds the engine (unmeasured) and replays the whole flow once; 3 warm-up, 10 measured.</summary>
public sealed class ReplayConfig : ManualConfig
{
    public ReplayConfig()
    {
        AddJob(BenchJob.Base.WithLaunchCount(1).WithInvocationCount(1).WithUnrollFactor(1).WithWarmupCount(3).WithIterationCount(10).WithId("Replay"));
    }
}
