using System.Globalization;
using System.Text;
using Xunit.Sdk;
using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>A scenario fixture around one <see cref="Engine"/>: numbers commands, keeps a clock, opens accounts,
/// hands out shares, places and cancels orders, and asserts with the book printed on failure.</summary>
/// <remarks>
/// Every command gets the next sequence number and the current <see cref="Now"/>. Every assertion failure
/// appends the book of each market, every account's cash and shares, and the events of the last command.
/// </remarks>
public sealed class Exchange
{
    private readonly List<Command> _log = [];
    private long _sequence;
    private long _nextOrderId = 1;
    private bool _houseOpen;

    /// <summary>Creates the engine and market <see cref="MainMarket"/> (default: <see cref="Standard"/>).</summary>
    public Exchange(MarketParameters? parameters = null)
    {
        Engine = new Engine(Options);
        AddMarket(MainMarket, parameters ?? Standard);
    }

    /// <summary>The engine options every scenario uses: fee account <see cref="Fees"/>, small pools.</summary>
    public static EngineOptions Options => new() { FeeAccount = Fees, InitialOrderCapacity = 256, InitialAccountCapacity = 1024 };

    public Engine Engine { get; }

    /// <summary>The timestamp the next command carries (Unix ms).</summary>
    public long Now { get; private set; } = StartTime;

    /// <summary>Every command applied, in order, as the engine saw it.</summary>
    public IReadOnlyList<Command> Log => _log;

    /// <summary>The result of the last command.</summary>
    public Result? Last { get; private set; }

    // ---- commands -------------------------------------------------------------------------------

    /// <summary>Applies a command with the next sequence number and the current clock.</summary>
    public Result Apply(Command command) =>
        ApplyExactly(command with { Sequence = _sequence + 1, Timestamp = Now });

    /// <summary>Applies a command exactly as given (its own sequence number and timestamp).</summary>
    public Result ApplyExactly(Command command)
    {
        _log.Add(command);
        var code = Engine.Apply(command);
        _sequence = Engine.LastSequence;
        Last = new Result(code, command.OrderId, Engine.Events.ToArray());
        return Last;
    }

    /// <summary>Moves the clock without sending a command; the next command carries the new time.</summary>
    public void MoveClock(long milliseconds) => Now += milliseconds;

    /// <summary>Moves the clock and sends <see cref="CommandKind.AdvanceTime"/>.</summary>
    public Result AdvanceTime(long milliseconds)
    {
        MoveClock(milliseconds);
        return Apply(Command.AdvanceTime(0, 0));
    }

    public void AddMarket(int market, MarketParameters parameters) =>
        ExpectAccepted(Apply(Command.CreateMarket(0, 0, market, parameters)), $"creating market {market}");

    /// <summary>Registers an account and deposits <paramref name="deposit"/> micro-USDC.</summary>
    public void Open(int account, long deposit, SelfTradePrevention stp = SelfTradePrevention.Off)
    {
        ExpectAccepted(Apply(Command.RegisterAccount(0, 0, account, stp)), $"registering account {account}");
        if (deposit > 0)
        {
            ExpectAccepted(Deposit(account, deposit), $"depositing into account {account}");
        }
    }

    public Result Deposit(int account, long amount) => Apply(Command.Deposit(0, 0, account, amount));

    public Result Withdraw(int account, long amount) => Apply(Command.Withdraw(0, 0, account, amount));

    public Result SetStp(int account, SelfTradePrevention stp) => Apply(Command.SetStp(0, 0, account, stp));

    public Result SetStatus(MarketStatus status, int market = MainMarket) => Apply(Command.SetMarketStatus(0, 0, market, status));

    public Result SetTick(int tick, int market = MainMarket) => Apply(Command.SetTickSize(0, 0, market, tick));

    public Result Resolve(Outcome winner, int market = MainMarket) => Apply(Command.Resolve(0, 0, market, winner));

    public Result Buy(
        int account, Outcome outcome, int price, long shares, TimeInForce tif = TimeInForce.Gtc, bool postOnly = false,
        long expiration = 0, long? orderId = null, int market = MainMarket) =>
        Place(account, outcome, Side.Buy, price, shares, tif, postOnly, expiration, orderId, market);

    public Result Sell(
        int account, Outcome outcome, int price, long shares, TimeInForce tif = TimeInForce.Gtc, bool postOnly = false,
        long expiration = 0, long? orderId = null, int market = MainMarket) =>
        Place(account, outcome, Side.Sell, price, shares, tif, postOnly, expiration, orderId, market);

