namespace Polysim.MatchingEngine;

/// <summary>An open order as the engine stores it: a pooled struct linked into its level and its account's list.</summary>
internal struct OrderSlot
{
    public long Id;
    public long Original;
    public long Remaining;
    public long Filled;

    /// <summary>Σ fill size × own price (1e-10 USDC); the basis of cumulative rounding.</summary>
    public long Notional;

    /// <summary>Micro-USDC (BUY) or micro-shares (SELL) still held for this order.</summary>
    public long Reserved;

    /// <summary>The USDC budget of a budget BUY; 0 for orders sized in shares.</summary>
    public long Budget;

    public long Expiration;
    public int Account;
    public int Market;
    public int Position;
    public int Next;
    public int Prev;
    public int AccountNext;
    public int AccountPrev;
    public int BookPrice;
    public Outcome Outcome;
    public Side Side;
    public TimeInForce TimeInForce;
    public bool PostOnly;
    public bool Resting;

    public readonly bool IsBid => (Side == Side.Buy) == (Outcome == Outcome.Yes);

    public readonly int OwnPrice => Outcome == Outcome.Yes ? BookPrice : Units.PriceScale - BookPrice;
}

/// <summary>A read-only view of an open order.</summary>
/// <param name="Id">Order id.</param>
/// <param name="Account">Owner.</param>
/// <param name="Market">Market.</param>
/// <param name="Outcome">Token.</param>
/// <param name="Side">BUY or SELL.</param>
/// <param name="Price">Own-token limit price.</param>
/// <param name="BookPrice">Price in the YES book.</param>
/// <param name="Original">Size in shares (for a budget BUY: filled + what its remaining budget buys at its limit).</param>
/// <param name="Remaining">Open shares.</param>
/// <param name="Filled">Shares filled so far.</param>
/// <param name="Reserved">Micro-USDC (BUY) or micro-shares (SELL) held for it.</param>
/// <param name="Notional">Σ fill size × own price, in 1e-10 USDC.</param>
/// <param name="TimeInForce">GTC or GTD for a resting order.</param>
/// <param name="Expiration">GTD expiration (Unix ms), 0 for none.</param>
/// <param name="PostOnly">Whether it was post-only.</param>
public readonly record struct OrderInfo(
    long Id, int Account, int Market, Outcome Outcome, Side Side, int Price, int BookPrice, long Original,
    long Remaining, long Filled, long Reserved, long Notional, TimeInForce TimeInForce, long Expiration, bool PostOnly);

/// <summary>Available and reserved micro-units of USDC or of one token's shares.</summary>
/// <param name="Available">Free to use.</param>
/// <param name="Reserved">Held for open orders.</param>
public readonly record struct Balance(long Available, long Reserved)
{
    /// <summary>Available plus reserved.</summary>
    public long Total => Available + Reserved;
}

/// <summary>Aggregate size at one price of one token's book side.</summary>
/// <param name="Price">Own-token price.</param>
/// <param name="Size">Total micro-shares.</param>
/// <param name="Orders">How many orders.</param>
public readonly record struct PriceLevel(int Price, long Size, int Orders);

/// <summary>A read-only view of a market.</summary>
/// <param name="Id">Market id.</param>
/// <param name="Parameters">Creation parameters.</param>
/// <param name="TickSize">Current tick (may differ from the creation tick).</param>
/// <param name="Status">Lifecycle status.</param>
/// <param name="Collateral">Micro-USDC behind outstanding pairs.</param>
/// <param name="BestBid">Best YES bid, 0 when none.</param>
/// <param name="BestAsk">Best YES ask, 10000 when none.</param>
/// <param name="LastTradePrice">YES price of the last trade, 0 when none.</param>
/// <param name="OpenOrders">Resting orders.</param>
public readonly record struct MarketInfo(
    int Id, MarketParameters Parameters, int TickSize, MarketStatus Status, long Collateral, int BestBid, int BestAsk,
    int LastTradePrice, int OpenOrders);

/// <summary>Construction options of an <see cref="Engine"/>.</summary>
public sealed record EngineOptions
{
    /// <summary>Account that collects taker fees and rounding remainders; registered automatically; cannot trade.</summary>
    public int FeeAccount { get; init; }

    /// <summary>Order slots allocated up front (the pool doubles when exhausted).</summary>
    public int InitialOrderCapacity { get; init; } = 1 << 14;

    /// <summary>Account slots allocated up front.</summary>
    public int InitialAccountCapacity { get; init; } = 1 << 10;

    /// <summary>Largest account or market id accepted.</summary>
    public int MaxId { get; init; } = (1 << 24) - 1;
}
