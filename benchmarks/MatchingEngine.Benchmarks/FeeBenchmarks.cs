using BenchmarkDotNet.Attributes;

namespace Polysim.MatchingEngine.Benchmarks;

/// <summary>
/// The taker-fee formula alone (<c>Engine.TakerFee</c>, called once per fill in a fee-paying market), per fee
/// curve exponent: 0 (flat), 1 (√(p(1−p)), integer square root on UInt128), 2 (p(1−p)), 4 ((p(1−p))²).
/// A diagnostic for the fill path, not a target of its own. One operation = one fee computation.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SteadyConfig))]
public class FeeBenchmarks
{
    private const int Inputs = 256;
    private readonly long[] _sizes = new long[Inputs];
    private readonly int[] _prices = new int[Inputs];
    private MarketParameters _parameters;

    [Params(0, 1, 2, 4)]
    public int ExponentHalves { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _parameters = new MarketParameters(100, TakerFeeRate: 200, TakerFeeExponentHalves: ExponentHalves);
        var rng = new Random(17);
        for (var i = 0; i < Inputs; i++)
        {
            _sizes[i] = rng.Next(5, 500) * Units.AmountScale;
            _prices[i] = rng.Next(1, 100) * 100;
        }
    }

    [Benchmark(Description = "taker fee, one fill (BUY: in shares)", OperationsPerInvoke = Inputs)]
    public long TakerFee()
    {
        long sum = 0;
        for (var i = 0; i < Inputs; i++)
        {
            sum += Engine.TakerFee(_parameters, _sizes[i], _prices[i], inShares: true);
        }

        return sum;
    }
}
