namespace Polysim.ClobApi.Liquidity.Synthetic;

/// <summary>The project's own random stream: xoshiro256** seeded through SplitMix64, with the draws the synthetic flow needs.</summary>
/// <remarks>
/// <see cref="System.Random"/> is not used because its sequence for a given seed belongs to the runtime and has changed
/// between runtimes. The integer sequence here is fixed by the algorithm; the floating-point draws (normal, exponential,
/// lognormal) go through Math.Log, Math.Exp, Math.Sqrt and Math.Cos,
/// so they repeat bit for bit on the same runtime and platform, which is what the determinism tests check.
/// </remarks>
public sealed class Prng
{
    private const double TwoPi = 2 * Math.PI;
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>Creates a stream whose 256-bit state is four SplitMix64 outputs of <paramref name="seed"/>.</summary>
    public Prng(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
    }

    /// <summary>A stream with the given raw xoshiro256** state (reference-vector tests).</summary>
    internal static Prng FromState(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        var rng = new Prng(0);
        rng._s0 = s0;
        rng._s1 = s1;
        rng._s2 = s2;
        rng._s3 = s3;
        return rng;
    }

    /// <summary>The stream of one stable id under a master seed (the fair process, one agent, ...).</summary>
    /// <remarks>The id is mixed before it meets the seed, so neighbouring ids and neighbouring seeds give unrelated streams.</remarks>
    public static Prng ForStream(ulong masterSeed, ulong streamId)
    {
        var s = streamId ^ 0x5851F42D4C957F2DUL;
        var mixedId = SplitMix64(ref s);
        return new Prng(masterSeed ^ mixedId);
    }

    /// <summary>One SplitMix64 step: advances <paramref name="state"/> and returns its mixed output.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits (xoshiro256**).</summary>
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform on [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double Uniform(double low, double high) => low + ((high - low) * NextDouble());

    /// <summary>True with probability one half.</summary>
    public bool NextBool() => (NextUInt64() >> 63) != 0;

    /// <summary>Standard normal (Box–Muller, one value per two uniforms: no cached second value, so the state is just the four words).</summary>
    public double Normal()
    {
        var u1 = 1.0 - NextDouble(); // (0, 1]: the logarithm stays finite
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(TwoPi * u2);
    }

    /// <summary>Exponential with the given mean.</summary>
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>Lognormal with the given median: <c>median · e^(sigma·Z)</c>.</summary>
    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());

    /// <summary>Poisson with the given mean (Knuth's product of uniforms, in chunks of mean 16 so the product never underflows).</summary>
    public int Poisson(double mean)
    {
        var count = 0;
        while (mean > 0)
        {
            var chunk = Math.Min(mean, 16.0);
            mean -= chunk;
            var limit = Math.Exp(-chunk);
            var product = NextDouble();
            while (product > limit)
            {
                count++;
                product *= NextDouble();
            }
        }

        return count;
    }
}
