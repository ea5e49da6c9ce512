using Polysim.ClobApi.Hosting;

namespace Polysim.ClobApi.Liquidity.Hosting;

/// <summary>The operator (or the demo seed) set what drives one market's outside liquidity.</summary>
/// <remarks>Journaled, so the choice survives a restart and a kill -9; the source itself is re-created from it at start.</remarks>
/// <param name="MarketId">Engine market id.</param>
/// <param name="Kind">None (users only), Synthetic, Replay or Mirror.</param>
/// <param name="Preset">Synthetic preset: active, typical or thin.</param>
/// <param name="Fair">Synthetic fair-value process: calm or demo.</param>
/// <param name="Seed">Configured seed; the running source's seed is derived from it and the engine sequence at creation.</param>
/// <param name="HouseMarketMakers">Whether the synthetic house market makers quote.</param>
/// <param name="QueueModel">Queue-position model against external liquidity (replay, mirror), or null for the default.</param>
/// <param name="Policy">External-fill policy (replay, mirror), or null for the default.</param>
/// <param name="RecordingPath">Replay: the recording, relative to the data directory.</param>
/// <param name="RecordingFormat">Replay: pmxt-v1, pmxt-v2, ws-capture or data-api-trades.</param>
/// <param name="ChangedAtMs">When the choice was made, Unix ms (host clock).</param>
/// <param name="StartPrice">Synthetic: YES probability (1e-4 units) the fair value starts at when the market has no trade to start from; null for 0.5.</param>
/// <param name="SourceConditionId">Replay: the recorded market's condition id.</param>
/// <param name="SourceYesTokenId">Replay: the recorded market's YES token id (needed by PMXT v2 hours and captures).</param>
/// <param name="SourceNoTokenId">Replay: the recorded market's NO token id (captures).</param>
public sealed record LiquidityConfigured(
    int MarketId,
    LiquidityKind Kind,
    string Preset,
    string Fair,
    long Seed,
    bool HouseMarketMakers,
    string? QueueModel,
    string? Policy,
    string? RecordingPath,
    string? RecordingFormat,
    long ChangedAtMs,
    int? StartPrice = null,
    string? SourceConditionId = null,
    string? SourceYesTokenId = null,
    string? SourceNoTokenId = null) : HostRecord;

/// <summary>Each market's configured liquidity source, by engine market id (journaled state, rebuilt by replay).</summary>
public sealed class LiquidityDirectory
{
    private readonly SortedDictionary<int, LiquidityConfigured> _byMarket = [];

    /// <summary>Configured markets in market-id order (markets never configured run nothing).</summary>
    public IEnumerable<LiquidityConfigured> All => _byMarket.Values;

    /// <summary>A market's configuration, or null when none was ever set.</summary>
    public LiquidityConfigured? Of(int marketId) => _byMarket.GetValueOrDefault(marketId);

    internal void Apply(LiquidityConfigured record) => _byMarket[record.MarketId] = record;
}
