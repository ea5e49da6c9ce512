using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.External;

/// <summary>Where internal orders stand relative to displayed external size at the same price (research §4.6).</summary>
public enum ExternalFillPolicy : byte
{
    /// <summary>The queue model decides how far internal orders advance when external size leaves the level.</summary>
    Estimated = 0,

    /// <summary>External size ahead stays ahead until it trades or the level shrinks below it (risk-averse; pessimistic for users).</summary>
    ExternalFirst,

    /// <summary>Internal orders jump the external queue (optimistic, PolySimulator-like).</summary>
    InternalFirst,
}

/// <summary>Settings of <see cref="ExternalLiquidity"/>.</summary>
public sealed record ExternalLiquidityOptions
{
    /// <summary>Queue model of the <see cref="ExternalFillPolicy.Estimated"/> policy (default Power(2)).</summary>
    public QueueModel QueueModel { get; init; } = QueueModel.Power(2);

    /// <summary>Queue policy (default <see cref="ExternalFillPolicy.Estimated"/>).</summary>
    public ExternalFillPolicy Policy { get; init; } = ExternalFillPolicy.Estimated;

    /// <summary>How consumption is forgotten (default <see cref="ConsumptionLedgerMode.Sticky"/>).</summary>
    public ConsumptionLedgerMode Ledger { get; init; } = ConsumptionLedgerMode.Sticky;

    /// <summary>After this long without new consumption at a level, the consumed size is displayed again (default 30 s; zero = never).</summary>
    public TimeSpan ConsumptionTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How far apart a print and the depth decrease that reflects it may be (default 0: the same instant; 1 s suits Data-API prints).</summary>
    public TimeSpan PairingWindow { get; init; } = TimeSpan.Zero;

    /// <summary>Micro-USDC the external participant keeps available (topped up when it falls below half; default 10 M USDC).</summary>
    public long Funding { get; init; } = 10_000_000 * Units.AmountScale;
}

/// <summary>What the external participant has done so far; shares are micro-shares.</summary>
/// <param name="ShadowFills">External orders found (partly) taken by internal takers.</param>
/// <param name="ShadowShares">Size internal takers took from external orders.</param>
/// <param name="PrintFills">Trades of internal makers filled by external prints.</param>
/// <param name="PrintShares">Size of those trades.</param>
/// <param name="CrossingFills">Trades of internal makers filled because the external book moved through them.</param>
/// <param name="CrossingShares">Size of those trades.</param>
/// <param name="QueueAdvances">Times external size was removed from in front of at least one internal order.</param>
/// <param name="QueueAdvanceShares">External size so removed.</param>
/// <param name="DuplicatePrints">Prints dropped as already seen (same transaction hash, price and size).</param>
/// <param name="IgnoredWhileStale">Level and trade events dropped because the book was stale or empty.</param>
/// <param name="Gaps">Times the book became stale (gap events, crossed updates or snapshots).</param>
/// <param name="PrintFillsSkipped">Print fills not made because the engine refused them (a marketable BUY under $1).</param>
public readonly record struct ExternalFillCounters(
    long ShadowFills,
    long ShadowShares,
    long PrintFills,
    long PrintShares,
    long CrossingFills,
    long CrossingShares,
    long QueueAdvances,
    long QueueAdvanceShares,
    long DuplicatePrints,
    long IgnoredWhileStale,
    long Gaps,
    long PrintFillsSkipped);
