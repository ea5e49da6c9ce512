using BenchmarkDotNet.Attributes;

namespace Polysim.MatchingEngine.Benchmarks;

/// <summary>
/// One kind of command at a time, against the warm book. Each iteration's input (with fresh sequence numbers)
/// is prepared in [IterationSetup] and undone in [IterationCleanup], neither measured; the measured
/// invocation is a plain loop of <see cref="Engine.Apply"/> over a pre-built array, reported per command
/// (OperationsPerInvoke). The price: BDN runs one invocation per iteration, so iterations are short (~0.1–1 ms).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BatchConfig))]
public class BatchBenchmarks
{
    /// <summary>Orders per market per iteration for place / cancel / 1-fill: the book grows from 1,000 to at most 1,256 per market.</summary>
    private const int PerMarket = 256;
    private const int Batch = PerMarket * WarmBook.Markets;

    /// <summary>Takers per market per iteration in the sweep: 39 × 5 = 195 one-order levels fill the spread 4010..5990.</summary>
    private const int SweepsPerMarket = 39;
    private const int SweepBatch = SweepsPerMarket * WarmBook.Markets;

    private WarmBook _book = null!;
    private Engine _engine = null!;
    private Random _rng = null!;
    private readonly Command[] _commands = new Command[Batch];
    private readonly Command[] _undo = new Command[Batch];
    private int _count;
    private long _tradesBefore;
    private int _openBefore;

    [GlobalSetup]
    public void Setup()
    {
        _book = new WarmBook();
        _engine = _book.Engine;
        _rng = new Random(13);
        _openBefore = _engine.OpenOrderCount;
        SteadyBenchmarks.WarmUpJit();
    }

    // ---- add-rest ------------------------------------------------------------------------------

    [IterationSetup(Target = nameof(Place))]
    public void SetupPlace()
    {
        for (var i = 0; i < Batch; i++)
        {
            var order = RandomRestingOrder(i % WarmBook.Markets + 1) with { Sequence = _book.NextSequence() };
            _commands[i] = order;
            _undo[i] = Command.Cancel(0, _book.Timestamp, order.Account, order.OrderId);
        }

        _count = Batch;
    }

    [IterationCleanup(Target = nameof(Place))]
    public void CleanupPlace()
    {
        SteadyBenchmarks.Expect(_engine.OpenOrderCount == _openBefore + Batch, "not every place rested");
        UndoAll();
    }

    /// <summary>A GTC order that rests at the tail of an existing level (random market, side, level 0..49, token).</summary>
    [Benchmark(Description = "add-rest: GTC joins an existing level", OperationsPerInvoke = Batch)]
    public RejectCode Place() => ApplyAll();

    // ---- cancel --------------------------------------------------------------------------------

    [IterationSetup(Target = nameof(Cancel))]
    public void SetupCancel()
    {
        for (var i = 0; i < Batch; i++)
        {
            var order = RandomRestingOrder(i % WarmBook.Markets + 1);
            _book.Apply(order);
            _commands[i] = Command.Cancel(0, _book.Timestamp, order.Account, order.OrderId);
        }

        _rng.Shuffle(_commands.AsSpan(0, Batch));
        for (var i = 0; i < Batch; i++)
        {
            _commands[i] = _commands[i] with { Sequence = _book.NextSequence() };
        }

        _count = Batch;
    }

    [IterationCleanup(Target = nameof(Cancel))]
    public void CleanupCancel() =>
        SteadyBenchmarks.Expect(_engine.OpenOrderCount == _openBefore, "not every cancel removed its order");

    /// <summary>Cancels, in random order, orders that joined random existing levels (so most are unlinked mid-queue).</summary>
    [Benchmark(Description = "cancel a resting order (mid-queue, random)", OperationsPerInvoke = Batch)]
    public RejectCode Cancel() => ApplyAll();

    // ---- 1-fill match --------------------------------------------------------------------------

