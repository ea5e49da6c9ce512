using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.ClobApi.Liquidity.Synthetic;

namespace Polysim.ClobApi.Liquidity.Hosting;

/// <summary>Builds the source a market's configuration asks for; the seam between the host and the concrete sources.</summary>
public interface ILiquiditySourceFactory
{
    /// <summary>Refuses, in the /v1 error contract, a configuration this build cannot run on <paramref name="market"/>; changes nothing.</summary>
    void Validate(LiquidityConfigured config, MarketListed market, HostState state);

    /// <summary>Creates the source (on the engine thread; it may open the system accounts it trades for through <paramref name="venue"/>).</summary>
    /// <param name="config">A configuration <see cref="Validate"/> accepted.</param>
    /// <param name="seed">The seed of this run, derived from the configured seed and the engine sequence.</param>
    /// <param name="market">The market.</param>
    /// <param name="venue">Where the source will act.</param>
    ILiquiditySource Create(LiquidityConfigured config, long seed, MarketListed market, IMarketVenue venue);
}

/// <summary>The sources of this build: synthetic flow; replay and the live mirror where their parts are present.</summary>
public sealed class LiquiditySourceFactory : ILiquiditySourceFactory
{
    /// <inheritdoc />
    public void Validate(LiquidityConfigured config, MarketListed market, HostState state)
    {
        switch (config.Kind)
        {
            case LiquidityKind.None:
                return;
            case LiquidityKind.Synthetic:
                if (!LiquidityOptions.Presets.Contains(config.Preset) || !LiquidityOptions.FairProcesses.Contains(config.Fair))
                {
                    throw ApiException.Validation($"Unknown synthetic preset '{config.Preset}' or fair process '{config.Fair}'.", "preset");
                }

                return;
            case LiquidityKind.Replay:
                throw NotInBuild("replay");
            default:
                throw new ApiException(400, "INVALID_LIQUIDITY", "The live mirror is switched on through the Polysim:Mirror settings at start, not per market.");
        }
    }

    /// <inheritdoc />
    public ILiquiditySource Create(LiquidityConfigured config, long seed, MarketListed market, IMarketVenue venue)
    {
        if (config.Kind != LiquidityKind.Synthetic)
        {
            throw new InvalidOperationException($"No {config.Kind} source in this build.");
        }

        var scenario = SyntheticScenario.Preset(config.Preset, config.Fair) with { P0 = StartProbability(config, venue.Engine.GetMarket(market.MarketId)) };
        if (!config.HouseMarketMakers)
        {
            scenario = scenario.WithoutHouseMarketMakers();
        }

        SyntheticMarket.EnsureAccounts(venue);
        return new SyntheticMarket(market.MarketId, scenario, (ulong)seed);
    }

    /// <summary>Where the hidden fair value starts: the last trade (a restart continues from the market as it is), else the
    /// configured start price, else 0.5; kept off the edges so the first quotes fit the tick grid.</summary>
    internal static double StartProbability(LiquidityConfigured config, MatchingEngine.MarketInfo? market)
    {
        var price = market is { LastTradePrice: > 0 and < MatchingEngine.Units.PriceScale } m ? m.LastTradePrice
            : config.StartPrice ?? (MatchingEngine.Units.PriceScale / 2);
        return Math.Clamp(price / (double)MatchingEngine.Units.PriceScale, 0.02, 0.98);
    }

    private static ApiException NotInBuild(string what) =>
        new(501, "NOT_IMPLEMENTED", $"{what} is not available in this build.");
}
