using System.Globalization;
using System.Text;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.External;
using Polysim.MatchingEngine;
using Xunit.Sdk;

namespace Polysim.ClobApi.Tests.Liquidity.External;

/// <summary>A bare engine with one market, an <see cref="ExternalLiquidity"/> fed canonical events, and users; every
/// step checks that money is conserved and the book is not crossed, and every failure prints the book as a table.</summary>
internal sealed class ExtHarness
{
    public const int Market = 1;
    public const int Alice = 1_000;
    public const int Bob = 1_001;
    public const int Carol = 1_002;
    public const long Share = Units.AmountScale;
    public const long Usdc = Units.AmountScale;

    private long _ms = 1_700_000_000_000;
    private long _seq;

    public ExtHarness(ExternalLiquidityOptions? options = null, long minimumSize = 0, int tick = 100)
    {
        Engine = new Engine(new EngineOptions { FeeAccount = SystemAccounts.Fees, InitialOrderCapacity = 256 });
        Venue = new EngineVenue(Engine);
        Venue.SetTime(_ms);
        Expect(RejectCode.None, Venue.Apply(Command.CreateMarket(0, 0, Market, new MarketParameters(tick, minimumSize))), "market created");
        Ext = new ExternalLiquidity(Market, options);
        foreach (var user in new[] { Alice, Bob, Carol })
        {
            Venue.Apply(Command.RegisterAccount(0, 0, user));
            Venue.Apply(Command.Deposit(0, 0, user, 100_000 * Usdc));
        }
    }

    public Engine Engine { get; }

    public EngineVenue Venue { get; }

    public ExternalLiquidity Ext { get; }

    /// <summary>Trades of the last user command.</summary>
    public IReadOnlyList<EngineEvent> LastTrades { get; private set; } = [];

    public static long Sh(double shares) => (long)Math.Round(shares * Share);

    /// <summary>Moves the clock (events and commands carry it) by <paramref name="ms"/> milliseconds.</summary>
    public void Wait(long ms)
    {
        _ms += ms;
        Venue.SetTime(_ms);
    }

    // ---- external events --------------------------------------------------------------------------

    public void Snapshot((int Price, double Shares)[] bids, (int Price, double Shares)[] asks) =>
        Feed(ReplayEventKind.Snapshot, e => e with
        {
            Bids = bids.Select(b => (b.Price, Sh(b.Shares))).ToList(),
            Asks = asks.Select(a => (a.Price, Sh(a.Shares))).ToList(),
        });

    public void Level(bool bid, int price, double shares) =>
        Feed(ReplayEventKind.Level, e => e with { Side = bid ? Side.Buy : Side.Sell, Price = price, Size = Sh(shares) });

    public void Print(int price, double shares, Side hint = Side.Buy, string? tx = null) =>
        Feed(ReplayEventKind.Trade, e => e with { Side = hint, Price = price, Size = Sh(shares), TxHash = tx });

    public void Gap() => Feed(ReplayEventKind.Gap, e => e with { Reason = "test gap" });

    public void Feed(ReplayEvent e)
    {
        Ext.OnEvent(Venue, e);
        Check("after " + e.Kind);
        CheckDisplayed("after " + e.Kind);
    }

    /// <summary>Right after an external event the external orders at each price add up to what the ledger makes
    /// available (without a minimum order size nothing waits), and there are none at prices the ledger does not know.</summary>
    public void CheckDisplayed(string when)
    {
        if (Engine.GetMarket(Market)!.Value.Parameters.MinimumSize != 0)
        {
            return;
        }

        var levels = Ext.ExternalLevels();
        var internalOrders = Engine.GetMarketOrders(Market).Where(o => o.Account != SystemAccounts.External).ToList();
        foreach (var (bid, price, _, available) in levels)
        {
            // A growth that crosses an internal order for less than the $1 marketable minimum waits unplaced.
            var crossed = internalOrders.Any(o => (o.Outcome == Outcome.Yes) == (o.Side == Side.Buy) != bid && (bid ? o.BookPrice <= price : o.BookPrice >= price));
            var shown = ExtAt(bid, price);
            True(crossed ? shown <= available : shown == available, $"{when}: external orders at {(bid ? "bid" : "ask")} {price} ({shown}) = available ({available})");
        }

        foreach (var o in Engine.GetOpenOrders(SystemAccounts.External))
        {
            var bid = o.Outcome == Outcome.Yes;
            True(levels.Any(l => l.Bid == bid && l.Price == o.BookPrice && l.Available > 0), $"{when}: external order {o.Id} at {o.BookPrice} belongs to an available level");
        }
    }

    private void Feed(ReplayEventKind kind, Func<ReplayEvent, ReplayEvent> shape) =>
        Feed(shape(new ReplayEvent { TsNs = _ms * 1_000_000, Seq = ++_seq, ConditionId = "0xtest", Kind = kind }));

