namespace Polysim.MatchingEngine;

/// <summary>What a <see cref="Command"/> asks the engine to do.</summary>
public enum CommandKind : byte
{
    /// <summary>Open an account with a self-trade prevention mode.</summary>
    RegisterAccount = 1,

    /// <summary>Credit USDC to an account.</summary>
    Deposit,

    /// <summary>Debit available USDC from an account.</summary>
    Withdraw,

    /// <summary>Change an account's self-trade prevention mode.</summary>
    SetSelfTradePrevention,

    /// <summary>Create a binary market with its two tokens.</summary>
    CreateMarket,

    /// <summary>Open or close a market for new orders.</summary>
    SetMarketStatus,

    /// <summary>Change a market's tick size (operator).</summary>
    SetTickSize,

    /// <summary>Resolve a market: cancel its orders and pay $1 per winning share.</summary>
    ResolveMarket,

    /// <summary>Place an order.</summary>
    PlaceOrder,

    /// <summary>Cancel one order.</summary>
    CancelOrder,

    /// <summary>Cancel every open order of an account.</summary>
    CancelAllOrders,

    /// <summary>Cancel an account's open orders in one market, or on one of its tokens.</summary>
    CancelMarketOrders,

    /// <summary>Move the engine clock forward, expiring GTD orders that are due.</summary>
    AdvanceTime,

    /// <summary>Lower a resting order's remaining size, keeping its place in the queue.</summary>
    ReduceOrder,
}