    [IterationSetup(Target = nameof(MatchOneFill))]
    public void SetupMatchOneFill()
    {
        // 256 makers per market on a new level at 0.5 (asks in odd markets, bids in even markets).
        for (var m = 1; m <= WarmBook.Markets; m++)
        {
            for (var j = 0; j < PerMarket; j++)
            {
                _book.Apply(_book.Resting(m, RandomAccount(), bid: m % 2 == 0, 5_000, RandomToken()));
            }
        }

        // Takers of exactly one maker's size, round-robin over the markets.
        for (var i = 0; i < Batch; i++)
        {
            var m = (i % WarmBook.Markets) + 1;
            _commands[i] = _book.Resting(m, RandomAccount(), bid: m % 2 == 1, 5_000, RandomToken()) with { Sequence = _book.NextSequence() };
        }

        _count = Batch;
        _tradesBefore = _engine.TradeCount;
    }

    [IterationCleanup(Target = nameof(MatchOneFill))]
    public void CleanupMatchOneFill() =>
        SteadyBenchmarks.Expect(
            _engine.TradeCount == _tradesBefore + Batch && _engine.OpenOrderCount == _openBefore,
            "a 1-fill taker did not fill exactly one maker");

    /// <summary>A GTC taker that fills exactly one maker (the head of a 256-order level; the last one empties it).</summary>
    [Benchmark(Description = "1-fill match: taker fills exactly one maker", OperationsPerInvoke = Batch)]
    public RejectCode MatchOneFill() => ApplyAll();

    // ---- 5-level sweep -------------------------------------------------------------------------

    [IterationSetup(Target = nameof(SweepFiveLevels))]
    public void SetupSweep()
    {
        // 195 one-order levels per market inside the spread: asks 4010..5950 (odd markets), bids 5990..4050 (even).
        for (var m = 1; m <= WarmBook.Markets; m++)
        {
            var bidTaker = m % 2 == 1;
            for (var l = 0; l < SweepsPerMarket * 5; l++)
            {
                _book.Apply(_book.Resting(m, RandomAccount(), bid: !bidTaker, LevelPrice(bidTaker, l), RandomToken()));
            }
        }

        var i = 0;
        for (var j = 0; j < SweepsPerMarket; j++)
        {
            for (var m = 1; m <= WarmBook.Markets; m++)
            {
                var bidTaker = m % 2 == 1;
                var taker = _book.Resting(m, RandomAccount(), bidTaker, LevelPrice(bidTaker, (5 * j) + 4), RandomToken(), 5 * WarmBook.OrderSize);
                _commands[i++] = taker with { Sequence = _book.NextSequence() };
            }
        }

        _count = SweepBatch;
        _tradesBefore = _engine.TradeCount;

        static int LevelPrice(bool bidTaker, int l) => bidTaker ? 4_010 + (l * WarmBook.Tick) : 5_990 - (l * WarmBook.Tick);
    }

    [IterationCleanup(Target = nameof(SweepFiveLevels))]
    public void CleanupSweep() =>
        SteadyBenchmarks.Expect(
            _engine.TradeCount == _tradesBefore + (5 * SweepBatch) && _engine.OpenOrderCount == _openBefore,
            "a sweeping taker did not fill exactly five one-order levels");

    /// <summary>A GTC taker of five makers' size whose limit is five levels deep; each level holds one maker.</summary>
    [Benchmark(Description = "taker sweeps 5 levels (5 fills)", OperationsPerInvoke = SweepBatch)]
    public RejectCode SweepFiveLevels() => ApplyAll();

    // ---- helpers -------------------------------------------------------------------------------

    private RejectCode ApplyAll()
    {
        var engine = _engine;
        var commands = _commands;
        var result = RejectCode.None;
        for (var i = 0; i < _count; i++)
        {
            var code = engine.Apply(in commands[i]);
            if (code != RejectCode.None)
            {
                result = code;
            }
        }

        return result;
    }

    private void UndoAll()
    {
        for (var i = 0; i < _count; i++)
        {
            _book.Apply(_undo[i]);
        }
    }

    private Command RandomRestingOrder(int market)
    {
        var bid = _rng.Next(2) == 0;
        var level = _rng.Next(WarmBook.LevelsPerSide) * WarmBook.Tick;
        var price = bid ? WarmBook.BestBid - level : WarmBook.BestAsk + level;
        return _book.Resting(market, RandomAccount(), bid, price, RandomToken());
    }

    private int RandomAccount() => 1 + _rng.Next(WarmBook.Accounts);

    private bool RandomToken() => _rng.Next(2) == 0;
}
