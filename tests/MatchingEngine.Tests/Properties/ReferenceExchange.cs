using System.Numerics;

namespace Polysim.MatchingEngine.Tests.Properties;

/// <summary>One fill as the reference model computes it (the fields a Trade event is compared on).</summary>
public readonly record struct RefFill(
    long TakerOrderId,
    long MakerOrderId,
    int TakerAccount,
    int MakerAccount,
    long Size,
    int TakerPrice,
    int MakerPrice,
    MatchType MatchType,
    long Fee);

/// <summary>An order that left the book or was dropped without filling: cancelled or expired.</summary>
public readonly record struct RefRemoval(long OrderId, EventKind Kind, CancelReason Reason, long Remaining);

/// <summary>A resting order whose remaining size was lowered in place: what is left and how much was removed.</summary>
public readonly record struct RefReduction(long OrderId, long Remaining, long Removed);

/// <summary>USDC of one account in the reference model.</summary>
public sealed class RefAccount
{
    public long Available { get; set; }

    public long Reserved { get; set; }

    public SelfTradePrevention Stp { get; set; }
}

/// <summary>Shares of one (account, market, outcome) in the reference model.</summary>
public sealed class RefPosition
{
    public long Available { get; set; }

    public long Reserved { get; set; }
}

/// <summary>An open order of the reference model.</summary>
public sealed class RefOrder
{
    public long Id { get; init; }

    public int Account { get; init; }

    public int Market { get; init; }

    public Outcome Outcome { get; init; }

    public Side Side { get; init; }

    /// <summary>Limit on the order's own token.</summary>
    public int OwnPrice { get; init; }

    /// <summary>Where it rests in the YES book.</summary>
    public int BookPrice { get; init; }

    public bool IsBid { get; init; }

    public long Original { get; set; }

    public long Remaining { get; set; }

    public long Filled { get; set; }

    public long Reserved { get; set; }

    /// <summary>Σ fill size × own price, 1e-10 USDC.</summary>
    public long Notional { get; set; }

    /// <summary>USDC budget while a budget BUY is matching; 0 once converted to shares (and for share orders).</summary>
    public long Budget { get; set; }

    public TimeInForce TimeInForce { get; init; }

    public long Expiration { get; init; }

    public bool PostOnly { get; init; }
}

/// <summary>A market of the reference model: parameters, status, collateral and the one YES-terms book.</summary>
public sealed class RefMarket
{
    public RefMarket(int id, MarketParameters parameters)
    {
        Id = id;
        Parameters = parameters;
        Tick = parameters.TickSize;
    }

    public int Id { get; }

    public MarketParameters Parameters { get; }

    public int Tick { get; set; }

    public MarketStatus Status { get; set; }

    public long Collateral { get; set; }

    public int LastTradePrice { get; set; }

    /// <summary>YES bids by price, best (highest) first; each level first in, first out.</summary>
    public SortedDictionary<int, List<RefOrder>> Bids { get; } = new(Comparer<int>.Create((a, b) => b.CompareTo(a)));

    /// <summary>YES asks by price, best (lowest) first; each level first in, first out.</summary>
    public SortedDictionary<int, List<RefOrder>> Asks { get; } = [];

    public int BestBid => Bids.Count == 0 ? 0 : Bids.First().Key;

    public int BestAsk => Asks.Count == 0 ? Units.PriceScale : Asks.First().Key;

    /// <summary>Bids best first, then asks best first, each level in time priority (the engine's GetMarketOrders order).</summary>
    public IEnumerable<RefOrder> OrdersInPriority() =>
        Bids.Values.SelectMany(level => level).Concat(Asks.Values.SelectMany(level => level));

    public int OpenOrders => Bids.Values.Sum(l => l.Count) + Asks.Values.Sum(l => l.Count);
}

