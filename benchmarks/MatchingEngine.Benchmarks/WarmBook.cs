namespace Polysim.MatchingEngine.Benchmarks;

/// <summary>
/// The warm book the micro-benchmarks run against: 8 markets at tick 0.001, 200 accounts, each book holding
/// 1,000 resting orders of 10 shares — 50 bid levels 4000, 3990, … and 50 ask levels 6000, 6010, …, 10 orders
/// each, alternating the two ways of resting on a side (bid: BUY YES / SELL NO; ask: SELL YES / BUY NO), so
/// fills against it are NORMAL, MINT or MERGE. The inside of the spread (4010..5990) is empty: benchmarks that
/// need fresh levels put them there.
/// </summary>
public sealed class WarmBook
{
    public const int Markets = 8;
    public const int Accounts = 200;
    public const int Tick = 10;
    public const int LevelsPerSide = 50;
    public const int OrdersPerLevel = 10;
    public const int BestBid = 4_000;
    public const int BestAsk = 6_000;
    public const long OrderSize = 10 * Units.AmountScale;
    private const long MintShares = 10_000_000 * Units.AmountScale;

    private long _sequence;
    private long _nextOrderId = 1;

    public WarmBook()
    {
        for (var a = 1; a <= Accounts; a++)
        {
            Apply(Command.RegisterAccount(0, Timestamp, a));
            Apply(Command.Deposit(0, Timestamp, a, Units.MaxAmount));
        }

        for (var m = 1; m <= Markets; m++)
        {
            Apply(Command.CreateMarket(0, Timestamp, m, new MarketParameters(Tick)));
            for (var a = 1; a + 1 <= Accounts; a += 2)
            {
                Mint(m, a, a + 1);
                Mint(m, a + 1, a);
            }
        }

        var rng = new Random(7);
        for (var m = 1; m <= Markets; m++)
        {
            for (var l = 0; l < LevelsPerSide; l++)
            {
                for (var j = 0; j < OrdersPerLevel; j++)
                {
                    Apply(Resting(m, 1 + rng.Next(Accounts), bid: true, BestBid - (l * Tick), yesToken: j % 2 == 0));
                    Apply(Resting(m, 1 + rng.Next(Accounts), bid: false, BestAsk + (l * Tick), yesToken: j % 2 == 0));
                }
            }
        }

        if (Engine.OpenOrderCount != Markets * 2 * LevelsPerSide * OrdersPerLevel)
        {
            throw new InvalidOperationException($"warm book holds {Engine.OpenOrderCount} orders");
        }
    }

    public Engine Engine { get; } = new();

    /// <summary>A fixed clock: nothing in the micro-benchmarks is GTD.</summary>
    public long Timestamp => FlowGenerator.T0;

    public long NextSequence() => ++_sequence;

    public long NextOrderId() => _nextOrderId++;

    /// <summary>A GTC order resting at <paramref name="bookPrice"/> on the YES-book side <paramref name="bid"/>,
    /// as a YES order or as its NO mirror; sequence 0 (callers stamp it).</summary>
    public Command Resting(int market, int account, bool bid, int bookPrice, bool yesToken, long size = OrderSize) =>
        Order(market, account, bid, bookPrice, yesToken, size, NextOrderId());

    /// <summary>An order that is a YES-book bid (<paramref name="bid"/>) or ask at <paramref name="bookPrice"/>.</summary>
    public Command Order(int market, int account, bool bid, int bookPrice, bool yesToken, long size, long orderId)
    {
        var outcome = yesToken ? Outcome.Yes : Outcome.No;
        var side = bid == yesToken ? Side.Buy : Side.Sell;
        var own = yesToken ? bookPrice : Units.PriceScale - bookPrice;
        return Command.Place(0, Timestamp, account, market, orderId, outcome, side, own, size);
    }

    /// <summary>Applies <paramref name="command"/> with the next sequence number; throws when it is rejected.</summary>
    public void Apply(Command command)
    {
        var code = Engine.Apply(command with { Sequence = NextSequence() });
        if (code != RejectCode.None)
        {
            throw new InvalidOperationException($"{command} rejected: {code}");
        }
    }

    private void Mint(int market, int yesBuyer, int noBuyer)
    {
        Apply(Command.Place(0, Timestamp, yesBuyer, market, NextOrderId(), Outcome.Yes, Side.Buy, 5_000, MintShares));
        Apply(Command.Place(0, Timestamp, noBuyer, market, NextOrderId(), Outcome.No, Side.Buy, 5_000, MintShares));
    }
}
