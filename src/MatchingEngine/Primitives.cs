namespace Polysim.MatchingEngine;

/// <summary>Fixed-point units shared by the engine and its edges: prices in 1e-4, amounts in 1e-6.</summary>
public static class Units
{
    /// <summary>Price units per 1.0 (a price of 0.5 is 5,000).</summary>
    public const int PriceScale = 10_000;

    /// <summary>Micro-units per share or per USDC (1 share is 1,000,000).</summary>
    public const long AmountScale = 1_000_000;

    /// <summary>Largest order size, budget, deposit or balance the engine accepts (100 M shares or USDC).</summary>
    /// <remarks>Keeps every notional product (size × price) inside a 64-bit integer.</remarks>
    public const long MaxAmount = 100_000_000L * AmountScale;

    /// <summary>Shortest GTD lifetime accepted: Polymarket's one-minute security threshold, in milliseconds.</summary>
    public const long MinGtdLifetimeMs = 60_000;

    /// <summary>Notional a marketable BUY must be worth at least ($1), in micro-USDC.</summary>
    public const long MinMarketableBuyNotional = AmountScale;

    /// <summary>Whether <paramref name="tick"/> is one of Polymarket's tick sizes 0.1, 0.01, 0.001, 0.0001.</summary>
    public static bool IsValidTick(int tick) => tick is 1_000 or 100 or 10 or 1;
}

/// <summary>Which of a binary market's two complementary tokens.</summary>
public enum Outcome : byte
{
    /// <summary>The YES token; the book is kept in its terms.</summary>
    Yes = 0,

    /// <summary>The NO token; its orders are mirrored into the YES book at 1 − price.</summary>
    No = 1,
}

/// <summary>Order side from the order owner's point of view, on the token the order names.</summary>
public enum Side : byte
{
    /// <summary>Buy the named token.</summary>
    Buy = 0,

    /// <summary>Sell the named token.</summary>
    Sell = 1,
}

/// <summary>How long an order may live.</summary>
public enum TimeInForce : byte
{
    /// <summary>Good till cancelled: rests until filled or cancelled.</summary>
    Gtc = 0,

    /// <summary>Good till date: rests until its expiration time.</summary>
    Gtd = 1,

    /// <summary>Fill or kill: fills completely at once or is rejected with no effect.</summary>
    Fok = 2,

    /// <summary>Fill and kill: fills what it can at once; the rest is cancelled; no fill at all is a rejection.</summary>
    Fak = 3,
}

/// <summary>How a fill settles, in Polymarket's terms.</summary>
public enum MatchType : byte
{
    /// <summary>A buyer and a seller of the same token: shares move, cash moves.</summary>
    Normal = 0,

    /// <summary>A YES buyer and a NO buyer: together they pay $1 and a new YES/NO pair is created.</summary>
    Mint = 1,

    /// <summary>A YES seller and a NO seller: together they deliver a pair, which is destroyed and its $1 released.</summary>
    Merge = 2,
}

/// <summary>Lifecycle of a market.</summary>
public enum MarketStatus : byte
{
    /// <summary>Accepting orders.</summary>
    Active = 0,

    /// <summary>No new orders; cancels still allowed.</summary>
    Closed = 1,

    /// <summary>Settled: the winning token paid $1 a share, no orders remain.</summary>
    Resolved = 2,
}

/// <summary>Self-trade prevention applied when an account's incoming order meets its own resting order.</summary>
public enum SelfTradePrevention : byte
{
    /// <summary>Self-trades are matched like any other (Polymarket's behaviour).</summary>
    Off = 0,

    /// <summary>The resting order is cancelled and matching continues.</summary>
    CancelResting = 1,

    /// <summary>The incoming order's remainder is cancelled; fills already made stand.</summary>
    CancelIncoming = 2,
}

/// <summary>Why an order left the book without filling.</summary>
public enum CancelReason : byte
{
    /// <summary>The owner (or an operator acting for them) asked.</summary>
    UserRequest = 0,

    /// <summary>A GTD order reached its expiration time.</summary>
    Expired = 1,

    /// <summary>The unfilled remainder of a FAK order.</summary>
    FakRemainder = 2,

    /// <summary>Self-trade prevention removed it.</summary>
    SelfTrade = 3,

    /// <summary>The market resolved.</summary>
    MarketResolved = 4,
}

/// <summary>Every reason the engine refuses a command; the API maps each to an HTTP status and message.</summary>
public enum RejectCode : byte
{
    /// <summary>Accepted.</summary>
    None = 0,

    /// <summary>The command's sequence number is not above the last one applied.</summary>
    SequenceOutOfOrder,

    /// <summary>The command kind or one of its enum fields is not known.</summary>
    InvalidCommand,

    /// <summary>The account id is unknown (or not allowed to trade, for the fee account).</summary>
    AccountNotFound,

    /// <summary>The account id is already registered.</summary>
    AccountExists,

    /// <summary>The market id is unknown.</summary>
    MarketNotFound,

    /// <summary>The market id is already in use.</summary>
    MarketExists,

    /// <summary>The market is closed or resolved: no new orders.</summary>
    MarketClosed,

    /// <summary>The market is already resolved.</summary>
    MarketResolved,

    /// <summary>A tick size outside {0.1, 0.01, 0.001, 0.0001}, or market parameters out of range.</summary>
    InvalidMarketParameters,

    /// <summary>The price is not a multiple of the market's tick.</summary>
    InvalidTickSize,

    /// <summary>The price is outside [tick, 1 − tick].</summary>
    InvalidPrice,

    /// <summary>The size, budget or amount is zero, negative or too large.</summary>
    InvalidQuantity,

    /// <summary>A resting order (GTC/GTD) smaller than the market's minimum size.</summary>
    BelowMinimumSize,

    /// <summary>A marketable BUY worth less than $1.</summary>
    BelowMinimumNotional,

    /// <summary>A GTD expiration less than a minute after acceptance, or an expiration on a non-GTD order.</summary>
    InvalidExpiration,

    /// <summary>A post-only order that would cross the book.</summary>
    PostOnlyWouldCross,

    /// <summary>Post-only asked for with FOK or FAK.</summary>
    PostOnlyInvalidTimeInForce,

    /// <summary>A budget-sized order that is not a BUY.</summary>
    BudgetOnlyForBuy,

    /// <summary>A FOK order that could not be filled completely.</summary>
    FokNotFilled,

    /// <summary>A FAK order that found nothing to match.</summary>
    FakNoMatch,

    /// <summary>Not enough available USDC.</summary>
    InsufficientBalance,

    /// <summary>Not enough available shares (no naked shorts).</summary>
    InsufficientPosition,

    /// <summary>The order id is already in use by an open order.</summary>
    DuplicateOrderId,

    /// <summary>No open order has that id.</summary>
    OrderNotFound,

    /// <summary>The order belongs to another account.</summary>
    NotOrderOwner,

    /// <summary>The outcome named is neither YES nor NO.</summary>
    InvalidOutcome,
}
