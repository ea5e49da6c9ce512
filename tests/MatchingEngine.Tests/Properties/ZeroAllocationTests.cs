using CsCheck;

namespace Polysim.MatchingEngine.Tests.Properties;

/// <summary>Once warm, applying commands allocates nothing: measured over 120,000 pre-built commands of a steady-state mix.</summary>
public class ZeroAllocationTests
{
    private const int Measured = 120_000;

    [Fact]
    public void A_warm_engine_allocates_nothing_over_a_steady_state_mix()
    {
        var mix = new SteadyStateMix(seed: 99);
        var engine = new Engine(new EngineOptions { InitialOrderCapacity = 1 << 16 });
        foreach (var command in mix.Setup())
        {
            Assert.Equal(RejectCode.None, engine.Apply(command));
        }

        // Pre-build both passes, then warm up with the first: pools, books, positions and JIT reach their steady state.
        var warmUp = mix.Build(Measured);
        var measured = mix.Build(Measured);
        var counts = new long[32];
        Run(engine, warmUp, counts);
        Assert.True(engine.OpenOrderCount > 1_000, $"only {engine.OpenOrderCount} resting orders after warm-up");
        Array.Clear(counts);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(engine, measured, counts);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);

        // The measured pass really was the mix: resting, cancels, fills of all three kinds, GTD expiry.
        Assert.True(counts[Slot(MatchType.Normal)] > 1_000, "NORMAL fills");
        Assert.True(counts[Slot(MatchType.Mint)] > 1_000, "MINT fills");
        Assert.True(counts[Slot(MatchType.Merge)] > 1_000, "MERGE fills");
        Assert.True(counts[(int)EventKind.OrderRested] > 10_000, "resting orders");
        Assert.True(counts[(int)EventKind.OrderCancelled] > 10_000, "cancels");
        Assert.True(counts[(int)EventKind.OrderExpired] > 1_000, "GTD expiries");
        Assert.True(counts[(int)EventKind.OrderReduced] > 1_000, "reductions");
        Assert.True(counts[Slot(RejectCode.None)] > Measured / 2, "most commands accepted");
    }

    private static int Slot(MatchType type) => 20 + (int)type;

    private static int Slot(RejectCode code) => code == RejectCode.None ? 24 : 25;

    /// <summary>Applies the commands and counts what happened, iterating the event span only (no copies, no boxing).</summary>
    private static void Run(Engine engine, Command[] commands, long[] counts)
    {
        for (var i = 0; i < commands.Length; i++)
        {
            var code = engine.Apply(in commands[i]);
            counts[Slot(code)]++;
            foreach (ref readonly var e in engine.Events)
            {
                counts[(int)e.Kind]++;
                if (e.Kind == EventKind.Trade)
                {
                    counts[Slot(e.MatchType)]++;
                }
            }
        }
    }

    /// <summary>
    /// Place-rest, cancel, reduce, marketable FAK/GTC (NORMAL, MINT and MERGE fills) and GTD expiry around a fixed mid in two markets.
    /// </summary>
    /// <remarks>
    /// Order ids come from a ring of 4,096 and every placement is preceded by a cancel of its id, so an id is never open
    /// twice and at most 4,096 orders are open: the order pool and id index never grow. Time advances 100 s every 200
    /// steps, past every GTD expiration (60–90 s), so the expiry heap never holds more than one period's GTD orders.
    /// </remarks>
    private sealed class SteadyStateMix(ulong seed)
    {
        private const int Accounts = 8;
        private const int Ring = 4_096;
        private const long Share = Units.AmountScale;

        private readonly PCG _rng = new(3, seed);
        private long _sequence;
        private long _now = 1_750_000_000_000;
        private readonly int[] _owner = Enumerable.Repeat(1, Ring).ToArray();
        private int _ring;
        private int _step;

        public List<Command> Setup()
        {
            var commands = new List<Command>();
            for (var a = 1; a <= Accounts; a++)
            {
                commands.Add(Command.RegisterAccount(++_sequence, _now, a));
                commands.Add(Command.Deposit(++_sequence, _now, a, 5_000_000 * Share));
            }

            commands.Add(Command.CreateMarket(++_sequence, _now, 1, new MarketParameters(100, TakerFeeRate: 720, TakerFeeExponentHalves: 2)));
            commands.Add(Command.CreateMarket(++_sequence, _now, 2, new MarketParameters(10)));
            var id = 1_000_000L;
            for (var market = 1; market <= 2; market++)
            {
                for (var a = 1; a <= Accounts; a++)
                {
                    var b = (a % Accounts) + 1;
                    commands.Add(Command.Place(++_sequence, _now, a, market, ++id, Outcome.Yes, Side.Buy, 5_000, 600_000 * Share));
                    commands.Add(Command.Place(++_sequence, _now, b, market, ++id, Outcome.No, Side.Buy, 5_000, 600_000 * Share, TimeInForce.Fak));
                }
            }

            return commands;
        }

        public Command[] Build(int count)
        {
            var commands = new List<Command>(count);
            while (commands.Count < count)
            {
                if (++_step % 200 == 0)
                {
                    _now += 100_000;
                    commands.Add(Command.AdvanceTime(++_sequence, _now));
                    continue;
                }

                _now++;
                var roll = _rng.Next(100);
                if (roll < 10)
                {
                    var victim = (int)_rng.Next(Ring);
                    commands.Add(Command.Cancel(++_sequence, _now, _owner[victim], victim + 1L));
                    continue;
                }

                if (roll < 15)
                {
                    // Trim an order in place to one to four shares (refused when it is gone or already that small).
                    var victim = (int)_rng.Next(Ring);
                    commands.Add(Command.Reduce(++_sequence, _now, _owner[victim], victim + 1L, (_rng.Next(4) + 1) * Share));
                    continue;
                }

                // Free the next ring id first (its owner cancels it, whether it is still open or not), then use it.
                var slot = _ring++ % Ring;
                var orderId = slot + 1L;
                commands.Add(Command.Cancel(++_sequence, _now, _owner[slot], orderId));
                var account = Account();
                _owner[slot] = account;
                commands.Add(roll < 80 ? Rest(account, orderId) : Marketable(account, orderId));
            }

            return [.. commands.Take(count)];
        }

        private int Account() => (int)_rng.Next(Accounts) + 1;

        private (int Market, int Tick) Market() => _rng.Next(2) == 0 ? (1, 100) : (2, 10);

        private Command Rest(int account, long orderId)
        {
            var (market, tick) = Market();
            var bid = _rng.Next(2) == 0;
            var bookPrice = 5_000 + ((bid ? -1 : 1) * (int)(_rng.Next(20) + 1) * tick);
            var yes = _rng.Next(2) == 0;
            var side = bid == yes ? Side.Buy : Side.Sell; // bid: BUY YES or SELL NO; ask: SELL YES or BUY NO
            var price = yes ? bookPrice : Units.PriceScale - bookPrice;
            var size = ((_rng.Next(16) + 5) * Share) + _rng.Next(1_000_000);
            var gtd = _rng.Next(5) == 0;
            return Command.Place(
                ++_sequence, _now, account, market, orderId, yes ? Outcome.Yes : Outcome.No, side, price, size,
                gtd ? TimeInForce.Gtd : TimeInForce.Gtc, expiration: gtd ? _now + 60_000 + _rng.Next(30_000) : 0);
        }

        private Command Marketable(int account, long orderId)
        {
            var (market, tick) = Market();
            var bid = _rng.Next(2) == 0;
            var bookLimit = 5_000 + ((bid ? 1 : -1) * 20 * tick);
            var yes = _rng.Next(2) == 0;
            var side = bid == yes ? Side.Buy : Side.Sell;
            var price = yes ? bookLimit : Units.PriceScale - bookLimit;
            var tif = _rng.Next(10) < 7 ? TimeInForce.Fak : TimeInForce.Gtc;
            var outcome = yes ? Outcome.Yes : Outcome.No;
            if (side == Side.Buy && _rng.Next(5) == 0)
            {
                var budget = ((_rng.Next(6) + 3) * Share) + _rng.Next(1_000_000);
                return Command.PlaceBudgetBuy(++_sequence, _now, account, market, orderId, outcome, price, budget, TimeInForce.Fak);
            }

            var size = ((_rng.Next(16) + 5) * Share) + _rng.Next(1_000_000);
            return Command.Place(++_sequence, _now, account, market, orderId, outcome, side, price, size, tif);
        }
    }
}
