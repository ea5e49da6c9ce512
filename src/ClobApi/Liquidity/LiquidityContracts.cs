using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity;

/// <summary>What a liquidity source may read and do on the engine: the same command path as users, on the engine thread.</summary>
/// <remarks>
/// Two implementations: <see cref="EngineVenue"/> drives a bare <see cref="MatchingEngine.Engine"/> on a virtual clock
/// (simulations, tests, benchmarks), and <see cref="HostVenue"/> goes through the host's write context, so commands are
/// journaled, published on the feeds and projected like any user's.
/// </remarks>
public interface IMarketVenue
{
    /// <summary>The engine, for read-only queries (books, orders, balances).</summary>
    Engine Engine { get; }

    /// <summary>The timestamp the next command will carry (Unix ms).</summary>
    long NowMs { get; }

    /// <summary>The id an order placed by the next <see cref="Apply"/> must carry (the sequence number of its command).</summary>
    long NextOrderId { get; }

    /// <summary>Stamps the command with the next sequence number and <see cref="NowMs"/>, and applies it.</summary>
    /// <returns>The engine's answer (<see cref="RejectCode.None"/> when accepted); events are in <see cref="Engine.Events"/> until the next command.</returns>
    RejectCode Apply(Command command);
}

/// <summary>A venue over a bare engine whose clock the caller sets: deterministic simulations and tests.</summary>
/// <param name="engine">The engine driven.</param>
public sealed class EngineVenue(Engine engine) : IMarketVenue
{
    private long _now;

    /// <inheritdoc />
    public Engine Engine { get; } = engine;

    /// <inheritdoc />
    public long NowMs => _now;

    /// <inheritdoc />
    public long NextOrderId => Engine.LastSequence + 1;

    /// <summary>Commands applied so far through this venue.</summary>
    public long CommandCount { get; private set; }

    /// <summary>Moves the clock forward (never back).</summary>
    public void SetTime(long nowMs) => _now = Math.Max(_now, nowMs);

    /// <inheritdoc />
    public RejectCode Apply(Command command)
    {
        CommandCount++;
        return Engine.Apply(command with { Sequence = Engine.LastSequence + 1, Timestamp = _now });
    }
}

/// <summary>A venue over the host's write context: commands are journaled, projected and published like users' commands.</summary>
/// <param name="context">The write context of the current engine-thread operation.</param>
public sealed class HostVenue(EngineHost.WriteContext context) : IMarketVenue
{
    /// <inheritdoc />
    public Engine Engine => context.State.Engine;

    /// <inheritdoc />
    public long NowMs => context.Now;

    /// <inheritdoc />
    public long NextOrderId => context.State.Engine.LastSequence + 1;

    /// <inheritdoc />
    public RejectCode Apply(Command command) => context.ApplyForCode(command);
}

/// <summary>Where a market's outside liquidity comes from.</summary>
public enum LiquidityKind : byte
{
    /// <summary>Nothing but users.</summary>
    None = 0,

    /// <summary>Seeded synthetic agents around a hidden fair probability.</summary>
    Synthetic,

    /// <summary>A recorded stream replayed on a virtual clock.</summary>
    Replay,

    /// <summary>The live Polymarket book, mirrored.</summary>
    Mirror,
}

/// <summary>Whether an external book can be traded against.</summary>
public enum BookFreshness : byte
{
    /// <summary>No snapshot seen yet.</summary>
    Empty = 0,

    /// <summary>Rebuilt from a snapshot and every change since.</summary>
    Fresh,

    /// <summary>A gap was detected; no fills against it until the next snapshot.</summary>
    Stale,
}

/// <summary>Kinds of <see cref="ReplayEvent"/>, the canonical stream every recording and the live mirror are normalised into.</summary>
public enum ReplayEventKind : byte
{
    /// <summary>Full book of one token (replaces the levels: <see cref="ReplayEvent.Bids"/> and <see cref="ReplayEvent.Asks"/>).</summary>
    Snapshot = 1,

    /// <summary>One level's new aggregate size (0 removes it).</summary>
    Level,

    /// <summary>A trade print.</summary>
    Trade,

    /// <summary>The tick size changed (<see cref="ReplayEvent.Price"/> = new tick, <see cref="ReplayEvent.Size"/> = old tick, 1e-4 units).</summary>
    TickSize,

    /// <summary>The market resolved (<see cref="ReplayEvent.Outcome"/> = winner).</summary>
    Resolved,

    /// <summary>Data are missing (hour absent, reconnect, disagreeing best prices, crossed book): the book is stale until the next snapshot.</summary>
    Gap,
}

/// <summary>One normalised event of a recording or of the live feed, in YES terms.</summary>
/// <remarks>
/// Prices are YES-token prices in 1e-4 units and sizes micro-shares, whatever token the source reported (a NO bid at q is
/// a YES ask at 1 − q). <see cref="Side"/> is the book side in YES terms for levels (Buy = bid, Sell = ask) and the
/// reported aggressor side, in YES terms, for trades (a hint only: the matcher infers the aggressor from the book).
/// </remarks>
public sealed record ReplayEvent
{
    /// <summary>Source time, Unix nanoseconds.</summary>
    public required long TsNs { get; init; }

    /// <summary>Order of the event in its source (ties at equal <see cref="TsNs"/> keep it).</summary>
    public long Seq { get; init; }

    /// <summary>Polymarket condition id (0x…).</summary>
    public required string ConditionId { get; init; }

    /// <summary>Token id the source reported the event on (YES or NO token).</summary>
    public string TokenId { get; init; } = "";

    /// <summary>What happened.</summary>
    public required ReplayEventKind Kind { get; init; }

    /// <summary>YES-terms side (see remarks).</summary>
    public Side Side { get; init; }

    /// <summary>YES price, 1e-4 units.</summary>
    public int Price { get; init; }

    /// <summary>Micro-shares: new level size, or trade size.</summary>
    public long Size { get; init; }

    /// <summary>Bids of a snapshot, YES terms, best first.</summary>
    public IReadOnlyList<(int Price, long Size)> Bids { get; init; } = [];

    /// <summary>Asks of a snapshot, YES terms, best first.</summary>
    public IReadOnlyList<(int Price, long Size)> Asks { get; init; } = [];

    /// <summary>Winner of a resolution.</summary>
    public Outcome Outcome { get; init; }

    /// <summary>Trade transaction hash (used to drop the same print reported on both tokens).</summary>
    public string? TxHash { get; init; }

    /// <summary>Why a gap was declared.</summary>
    public string? Reason { get; init; }
}

/// <summary>Something that acts on one market over time: synthetic agents, a replay, the mirror.</summary>
/// <remarks>Called on the engine thread only; it must not block, and must not read the wall clock (time comes in as <c>nowMs</c>).</remarks>
public interface ILiquiditySource
{
    /// <summary>The engine market acted on.</summary>
    int MarketId { get; }

    /// <summary>The earliest time (Unix ms, on the clock passed to <see cref="Advance"/>) at which the source wants to act; <see cref="long.MaxValue"/> when idle.</summary>
    long NextWakeMs { get; }

    /// <summary>Does everything due at or before <paramref name="nowMs"/>, in time order, through <paramref name="venue"/>.</summary>
    void Advance(IMarketVenue venue, long nowMs);

    /// <summary>Cancels every order the source has resting (on stop, or before a restart re-creates it).</summary>
    void Withdraw(IMarketVenue venue);
}
