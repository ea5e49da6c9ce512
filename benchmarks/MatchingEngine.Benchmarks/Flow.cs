using System.Diagnostics;

namespace Polysim.MatchingEngine.Benchmarks;

/// <summary>Shape of a generated mixed flow.</summary>
public sealed record FlowOptions
{
    /// <summary>Commands in the measured part (after the setup prefix).</summary>
    public int Commands { get; init; } = 1_000_000;

    /// <summary>Markets (ids 1..Markets).</summary>
    public int Markets { get; init; } = 8;

    /// <summary>Trading accounts (ids 1..Accounts); the fee account is 0.</summary>
    public int Accounts { get; init; } = 1_000;

    /// <summary>Resting orders per book the generator steers towards (the prefill builds exactly this many).</summary>
    public int OrdersPerBook { get; init; } = 1_000;

    /// <summary>Share of commands that place a non-crossing GTC/GTD order.</summary>
    public double PlaceFraction { get; init; } = 0.70;

    /// <summary>Share of commands that cancel a random open order.</summary>
    public double CancelFraction { get; init; } = 0.25;

    /// <summary>Share of resting places that are GTD (60–180 s lifetime, so they expire inside a long flow).</summary>
    public double GtdFraction { get; init; } = 0.10;

    /// <summary>Seed of the deterministic generator.</summary>
    public int Seed { get; init; } = 20_260_101;
}

/// <summary>What the generator's dry run saw; used to assert the flow has the intended mix.</summary>
public sealed class FlowStats
{
    public long Places { get; set; }

    public long GtdPlaces { get; set; }

    public long Cancels { get; set; }

    public long Marketable { get; set; }

    public long MarketableFak { get; set; }

    public long MarketableFok { get; set; }

    public long MarketableGtc { get; set; }

    public long Fills { get; set; }

    public long Expired { get; set; }

    public long Rejects { get; set; }

    public string? FirstReject { get; set; }

    public long Events { get; set; }

    public long[] TradesByMatchType { get; } = new long[3];

    public int MinRestingPerBook { get; set; }

    public int MaxRestingPerBook { get; set; }

    public double MeanRestingPerBook { get; set; }

    public int RestingAtStart { get; set; }

    public int RestingAtEnd { get; set; }

    public string Describe(int commands) =>
        $"""
          mix: place {Pct(Places, commands)} (GTD {Pct(GtdPlaces, Places)} of places), cancel {Pct(Cancels, commands)}, marketable {Pct(Marketable, commands)} (FAK {MarketableFak}, FOK {MarketableFok}, GTC {MarketableGtc})
          fills {Fills:N0} ({(double)Fills / Math.Max(1, Marketable):F2} makers per marketable order), GTD expired in flow {Expired:N0}, rejects {Rejects}{(FirstReject is null ? string.Empty : " (first: " + FirstReject + ")")}
          trades by match type: NORMAL {TradesByMatchType[0]:N0}, MINT {TradesByMatchType[1]:N0}, MERGE {TradesByMatchType[2]:N0}
          events {Events:N0} ({(double)Events / commands:F2} per command)
          resting orders: {RestingAtStart:N0} at start, {RestingAtEnd:N0} at end; per book min {MinRestingPerBook} / mean {MeanRestingPerBook:F0} / max {MaxRestingPerBook} (sampled every 1,000 commands)
        """;

    private static string Pct(long part, long whole) => $"{100.0 * part / Math.Max(1, whole):F1} %";
}

/// <summary>A pre-generated command log: a setup prefix (accounts, deposits, markets, minting, prefill) and the mixed flow.</summary>
public sealed class Flow
{
    public required FlowOptions Options { get; init; }

    /// <summary>Registration, deposits, markets, position minting and the prefill to <see cref="FlowOptions.OrdersPerBook"/> per book.</summary>
    public required Command[] Setup { get; init; }

    /// <summary>The mixed flow, sequence numbers continuing after <see cref="Setup"/>.</summary>
    public required Command[] Commands { get; init; }

    public required FlowStats Stats { get; init; }

    /// <summary>State hash of the generator's own engine after setup and flow (an independent dry run).</summary>
    public required ulong ExpectedHash { get; init; }

    /// <summary>A fresh engine with the setup prefix applied (every setup command must be accepted).</summary>
    public Engine NewEngineAfterSetup()
    {
        var engine = new Engine();
        foreach (ref readonly var c in Setup.AsSpan())
        {
            var code = engine.Apply(in c);
            if (code != RejectCode.None)
            {
                throw new InvalidOperationException($"setup command {c.Sequence} rejected: {code}");
            }
        }

        return engine;
    }

