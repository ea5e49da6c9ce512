using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains;
using BenchmarkDotNet.Toolchains.CsProj;
using BenchmarkDotNet.Toolchains.DotNetCli;

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

/// <summary>The out-of-process .NET 10 job every suite starts from.</summary>
/// <remarks>
/// BDN's own toolchain looks for a project file named after the assembly (Polysim.MatchingEngine.Benchmarks.csproj);
/// ours is MatchingEngine.Benchmarks.csproj, so the generator is pointed at it explicitly.
/// </remarks>
internal static class BenchJob
{
    // BDN's own CsProjCoreToolchain passes these settings' nulls (default CLI, packages, runtime) the same way.
    private static readonly NetCoreAppSettings Settings = NetCoreAppSettings.NetCoreApp10_0;

    public static Job Base { get; } = Job.Default.WithToolchain(new Toolchain(
        "net10.0 (csproj)",
        new ProjectGenerator(),
        new DotNetCliBuilder(Settings.TargetFrameworkMoniker, Settings.CustomDotNetCliPath),
        new DotNetCliExecutor(Settings.CustomDotNetCliPath!)));

    private sealed class ProjectGenerator : CsProjGenerator
    {
        public ProjectGenerator()
            : base(Settings.TargetFrameworkMoniker, Settings.CustomDotNetCliPath!, Settings.PackagesPath!, Settings.RuntimeFrameworkVersion!, isNetCore: true)
        {
        }

        protected override FileInfo GetProjectFilePath(Type benchmarkTarget, ILogger logger)
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var project = new FileInfo(Path.Combine(dir.FullName, "MatchingEngine.Benchmarks.csproj"));
                if (project.Exists)
                {
                    return project;
                }
            }

            return base.GetProjectFilePath(benchmarkTarget, logger);
        }
    }
}
