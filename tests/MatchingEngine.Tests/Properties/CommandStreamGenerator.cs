using CsCheck;

namespace Polysim.MatchingEngine.Tests.Properties;

/// <summary>
/// A seeded random command stream for the property tests: several markets, accounts that deposit, MINT themselves shares
/// and then trade around a drifting per-market mid so that books cross often, plus cancels, expiry, STP changes, cash
/// movements, invalid commands and the odd resolution or tick change.
/// </summary>
/// <remarks>
/// The generator steers itself with a private <see cref="ReferenceExchange"/> (to pick open order ids and to size SELLs
/// within the shares an account holds); the stream is a pure function of the seed. Sequences strictly increase and
/// timestamps move forward by random millisecond steps.
/// </remarks>
public sealed class CommandStreamGenerator
{
    public const int FeeAccount = 0;
    public const int FirstAccount = 1;
    public const int AccountCount = 8;

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
            Emit(Command.Deposit(Seq(), Ts(), a, Long(5_000, 20_000) * Share + Long(0, Share - 1)));
        }

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
        for (var a = FirstAccount; a < FirstAccount + AccountCount; a++)
        {
            var b = a % 2 == 1 ? a + 1 : a - 1;
            var size = Long(150, 400) * Share;
            var yesPrice = Snap(mid, parameters.TickSize);
            Emit(Command.Place(Seq(), Ts(), a, id, _nextOrderId++, Outcome.Yes, Side.Buy, yesPrice, size));
            Emit(Command.Place(Seq(), Ts(), b, id, _nextOrderId++, Outcome.No, Side.Buy, Scale - yesPrice, size, TimeInForce.Fak));
        }
    }

    private static int Snap(int bookPrice, int tick) =>
        Math.Clamp(bookPrice / tick * tick, tick, Scale - tick);

    // ---- the random mix -------------------------------------------------------------------------

    private Command NextCommand()
    {
        DriftMids();
        var roll = Int(0, 9_999);
        return roll switch
        {
            < 6_400 => PlaceOrder(),
            < 6_650 => InvalidPlace(),
            < 7_850 => CancelOpen(),
            < 8_000 => Command.Cancel(Seq(), Ts(), RandomAccount(), Long(1_000_000_000, 2_000_000_000)),
            < 8_080 => Command.CancelAll(Seq(), Ts(), RandomAccount()),
            < 8_230 => CancelMarket(),
            < 8_530 => Command.AdvanceTime(Seq(), Ts(5_000, 150_000)),
            < 8_630 => Command.SetStp(Seq(), Ts(), RandomAccount(), (SelfTradePrevention)Int(0, 2)),
            < 8_900 => Command.Deposit(Seq(), Ts(), RandomAccount(), Long(100, 4_000) * Share + Long(0, Share - 1)),
            < 9_150 => Withdraw(),
            < 9_190 => ToggleStatus(),
            < 9_210 => ChangeTick(),
            < 9_213 => ResolveAndReplace(),
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
        var live = LiveMarkets();
        var market = _view.Markets[Pick(live)];
        var tick = market.Tick;
        var account = RandomAccount();
        var outcome = Chance(500) ? Outcome.Yes : Outcome.No;
        var side = Chance(500) ? Side.Buy : Side.Sell;
        var held = _view.Position(account, market.Id, outcome).Available;
        if (side == Side.Sell && held < Share && Chance(800))
        {
            side = Side.Buy;
        }

        var tif = Int(0, 99) switch
        {
            < 40 => TimeInForce.Gtc,
            < 55 => TimeInForce.Gtd,
            < 70 => TimeInForce.Fok,
            _ => TimeInForce.Fak,
        };

        // Bids cluster just below the mid, asks just above, with enough overlap that books cross often.
        var isBid = (side == Side.Buy) == (outcome == Outcome.Yes);
        var mid = _mid[market.Id];
        var offset = isBid ? Int(-6, 2) : Int(-2, 6);
        var bookPrice = Snap(mid + (offset * tick), tick);
        var price = outcome == Outcome.Yes ? bookPrice : Scale - bookPrice;

        var budget = side == Side.Buy && Chance(250);
        long quantity;
        if (budget)
        {
            quantity = Chance(50) ? Long(100_000, 999_999) : Long(1, 40) * Share + Long(0, Share - 1);
        }
        else if (side == Side.Sell && held > 0 && Chance(900))
        {
            quantity = Math.Min(held, Long(1, 80) * Share + Long(0, Share - 1));
            if (Chance(100))
            {
                quantity = held; // everything it has
            }
        }
        else
        {
            quantity = Chance(60) ? Long(1, 4_999_999) : Long(1, 80) * Share + Long(0, Share - 1);
        }

        var postOnly = tif is TimeInForce.Gtc or TimeInForce.Gtd && Chance(120);
        var ts = Ts();
        var expiration = tif == TimeInForce.Gtd ? ts + Units.MinGtdLifetimeMs + Long(0, 240_000) : 0;

        var id = _nextOrderId++;
        return budget
            ? Command.PlaceBudgetBuy(Seq(), ts, account, market.Id, id, outcome, price, quantity, tif, postOnly, expiration)
            : Command.Place(Seq(), ts, account, market.Id, id, outcome, side, price, quantity, tif, postOnly, expiration);
    }

    private Command InvalidPlace()
    {
        var valid = PlaceOrder();
        var tick = _view.Markets.TryGetValue(valid.Market, out var m) ? m.Tick : 100;
        return Int(0, 13) switch
        {
            0 when tick > 1 => valid with { Price = valid.Price - (tick / 2) }, // off the tick grid
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

    private Command ToggleStatus()
    {
        var market = _view.Markets[Pick(LiveMarkets())];
        var status = market.Status == MarketStatus.Active ? MarketStatus.Closed : MarketStatus.Active;
        return Command.SetMarketStatus(Seq(), Ts(), market.Id, status);
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