    /// <summary>Replays setup and flow on a fresh engine without measuring anything; returns its final state hash.</summary>
    public ulong ReplayHash()
    {
        var engine = NewEngineAfterSetup();
        foreach (ref readonly var c in Commands.AsSpan())
        {
            engine.Apply(in c);
        }

        return engine.ComputeStateHash();
    }
}

/// <summary>
/// Generates a deterministic mixed flow by driving a real engine (the dry run): every command is applied as it
/// is generated, so cancels always name an open order, marketable orders are sized from the live book, and the
/// generator can count what actually happened (trades per match type, fills, rejects).
/// </summary>
public static class FlowGenerator
{
    public const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    public static Flow Generate(FlowOptions options)
    {
        var g = new Generator(options);
        return g.Run();
    }

    private sealed class Generator
    {
        private const int Scale = Units.PriceScale;
        private const long Share = Units.AmountScale;
        private const long MintShares = 1_000_000 * Share;
        private const int PlaceDepthLevels = 20;

        private readonly FlowOptions _o;
        private readonly Random _rng;
        private readonly Engine _engine = new();
        private readonly List<Command> _out;
        private readonly Dictionary<long, (int Market, int Account, int Index)> _open = [];
        private readonly List<long>[] _openByMarket;
        private readonly int[] _ticks;
        private readonly PriceLevel[] _levels = new PriceLevel[Scale];
        private readonly FlowStats _stats = new();
        private long _seq;
        private long _nextOrderId = 1;
        private bool _inFlow;

        public Generator(FlowOptions o)
        {
            _o = o;
            _rng = new Random(o.Seed);
            _out = new List<Command>(o.Commands + (o.Markets * o.OrdersPerBook) + (o.Accounts * 2 * (o.Markets + 1)) + 64);
            _openByMarket = new List<long>[o.Markets + 1];
            _ticks = new int[o.Markets + 1];
            for (var m = 0; m <= o.Markets; m++)
            {
                _openByMarket[m] = [];
            }
        }

        private long Ts => T0 + (_seq / 2); // simulated clock: 2 commands per millisecond

        public Flow Run()
        {
            BuildSetup();
            var setupCount = _out.Count;
            _stats.RestingAtStart = _open.Count;
            _inFlow = true;
            var min = int.MaxValue;
            var max = 0;
            double sum = 0;
            long samples = 0;
            for (var i = 0; i < _o.Commands; i++)
            {
                NextFlowCommand();
                if (i % 1000 == 999)
                {
                    for (var m = 1; m <= _o.Markets; m++)
                    {
                        var n = _openByMarket[m].Count;
                        min = Math.Min(min, n);
                        max = Math.Max(max, n);
                        sum += n;
                        samples++;
                    }
                }
            }

            _stats.RestingAtEnd = _open.Count;
            _stats.MinRestingPerBook = samples == 0 ? 0 : min;
            _stats.MaxRestingPerBook = max;
            _stats.MeanRestingPerBook = samples == 0 ? 0 : sum / samples;
            var all = _out.ToArray();
            return new Flow
            {
                Options = _o,
                Setup = all[..setupCount],
                Commands = all[setupCount..],
                Stats = _stats,
                ExpectedHash = _engine.ComputeStateHash(),
            };
        }

        private void BuildSetup()
        {
            for (var a = 1; a <= _o.Accounts; a++)
            {
                Emit(Command.RegisterAccount(++_seq, Ts, a));
                Emit(Command.Deposit(++_seq, Ts, a, Units.MaxAmount));
            }

            for (var m = 1; m <= _o.Markets; m++)
            {
                // Half the markets at 0.01, half at 0.001; two pay a fee with exponent 1 (p(1-p)), two with 0.5 (square root).
                var tick = m % 2 == 1 ? 100 : 10;
                var parameters = (m % 4) switch
                {
                    3 => new MarketParameters(tick, TakerFeeRate: 200, TakerFeeExponentHalves: 2),
                    0 => new MarketParameters(tick, TakerFeeRate: 100, TakerFeeExponentHalves: 1),
                    _ => new MarketParameters(tick),
                };
                _ticks[m] = tick;
                Emit(Command.CreateMarket(++_seq, Ts, m, parameters));
            }

            // Every account gets 1M YES and 1M NO shares of every market by minting against its neighbour.
            for (var m = 1; m <= _o.Markets; m++)
            {
                for (var a = 1; a + 1 <= _o.Accounts; a += 2)
                {
                    Mint(m, a, a + 1);
                    Mint(m, a + 1, a);
                }
            }

            for (var m = 1; m <= _o.Markets; m++)
            {
                while (_openByMarket[m].Count < _o.OrdersPerBook)
                {
                    PlaceResting(m);
                }
            }
        }

