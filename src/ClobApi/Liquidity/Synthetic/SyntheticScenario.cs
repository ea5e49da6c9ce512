using System.Text.Json;
using System.Text.Json.Serialization;

namespace Polysim.ClobApi.Liquidity.Synthetic;

/// <summary>One agent population of a <see cref="SyntheticScenario"/>; the JSON form carries a <c>type</c> discriminator.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(NoiseAgentConfig), "noise")]
[JsonDerivedType(typeof(InformedAgentConfig), "informed")]
[JsonDerivedType(typeof(ZiAgentConfig), "zi")]
[JsonDerivedType(typeof(MarketMakerConfig), "mm")]
public abstract record AgentConfig;

/// <summary>Noise takers: Poisson arrivals, side 50/50, lognormal size, a marketable FAK at the touch ± a few ticks.</summary>
/// <param name="Rate">Arrivals per minute.</param>
/// <param name="SizeMedian">Median size, shares.</param>
/// <param name="SizeSigma">Lognormal σ of the size.</param>
/// <param name="AggressionTicks">How far through the touch the limit goes, ticks.</param>
public sealed record NoiseAgentConfig(double Rate, double SizeMedian = 25, double SizeSigma = 1.0, int AggressionTicks = 2) : AgentConfig;

/// <summary>Informed takers: see the true fair probability and trade when the touch is at least <paramref name="EdgeTicks"/> off it.</summary>
/// <param name="Rate">Arrivals per minute.</param>
/// <param name="EdgeTicks">Edge e, ticks: buy when p − ask ≥ e (limit p − e), sell when bid − p ≥ e (limit p + e).</param>
/// <param name="SizeMedian">Median size, shares.</param>
/// <param name="SizeSigma">Lognormal σ of the size.</param>
public sealed record InformedAgentConfig(double Rate, double EdgeTicks = 2, double SizeMedian = 60, double SizeSigma = 0.5) : AgentConfig;

/// <summary>Background zero-intelligence liquidity: resting orders a random depth behind fair value, cancelled after a random lifetime.</summary>
/// <param name="Rate">Arrivals per minute.</param>
/// <param name="DepthMeanTicks">Mean of the exponential depth G (floored): bids at floor(f) − G, asks at ceil(f) + G.</param>
/// <param name="LifetimeMeanS">Mean exponential lifetime, seconds, after which the order is cancelled.</param>
/// <param name="SizeMedian">Median size, shares.</param>
/// <param name="SizeSigma">Lognormal σ of the size.</param>
public sealed record ZiAgentConfig(double Rate, double DepthMeanTicks = 4, double LifetimeMeanS = 300, double SizeMedian = 40, double SizeSigma = 1.0) : AgentConfig;

/// <summary>House market makers quoting Avellaneda–Stoikov in ticks with inventory skew, a ladder, and a lagged, noisy view of fair value.</summary>
/// <param name="Count">How many (at most two: they use the two reserved house accounts).</param>
/// <param name="HalfTicks">Half-spread h around the reservation price, ticks.</param>
/// <param name="SkewPer100">κ: ticks the reservation price moves per 100 shares of inventory.</param>
/// <param name="Levels">Ladder levels L per side, one tick apart.</param>
/// <param name="Size">Shares S per level.</param>
/// <param name="RefreshS">Mean refresh period R, seconds (each wait is R·U(0.5, 1.5)).</param>
/// <param name="LagS">Observation lag ℓ, seconds.</param>
/// <param name="NoiseTicks">Observation noise ε (standard deviation), ticks.</param>
/// <param name="QMax">Inventory limit, shares: the side that would grow |q| beyond it is not quoted.</param>
public sealed record MarketMakerConfig(
    int Count,
    double HalfTicks,
    double SkewPer100 = 1,
    int Levels = 5,
    double Size = 50,
    double RefreshS = 2,
    double LagS = 1,
    double NoiseTicks = 0.5,
    double QMax = 1500) : AgentConfig;

