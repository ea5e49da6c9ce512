using System.Text.Json.Serialization;

namespace Polysim.ClobApi.Liquidity.Synthetic;

/// <summary>Parameters of the hidden fair probability: a logit jump-diffusion (research §1.2).</summary>
/// <param name="SigmaB">Diffusion volatility of the logit, per √hour.</param>
/// <param name="LambdaJ">Jump rate, per hour.</param>
/// <param name="SJ">Standard deviation of one jump of the logit.</param>
/// <param name="StepS">Euler step, seconds.</param>
public sealed record FairParameters(double SigmaB, double LambdaJ, [property: JsonPropertyName("sJ")] double SJ = 0.25, double StepS = 1.0)
{
    /// <summary>Slow drift, rare news: σ_b = 0.06/√h, λ_J = 0.25/h.</summary>
    public static FairParameters Calm { get; } = new(0.06, 0.25);

    /// <summary>Visible movement for a demo: σ_b = 0.12/√h, λ_J = 1/h.</summary>
    public static FairParameters Demo { get; } = new(0.12, 1.0);

    /// <summary>A preset by name (<c>calm</c> or <c>demo</c>).</summary>
    public static FairParameters FromName(string name) => name.ToLowerInvariant() switch
    {
        "calm" => Calm,
        "demo" => Demo,
        _ => throw new ArgumentException($"Unknown fair-process preset '{name}' (calm, demo).", nameof(name)),
    };
}

/// <summary>The hidden fair probability p = S(x) of one market, x = logit p, stepped on a fixed grid with its own random stream.</summary>
/// <remarks>
/// Euler step of Δ hours: <c>x ← x + μ(x)·Δ + σ_b·√Δ·Z + Σ J_j</c>, N ~ Poisson(λ_J·Δ) jumps J ~ N(0, s_J²). The drift is the
/// exact martingale drift <c>μ = −[½·S''·σ_b² + λ_J·(E[S(x+J)] − p)] / S'</c>, the expectation by 8-node Gauss–Hermite
/// quadrature, so p has no pull towards 0.5 (a bare logit random walk has one). x is never clamped.
/// </remarks>
public sealed class FairProcess
{
    // Physicists' Gauss–Hermite nodes and weights for n = 8 (∫ e^(−t²) f(t) dt ≈ Σ w f(t)); the weights sum to √π.
    private static readonly double[] Nodes =
    [
        -2.930637420257244, -1.981656756695843, -1.157193712446780, -0.381186990207322,
        0.381186990207322, 1.157193712446780, 1.981656756695843, 2.930637420257244,
    ];

    private static readonly double[] Weights =
    [
        0.000199604072211368, 0.0170779830074134, 0.207802325814892, 0.661147012558241,
        0.661147012558241, 0.207802325814892, 0.0170779830074134, 0.000199604072211368,
    ];

    private static readonly double InvSqrtPi = 1.0 / Math.Sqrt(Math.PI);

    private readonly FairParameters _parameters;
    private readonly Prng _rng;
    private readonly double _stepHours;
    private readonly double _sqrtStep;

    /// <summary>Starts the process at probability <paramref name="p0"/> (in (0, 1)).</summary>
    public FairProcess(FairParameters parameters, double p0, Prng rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(p0, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p0, 1.0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(parameters.StepS, 0.0);
        _parameters = parameters;
        _rng = rng;
        _stepHours = parameters.StepS / 3600.0;
        _sqrtStep = Math.Sqrt(_stepHours);
        X = Math.Log(p0 / (1 - p0));
    }

    /// <summary>The logit of the fair probability.</summary>
    public double X { get; private set; }

    /// <summary>The fair probability.</summary>
    public double P => Sigmoid(X);

    /// <summary>Steps taken.</summary>
    public long Steps { get; private set; }

    /// <summary>Jumps drawn so far.</summary>
    public long Jumps { get; private set; }

    /// <summary>The logistic function 1 / (1 + e^−x).</summary>
    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>The drift of x that makes p a martingale (per hour), at logit <paramref name="x"/>.</summary>
    public static double MartingaleDrift(double x, FairParameters parameters)
    {
        var p = Sigmoid(x);
        var s1 = p * (1 - p);
        if (s1 < 1e-15)
        {
            // Far in a tail both the correction and S' vanish; no drift beats dividing two underflows.
            return 0;
        }

        var s2 = s1 * (1 - (2 * p));
        var jumpTerm = 0.0;
        if (parameters.LambdaJ > 0 && parameters.SJ > 0)
        {
            var expected = 0.0;
            var scale = Math.Sqrt(2.0) * parameters.SJ;
            for (var i = 0; i < Nodes.Length; i++)
            {
                expected += Weights[i] * Sigmoid(x + (scale * Nodes[i]));
            }

            jumpTerm = parameters.LambdaJ * ((expected * InvSqrtPi) - p);
        }

        return -((0.5 * s2 * parameters.SigmaB * parameters.SigmaB) + jumpTerm) / s1;
    }

    /// <summary>One Euler step of <see cref="FairParameters.StepS"/> seconds.</summary>
    public void Step()
    {
        var x = X;
        var next = x + (MartingaleDrift(x, _parameters) * _stepHours) + (_parameters.SigmaB * _sqrtStep * _rng.Normal());
        if (_parameters.LambdaJ > 0)
        {
            var jumps = _rng.Poisson(_parameters.LambdaJ * _stepHours);
            for (var j = 0; j < jumps; j++)
            {
                next += _parameters.SJ * _rng.Normal();
            }

            Jumps += jumps;
        }

        X = next;
        Steps++;
    }
}