/// <summary>
/// A naive exchange written from docs/ENGINE.md, used as the oracle of the differential property tests.
/// </summary>
/// <remarks>
/// Clarity over speed: sorted dictionaries of lists for the books, a dictionary per ledger, expiry by scanning every open
/// order, and matching planned first (a pure walk of the book) then carried out, so that FOK/FAK rejections have no
/// effect by construction. It shares no code with the engine beyond the public contract types.
/// </remarks>
public sealed class ReferenceExchange
{
    private const int Scale = Units.PriceScale;

    private readonly int _feeAccount;
    private readonly Dictionary<int, RefAccount> _accounts = [];
    private readonly Dictionary<(int Account, int Market, Outcome Outcome), RefPosition> _positions = [];
    private readonly SortedDictionary<int, RefMarket> _markets = [];
    private readonly Dictionary<long, RefOrder> _open = [];
    private readonly List<RefFill> _fills = [];
    private readonly List<RefRemoval> _removals = [];
    private readonly List<RefReduction> _reductions = [];

    public ReferenceExchange(int feeAccount)
    {
        _feeAccount = feeAccount;
        _accounts[feeAccount] = new RefAccount();
    }

    public int FeeAccount => _feeAccount;

    public long LastSequence { get; private set; }

    public long Now { get; private set; }

    public long TotalDeposited { get; private set; }

    public long TotalWithdrawn { get; private set; }

    public long TradeCount { get; private set; }

    /// <summary>Fills of the last command, in order.</summary>
    public IReadOnlyList<RefFill> Fills => _fills;

    /// <summary>Cancels and expiries of the last command.</summary>
    public IReadOnlyList<RefRemoval> Removals => _removals;

    /// <summary>Reductions of the last command.</summary>
    public IReadOnlyList<RefReduction> Reductions => _reductions;

    public IReadOnlyDictionary<int, RefAccount> Accounts => _accounts;

    public IReadOnlyDictionary<int, RefMarket> Markets => _markets;

    public IReadOnlyDictionary<long, RefOrder> OpenOrders => _open;

    public IReadOnlyDictionary<(int Account, int Market, Outcome Outcome), RefPosition> Positions => _positions;

    public Balance Position(int account, int market, Outcome outcome) =>
        _positions.TryGetValue((account, market, outcome), out var p) ? new Balance(p.Available, p.Reserved) : default;

