using CsCheck;

namespace Polysim.MatchingEngine.Tests.Properties;

/// <summary>
/// A seeded random command stream for the property tests: several markets, accounts that deposit, MINT themselves shares
/// and then trade around a drifting per-market mid so that books cross often, plus cancels, expiry, STP changes, cash
/// movements, invalid commands and the odd resolution or tick change.
/// </summary>
/// <remarks>
/// The generator steers itself with a private <see cref="ReferenceExchange"/>: to pick open order ids to cancel, to size
/// SELLs within the shares an account holds, to size some takers at exactly the liquidity of the first k makers they
/// meet (so they finish on a maker or level boundary), and to advance the clock exactly onto a GTD expiration. It also
/// aims at the other boundaries (minimum size, the $1 minimum of a marketable BUY, the shortest GTD lifetime) and has a
/// whale whose orders are a thousand times larger. The stream is a pure function of the seed (and of the model's
/// behaviour). Sequences strictly increase; timestamps move forward by random millisecond steps.
/// </remarks>
public sealed class CommandStreamGenerator
{
    public const int FeeAccount = 0;
    public const int FirstAccount = 1;
    public const int AccountCount = 8;
    public const int Whale = 9;

    private const int Scale = Units.PriceScale;
    private const long Share = Units.AmountScale;

    private readonly PCG _rng;
    private readonly ReferenceExchange _view = new(FeeAccount);
    private readonly List<Command> _commands = [];
    private readonly Dictionary<int, int> _mid = []; // market → YES mid
    private readonly Dictionary<int, int> _anchor = []; // market → where its mid is pulled back to
    private long _sequence;
    private long _timestamp = 1_750_000_000_000;
    private long _nextOrderId = 1;
    private int _nextMarketId = 1;

    private CommandStreamGenerator(ulong seed)
    {
        _rng = new PCG(1, seed);
    }

    /// <summary>The setup commands followed by <paramref name="count"/> random ones.</summary>
    public static List<Command> Generate(ulong seed, int count)
    {
        var generator = new CommandStreamGenerator(seed);
        generator.Setup();
        for (var i = 0; i < count; i++)
        {
            generator.Emit(generator.NextCommand());
        }

        return generator._commands;
    }

    // ---- plumbing -------------------------------------------------------------------------------

    private int Int(int minInclusive, int maxInclusive) =>
        minInclusive + (int)_rng.Next((uint)(maxInclusive - minInclusive + 1));

    private long Long(long minInclusive, long maxInclusive) =>
        minInclusive + (long)_rng.Next64((ulong)(maxInclusive - minInclusive + 1));

    private bool Chance(int perThousand) => _rng.Next(1000) < (uint)perThousand;

    private T Pick<T>(IReadOnlyList<T> items) => items[Int(0, items.Count - 1)];

    private long Seq() => ++_sequence;

    private long Ts(long minStep = 0, long maxStep = 1_500)
    {
        _timestamp += Long(minStep, maxStep);
        return _timestamp;
    }

    private void Emit(Command command)
    {
        _commands.Add(command);
        _view.Apply(command);
    }

    private int RandomAccount() => Int(FirstAccount, FirstAccount + AccountCount - 1);

    // ---- setup ----------------------------------------------------------------------------------

    private void Setup()
    {
        for (var a = FirstAccount; a < FirstAccount + AccountCount; a++)
        {
            var stp = a switch
            {
                6 => SelfTradePrevention.CancelResting,
                7 => SelfTradePrevention.CancelIncoming,
                _ => SelfTradePrevention.Off,
            };
            Emit(Command.RegisterAccount(Seq(), Ts(), a, stp));
            Emit(Command.Deposit(Seq(), Ts(), a, (Long(5_000, 20_000) * Share) + Long(0, Share - 1)));
        }

        // A whale whose rare orders are a thousand times larger (notional products near the 64-bit range).
        Emit(Command.RegisterAccount(Seq(), Ts(), Whale));
        Emit(Command.Deposit(Seq(), Ts(), Whale, 60_000_000 * Share));

        // 0.01 fee-free; 0.001 with Polymarket's crypto fee; 0.01 with AutoTickSize near the top; 0.1 with a flat fee;
        // 0.0001 with a tiny minimum size and a steep fee curve.
        AddMarket(new MarketParameters(100), mid: 5_000);
        AddMarket(new MarketParameters(10, TakerFeeRate: 720, TakerFeeExponentHalves: 2), mid: 3_000);
        AddMarket(new MarketParameters(100, AutoTickSize: true), mid: 9_500);
        AddMarket(new MarketParameters(1_000, MinimumSize: Share, TakerFeeRate: 1_000), mid: 5_000);
        AddMarket(new MarketParameters(1, MinimumSize: Share / 1_000, TakerFeeRate: 2_500, TakerFeeExponentHalves: 4), mid: 6_543);
    }