        private void Mint(int market, int yesBuyer, int noBuyer)
        {
            Emit(Command.Place(++_seq, Ts, yesBuyer, market, _nextOrderId++, Outcome.Yes, Side.Buy, 5_000, MintShares));
            Emit(Command.Place(++_seq, Ts, noBuyer, market, _nextOrderId++, Outcome.No, Side.Buy, 5_000, MintShares));
        }

        private void NextFlowCommand()
        {
            var m = 1 + _rng.Next(_o.Markets);
            var r = _rng.NextDouble();
            if (r < _o.PlaceFraction)
            {
                PlaceResting(m);
            }
            else if (r < _o.PlaceFraction + _o.CancelFraction && _openByMarket[m].Count > 0)
            {
                CancelRandom(m);
            }
            else if (!PlaceMarketable(m))
            {
                PlaceResting(m);
            }
        }

        private void CancelRandom(int market)
        {
            var list = _openByMarket[market];
            var id = list[_rng.Next(list.Count)];
            Emit(Command.Cancel(++_seq, Ts, _open[id].Account, id));
            _stats.Cancels++;
        }

        private (int BestBid, int BestAsk) Touch(int market)
        {
            var info = _engine.GetMarket(market)!.Value;
            return (info.BestBid, info.BestAsk);
        }

        /// <summary>A GTC/GTD order 1..20 ticks behind the opposite touch (skewed towards it), so it never crosses.</summary>
        private void PlaceResting(int market)
        {
            var tick = _ticks[market];
            var (bestBid, bestAsk) = Touch(market);
            var bid = _rng.Next(2) == 0;
            for (var attempt = 0; attempt < 2; attempt++, bid = !bid)
            {
                var u = _rng.NextDouble();
                var offset = tick * (1 + (int)(PlaceDepthLevels * u * u));
                int price;
                if (bid)
                {
                    var reference = bestAsk < MarketState.NoAsk ? bestAsk : (bestBid > 0 ? bestBid + tick : 5_000);
                    price = Math.Max(tick, reference - offset);
                    if (price >= bestAsk)
                    {
                        continue;
                    }
                }
                else
                {
                    var reference = bestBid > 0 ? bestBid : (bestAsk < MarketState.NoAsk ? bestAsk - tick : 5_000);
                    price = Math.Min(Scale - tick, reference + offset);
                    if (price <= bestBid)
                    {
                        continue;
                    }
                }

                var shares = _rng.Next(5, 51) * Share;
                var gtd = _rng.NextDouble() < _o.GtdFraction;
                var seq = ++_seq;
                var expiration = gtd ? Ts + Units.MinGtdLifetimeMs + _rng.Next(120_001) : 0;
                var tif = gtd ? TimeInForce.Gtd : TimeInForce.Gtc;

                // In YES-book terms a bid is BUY YES or SELL NO, an ask SELL YES or BUY NO.
                var yes = _rng.Next(2) == 0;
                var outcome = yes ? Outcome.Yes : Outcome.No;
                var side = bid == yes ? Side.Buy : Side.Sell;
                var own = yes ? price : Scale - price;
                var account = PickAccount(market, outcome, side, shares, own);
                Emit(Command.Place(seq, Ts, account, market, _nextOrderId++, outcome, side, own, shares, tif, expiration: expiration));
                if (_inFlow)
                {
                    _stats.Places++;
                    if (gtd)
                    {
                        _stats.GtdPlaces++;
                    }
                }

                return;
            }

            throw new InvalidOperationException($"market {market}: no room to place a resting order ({bestBid}/{bestAsk})");
        }