    // ---- users ------------------------------------------------------------------------------------

    /// <summary>Places an order for a user; returns its id (check <see cref="IsOpen"/> for whether it rests).</summary>
    public long Place(int account, Outcome outcome, Side side, int price, double shares, TimeInForce tif = TimeInForce.Gtc, bool accept = true)
    {
        var id = Venue.NextOrderId;
        var code = Venue.Apply(Command.Place(0, 0, account, Market, id, outcome, side, price, Sh(shares), tif));
        LastTrades = Engine.Events.ToArray().Where(e => e.Kind == EventKind.Trade).ToList();
        if (accept)
        {
            Expect(RejectCode.None, code, $"order of {account} accepted");
        }

        Check("after an order of " + account);
        return id;
    }

    public long BuyYes(int account, int price, double shares, TimeInForce tif = TimeInForce.Gtc) => Place(account, Outcome.Yes, Side.Buy, price, shares, tif);

    /// <summary>An internal ask at YES price <paramref name="yesPrice"/> from cash only: BUY NO at 1 − price.</summary>
    public long AskViaNo(int account, int yesPrice, double shares) => Place(account, Outcome.No, Side.Buy, 10_000 - yesPrice, shares);

    public bool IsOpen(long id) => Engine.TryGetOrder(id, out _);

    public long Remaining(long id) => Engine.TryGetOrder(id, out var o) ? o.Remaining : 0;

    public long Filled(long id, long original) => original - Remaining(id);

    public long Ahead(long id) => Ext.QueueAhead(Engine, id);

    /// <summary>Total size of the external account's orders at one YES price.</summary>
    public long ExtAt(bool bid, int price) =>
        Engine.GetOrdersAt(Market, bid, price).Where(o => o.Account == SystemAccounts.External).Sum(o => o.Remaining);

    /// <summary>The order ids and owners at one YES price in time priority ("E:30,I1:20" style, E = external).</summary>
    public string Queue(bool bid, int price) => string.Join(",", Engine.GetOrdersAt(Market, bid, price)
        .Select(o => o.Account == SystemAccounts.External
            ? $"E:{BookFormatter.Amount(o.Remaining)}"
            : $"{o.Account}:{BookFormatter.Amount(o.Remaining)}"));

    // ---- checks -----------------------------------------------------------------------------------

    /// <summary>Money is conserved and the merged book is never crossed.</summary>
    public void Check(string when)
    {
        long cash = 0;
        foreach (var a in Engine.AccountIds())
        {
            cash += Engine.GetBalance(a).Total;
        }

        var info = Engine.GetMarket(Market)!.Value;
        Expect(info.Collateral, Engine.GetSupply(Market, Outcome.Yes), $"{when}: YES supply = collateral");
        Expect(info.Collateral, Engine.GetSupply(Market, Outcome.No), $"{when}: NO supply = collateral");
        Expect(Engine.TotalDeposited - Engine.TotalWithdrawn, cash + info.Collateral, $"{when}: cash + collateral = deposits");
        True(info.BestBid < info.BestAsk, $"{when}: the merged book is not crossed");
    }

    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append(BookFormatter.Format(Engine, Market));
        sb.Append(CultureInfo.InvariantCulture, $"external: {Ext.Freshness}, {Ext.Counters}\n");
        foreach (var o in Engine.GetMarketOrders(Market).Where(o => o.Account != SystemAccounts.External))
        {
            sb.Append(CultureInfo.InvariantCulture, $"  order {o.Id} of {o.Account} @{o.BookPrice} remaining {BookFormatter.Amount(o.Remaining)}: external ahead {BookFormatter.Amount(Ahead(o.Id))}\n");
        }

        foreach (var a in new[] { SystemAccounts.External, Alice, Bob, Carol })
        {
            var cash = Engine.GetBalance(a);
            var yes = Engine.GetPosition(a, Market, Outcome.Yes);
            var no = Engine.GetPosition(a, Market, Outcome.No);
            sb.Append(CultureInfo.InvariantCulture, $"  account {a}: cash {BookFormatter.Amount(cash.Available)}/{BookFormatter.Amount(cash.Reserved)} YES {BookFormatter.Amount(yes.Total)} NO {BookFormatter.Amount(no.Total)}\n");
        }

        return sb.ToString();
    }

    public void Expect<T>(T expected, T actual, string because)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new XunitException($"{because}\n  expected: {expected}\n  actual:   {actual}\n\n{Describe()}");
        }
    }

    public void Near(long expected, long actual, long tolerance, string because)
    {
        if (Math.Abs(expected - actual) > tolerance)
        {
            throw new XunitException($"{because}\n  expected: {expected} ± {tolerance}\n  actual:   {actual}\n\n{Describe()}");
        }
    }

    public void True(bool condition, string because)
    {
        if (!condition)
        {
            throw new XunitException($"{because}\n\n{Describe()}");
        }
    }
}