    private void AddMarket(MarketParameters parameters, int mid)
    {
        var id = _nextMarketId++;
        Emit(Command.CreateMarket(Seq(), Ts(), id, parameters));
        _mid[id] = mid;
        _anchor[id] = mid;

        // Everyone gets both tokens by trading: pairs MINT at the mid (a YES bid rests, a NO FAK buys against it).
        var yesPrice = Snap(mid, parameters.TickSize);
        for (var a = FirstAccount; a < FirstAccount + AccountCount; a++)
        {
            var b = a % 2 == 1 ? a + 1 : a - 1;
            var size = Long(150, 400) * Share;
            Emit(Command.Place(Seq(), Ts(), a, id, _nextOrderId++, Outcome.Yes, Side.Buy, yesPrice, size));
            Emit(Command.Place(Seq(), Ts(), b, id, _nextOrderId++, Outcome.No, Side.Buy, Scale - yesPrice, size, TimeInForce.Fak));
        }

        Emit(Command.Place(Seq(), Ts(), Whale, id, _nextOrderId++, Outcome.Yes, Side.Buy, yesPrice, 2_000_000 * Share));
        Emit(Command.Place(Seq(), Ts(), Whale, id, _nextOrderId++, Outcome.No, Side.Buy, Scale - yesPrice, 2_000_000 * Share, TimeInForce.Fak));
    }

    private static int Snap(int bookPrice, int tick) =>
        Math.Clamp(bookPrice / tick * tick, tick, Scale - tick);

    // ---- the random mix -------------------------------------------------------------------------

    private Command NextCommand()
    {
        DriftMids();
        var closed = _view.Markets.Values.FirstOrDefault(m => m.Status == MarketStatus.Closed);
        if (closed is not null && Chance(30))
        {
            return Command.SetMarketStatus(Seq(), Ts(), closed.Id, MarketStatus.Active);
        }

        var roll = Int(0, 9_999);
        return roll switch
        {
            < 6_600 => PlaceOrder(),
            < 6_850 => InvalidPlace(),
            < 7_750 => CancelOpen(),
            < 7_850 => Command.Cancel(Seq(), Ts(), RandomAccount(), Long(1_000_000_000, 2_000_000_000)),
            < 7_900 => Command.CancelAll(Seq(), Ts(), RandomAccount()),
            < 8_020 => CancelMarket(),
            < 8_300 => AdvanceTime(),
            < 8_400 => Command.SetStp(Seq(), Ts(), RandomAccount(), (SelfTradePrevention)Int(0, 2)),
            < 8_650 => Command.Deposit(Seq(), Ts(), RandomAccount(), (Long(100, 4_000) * Share) + Long(0, Share - 1)),
            < 8_900 => Withdraw(),
            < 8_910 => Command.SetMarketStatus(Seq(), Ts(), Pick(LiveMarkets()), MarketStatus.Closed),
            < 8_930 => ChangeTick(),
            < 8_933 => ResolveAndReplace(),
            < 8_960 => InvalidAdministration(),
            < 9_260 => ReduceOpen(),
            _ => PlaceOrder(),
        };
    }