    public Result Place(
        int account, Outcome outcome, Side side, int price, long shares, TimeInForce tif = TimeInForce.Gtc,
        bool postOnly = false, long expiration = 0, long? orderId = null, int market = MainMarket) =>
        Apply(Command.Place(0, 0, account, market, orderId ?? _nextOrderId++, outcome, side, price, shares, tif, postOnly, expiration));

    /// <summary>A BUY sized as a USDC budget (Polymarket's makerAmount); FOK unless told otherwise.</summary>
    public Result BuyWithBudget(
        int account, Outcome outcome, int price, long budget, TimeInForce tif = TimeInForce.Fok, bool postOnly = false,
        long expiration = 0, long? orderId = null, int market = MainMarket) =>
        Apply(Command.PlaceBudgetBuy(0, 0, account, market, orderId ?? _nextOrderId++, outcome, price, budget, tif, postOnly, expiration));

    public Result Cancel(int account, long orderId) => Apply(Command.Cancel(0, 0, account, orderId));

    /// <summary>Lowers an open order's remaining size to <paramref name="newRemaining"/> micro-shares, keeping its place.</summary>
    public Result Reduce(int account, long orderId, long newRemaining) => Apply(Command.Reduce(0, 0, account, orderId, newRemaining));

    public Result CancelAll(int account) => Apply(Command.CancelAll(0, 0, account));

    public Result CancelMarket(int account, int market, Outcome? outcome = null) =>
        Apply(Command.CancelMarket(0, 0, account, market, outcome));

    /// <summary>Mints <paramref name="shares"/> of <paramref name="outcome"/> for <paramref name="account"/> and leaves its cash as it was.</summary>
    /// <remarks>
    /// First deposits what the shares cost at <paramref name="price"/>; then the account rests a GTC BUY of
    /// <paramref name="outcome"/> at <paramref name="price"/> and the <see cref="House"/> takes it with a FOK BUY of
    /// the other token at 1 − price: a MINT. The account is the maker, so it pays no fee and gets exactly
    /// <paramref name="shares"/>; the house holds the complementary shares. Needs a book where neither order can meet
    /// anything else (call it before placing the test's own orders); shares ≥ the market minimum size.
    /// </remarks>
    public void GiveShares(int account, Outcome outcome, long shares, int price = 5_000, int market = MainMarket)
    {
        if (!_houseOpen)
        {
            Open(House, 10_000_000 * Usdc);
            _houseOpen = true;
        }

        var cost = ((shares * price) + 9_999) / 10_000;
        ExpectAccepted(Deposit(account, cost), $"GiveShares: depositing the {cost} micro-USDC the shares cost");
        var rest = Buy(account, outcome, price, shares, market: market);
        ExpectAccepted(rest, "GiveShares: the recipient's BUY");
        ExpectTrue(rest.Trades.Count == 0, "GiveShares: the recipient's BUY must rest untouched (call it on a book it cannot cross)");
        var other = outcome == Yes ? No : Yes;
        var take = Buy(House, other, 10_000 - price, shares, TimeInForce.Fok, market: market);
        ExpectAccepted(take, "GiveShares: the house's FOK BUY of the other token");
        ExpectTrue(
            take.Trades.All(t => t.MakerOrderId == rest.OrderId) && take.Trades.Sum(t => t.Size) == shares,
            "GiveShares: the house must fill exactly against the recipient's order");
    }

    // ---- queries --------------------------------------------------------------------------------

    public Balance Cash(int account) => Engine.GetBalance(account);

    public Balance Held(int account, Outcome outcome, int market = MainMarket) => Engine.GetPosition(account, market, outcome);

    public MarketInfo Info(int market = MainMarket) =>
        Engine.GetMarket(market) ?? throw new XunitException($"market {market} does not exist");

    public bool IsOpen(long orderId) => Engine.TryGetOrder(orderId, out _);

    public OrderInfo Order(long orderId) =>
        Engine.TryGetOrder(orderId, out var order) ? order : throw new XunitException($"order {orderId} is not open\n\n{Describe()}");

    public IReadOnlyList<PriceLevel> Levels(Outcome outcome, Side side, int market = MainMarket) =>
        Engine.GetLevels(market, outcome, side);

    /// <summary>The order ids resting at one YES-book price, in time priority.</summary>
    public IReadOnlyList<long> QueueAt(bool bid, int bookPrice, int market = MainMarket) =>
        Engine.GetOrdersAt(market, bid, bookPrice).Select(o => o.Id).ToList();

    /// <summary>The book of a market as the engine's table.</summary>
    public string Book(int market = MainMarket) => BookFormatter.Format(Engine, market);

