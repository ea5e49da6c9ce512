namespace Polysim.MatchingEngine;

/// <summary>What an <see cref="EngineEvent"/> reports.</summary>
public enum EventKind : byte
{
    /// <summary>An account was opened.</summary>
    AccountRegistered = 1,

    /// <summary>An order passed validation and risk checks (fields: order, account, market, outcome, side, price, size).</summary>
    OrderAccepted,

    /// <summary>The command was refused (fields: code; order id and account when it was an order command).</summary>
    Rejected,

    /// <summary>An order's remainder joined the book (fields: order, remaining; <see cref="EngineEvent.Price"/> is its own-token price).</summary>
    OrderRested,

    /// <summary>One order took part in a trade (fields: order, size, remaining) — emitted for the taker and the maker.</summary>
    OrderFilled,

    /// <summary>One taker met one maker (see the Taker*/Maker* accessors).</summary>
    Trade,

    /// <summary>An order left the book or its remainder was dropped (fields: order, remaining, reason).</summary>
    OrderCancelled,

    /// <summary>A GTD order reached its expiration (fields: order, remaining).</summary>
    OrderExpired,

    /// <summary>Aggregate size at one price of one token's book changed (fields: market, outcome, side, price, size).</summary>
    /// <remarks>Emitted twice per change: once for the YES view, once for the mirrored NO view.</remarks>
    BookLevelChanged,

    /// <summary>An account's USDC changed (fields: account, amount = available, other amount = reserved).</summary>
    BalanceChanged,

    /// <summary>An account's shares of one token changed (fields: account, market, outcome, amount = available, other amount = reserved).</summary>
    PositionChanged,

    /// <summary>A market was created (fields: market, price = tick, size = minimum size).</summary>
    MarketCreated,

    /// <summary>A market opened or closed (fields: market, status).</summary>
    MarketStatusChanged,

    /// <summary>A market resolved (fields: market, outcome = winner, amount = total paid out).</summary>
    MarketResolved,

    /// <summary>A market's tick changed (fields: market, other price = old tick, price = new tick).</summary>
    TickSizeChanged,

    /// <summary>A resting order's remaining size was lowered in place (fields: order, account, market, outcome, side, price, remaining, size = shares removed).</summary>
    OrderReduced,
}

/// <summary>One output of the engine; a flat value whose meaningful fields depend on <see cref="Kind"/>.</summary>
/// <remarks>Flat so that the engine can write events into a reused buffer without allocating.</remarks>
public struct EngineEvent
{
    /// <summary>What happened.</summary>
    public EventKind Kind;

    /// <summary>Sequence number of the command that caused it.</summary>
    public long Sequence;

    /// <summary>Timestamp of the command that caused it (Unix ms).</summary>
    public long Timestamp;

    /// <summary>The order concerned (the taker's on a trade).</summary>
    public long OrderId;

    /// <summary>The maker's order on a trade.</summary>
    public long OtherOrderId;

    /// <summary>Engine-wide trade number on a trade.</summary>
    public long TradeId;

    /// <summary>The account concerned (the taker's on a trade).</summary>
    public int Account;

    /// <summary>The maker's account on a trade.</summary>
    public int OtherAccount;

    /// <summary>The market concerned.</summary>
    public int Market;

    /// <summary>Own-token price of the order or level (the taker's trade price on a trade; the new tick on a tick change).</summary>
    public int Price;

    /// <summary>The maker's own-token price on a trade; the old tick on a tick change.</summary>
    public int OtherPrice;

    /// <summary>Shares (micro): order size, fill size, level size.</summary>
    public long Size;

    /// <summary>Shares (micro) still open on the order (the taker's on a trade).</summary>
    public long Remaining;

    /// <summary>Shares (micro) still open on the maker's order on a trade.</summary>
    public long OtherRemaining;

    /// <summary>Taker fee on a trade: micro-shares when <see cref="FeeInShares"/>, else micro-USDC.</summary>
    public long Fee;

    /// <summary>Micro-USDC: the taker's cash paid (BUY) or received (SELL) on a trade; available USDC or shares on balance and position events.</summary>
    public long Amount;

    /// <summary>Micro-USDC: the maker's cash paid or received on a trade; reserved USDC or shares on balance and position events.</summary>
    public long OtherAmount;

    /// <summary>Token of the order, level or position (the taker's on a trade; the winner on resolution).</summary>
    public Outcome Outcome;

    /// <summary>The maker's token on a trade.</summary>
    public Outcome OtherOutcome;

    /// <summary>Side of the order or level (the taker's on a trade).</summary>
    public Side Side;

    /// <summary>The maker's side on a trade.</summary>
    public Side OtherSide;

    /// <summary>Time in force of an accepted order.</summary>
    public TimeInForce TimeInForce;

    /// <summary>Match type of a trade.</summary>
    public MatchType MatchType;

    /// <summary>Why a command was rejected.</summary>
    public RejectCode Code;

    /// <summary>Why an order was cancelled.</summary>
    public CancelReason Reason;

    /// <summary>New status of a market status event.</summary>
    public MarketStatus Status;

    /// <summary>Whether <see cref="Fee"/> is in shares (a BUY taker) rather than USDC (a SELL taker).</summary>
    public bool FeeInShares;

    /// <summary>On a trade: the taker's order.</summary>
    public readonly long TakerOrderId => OrderId;

    /// <summary>On a trade: the maker's order.</summary>
    public readonly long MakerOrderId => OtherOrderId;

    /// <summary>On a trade: the taker's account.</summary>
    public readonly int TakerAccount => Account;

    /// <summary>On a trade: the maker's account.</summary>
    public readonly int MakerAccount => OtherAccount;

    /// <summary>On a trade: the taker's own-token price.</summary>
    public readonly int TakerPrice => Price;

    /// <summary>On a trade: the maker's own-token price (its limit).</summary>
    public readonly int MakerPrice => OtherPrice;

    /// <inheritdoc />
    public override readonly string ToString() => Kind switch
    {
        EventKind.Trade =>
            $"#{Sequence} Trade {TradeId} {MatchType} taker {OrderId}/{Account} {Side} {Outcome}@{Price} maker {OtherOrderId}/{OtherAccount} {OtherSide} {OtherOutcome}@{OtherPrice} size {Size} fee {Fee}{(FeeInShares ? "sh" : "usdc")} cash {Amount}/{OtherAmount}",
        EventKind.Rejected => $"#{Sequence} Rejected {Code} order {OrderId} account {Account}",
        EventKind.BookLevelChanged => $"#{Sequence} Level m{Market} {Outcome} {Side} @{Price} = {Size}",
        EventKind.BalanceChanged => $"#{Sequence} Balance a{Account} avail {Amount} reserved {OtherAmount}",
        EventKind.PositionChanged => $"#{Sequence} Position a{Account} m{Market} {Outcome} avail {Amount} reserved {OtherAmount}",
        EventKind.OrderCancelled => $"#{Sequence} Cancelled {OrderId} remaining {Remaining} ({Reason})",
        EventKind.OrderReduced => $"#{Sequence} Reduced {OrderId} by {Size} remaining {Remaining}",
        _ => $"#{Sequence} {Kind} order {OrderId} account {Account} market {Market} {Side} {Outcome}@{Price} size {Size} remaining {Remaining}",
    };
}