    private void DriftMids()
    {
        foreach (var market in _mid.Keys.ToList())
        {
            if (!Chance(25))
            {
                continue;
            }

            var step = Math.Max(_view.Markets[market].Tick, 10);
            var mid = _mid[market];
            var pull = Math.Sign(_anchor[market] - mid);
            var direction = Math.Abs(_anchor[market] - mid) > 600 ? pull : (Chance(500) ? 1 : -1);
            _mid[market] = Math.Clamp(mid + (direction * step), 300, Scale - 300);
        }
    }

    private List<int> LiveMarkets() =>
        _view.Markets.Values.Where(m => m.Status != MarketStatus.Resolved).Select(m => m.Id).ToList();

    private Command PlaceOrder()
    {
        var market = _view.Markets[Pick(LiveMarkets())];
        var tick = market.Tick;
        var account = Chance(10) ? Whale : RandomAccount();
        var outcome = Chance(500) ? Outcome.Yes : Outcome.No;
        var side = Chance(500) ? Side.Buy : Side.Sell;
        var held = _view.Position(account, market.Id, outcome).Available;
        if (side == Side.Sell && held < Share && Chance(800))
        {
            side = Side.Buy;
        }

        var tif = Int(0, 99) switch
        {
            < 45 => TimeInForce.Gtc,
            < 62 => TimeInForce.Gtd,
            < 72 => TimeInForce.Fok,
            _ => TimeInForce.Fak,
        };

        // Resting bids cluster just below the mid, resting asks just above, with enough overlap that books cross often.
        var isBid = (side == Side.Buy) == (outcome == Outcome.Yes);
        var mid = _mid[market.Id];
        var immediate = tif is TimeInForce.Fok or TimeInForce.Fak;
        var offset = isBid == immediate ? Int(-2, 6) : Int(-6, 2); // FOK/FAK lean into the book, resting orders away from it
        var bookPrice = Snap(mid + (offset * tick), tick);
        var price = outcome == Outcome.Yes ? bookPrice : Scale - bookPrice;

        var budget = side == Side.Buy && Chance(250);
        var quantity = budget ? Budget(market, isBid, bookPrice, outcome) : Shares(market, isBid, bookPrice, side, price, held);
        if (account == Whale && !budget)
        {
            quantity = Math.Min(Units.MaxAmount, quantity * Long(100, 1_000));
        }

        var postOnly = tif is TimeInForce.Gtc or TimeInForce.Gtd && Chance(120);
        var ts = Ts();
        var expiration = tif != TimeInForce.Gtd ? 0
            : Chance(50) ? ts + Units.MinGtdLifetimeMs // the shortest lifetime allowed
            : ts + Units.MinGtdLifetimeMs + Long(0, 240_000);
        var id = _nextOrderId++;
        return budget
            ? Command.PlaceBudgetBuy(Seq(), ts, account, market.Id, id, outcome, price, quantity, tif, postOnly, expiration)
            : Command.Place(Seq(), ts, account, market.Id, id, outcome, side, price, quantity, tif, postOnly, expiration);
    }

    /// <summary>The makers an order at <paramref name="bookLimit"/> would meet, best first.</summary>
    private static List<(int BookPrice, RefOrder Order)> Reachable(RefMarket market, bool isBid, int bookLimit) =>
        (isBid ? market.Asks : market.Bids)
            .TakeWhile(level => isBid ? level.Key <= bookLimit : level.Key >= bookLimit)
            .SelectMany(level => level.Value.Select(o => (level.Key, o)))
            .ToList();

    private long Shares(RefMarket market, bool isBid, int bookLimit, Side side, int price, long held)
    {
        var reachable = Reachable(market, isBid, bookLimit);
        var roll = Int(0, 99);
        long shares;
        if (roll < 20 && reachable.Count > 0)
        {
            // Exactly the first k makers: the taker finishes on a maker or level boundary.
            shares = reachable.Take(Int(1, reachable.Count)).Sum(m => m.Order.Remaining);
        }
        else if (roll < 23)
        {
            shares = market.Parameters.MinimumSize - Int(0, 1); // at and just below the minimum size
        }
        else if (roll < 26 && side == Side.Buy)
        {
            // At and just below the $1 minimum of a marketable BUY.
            shares = ((Units.MinMarketableBuyNotional * Scale) + price - 1) / price - Int(0, 1);
        }
        else if (roll < 32)
        {
            shares = Long(1, 5 * Share);
        }
        else
        {
            shares = (Long(1, 80) * Share) + Long(0, Share - 1);
        }

        if (side == Side.Sell && held > 0 && Chance(900))
        {
            shares = Chance(100) ? held : Math.Min(held, shares); // sometimes everything it has
        }

        return Math.Max(1, shares);
    }