    /// <summary>Everything a test can observe except the sequence number and clock: markets, books, orders, cash, shares.</summary>
    public string Snapshot()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"trades {Engine.TradeCount}, deposited {Engine.TotalDeposited}, withdrawn {Engine.TotalWithdrawn}\n");
        foreach (var m in Engine.MarketIds())
        {
            sb.Append(CultureInfo.InvariantCulture, $"{Engine.GetMarket(m)}\n");
            foreach (var o in Engine.GetMarketOrders(m))
            {
                sb.Append(CultureInfo.InvariantCulture, $"  {o}\n");
            }
        }

        foreach (var a in Engine.AccountIds())
        {
            sb.Append(CultureInfo.InvariantCulture, $"account {a}: cash {Engine.GetBalance(a)} stp {Engine.GetSelfTradePrevention(a)}\n");
            foreach (var m in Engine.MarketIds())
            {
                sb.Append(CultureInfo.InvariantCulture, $"  m{m} YES {Engine.GetPosition(a, m, Yes)} NO {Engine.GetPosition(a, m, No)}\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>The state hash the engine would have if the last command had been a no-op at the same sequence and time.</summary>
    /// <remarks>Replays the log into a fresh engine with the last command replaced by an <see cref="CommandKind.AdvanceTime"/>
    /// (which, like every command, only expires due GTD orders): equal hashes mean the last command had no effect.</remarks>
    public ulong HashIfLastCommandWereANoOp()
    {
        var replay = new Engine(Options);
        for (var i = 0; i < _log.Count - 1; i++)
        {
            replay.Apply(_log[i]);
        }

        var last = _log[^1];
        replay.Apply(Command.AdvanceTime(last.Sequence, last.Timestamp));
        return replay.ComputeStateHash();
    }

    /// <summary>The market, cash and order state as text, appended to every failure message.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        foreach (var m in Engine.MarketIds())
        {
            sb.Append(BookFormatter.Format(Engine, m));
        }

        sb.Append("accounts (cash available/reserved; shares available/reserved):\n");
        foreach (var a in Engine.AccountIds())
        {
            var cash = Engine.GetBalance(a);
            sb.Append(CultureInfo.InvariantCulture, $"  {a,4}: cash {BookFormatter.Amount(cash.Available)}/{BookFormatter.Amount(cash.Reserved)}");
            foreach (var m in Engine.MarketIds())
            {
                foreach (var outcome in new[] { Yes, No })
                {
                    var held = Engine.GetPosition(a, m, outcome);
                    if (held.Total != 0)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"  m{m} {outcome} {BookFormatter.Amount(held.Available)}/{BookFormatter.Amount(held.Reserved)}");
                    }
                }
            }

            sb.Append('\n');
        }

        sb.Append("last command: ").Append(Last?.ToString() ?? "none\n");
        return sb.ToString();
    }

    // ---- assertions (each failure prints the book) ------------------------------------------------

    public void Expect<T>(T expected, T actual, string because)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new XunitException($"{because}\n  expected: {expected}\n  actual:   {actual}\n\n{Describe()}");
        }
    }

    public void ExpectTrue(bool condition, string because)
    {
        if (!condition)
        {
            throw new XunitException($"{because}\n\n{Describe()}");
        }
    }

    public void ExpectAccepted(Result result, string because)
    {
        if (!result.Accepted)
        {
            throw new XunitException($"{because}: expected the command to be accepted but it was rejected with {result.Code}\n\n{Describe()}");
        }
    }

    /// <summary>The command was refused with <paramref name="code"/> and said so in a <see cref="EventKind.Rejected"/> event.</summary>
    public void ExpectRejected(RejectCode code, Result result, string because)
    {
        Expect(code, result.Code, because);
        var rejected = result.Of(EventKind.Rejected);
        ExpectTrue(rejected.Count == 1 && rejected[0].Code == code, $"{because}: one Rejected event carrying {code}");
    }

    /// <summary>Cash and shares add up: Σ cash of all accounts + Σ collateral = deposits − withdrawals, and each market's supplies equal its collateral.</summary>
    public void ExpectMoneyConserved()
    {
        long cash = 0;
        foreach (var a in Engine.AccountIds())
        {
            cash += Engine.GetBalance(a).Total;
        }

        long collateral = 0;
        foreach (var m in Engine.MarketIds())
        {
            var info = Info(m);
            collateral += info.Collateral;
            Expect(info.Collateral, Engine.GetSupply(m, Yes), $"market {m}: YES supply = collateral");
            Expect(info.Collateral, Engine.GetSupply(m, No), $"market {m}: NO supply = collateral");
        }

        Expect(Engine.TotalDeposited - Engine.TotalWithdrawn, cash + collateral, "Σ cash + Σ collateral = deposits − withdrawals");
    }
}