        /// <summary>A taker sized from the live book to fill about k makers; k grows when the book is above its target size.</summary>
        private bool PlaceMarketable(int market)
        {
            var (bestBid, bestAsk) = Touch(market);
            if (bestBid == MarketState.NoBid || bestAsk == MarketState.NoAsk)
            {
                return false;
            }

            // Mean reversion: buy (YES) more often when the mid is below 0.5, sell more often above.
            var mid = (bestBid + bestAsk) / 2;
            var pBidTaker = Math.Clamp(0.5 + ((5_000 - mid) / 4_000.0), 0.15, 0.85);
            var bidTaker = _rng.NextDouble() < pBidTaker;
            var n = _openByMarket[market].Count;
            var k = Math.Clamp(8 + ((n - _o.OrdersPerBook) / 20), 1, 40);

            // Walk the opposite side: whole levels while they fit in k, then the first orders of the last level.
            var count = _engine.CopyLevels(market, Outcome.Yes, bidTaker ? Side.Sell : Side.Buy, _levels);
            long quantity = 0;
            long lastMaker = 0;
            var limit = 0;
            var taken = 0;
            for (var i = 0; i < count && taken < k; i++)
            {
                limit = _levels[i].Price;
                if (taken + _levels[i].Orders <= k)
                {
                    quantity += _levels[i].Size;
                    taken += _levels[i].Orders;
                    continue;
                }

                foreach (var o in _engine.GetOrdersAt(market, !bidTaker, limit))
                {
                    if (taken == k)
                    {
                        break;
                    }

                    quantity += o.Remaining;
                    lastMaker = o.Remaining;
                    taken++;
                }
            }

            if (_rng.NextDouble() < 0.3 && lastMaker >= 2 * Share)
            {
                quantity -= lastMaker / 2 / Share * Share; // the last maker is left partially filled
            }

            var yes = _rng.Next(2) == 0;
            var outcome = yes ? Outcome.Yes : Outcome.No;
            var side = bidTaker == yes ? Side.Buy : Side.Sell;
            var own = yes ? limit : Scale - limit;
            if (side == Side.Buy && quantity * own < Units.MinMarketableBuyNotional * Scale)
            {
                // Below Polymarket's $1 minimum for a marketable BUY: take the same liquidity as a SELL of the other token.
                outcome = yes ? Outcome.No : Outcome.Yes;
                side = Side.Sell;
                own = Scale - own;
            }

            var t = _rng.NextDouble();
            var tif = t < 0.70 ? TimeInForce.Fak : t < 0.85 ? TimeInForce.Fok : TimeInForce.Gtc;
            var account = PickAccount(market, outcome, side, quantity, own);
            Emit(Command.Place(++_seq, Ts, account, market, _nextOrderId++, outcome, side, own, quantity, tif));
            _stats.Marketable++;
            switch (tif)
            {
                case TimeInForce.Fak:
                    _stats.MarketableFak++;
                    break;
                case TimeInForce.Fok:
                    _stats.MarketableFok++;
                    break;
                default:
                    _stats.MarketableGtc++;
                    break;
            }

            return true;
        }

        private int PickAccount(int market, Outcome outcome, Side side, long shares, int ownPrice)
        {
            for (var attempt = 0; attempt < 64; attempt++)
            {
                var a = 1 + _rng.Next(_o.Accounts);
                var ok = side == Side.Buy
                    ? _engine.GetBalance(a).Available >= (shares * ownPrice / Scale) + 1
                    : _engine.GetPosition(a, market, outcome).Available >= shares;
                if (ok)
                {
                    return a;
                }
            }

            throw new InvalidOperationException("no account can afford the order; raise the deposits or minted positions");
        }

        private void Emit(Command c)
        {
            var code = _engine.Apply(in c);
            _out.Add(c);
            if (code != RejectCode.None)
            {
                _stats.Rejects++;
                _stats.FirstReject ??= $"{code}: {c}";
                if (!_inFlow)
                {
                    throw new InvalidOperationException($"setup command rejected: {code} ({c})");
                }
            }

            var events = _engine.Events;
            if (_inFlow)
            {
                _stats.Events += events.Length;
            }

            foreach (ref readonly var e in events)
            {
                switch (e.Kind)
                {
                    case EventKind.OrderRested:
                        AddOpen(e.OrderId, e.Market, e.Account);
                        break;
                    case EventKind.OrderCancelled:
                        RemoveOpen(e.OrderId);
                        break;
                    case EventKind.OrderExpired:
                        RemoveOpen(e.OrderId);
                        if (_inFlow)
                        {
                            _stats.Expired++;
                        }

                        break;
                    case EventKind.OrderFilled when e.Remaining == 0:
                        RemoveOpen(e.OrderId);
                        break;
                    case EventKind.Trade when _inFlow:
                        _stats.TradesByMatchType[(int)e.MatchType]++;
                        _stats.Fills++;
                        break;
                    default:
                        break;
                }
            }
        }

        private void AddOpen(long id, int market, int account)
        {
            var list = _openByMarket[market];
            _open[id] = (market, account, list.Count);
            list.Add(id);
        }

        private void RemoveOpen(long id)
        {
            if (!_open.Remove(id, out var entry))
            {
                return;
            }

            var list = _openByMarket[entry.Market];
            var last = list[^1];
            list[entry.Index] = last;
            list.RemoveAt(list.Count - 1);
            if (last != id)
            {
                _open[last] = _open[last] with { Index = entry.Index };
            }

            Debug.Assert(list.Count == _openByMarket[entry.Market].Count, "swap-remove keeps the list dense");
        }
    }
}