    private long Budget(RefMarket market, bool isBid, int bookLimit, Outcome outcome)
    {
        var reachable = Reachable(market, isBid, bookLimit);
        var roll = Int(0, 99);
        if (roll < 20 && reachable.Count > 0)
        {
            // What exactly the first k makers cost at their prices, rounded up.
            var notional = reachable.Take(Int(1, reachable.Count))
                .Sum(m => m.Order.Remaining * (outcome == Outcome.Yes ? m.BookPrice : Scale - m.BookPrice));
            return Math.Max(1, (notional + Scale - 1) / Scale);
        }

        return roll switch
        {
            < 25 => Units.MinMarketableBuyNotional - Int(0, 1),
            < 30 => Long(100_000, 999_999),
            _ => (Long(1, 40) * Share) + Long(0, Share - 1),
        };
    }

    private Command AdvanceTime()
    {
        // Sometimes exactly onto (or just short of) the next GTD expiration: expiry is due at expiration ≤ now.
        var next = _view.OpenOrders.Values.Where(o => o.TimeInForce == TimeInForce.Gtd).Select(o => o.Expiration)
            .DefaultIfEmpty(long.MaxValue).Min();
        var roll = Int(0, 99);
        if (roll < 40 && next != long.MaxValue && next - 1 > _timestamp)
        {
            _timestamp = roll < 30 ? next : next - 1;
            return Command.AdvanceTime(Seq(), _timestamp);
        }

        return Command.AdvanceTime(Seq(), Ts(5_000, 150_000));
    }

    private Command InvalidAdministration()
    {
        var market = Pick(_view.Markets.Keys.ToList());
        return Int(0, 8) switch
        {
            0 => Command.RegisterAccount(Seq(), Ts(), RandomAccount()),
            1 => Command.CreateMarket(Seq(), Ts(), market, new MarketParameters(100)),
            2 => Command.CreateMarket(Seq(), Ts(), 900 + Int(0, 9), new MarketParameters(Pick(new[] { 0, 5, 20_000 }))),
            3 => Command.CreateMarket(Seq(), Ts(), 900 + Int(0, 9), new MarketParameters(100, TakerFeeExponentHalves: 3)),
            4 => Command.SetMarketStatus(Seq(), Ts(), market, MarketStatus.Resolved),
            5 => Command.SetStp(Seq(), Ts(), RandomAccount(), (SelfTradePrevention)7),
            6 => Command.Resolve(Seq(), Ts(), 999, Outcome.Yes),
            7 => Command.Resolve(Seq(), Ts(), market, (Outcome)3),
            _ => Command.Deposit(Seq(), Ts(), 4_242, Share),
        };
    }

    private Command InvalidPlace()
    {
        var valid = PlaceOrder();
        var tick = _view.Markets.TryGetValue(valid.Market, out var m) ? m.Tick : 100;
        return Int(0, 14) switch
        {
            0 when tick > 1 => valid with { Price = valid.Price - (tick / 2) }, // off the tick grid
            13 when tick > 1 => valid with { Price = Chance(500) ? Scale + (tick / 2) : -(tick / 2) }, // off the grid and out of range
            1 => valid with { Price = 0 },
            2 => valid with { Price = Scale },
            3 => valid with { Price = -tick },
            4 => valid with { Price = Scale + tick },
            5 => valid with { Quantity = 0 },
            6 => valid with { Quantity = -Share },
            7 => valid with { Quantity = Units.MaxAmount + 1 },
            8 => valid with { Side = Side.Sell, IsBudget = true },
            9 => valid with { TimeInForce = Chance(500) ? TimeInForce.Fok : TimeInForce.Fak, PostOnly = true, Expiration = 0 },
            10 => valid with { TimeInForce = TimeInForce.Gtd, Expiration = valid.Timestamp + Long(0, Units.MinGtdLifetimeMs - 1) },
            11 => valid with { Market = 999 },
            12 => valid with { Account = Chance(500) ? FeeAccount : 4_242 },
            _ => _view.OpenOrders.Count > 0
                ? valid with { OrderId = _view.OpenOrders.Keys.ElementAt(Int(0, _view.OpenOrders.Count - 1)) } // duplicate id
                : valid with { Outcome = (Outcome)2 },
        };
    }