/// <summary>Everything that defines a synthetic market's flow: fair process, agents, start; serialisable as JSON (research §5's shape).</summary>
/// <remarks>
/// <c>{"name":"typical","seed":1,"tick":100,"p0":0.5,"fair":{"sigmaB":0.12,"lambdaJ":1,"sJ":0.25,"stepS":1},"houseMarketMakers":true,
/// "agents":[{"type":"noise","rate":1,…},{"type":"informed",…},{"type":"zi",…},{"type":"mm","count":2,"halfTicks":1.5,…}]}</c>.
/// <see cref="Tick"/> is only what a harness creates the market with: agents always read the market's current tick.
/// </remarks>
public sealed record SyntheticScenario
{
    /// <summary>Preset or user name.</summary>
    public string Name { get; init; } = "custom";

    /// <summary>Default master seed (a <see cref="SyntheticMarket"/> constructor may override it).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Tick a harness creates the market with, 1e-4 units.</summary>
    public int Tick { get; init; } = 100;

    /// <summary>Starting fair probability.</summary>
    public double P0 { get; init; } = 0.5;

    /// <summary>Informational end date (Unix ms): resolution is left to the operator.</summary>
    public long? EndDate { get; init; }

    /// <summary>The hidden fair-value process.</summary>
    public FairParameters Fair { get; init; } = FairParameters.Demo;

    /// <summary>Whether the house market makers run; off, user market makers compete for the flow alone.</summary>
    public bool HouseMarketMakers { get; init; } = true;

    /// <summary>Agent populations (at most one of each type).</summary>
    public IReadOnlyList<AgentConfig> Agents { get; init; } = [];

    /// <summary>Preset names.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["active", "typical", "thin"];

    /// <summary>Deep and busy: two makers at half 1 tick, λ_Z 20, λ_N 3, λ_I 1 per minute.</summary>
    public static SyntheticScenario Active(FairParameters? fair = null) => Build("active", fair, 20, 3, 1, new MarketMakerConfig(2, 1.0));

    /// <summary>A typical listed market: two makers at half 1.5 ticks, λ_Z 6, λ_N 1, λ_I 0.33 per minute.</summary>
    public static SyntheticScenario Typical(FairParameters? fair = null) => Build("typical", fair, 6, 1, 0.33, new MarketMakerConfig(2, 1.5));

    /// <summary>A thin market: one maker at half 2 ticks and 25 shares a level, λ_Z 3, λ_N 0.5, λ_I 0.2 per minute.</summary>
    public static SyntheticScenario Thin(FairParameters? fair = null) => Build("thin", fair, 3, 0.5, 0.2, new MarketMakerConfig(1, 2.0, Size: 25));

    /// <summary>A preset by name (<c>active</c>, <c>typical</c>, <c>thin</c>) with a fair-process preset (<c>calm</c>, <c>demo</c>).</summary>
    public static SyntheticScenario Preset(string name, string fair = "demo")
    {
        var parameters = FairParameters.FromName(fair);
        return name.ToLowerInvariant() switch
        {
            "active" => Active(parameters),
            "typical" => Typical(parameters),
            "thin" => Thin(parameters),
            _ => throw new ArgumentException($"Unknown synthetic preset '{name}' (active, typical, thin).", nameof(name)),
        };
    }

    /// <summary>The same scenario with the house market makers switched off.</summary>
    public SyntheticScenario WithoutHouseMarketMakers() => this with { HouseMarketMakers = false };

    /// <summary>The scenario as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SyntheticJson.Default.SyntheticScenario);

    /// <summary>Reads a scenario written by <see cref="ToJson"/> (or by hand in the same shape).</summary>
    public static SyntheticScenario FromJson(string json) =>
        JsonSerializer.Deserialize(json, SyntheticJson.Default.SyntheticScenario)
        ?? throw new JsonException("A synthetic scenario cannot be null.");

    /// <summary>The first agent configuration of a type, or null.</summary>
    public T? Agent<T>()
        where T : AgentConfig
    {
        foreach (var agent in Agents)
        {
            if (agent is T typed)
            {
                return typed;
            }
        }

        return null;
    }

    private static SyntheticScenario Build(string name, FairParameters? fair, double zi, double noise, double informed, MarketMakerConfig mm) => new()
    {
        Name = name,
        Fair = fair ?? FairParameters.Demo,
        Agents = [new NoiseAgentConfig(noise), new InformedAgentConfig(informed), new ZiAgentConfig(zi), mm],
    };
}

/// <summary>Source-generated JSON for synthetic scenarios (camelCase, the agent list polymorphic on <c>type</c>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    AllowOutOfOrderMetadataProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SyntheticScenario))]
public sealed partial class SyntheticJson : JsonSerializerContext;
