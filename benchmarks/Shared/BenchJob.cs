using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains;
using BenchmarkDotNet.Toolchains.CsProj;
using BenchmarkDotNet.Toolchains.DotNetCli;

namespace Polysim.Benchmarks.Shared;

/// <summary>The out-of-process .NET 10 job every benchmark suite starts from, built from the suite's own project file.</summary>
/// <remarks>
/// BDN's own toolchain looks for a project file named after the assembly (Polysim.X.Benchmarks.csproj); ours drop the
/// "Polysim." prefix (X.Benchmarks.csproj), so the generator is pointed at it explicitly. Linked into each suite.
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
            var assembly = benchmarkTarget.Assembly.GetName().Name ?? "";
            var fileName = (assembly.StartsWith("Polysim.", StringComparison.Ordinal) ? assembly["Polysim.".Length..] : assembly) + ".csproj";
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var project = new FileInfo(Path.Combine(dir.FullName, fileName));
                if (project.Exists)
                {
                    return project;
                }
            }

            return base.GetProjectFilePath(benchmarkTarget, logger);
        }
    }
}