    private Command CancelOpen()
    {
        if (_view.OpenOrders.Count == 0)
        {
            return Command.Cancel(Seq(), Ts(), RandomAccount(), _nextOrderId + 7);
        }

        var order = _view.OpenOrders.Values.ElementAt(Int(0, _view.OpenOrders.Count - 1));
        var account = Chance(100) ? RandomAccount() : order.Account; // sometimes not the owner
        return Command.Cancel(Seq(), Ts(), account, order.Id);
    }

    /// <summary>Lowers an open order's size (as a liquidity source trims its quote), sometimes with a size or owner that is refused.</summary>
    private Command ReduceOpen()
    {
        if (_view.OpenOrders.Count == 0)
        {
            return Command.Reduce(Seq(), Ts(), RandomAccount(), _nextOrderId + 7, Share);
        }

        var order = _view.OpenOrders.Values.ElementAt(Int(0, _view.OpenOrders.Count - 1));
        var account = Chance(60) ? RandomAccount() : order.Account; // sometimes not the owner
        var remaining = order.Remaining;
        var roll = Int(0, 99);
        var newRemaining = roll switch
        {
            < 4 => remaining, // not a reduction
            < 7 => remaining + Long(1, Share),
            < 9 => 0,
            < 10 => -Share,
            < 25 when remaining > 1 => remaining - 1, // the smallest cut
            < 35 when remaining > 1 => 1, // almost nothing left
            _ when remaining > 1 => Long(1, remaining - 1),
            _ => remaining,
        };
        return Command.Reduce(Seq(), Ts(), account, order.Id, newRemaining) with { IsBudget = Chance(10) };
    }

    private Command CancelMarket()
    {
        var market = Chance(50) ? 999 : Pick(_view.Markets.Keys.ToList());
        Outcome? outcome = Chance(400) ? (Chance(500) ? Outcome.Yes : Outcome.No) : null;
        return Command.CancelMarket(Seq(), Ts(), RandomAccount(), market, outcome);
    }

    private Command Withdraw()
    {
        var account = RandomAccount();
        var available = _view.Accounts[account].Available;
        var amount = Chance(150) || available < Share ? Long(1, 30_000) * Share : Long(1, available / 2);
        return Command.Withdraw(Seq(), Ts(), account, Chance(20) ? 0 : amount);
    }

    private Command ChangeTick()
    {
        var market = _view.Markets[Pick(LiveMarkets())];
        var tick = market.Parameters.AutoTickSize
            ? (Chance(800) ? 100 : 10) // put it back to 0.01 so the automatic switch can happen again
            : Pick(new[] { 1_000, 100, 10, 1, 100, 10 });
        return Command.SetTickSize(Seq(), Ts(), market.Id, Chance(150) ? 50 : tick);
    }

    private Command ResolveAndReplace()
    {
        var live = LiveMarkets();
        if (live.Count < 3)
        {
            return Command.AdvanceTime(Seq(), Ts());
        }

        var market = Pick(live);
        var winner = Chance(500) ? Outcome.Yes : Outcome.No;
        Emit(Command.Resolve(Seq(), Ts(), market, winner));

        // A fresh market with the same parameters takes its place (its shares get MINTed by the setup pairs).
        var parameters = _view.Markets[market].Parameters;
        _mid.Remove(market);
        _anchor.Remove(market);
        AddMarket(parameters, mid: parameters.AutoTickSize ? 9_500 : Int(2_000, 8_000));
        return Command.AdvanceTime(Seq(), Ts());
    }
}
