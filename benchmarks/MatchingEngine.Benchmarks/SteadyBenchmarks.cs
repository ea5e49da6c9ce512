using BenchmarkDotNet.Attributes;

namespace Polysim.MatchingEngine.Benchmarks;

/// <summary>
/// Operations that leave the warm book as they found it, so BDN can call them any number of times. Each
/// benchmark method is one round trip of several commands (see each description); sequence numbers are
/// stamped on the fly with <c>command with { Sequence = … }</c> (a 120-byte struct copy, no allocation),
/// which is included in the figures.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SteadyConfig))]
public class SteadyBenchmarks
{
    private const int Templates = 1024;
    private const long TemplateIds = 1_000_000_000_000;

    private WarmBook _book = null!;
    private Engine _engine = null!;
    private readonly Command[] _places = new Command[Templates];
    private readonly Command[] _cancels = new Command[Templates];
    private readonly Command[] _takers = new Command[Templates];
    private readonly Command[] _makers = new Command[Templates];
    private readonly Command[] _sweepers = new Command[Templates];
    private readonly Command[] _sweepMakers = new Command[Templates * 5];
    private long _sequence;
    private long _nextOrderId;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _book = new WarmBook();
        _engine = _book.Engine;
        var rng = new Random(11);
        for (var i = 0; i < Templates; i++)
        {
            // Place + cancel: a GTC order joining the tail of a random existing level of a random market.
            var market = 1 + rng.Next(WarmBook.Markets);
            var bid = rng.Next(2) == 0;
            var level = rng.Next(WarmBook.LevelsPerSide) * WarmBook.Tick;
            var price = bid ? WarmBook.BestBid - level : WarmBook.BestAsk + level;
            var account = 1 + rng.Next(WarmBook.Accounts);
            _places[i] = _book.Order(market, account, bid, price, rng.Next(2) == 0, WarmBook.OrderSize, TemplateIds + i);
            _cancels[i] = Command.Cancel(0, _book.Timestamp, account, TemplateIds + i);

            // 1-fill match: odd markets lift the best ask (6000), even markets hit the best bid (4000); the taker is
            // exactly one maker's size, then a maker of the same side and price is re-added at the tail.
            market = 1 + (i % WarmBook.Markets);
            var bidTaker = market % 2 == 1;
            var touch = bidTaker ? WarmBook.BestAsk : WarmBook.BestBid;
            _takers[i] = _book.Order(market, 1 + rng.Next(WarmBook.Accounts), bidTaker, touch, rng.Next(2) == 0, WarmBook.OrderSize, TemplateIds + Templates + market);
            _makers[i] = _book.Order(market, 1 + rng.Next(WarmBook.Accounts), !bidTaker, touch, rng.Next(2) == 0, WarmBook.OrderSize, 0);

            // Sweep: five one-order levels inside the spread (5000.. on the ask side, or ..5000 on the bid side),
            // then one taker of five makers' size whose limit is the fifth level.
            for (var l = 0; l < 5; l++)
            {
                var p = bidTaker ? 5_000 + (l * WarmBook.Tick) : 5_000 - (l * WarmBook.Tick);
                _sweepMakers[(i * 5) + l] = _book.Order(market, 1 + rng.Next(WarmBook.Accounts), !bidTaker, p, rng.Next(2) == 0, WarmBook.OrderSize, 0);
            }

            var limit = bidTaker ? 5_000 + (4 * WarmBook.Tick) : 5_000 - (4 * WarmBook.Tick);
            _sweepers[i] = _book.Order(market, 1 + rng.Next(WarmBook.Accounts), bidTaker, limit, rng.Next(2) == 0, 5 * WarmBook.OrderSize, TemplateIds + (2 * Templates) + market);
        }

        _sequence = _book.NextSequence();
        _nextOrderId = TemplateIds * 2;
        Verify();
    }

    [Benchmark(Description = "add-rest GTC + cancel it (2 commands)")]
    public RejectCode PlaceThenCancel()
    {
        var i = _i;
        _i = (i + 1) & (Templates - 1);
        var a = _engine.Apply(_places[i] with { Sequence = ++_sequence });
        var b = _engine.Apply(_cancels[i] with { Sequence = ++_sequence });
        return a == RejectCode.None ? b : a;
    }

    [Benchmark(Description = "1-fill match + re-add the maker (2 commands)")]
    public RejectCode MatchOneFillThenReAdd()
    {
        var i = _i;
        _i = (i + 1) & (Templates - 1);
        var a = _engine.Apply(_takers[i] with { Sequence = ++_sequence });
        var b = _engine.Apply(_makers[i] with { Sequence = ++_sequence, OrderId = ++_nextOrderId });
        return a == RejectCode.None ? b : a;
    }

    [Benchmark(Description = "5 makers on 5 new levels + 1 taker sweeping them (6 commands)")]
    public RejectCode AddFiveLevelsThenSweep()
    {
        var i = _i;
        _i = (i + 1) & (Templates - 1);
        var code = RejectCode.None;
        for (var l = 0; l < 5; l++)
        {
            code |= _engine.Apply(_sweepMakers[(i * 5) + l] with { Sequence = ++_sequence, OrderId = ++_nextOrderId });
        }

        return code | _engine.Apply(_sweepers[i] with { Sequence = ++_sequence });
    }

    /// <summary>Runs each benchmark body and checks it did what it claims, so a fast-but-wrong engine fails here.</summary>
    private void Verify()
    {
        var open = _engine.OpenOrderCount;
        var trades = _engine.TradeCount;
        for (var n = 0; n < 3 * Templates; n++)
        {
            Check(PlaceThenCancel(), "place/cancel");
        }

        Expect(_engine.OpenOrderCount == open && _engine.TradeCount == trades, "place/cancel changed the book");
        for (var n = 0; n < 3 * Templates; n++)
        {
            Check(MatchOneFillThenReAdd(), "1-fill");
            Expect(_engine.TradeCount == trades + n + 1, "a 1-fill taker did not print exactly one trade");
        }

        Expect(_engine.OpenOrderCount == open, "1-fill + re-add changed the book size");
        trades = _engine.TradeCount;
        for (var n = 0; n < 3 * Templates; n++)
        {
            Check(AddFiveLevelsThenSweep(), "sweep");
            Expect(_engine.TradeCount == trades + (5 * (n + 1)), "a sweeping taker did not print exactly five trades");
        }

        Expect(_engine.OpenOrderCount == open, "sweep changed the book size");
        _i = 0;

        static void Check(RejectCode code, string what) => Expect(code == RejectCode.None, $"{what} rejected: {code}");
    }

    /// <summary>
    /// Runs every engine path the batch benchmarks use on a scratch book for about a second, then waits for the
    /// background JIT: batch iterations are too short (≈0.5 ms) for tiered compilation to finish during BDN's warm-up.
    /// </summary>
    internal static void WarmUpJit()
    {
        var scratch = new SteadyBenchmarks();
        scratch.Setup();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 1_000)
        {
            for (var n = 0; n < 1_000; n++)
            {
                scratch.PlaceThenCancel();
                scratch.MatchOneFillThenReAdd();
                scratch.AddFiveLevelsThenSweep();
            }
        }

        Thread.Sleep(500);
    }

    internal static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
