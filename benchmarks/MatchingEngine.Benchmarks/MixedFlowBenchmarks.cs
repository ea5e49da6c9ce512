using BenchmarkDotNet.Attributes;

namespace Polysim.MatchingEngine.Benchmarks;

/// <summary>
/// Replays a pre-generated mixed flow (≈70 % place, 25 % cancel, 5 % marketable; 8 markets; ≈1,000 resting
/// orders per book; NORMAL, MINT and MERGE all present) and reports the mean per command. Each iteration
/// rebuilds the engine from the flow's setup prefix in [IterationSetup] (not measured) and replays the same
/// 400,000 commands; [IterationCleanup] checks the final state hash against the generator's dry run.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ReplayConfig))]
public class MixedFlowBenchmarks
{
    public const int FlowCommands = 400_000;

    private Flow _flow = null!;
    private Engine _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        _flow = FlowGenerator.Generate(new FlowOptions { Commands = FlowCommands });
        MixedFlowChecks.AssertMix(_flow);
        Console.WriteLine("// flow: " + _flow.Stats.Describe(FlowCommands).ReplaceLineEndings(Environment.NewLine + "//"));
    }

    [IterationSetup]
    public void RebuildEngine()
    {
        _engine = _flow.NewEngineAfterSetup();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [IterationCleanup]
    public void CheckState() =>
        SteadyBenchmarks.Expect(_engine.ComputeStateHash() == _flow.ExpectedHash, "replayed state differs from the generator's dry run");

    [Benchmark(Description = "mixed flow replay, per command", OperationsPerInvoke = FlowCommands)]
    public long Replay()
    {
        var engine = _engine;
        var commands = _flow.Commands;
        long rejected = 0;
        for (var i = 0; i < commands.Length; i++)
        {
            if (engine.Apply(in commands[i]) != RejectCode.None)
            {
                rejected++;
            }
        }

        return rejected;
    }
}

/// <summary>The mix a benchmark flow must have; checked on the generator's dry run before anything is measured.</summary>
public static class MixedFlowChecks
{
    public static void AssertMix(Flow flow)
    {
        var s = flow.Stats;
        var n = (double)flow.Commands.Length;
        Require(s.TradesByMatchType[(int)MatchType.Normal] > 0, "no NORMAL trade in the flow");
        Require(s.TradesByMatchType[(int)MatchType.Mint] > 0, "no MINT trade in the flow");
        Require(s.TradesByMatchType[(int)MatchType.Merge] > 0, "no MERGE trade in the flow");
        Require(s.Rejects == 0, $"{s.Rejects} commands of the flow were rejected");
        Require(Math.Abs((s.Places / n) - 0.70) < 0.02, $"place share {s.Places / n:P1}, expected ≈70 %");
        Require(Math.Abs((s.Cancels / n) - 0.25) < 0.02, $"cancel share {s.Cancels / n:P1}, expected ≈25 %");
        Require(Math.Abs((s.Marketable / n) - 0.05) < 0.01, $"marketable share {s.Marketable / n:P1}, expected ≈5 %");
        var perBook = flow.Options.OrdersPerBook;
        Require(s.MeanRestingPerBook > 0.8 * perBook && s.MeanRestingPerBook < 1.2 * perBook, $"mean resting per book {s.MeanRestingPerBook:F0}, expected ≈{perBook}");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("flow check failed: " + message);
        }
    }
}