/// <summary>One input to the engine; it carries its own sequence number and timestamp, so replay is exact.</summary>
/// <remarks>
/// A flat value type so the host can queue and journal commands without allocating; build one with the
/// static factory methods. Prices are the order's own-token price in 1e-4 units; sizes, budgets and
/// amounts are micro-units; times are Unix milliseconds.
/// </remarks>
public readonly record struct Command
{
    /// <summary>Strictly increasing sequence number assigned by the sequencer.</summary>
    public long Sequence { get; init; }

    /// <summary>Unix time in milliseconds assigned by the sequencer; the engine's only clock.</summary>
    public long Timestamp { get; init; }

    /// <summary>What to do.</summary>
    public CommandKind Kind { get; init; }

    /// <summary>The account acted for.</summary>
    public int Account { get; init; }

    /// <summary>The market acted on.</summary>
    public int Market { get; init; }

    /// <summary>The order placed or cancelled; unique among open orders.</summary>
    public long OrderId { get; init; }

    /// <summary>The token an order names, the winning token of a resolution, or the token a market cancel is limited to.</summary>
    public Outcome Outcome { get; init; }

    /// <summary>Whether <see cref="CommandKind.CancelMarketOrders"/> is limited to <see cref="Outcome"/>'s token.</summary>
    public bool HasOutcome { get; init; }

    /// <summary>BUY or SELL.</summary>
    public Side Side { get; init; }

    /// <summary>GTC, GTD, FOK or FAK.</summary>
    public TimeInForce TimeInForce { get; init; }

    /// <summary>Reject instead of crossing the book.</summary>
    public bool PostOnly { get; init; }

    /// <summary>A BUY sized as a USDC budget (Polymarket's makerAmount) rather than in shares.</summary>
    public bool IsBudget { get; init; }

    /// <summary>Limit price of an order on its own token (1..9999), or the new tick of <see cref="CommandKind.SetTickSize"/>.</summary>
    public int Price { get; init; }

    /// <summary>Shares (micro) of an order, or micro-USDC when <see cref="IsBudget"/>; the new remaining size of <see cref="CommandKind.ReduceOrder"/>.</summary>
    public long Quantity { get; init; }

    /// <summary>GTD expiration, Unix milliseconds; 0 for none.</summary>
    public long Expiration { get; init; }

    /// <summary>Micro-USDC of a deposit or withdrawal.</summary>
    public long Amount { get; init; }

    /// <summary>Market parameters of <see cref="CommandKind.CreateMarket"/>.</summary>
    public MarketParameters MarketParameters { get; init; }

    /// <summary>New status of <see cref="CommandKind.SetMarketStatus"/>.</summary>
    public MarketStatus Status { get; init; }

    /// <summary>Self-trade prevention mode of an account command.</summary>
    public SelfTradePrevention SelfTradePrevention { get; init; }

    /// <summary>Builds <see cref="CommandKind.RegisterAccount"/>.</summary>
    public static Command RegisterAccount(long seq, long ts, int account, SelfTradePrevention stp = SelfTradePrevention.Off) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.RegisterAccount, Account = account, SelfTradePrevention = stp };

    /// <summary>Builds <see cref="CommandKind.Deposit"/>.</summary>
    public static Command Deposit(long seq, long ts, int account, long amount) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.Deposit, Account = account, Amount = amount };

    /// <summary>Builds <see cref="CommandKind.Withdraw"/>.</summary>
    public static Command Withdraw(long seq, long ts, int account, long amount) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.Withdraw, Account = account, Amount = amount };

    /// <summary>Builds <see cref="CommandKind.SetSelfTradePrevention"/>.</summary>
    public static Command SetStp(long seq, long ts, int account, SelfTradePrevention stp) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.SetSelfTradePrevention, Account = account, SelfTradePrevention = stp };

    /// <summary>Builds <see cref="CommandKind.CreateMarket"/>.</summary>
    public static Command CreateMarket(long seq, long ts, int market, MarketParameters parameters) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.CreateMarket, Market = market, MarketParameters = parameters };

    /// <summary>Builds <see cref="CommandKind.SetMarketStatus"/>.</summary>
    public static Command SetMarketStatus(long seq, long ts, int market, MarketStatus status) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.SetMarketStatus, Market = market, Status = status };

    /// <summary>Builds <see cref="CommandKind.SetTickSize"/>.</summary>
    public static Command SetTickSize(long seq, long ts, int market, int tick) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.SetTickSize, Market = market, Price = tick };

    /// <summary>Builds <see cref="CommandKind.ResolveMarket"/>.</summary>
    public static Command Resolve(long seq, long ts, int market, Outcome winner) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.ResolveMarket, Market = market, Outcome = winner };

    /// <summary>Builds a <see cref="CommandKind.PlaceOrder"/> sized in shares.</summary>
    public static Command Place(
        long seq, long ts, int account, int market, long orderId, Outcome outcome, Side side, int price, long shares,
        TimeInForce tif = TimeInForce.Gtc, bool postOnly = false, long expiration = 0) =>
        new()
        {
            Sequence = seq,
            Timestamp = ts,
            Kind = CommandKind.PlaceOrder,
            Account = account,
            Market = market,
            OrderId = orderId,
            Outcome = outcome,
            Side = side,
            Price = price,
            Quantity = shares,
            TimeInForce = tif,
            PostOnly = postOnly,
            Expiration = expiration,
        };

    /// <summary>Builds a BUY <see cref="CommandKind.PlaceOrder"/> sized as a USDC budget.</summary>
    public static Command PlaceBudgetBuy(
        long seq, long ts, int account, int market, long orderId, Outcome outcome, int price, long budget,
        TimeInForce tif = TimeInForce.Fok, bool postOnly = false, long expiration = 0) =>
        new()
        {
            Sequence = seq,
            Timestamp = ts,
            Kind = CommandKind.PlaceOrder,
            Account = account,
            Market = market,
            OrderId = orderId,
            Outcome = outcome,
            Side = Side.Buy,
            Price = price,
            Quantity = budget,
            IsBudget = true,
            TimeInForce = tif,
            PostOnly = postOnly,
            Expiration = expiration,
        };

    /// <summary>Builds <see cref="CommandKind.CancelOrder"/>.</summary>
    public static Command Cancel(long seq, long ts, int account, long orderId) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.CancelOrder, Account = account, OrderId = orderId };

    /// <summary>Builds <see cref="CommandKind.ReduceOrder"/>: the order keeps its time priority with <paramref name="newRemaining"/> micro-shares open.</summary>
    public static Command Reduce(long seq, long ts, int account, long orderId, long newRemaining) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.ReduceOrder, Account = account, OrderId = orderId, Quantity = newRemaining };

    /// <summary>Builds <see cref="CommandKind.CancelAllOrders"/>.</summary>
    public static Command CancelAll(long seq, long ts, int account) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.CancelAllOrders, Account = account };

    /// <summary>Builds <see cref="CommandKind.CancelMarketOrders"/>, optionally limited to one token.</summary>
    public static Command CancelMarket(long seq, long ts, int account, int market, Outcome? outcome = null) =>
        new()
        {
            Sequence = seq,
            Timestamp = ts,
            Kind = CommandKind.CancelMarketOrders,
            Account = account,
            Market = market,
            HasOutcome = outcome.HasValue,
            Outcome = outcome.GetValueOrDefault(),
        };

    /// <summary>Builds <see cref="CommandKind.AdvanceTime"/>.</summary>
    public static Command AdvanceTime(long seq, long ts) =>
        new() { Sequence = seq, Timestamp = ts, Kind = CommandKind.AdvanceTime };
}

/// <summary>The fixed parameters of a binary market.</summary>
/// <param name="TickSize">Price tick in 1e-4 units: 1000, 100, 10 or 1.</param>
/// <param name="MinimumSize">Smallest resting order, in micro-shares (Polymarket's usual 5 shares).</param>
/// <param name="NegRisk">Whether the market belongs to a neg-risk event (selects the exchange contract at the edge).</param>
/// <param name="TakerFeeRate">Taker fee rate in 1e-4 units (0.072 is 720); 0 is fee-free.</param>
/// <param name="TakerFeeExponentHalves">Fee curve exponent in halves (0 → 0, 1 → 0.5, 2 → 1, 4 → 2); at most 4.</param>
/// <param name="AutoTickSize">Switch 0.01 → 0.001 when a trade prints above 0.96 or below 0.04, as Polymarket does.</param>
public readonly record struct MarketParameters(
    int TickSize,
    long MinimumSize = 5 * Units.AmountScale,
    bool NegRisk = false,
    int TakerFeeRate = 0,
    int TakerFeeExponentHalves = 0,
    bool AutoTickSize = false);