    public RejectCode Apply(in Command c)
    {
        _fills.Clear();
        _removals.Clear();
        _reductions.Clear();
        if (c.Sequence <= LastSequence)
        {
            return RejectCode.SequenceOutOfOrder;
        }

        LastSequence = c.Sequence;
        Now = Math.Max(Now, c.Timestamp);
        ExpireDueOrders();
        return c.Kind switch
        {
            CommandKind.RegisterAccount => RegisterAccount(c),
            CommandKind.Deposit => Deposit(c),
            CommandKind.Withdraw => Withdraw(c),
            CommandKind.SetSelfTradePrevention => SetStp(c),
            CommandKind.CreateMarket => CreateMarket(c),
            CommandKind.SetMarketStatus => SetMarketStatus(c),
            CommandKind.SetTickSize => SetTickSize(c),
            CommandKind.ResolveMarket => Resolve(c),
            CommandKind.PlaceOrder => Place(c),
            CommandKind.CancelOrder => CancelOne(c),
            CommandKind.ReduceOrder => Reduce(c),
            CommandKind.CancelAllOrders => CancelWhere(c, requireMarket: false),
            CommandKind.CancelMarketOrders => CancelWhere(c, requireMarket: true),
            CommandKind.AdvanceTime => RejectCode.None,
            _ => RejectCode.InvalidCommand,
        };
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static long CeilDiv(long value, long divisor) => (value + divisor - 1) / divisor;

    /// <summary>An outcome's own price at a YES-book price (and back: the mapping is its own inverse).</summary>
    private static int Own(Outcome outcome, int bookPrice) => outcome == Outcome.Yes ? bookPrice : Scale - bookPrice;

    /// <summary>BUY YES and SELL NO are YES bids; SELL YES and BUY NO are YES asks.</summary>
    private static bool IsBidOf(Side side, Outcome outcome) => (side == Side.Buy) == (outcome == Outcome.Yes);

    private RefPosition Pos(int account, int market, Outcome outcome)
    {
        if (!_positions.TryGetValue((account, market, outcome), out var p))
        {
            p = new RefPosition();
            _positions[(account, market, outcome)] = p;
        }

        return p;
    }

    /// <summary>What a BUY's remainder still needs: ceil((N + R × L) / 10⁴) − ceil(N / 10⁴).</summary>
    public static long RequiredBuyReserve(long notional, long remaining, int ownLimit) =>
        CeilDiv(notional + (remaining * ownLimit), Scale) - CeilDiv(notional, Scale);

    // ---- accounts and markets -------------------------------------------------------------------

    private RejectCode RegisterAccount(in Command c)
    {
        if (c.Account < 0 || !Enum.IsDefined(c.SelfTradePrevention))
        {
            return RejectCode.InvalidCommand;
        }

        if (_accounts.ContainsKey(c.Account))
        {
            return RejectCode.AccountExists;
        }

        _accounts[c.Account] = new RefAccount { Stp = c.SelfTradePrevention };
        return RejectCode.None;
    }

    private RejectCode Deposit(in Command c)
    {
        if (!_accounts.TryGetValue(c.Account, out var account))
        {
            return RejectCode.AccountNotFound;
        }

        if (c.Amount <= 0 || c.Amount > Units.MaxAmount)
        {
            return RejectCode.InvalidQuantity;
        }

        account.Available += c.Amount;
        TotalDeposited += c.Amount;
        return RejectCode.None;
    }

    private RejectCode Withdraw(in Command c)
    {
        if (!_accounts.TryGetValue(c.Account, out var account))
        {
            return RejectCode.AccountNotFound;
        }

        if (c.Amount <= 0 || c.Amount > Units.MaxAmount)
        {
            return RejectCode.InvalidQuantity;
        }

        if (account.Available < c.Amount)
        {
            return RejectCode.InsufficientBalance;
        }

        account.Available -= c.Amount;
        TotalWithdrawn += c.Amount;
        return RejectCode.None;
    }

    private RejectCode SetStp(in Command c)
    {
        if (!_accounts.TryGetValue(c.Account, out var account))
        {
            return RejectCode.AccountNotFound;
        }

        if (!Enum.IsDefined(c.SelfTradePrevention))
        {
            return RejectCode.InvalidCommand;
        }

        account.Stp = c.SelfTradePrevention;
        return RejectCode.None;
    }

    private RejectCode CreateMarket(in Command c)
    {
        var p = c.MarketParameters;
        if (c.Market < 0)
        {
            return RejectCode.InvalidCommand;
        }

        if (_markets.ContainsKey(c.Market))
        {
            return RejectCode.MarketExists;
        }

        if (!Units.IsValidTick(p.TickSize) || p.MinimumSize < 0 || p.MinimumSize > Units.MaxAmount ||
            p.TakerFeeRate < 0 || p.TakerFeeRate > Scale || p.TakerFeeExponentHalves is not (0 or 1 or 2 or 4))
        {
            return RejectCode.InvalidMarketParameters;
        }

        _markets[c.Market] = new RefMarket(c.Market, p);
        return RejectCode.None;
    }

    private RejectCode SetMarketStatus(in Command c)
    {
        if (!_markets.TryGetValue(c.Market, out var market))
        {
            return RejectCode.MarketNotFound;
        }

        if (market.Status == MarketStatus.Resolved)
        {
            return RejectCode.MarketResolved;
        }

        if (c.Status is not (MarketStatus.Active or MarketStatus.Closed))
        {
            return RejectCode.InvalidCommand;
        }

        market.Status = c.Status;
        return RejectCode.None;
    }

    private RejectCode SetTickSize(in Command c)
    {
        if (!_markets.TryGetValue(c.Market, out var market))
        {
            return RejectCode.MarketNotFound;
        }

        if (market.Status == MarketStatus.Resolved)
        {
            return RejectCode.MarketResolved;
        }

        if (!Units.IsValidTick(c.Price))
        {
            return RejectCode.InvalidMarketParameters;
        }

        market.Tick = c.Price; // resting orders off the new grid simply stay
        return RejectCode.None;
    }

    private RejectCode Resolve(in Command c)
    {
        if (!_markets.TryGetValue(c.Market, out var market))
        {
            return RejectCode.MarketNotFound;
        }

        if (market.Status == MarketStatus.Resolved)
        {
            return RejectCode.MarketResolved;
        }

        if (c.Outcome is not (Outcome.Yes or Outcome.No))
        {
            return RejectCode.InvalidOutcome;
        }

        foreach (var order in market.OrdersInPriority().ToList())
        {
            Remove(order, EventKind.OrderCancelled, CancelReason.MarketResolved);
        }

        // $1 per winning share to whoever holds it; every share of both tokens is then gone.
        long paid = 0;
        foreach (var ((account, m, outcome), position) in _positions)
        {
            if (m != market.Id)
            {
                continue;
            }

            var shares = position.Available + position.Reserved;
            if (outcome == c.Outcome)
            {
                _accounts[account].Available += shares;
                paid += shares;
            }

            position.Available = 0;
            position.Reserved = 0;
        }

        market.Collateral -= paid;
        market.Status = MarketStatus.Resolved;
        return RejectCode.None;
    }

    // ---- cancels and expiry ---------------------------------------------------------------------

    private RejectCode CancelOne(in Command c)
    {
        if (!_open.TryGetValue(c.OrderId, out var order))
        {
            return RejectCode.OrderNotFound;
        }

        if (order.Account != c.Account)
        {
            return RejectCode.NotOrderOwner;
        }

        Remove(order, EventKind.OrderCancelled, CancelReason.UserRequest);
        return RejectCode.None;
    }

    /// <summary>Lowers a resting order's remaining size where it stands in its queue; the removed part's reservation comes back.</summary>
    private RejectCode Reduce(in Command c)
    {
        if (!_open.TryGetValue(c.OrderId, out var order))
        {
            return RejectCode.OrderNotFound;
        }

        if (order.Account != c.Account)
        {
            return RejectCode.NotOrderOwner;
        }

        if (c.IsBudget)
        {
            return RejectCode.InvalidCommand;
        }

        if (c.Quantity <= 0 || c.Quantity >= order.Remaining)
        {
            return RejectCode.InvalidQuantity;
        }

        var removed = order.Remaining - c.Quantity;
        order.Remaining = c.Quantity;
        order.Original -= removed;
        if (order.Side == Side.Buy)
        {
            // Exactly what a cancel of the removed part gives back: the reservation drops to what the rest needs.
            ReleaseExcess(order);
        }
        else
        {
            var position = Pos(order.Account, order.Market, order.Outcome);
            order.Reserved -= removed;
            position.Reserved -= removed;
            position.Available += removed;
        }

        _reductions.Add(new RefReduction(order.Id, order.Remaining, removed));
        return RejectCode.None;
    }

    private RejectCode CancelWhere(Command c, bool requireMarket)
    {
        if (!_accounts.ContainsKey(c.Account))
        {
            return RejectCode.AccountNotFound;
        }

        if (requireMarket && !_markets.ContainsKey(c.Market))
        {
            return RejectCode.MarketNotFound;
        }

        var victims = _open.Values
            .Where(o => o.Account == c.Account)
            .Where(o => !requireMarket || (o.Market == c.Market && (!c.HasOutcome || o.Outcome == c.Outcome)))
            .ToList();
        foreach (var order in victims)
        {
            Remove(order, EventKind.OrderCancelled, CancelReason.UserRequest);
        }

        return RejectCode.None;
    }

    private void ExpireDueOrders()
    {
        var due = _open.Values
            .Where(o => o.TimeInForce == TimeInForce.Gtd && o.Expiration <= Now)
            .OrderBy(o => o.Expiration)
            .ThenBy(o => o.Id)
            .ToList();
        foreach (var order in due)
        {
            Remove(order, EventKind.OrderExpired, CancelReason.Expired);
        }
    }

    /// <summary>Takes an open order out of its book (if resting) and gives back what it still reserves.</summary>
    private void Remove(RefOrder order, EventKind kind, CancelReason reason)
    {
        TakeOffBook(order);
        _open.Remove(order.Id);
        if (order.Side == Side.Buy)
        {
            var account = _accounts[order.Account];
            account.Reserved -= order.Reserved;
            account.Available += order.Reserved;
        }
        else
        {
            var position = Pos(order.Account, order.Market, order.Outcome);
            position.Reserved -= order.Reserved;
            position.Available += order.Reserved;
        }

        order.Reserved = 0;
        _removals.Add(new RefRemoval(order.Id, kind, reason, order.Remaining));
    }

    private void TakeOffBook(RefOrder order)
    {
        var market = _markets[order.Market];
        var side = order.IsBid ? market.Bids : market.Asks;
        if (side.TryGetValue(order.BookPrice, out var level) && level.Remove(order) && level.Count == 0)
        {
            side.Remove(order.BookPrice);
        }
    }

    // ---- placing and matching -------------------------------------------------------------------

    private RejectCode Place(in Command c)
    {
        if (!_accounts.TryGetValue(c.Account, out var account) || c.Account == _feeAccount)
        {
            return RejectCode.AccountNotFound;
        }

        if (!_markets.TryGetValue(c.Market, out var market))
        {
            return RejectCode.MarketNotFound;
        }

        if (market.Status != MarketStatus.Active)
        {
            return RejectCode.MarketClosed;
        }

        if (_open.ContainsKey(c.OrderId))
        {
            return RejectCode.DuplicateOrderId;
        }

        if (c.Outcome is not (Outcome.Yes or Outcome.No))
        {
            return RejectCode.InvalidOutcome;
        }

        if (c.Side is not (Side.Buy or Side.Sell) || !Enum.IsDefined(c.TimeInForce))
        {
            return RejectCode.InvalidCommand;
        }

        if (c.Quantity <= 0 || c.Quantity > Units.MaxAmount)
        {
            return RejectCode.InvalidQuantity;
        }

        if (c.IsBudget && c.Side != Side.Buy)
        {
            return RejectCode.BudgetOnlyForBuy;
        }

        if (c.Price <= 0 || c.Price >= Scale)
        {
            return RejectCode.InvalidPrice;
        }

        if (c.Price % market.Tick != 0)
        {
            return RejectCode.InvalidTickSize;
        }

        if (c.Price < market.Tick || c.Price > Scale - market.Tick)
        {
            return RejectCode.InvalidPrice;
        }

        var immediate = c.TimeInForce is TimeInForce.Fok or TimeInForce.Fak;
        if (c.PostOnly && immediate)
        {
            return RejectCode.PostOnlyInvalidTimeInForce;
        }

        var expirationValid = c.TimeInForce == TimeInForce.Gtd
            ? c.Expiration >= Now + Units.MinGtdLifetimeMs
            : c.Expiration == 0;
        if (!expirationValid)
        {
            return RejectCode.InvalidExpiration;
        }

        var shares = c.IsBudget ? c.Quantity * Scale / c.Price : c.Quantity;
        if (!immediate && shares < market.Parameters.MinimumSize)
        {
            return RejectCode.BelowMinimumSize;
        }

        var isBid = IsBidOf(c.Side, c.Outcome);
        var bookLimit = Own(c.Outcome, c.Price);
        var crosses = isBid
            ? market.Asks.Count > 0 && market.BestAsk <= bookLimit
            : market.Bids.Count > 0 && market.BestBid >= bookLimit;

        long cost = 0;
        if (c.Side == Side.Buy)
        {
            cost = c.IsBudget ? c.Quantity : CeilDiv(c.Quantity * c.Price, Scale);
            var worthInTenThousandths = c.IsBudget ? c.Quantity * Scale : c.Quantity * c.Price;
            if (crosses && worthInTenThousandths < Units.MinMarketableBuyNotional * Scale)
            {
                return RejectCode.BelowMinimumNotional;
            }
        }

        if (c.PostOnly && crosses)
        {
            return RejectCode.PostOnlyWouldCross;
        }

        if (c.Side == Side.Buy && account.Available < cost)
        {
            return RejectCode.InsufficientBalance;
        }

        if (c.Side == Side.Sell && Position(c.Account, c.Market, c.Outcome).Available < c.Quantity)
        {
            return RejectCode.InsufficientPosition;
        }

        var plan = crosses
            ? PlanWalk(market, c.Account, account.Stp, isBid, bookLimit, c.Outcome, c.Price, c.IsBudget, c.Quantity)
            : WalkPlan.Empty(c.IsBudget, c.Quantity, c.Price);
        if (c.TimeInForce == TimeInForce.Fok && !plan.Complete)
        {
            return RejectCode.FokNotFilled;
        }

        if (c.TimeInForce == TimeInForce.Fak && plan.FilledShares == 0)
        {
            return RejectCode.FakNoMatch;
        }

        // Accepted: reserve, then carry out the planned walk step by step.
        var taker = new RefOrder
        {
            Id = c.OrderId,
            Account = c.Account,
            Market = c.Market,
            Outcome = c.Outcome,
            Side = c.Side,
            OwnPrice = c.Price,
            BookPrice = bookLimit,
            IsBid = isBid,
            Original = shares,
            Remaining = shares,
            Budget = c.IsBudget ? c.Quantity : 0,
            TimeInForce = c.TimeInForce,
            Expiration = c.Expiration,
            PostOnly = c.PostOnly,
        };
        if (c.Side == Side.Buy)
        {
            taker.Reserved = cost;
            account.Available -= cost;
            account.Reserved += cost;
        }
        else
        {
            taker.Reserved = c.Quantity;
            var position = Pos(c.Account, c.Market, c.Outcome);
            position.Available -= c.Quantity;
            position.Reserved += c.Quantity;
        }

        _open[taker.Id] = taker;
        var tradedAtExtreme = false;
        foreach (var step in plan.Steps)
        {
            if (step.CancelForSelfTrade)
            {
                Remove(step.Maker, EventKind.OrderCancelled, CancelReason.SelfTrade);
                continue;
            }

            Settle(market, taker, step.Maker, step.BookPrice, step.Size);
            tradedAtExtreme |= step.BookPrice > 9_600 || step.BookPrice < 400;
        }

        if (tradedAtExtreme && market.Parameters.AutoTickSize && market.Tick == 100)
        {
            market.Tick = 10;
        }

        if (taker.Budget > 0)
        {
            // What is left of the budget becomes shares at the limit.
            taker.Remaining = ((taker.Budget * Scale) - taker.Notional) / taker.OwnPrice;
            taker.Original = taker.Filled + taker.Remaining;
            taker.Budget = 0;
        }

        if (taker.Side == Side.Buy)
        {
            ReleaseExcess(taker);
        }

        if (taker.Remaining == 0)
        {
            _open.Remove(taker.Id);
        }
        else if (plan.StoppedBySelfTrade)
        {
            Remove(taker, EventKind.OrderCancelled, CancelReason.SelfTrade);
        }
        else if (taker.TimeInForce == TimeInForce.Fak)
        {
            Remove(taker, EventKind.OrderCancelled, CancelReason.FakRemainder);
        }
        else if (taker.TimeInForce == TimeInForce.Fok)
        {
            throw new InvalidOperationException($"model: FOK {taker.Id} planned complete but {taker.Remaining} remain");
        }
        else
        {
            var side = isBid ? market.Bids : market.Asks;
            if (!side.TryGetValue(bookLimit, out var level))
            {
                level = [];
                side[bookLimit] = level;
            }

            level.Add(taker);
        }

        return RejectCode.None;
    }

    private readonly record struct WalkStep(RefOrder Maker, int BookPrice, long Size, bool CancelForSelfTrade);

    private sealed class WalkPlan
    {
        public List<WalkStep> Steps { get; } = [];

        public long FilledShares { get; set; }

        public bool StoppedBySelfTrade { get; set; }

        /// <summary>Whether the walk leaves nothing to fill: no share left, or a budget that buys no further micro-share at its limit.</summary>
        public bool Complete { get; set; }

        public static WalkPlan Empty(bool budget, long quantity, int ownLimit) =>
            new() { Complete = budget ? quantity * Scale / ownLimit == 0 : quantity == 0 };
    }

    /// <summary>Walks the opposite side in price-time priority without changing anything; returns the steps to carry out.</summary>
    private static WalkPlan PlanWalk(
        RefMarket market, int account, SelfTradePrevention stp, bool isBid, int bookLimit, Outcome outcome, int ownLimit,
        bool budget, long quantity)
    {
        var plan = new WalkPlan();
        var sharesLeft = quantity; // for a share order
        var budgetLeft = quantity * Scale; // for a budget order, 1e-10 USDC
        foreach (var (price, level) in isBid ? market.Asks : market.Bids)
        {
            var reachable = isBid ? price <= bookLimit : price >= bookLimit;
            if (!reachable)
            {
                break;
            }

            var own = Own(outcome, price);
            foreach (var maker in level)
            {
                var capacity = budget ? budgetLeft / own : sharesLeft;
                if (capacity == 0)
                {
                    goto Done; // the taker is done: nothing further is met
                }

                if (maker.Account == account && stp != SelfTradePrevention.Off)
                {
                    if (stp == SelfTradePrevention.CancelIncoming)
                    {
                        plan.StoppedBySelfTrade = true;
                        goto Done;
                    }

                    plan.Steps.Add(new WalkStep(maker, price, 0, CancelForSelfTrade: true));
                    continue;
                }

                var size = Math.Min(capacity, maker.Remaining);
                plan.Steps.Add(new WalkStep(maker, price, size, CancelForSelfTrade: false));
                plan.FilledShares += size;
                sharesLeft -= size;
                budgetLeft -= size * own;
            }
        }

    Done:
        plan.Complete = budget ? budgetLeft / ownLimit == 0 : sharesLeft == 0;
        return plan;
    }

    /// <summary>Adds a fill to an order's notional; returns the cash it pays (BUY, cumulative ceiling) or receives (SELL, cumulative floor).</summary>
    private static long AccrueNotional(RefOrder order, long size, int ownPrice)
    {
        var before = order.Notional;
        var after = before + (size * ownPrice);
        order.Notional = after;
        return order.Side == Side.Buy
            ? CeilDiv(after, Scale) - CeilDiv(before, Scale)
            : (after / Scale) - (before / Scale);
    }

    /// <summary>Settles one fill of <paramref name="size"/> between the taker and a maker at the maker's book price.</summary>
    private void Settle(RefMarket market, RefOrder taker, RefOrder maker, int bookPrice, long size)
    {
        var takerOwn = Own(taker.Outcome, bookPrice);
        var makerOwn = Own(maker.Outcome, bookPrice);
        var matchType = taker.Side != maker.Side ? MatchType.Normal
            : taker.Side == Side.Buy ? MatchType.Mint
            : MatchType.Merge;
        var fees = _accounts[_feeAccount];
        long paid = 0;
        long received = 0;
        long fee = 0;

        // Taker: its own-token price at this level, and the taker fee.
        var takerCash = AccrueNotional(taker, size, takerOwn);
        var takerAccount = _accounts[taker.Account];
        var takerPosition = Pos(taker.Account, taker.Market, taker.Outcome);
        if (taker.Side == Side.Buy)
        {
            paid += takerCash;
            taker.Reserved -= takerCash;
            takerAccount.Reserved -= takerCash;
            fee = market.Parameters.TakerFeeRate == 0 ? 0 : Math.Min(size, FeeInShares(market.Parameters, size, takerOwn));
            takerPosition.Available += size - fee;
            Pos(_feeAccount, market.Id, taker.Outcome).Available += fee;
        }
        else
        {
            received += takerCash;
            fee = market.Parameters.TakerFeeRate == 0 ? 0 : Math.Min(takerCash, FeeInUsdc(market.Parameters, size, takerOwn));
            takerAccount.Available += takerCash - fee;
            fees.Available += fee;
            taker.Reserved -= size;
            takerPosition.Reserved -= size;
        }

        // Maker: at its own limit, no fee.
        var makerCash = AccrueNotional(maker, size, makerOwn);
        var makerAccount = _accounts[maker.Account];
        var makerPosition = Pos(maker.Account, maker.Market, maker.Outcome);
        if (maker.Side == Side.Buy)
        {
            paid += makerCash;
            maker.Reserved -= makerCash;
            makerAccount.Reserved -= makerCash;
            makerPosition.Available += size;
        }
        else
        {
            received += makerCash;
            makerAccount.Available += makerCash;
            maker.Reserved -= size;
            makerPosition.Reserved -= size;
        }

        // MINT locks a dollar per pair, MERGE releases it; payers' rounding surplus goes to the fee account.
        var collateralChange = matchType switch
        {
            MatchType.Mint => size,
            MatchType.Merge => -size,
            _ => 0,
        };
        market.Collateral += collateralChange;
        fees.Available += paid - received - collateralChange;

        taker.Filled += size;
        if (taker.Budget == 0)
        {
            taker.Remaining -= size;
        }

        maker.Filled += size;
        maker.Remaining -= size;
        if (maker.Side == Side.Buy)
        {
            ReleaseExcess(maker);
        }

        if (maker.Remaining == 0)
        {
            TakeOffBook(maker);
            _open.Remove(maker.Id);
        }

        market.LastTradePrice = bookPrice;
        TradeCount++;
        _fills.Add(new RefFill(taker.Id, maker.Id, taker.Account, maker.Account, size, takerOwn, makerOwn, matchType, fee));
    }

    /// <summary>Gives back what a BUY holds beyond ceil((N + R × L) / 10⁴) − ceil(N / 10⁴).</summary>
    private void ReleaseExcess(RefOrder order)
    {
        var required = RequiredBuyReserve(order.Notional, order.Remaining, order.OwnPrice);
        var excess = order.Reserved - required;
        if (excess < 0)
        {
            throw new InvalidOperationException($"model: BUY {order.Id} holds {order.Reserved} but needs {required}");
        }

        order.Reserved = required;
        var account = _accounts[order.Account];
        account.Reserved -= excess;
        account.Available += excess;
    }

    // ---- fees -----------------------------------------------------------------------------------

    /// <summary>The exact fee C × p × rate × (p(1−p))^e as a fraction, in micro-USDC (or divided by p: micro-shares).</summary>
    private static (BigInteger Numerator, BigInteger Denominator) ExactFee(MarketParameters parameters, long size, int ownPrice, bool inShares)
    {
        if (parameters.TakerFeeExponentHalves % 2 != 0)
        {
            throw new NotSupportedException("the model computes integer exponents exactly; half exponents are tested separately");
        }

        var e = parameters.TakerFeeExponentHalves / 2;
        var q = new BigInteger(ownPrice) * (Scale - ownPrice); // p(1 − p) × 10⁸
        var numerator = new BigInteger(size) * parameters.TakerFeeRate * BigInteger.Pow(q, e);
        var denominator = new BigInteger(Scale) * BigInteger.Pow(100_000_000, e);
        if (!inShares)
        {
            numerator *= ownPrice;
            denominator *= Scale;
        }

        return (numerator, denominator);
    }

    private static long CeilFraction((BigInteger Numerator, BigInteger Denominator) f) =>
        (long)BigInteger.Divide(f.Numerator + f.Denominator - 1, f.Denominator);

    public static long FeeInShares(MarketParameters parameters, long size, int ownPrice) =>
        CeilFraction(ExactFee(parameters, size, ownPrice, inShares: true));

    public static long FeeInUsdc(MarketParameters parameters, long size, int ownPrice) =>
        CeilFraction(ExactFee(parameters, size, ownPrice, inShares: false));
}
