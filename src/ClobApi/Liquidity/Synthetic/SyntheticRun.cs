using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Polysim.ClobApi.Api;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.Synthetic;

/// <summary>A user strategy run inside a <see cref="SyntheticRun"/>: called every <paramref name="IntervalMs"/> of virtual time.</summary>
/// <param name="Account">The user's engine account (registered and funded by the harness).</param>
/// <param name="Deposit">Micro-USDC deposited before the start.</param>
/// <param name="IntervalMs">Virtual time between calls.</param>
/// <param name="Act">The strategy: (venue, market id, virtual now in Unix ms).</param>
public sealed record UserStrategy(int Account, long Deposit, long IntervalMs, Action<IMarketVenue, int, long> Act);

/// <summary>What to run: a scenario under a seed for a virtual duration, optionally with a user strategy.</summary>
public sealed record SyntheticRunOptions
{
    /// <summary>The scenario (its tick creates the market).</summary>
    public required SyntheticScenario Scenario { get; init; }

    /// <summary>Master seed.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Virtual duration, ms.</summary>
    public long DurationMs { get; init; } = 3_600_000;

    /// <summary>Virtual start, Unix ms (2026-01-01T00:00Z).</summary>
    public long StartMs { get; init; } = 1_767_225_600_000;

    /// <summary>The engine market created.</summary>
    public int MarketId { get; init; } = 1;

    /// <summary>Time between metric samples, ms.</summary>
    public long SampleIntervalMs { get; init; } = 1_000;

    /// <summary>A user strategy acting next to the agents, or null.</summary>
    public UserStrategy? User { get; init; }
}

/// <summary>The research §5 test-4 figures of one run, from samples of the book taken every virtual second.</summary>
/// <param name="SpreadMedianTicks">Median spread, ticks (a missing side counts as the widest spread).</param>
/// <param name="SpreadP90Ticks">90th percentile spread, ticks.</param>
/// <param name="TimeWithin3TicksPct">Share of samples with a spread of at most 3 ticks, %.</param>
/// <param name="TopOfBookMedianShares">Median over samples of the mean of the best bid's and best ask's size, shares.</param>
/// <param name="DepthWithin5TicksMedianShares">Median over samples of the mean per-side size within 5 ticks of the mid, shares.</param>
/// <param name="TradesPerMinute">Trades (maker–taker pairs) in the market per virtual minute.</param>
/// <param name="SourceCommandsPerMinute">Commands the synthetic agents sent per virtual minute (journal growth).</param>
/// <param name="HouseMakerPnlPerHour">Each house maker's PnL per virtual hour, USDC, inventory marked at the fair probability.</param>
/// <param name="HouseMakerMaxAbsInventory">Each house maker's largest |YES − NO| sampled, shares.</param>
/// <param name="FinalFair">The fair probability at the end.</param>
/// <param name="SpreadDistributionPct">Share of samples by spread: index i is i ticks (0 unused), the last index 10 ticks or more (or a side missing), %.</param>
public sealed record SyntheticMetrics(
    double SpreadMedianTicks,
    double SpreadP90Ticks,
    double TimeWithin3TicksPct,
    double TopOfBookMedianShares,
    double DepthWithin5TicksMedianShares,
    double TradesPerMinute,
    double SourceCommandsPerMinute,
    IReadOnlyList<double> HouseMakerPnlPerHour,
    IReadOnlyList<double> HouseMakerMaxAbsInventory,
    double FinalFair,
    IReadOnlyList<double> SpreadDistributionPct)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"spread median {SpreadMedianTicks:0.##} p90 {SpreadP90Ticks:0.##} ticks, ≤3 ticks {TimeWithin3TicksPct:0.#} %, TOB {TopOfBookMedianShares:0} sh, depth±5 {DepthWithin5TicksMedianShares:0} sh/side, {TradesPerMinute:0.00} trades/min, {SourceCommandsPerMinute:0} cmds/min, MM PnL/h [{string.Join(", ", HouseMakerPnlPerHour.Select(x => x.ToString("0.0", CultureInfo.InvariantCulture)))}] $, max|q| [{string.Join(", ", HouseMakerMaxAbsInventory.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))}], fair end {FinalFair:0.000}, spread % by ticks [{string.Join(" ", SpreadDistributionPct.Skip(1).Select(x => x.ToString("0.#", CultureInfo.InvariantCulture)))}]");
}

/// <summary>How a user strategy fared.</summary>
/// <param name="Fills">Trades the user took part in (as maker or taker).</param>
/// <param name="MakerFills">Of those, as maker.</param>
/// <param name="FilledShares">Shares filled.</param>
/// <param name="PlacedShares">Shares of the orders the engine accepted.</param>
/// <param name="Pnl">USDC, inventory marked at the final fair probability.</param>
/// <param name="Inventory">Final YES − NO, shares.</param>
public sealed record UserResult(long Fills, long MakerFills, double FilledShares, double PlacedShares, double Pnl, double Inventory)
{
    /// <summary>Filled over placed shares.</summary>
    public double FillRatio => PlacedShares > 0 ? FilledShares / PlacedShares : 0;
}

/// <summary>The outcome of a <see cref="SyntheticRun"/>.</summary>
/// <param name="EventLogSha256">SHA-256 (hex) over every engine event of the run, fields in a fixed binary layout.</param>
/// <param name="StateHash">The engine's own state hash at the end.</param>
/// <param name="Commands">Commands applied (harness, agents and user).</param>
/// <param name="Events">Engine events produced.</param>
/// <param name="Trades">Trades printed.</param>
/// <param name="Rejections">Commands of the agents that the engine refused.</param>
/// <param name="CrossedAfterCommand">Commands after which the book was crossed (must be 0).</param>
/// <param name="Metrics">The sampled figures.</param>
/// <param name="User">The user strategy's result, if one ran.</param>
/// <param name="Engine">The engine at the end, for invariant checks.</param>
public sealed record SyntheticRunResult(
    string EventLogSha256,
    ulong StateHash,
    long Commands,
    long Events,
    long Trades,
    long Rejections,
    long CrossedAfterCommand,
    SyntheticMetrics Metrics,
    UserResult? User,
    Engine Engine);

/// <summary>A deterministic offline run of one synthetic market on a bare engine and a virtual clock (tests, benchmarks, tuning).</summary>
/// <remarks>Steps wake by wake: the venue's clock is set to each wake's time before the source acts, so every command
/// carries its wake time and the event log depends on nothing but the scenario and the seed.</remarks>
public static class SyntheticRun
{
    /// <summary>Runs the options' scenario and measures it.</summary>
    public static SyntheticRunResult Run(SyntheticRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var scenario = options.Scenario;
        var engine = new Engine();
        var clock = new EngineVenue(engine);
        using var venue = new RecordingVenue(clock, options.MarketId, options.User?.Account ?? -1);
        var start = options.StartMs;
        var end = start + options.DurationMs;
        clock.SetTime(start);
        Expect(venue.Apply(Command.CreateMarket(0, 0, options.MarketId, new MarketParameters(TickSize: scenario.Tick))), "create the market");
        SyntheticMarket.EnsureAccounts(venue);
        if (options.User is { } user)
        {
            Expect(venue.Apply(Command.RegisterAccount(0, 0, user.Account)), "register the user");
            Expect(venue.Apply(Command.Deposit(0, 0, user.Account, user.Deposit)), "fund the user");
        }

        var source = new SyntheticMarket(options.MarketId, scenario, options.Seed);
        source.Start(start);
        int[] makers = scenario.HouseMarketMakers && scenario.Agent<MarketMakerConfig>() is { } mm
            ? [.. new[] { SystemAccounts.HouseMarketMaker, SystemAccounts.SecondHouseMarketMaker }.Take(Math.Min(mm.Count, 2))]
            : [];
        var makerStart = makers.Select(a => Value(engine, a, options.MarketId, scenario.P0)).ToArray();
        var makerDepositsAtStart = makers.Select(venue.DepositedTo).ToArray();
        var userStart = options.User is { } u0 ? Value(engine, u0.Account, options.MarketId, scenario.P0) : 0;
        var sampler = new Sampler(engine, options.MarketId, makers);

        var nextSample = start + options.SampleIntervalMs;
        var nextUser = options.User is { } u1 ? start + u1.IntervalMs : long.MaxValue;
        while (true)
        {
            var wake = source.NextWakeMs;
            var t = Math.Min(wake, Math.Min(nextUser, nextSample));
            if (t > end)
            {
                break;
            }

            clock.SetTime(t);
            if (wake == t)
            {
                source.Advance(venue, t);
            }

            if (nextUser == t)
            {
                options.User!.Act(venue, options.MarketId, t);
                nextUser += options.User.IntervalMs;
            }

            if (nextSample == t)
            {
                sampler.Sample();
                nextSample += options.SampleIntervalMs;
            }
        }

        var fair = source.FairProbability;
        var hours = options.DurationMs / 3_600_000.0;
        var pnl = makers.Select((a, i) =>
            (Value(engine, a, options.MarketId, fair) - makerStart[i] - (double)(venue.DepositedTo(a) - makerDepositsAtStart[i]) / Units.AmountScale) / hours).ToArray();
        var metrics = sampler.Metrics(
            venue.MarketTrades / (options.DurationMs / 60_000.0),
            source.CommandsSent / (options.DurationMs / 60_000.0),
            pnl,
            fair);
        UserResult? userResult = null;
        if (options.User is { } u2)
        {
            userResult = new UserResult(
                venue.UserFills,
                venue.UserMakerFills,
                (double)venue.UserFilledShares / Units.AmountScale,
                (double)venue.UserPlacedShares / Units.AmountScale,
                Value(engine, u2.Account, options.MarketId, fair) - userStart,
                Inventory(engine, u2.Account, options.MarketId));
        }

        return new SyntheticRunResult(
            venue.FinishHash(),
            engine.ComputeStateHash(),
            venue.Commands,
            venue.EventCount,
            engine.TradeCount,
            source.Rejections,
            venue.CrossedAfterCommand,
            metrics,
            userResult,
            engine);
    }

    /// <summary>Checks the ledger after a run: cash and shares conserved, no negative balance, book not crossed; returns the violations.</summary>
    public static IReadOnlyList<string> CheckInvariants(Engine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var problems = new List<string>();
        long cash = 0;
        long collateral = 0;
        var markets = engine.MarketIds().ToArray();
        foreach (var m in markets)
        {
            var info = engine.GetMarket(m)!.Value;
            collateral += info.Collateral;
            var yes = engine.GetSupply(m, Outcome.Yes);
            var no = engine.GetSupply(m, Outcome.No);
            if (yes != no || yes != info.Collateral)
            {
                problems.Add($"market {m}: YES supply {yes}, NO supply {no}, collateral {info.Collateral}");
            }

            if (info.BestBid != 0 && info.BestAsk != Units.PriceScale && info.BestBid >= info.BestAsk)
            {
                problems.Add($"market {m}: crossed book {info.BestBid}/{info.BestAsk}");
            }
        }

        foreach (var a in engine.AccountIds())
        {
            var b = engine.GetBalance(a);
            if (b.Available < 0 || b.Reserved < 0)
            {
                problems.Add($"account {a}: negative cash {b}");
            }

            cash += b.Total;
            foreach (var m in markets)
            {
                foreach (var o in (Outcome[])[Outcome.Yes, Outcome.No])
                {
                    var p = engine.GetPosition(a, m, o);
                    if (p.Available < 0 || p.Reserved < 0)
                    {
                        problems.Add($"account {a} market {m} {o}: negative position {p}");
                    }
                }
            }
        }

        var expected = engine.TotalDeposited - engine.TotalWithdrawn;
        if (cash + collateral != expected)
        {
            problems.Add($"cash {cash} + collateral {collateral} != deposited − withdrawn {expected}");
        }

        return problems;
    }

    /// <summary>Cash plus inventory marked at <paramref name="fair"/>, USDC.</summary>
    private static double Value(Engine engine, int account, int market, double fair)
    {
        var cash = engine.GetBalance(account).Total;
        var yes = engine.GetPosition(account, market, Outcome.Yes).Total;
        var no = engine.GetPosition(account, market, Outcome.No).Total;
        return ((double)cash + (yes * fair) + (no * (1 - fair))) / Units.AmountScale;
    }

    private static double Inventory(Engine engine, int account, int market) =>
        (double)(engine.GetPosition(account, market, Outcome.Yes).Total - engine.GetPosition(account, market, Outcome.No).Total) / Units.AmountScale;

    private static void Expect(RejectCode code, string what)
    {
        if (code != RejectCode.None)
        {
            throw new InvalidOperationException($"The harness could not {what}: {code}.");
        }
    }

    /// <summary>Book samples of one market and the makers' inventory.</summary>
    private sealed class Sampler(Engine engine, int market, int[] makers)
    {
        private readonly List<double> _spreads = [];
        private readonly List<double> _tob = [];
        private readonly List<double> _depth = [];
        private readonly double[] _maxInventory = new double[makers.Length];
        private readonly PriceLevel[] _levels = new PriceLevel[64];

        public void Sample()
        {
            for (var i = 0; i < makers.Length; i++)
            {
                _maxInventory[i] = Math.Max(_maxInventory[i], Math.Abs(Inventory(engine, makers[i], market)));
            }

            var info = engine.GetMarket(market)!.Value;
            var tick = info.TickSize;
            var hasBid = info.BestBid > 0;
            var hasAsk = info.BestAsk < Units.PriceScale;
            _spreads.Add(hasBid && hasAsk ? (double)(info.BestAsk - info.BestBid) / tick : (double)Units.PriceScale / tick);
            var mid = hasBid && hasAsk ? (info.BestBid + info.BestAsk) / 2.0 : hasBid ? info.BestBid : info.BestAsk;
            var (bidTop, bidDepth) = SideStats(Side.Buy, mid, tick);
            var (askTop, askDepth) = SideStats(Side.Sell, mid, tick);
            _tob.Add((bidTop + askTop) / 2.0 / Units.AmountScale);
            _depth.Add((bidDepth + askDepth) / 2.0 / Units.AmountScale);
        }

        public SyntheticMetrics Metrics(double tradesPerMinute, double commandsPerMinute, double[] pnlPerHour, double fair)
        {
            var within3 = _spreads.Count == 0 ? 0 : 100.0 * _spreads.Count(s => s <= 3) / _spreads.Count;
            return new SyntheticMetrics(
                Quantile(_spreads, 0.5),
                Quantile(_spreads, 0.9),
                within3,
                Quantile(_tob, 0.5),
                Quantile(_depth, 0.5),
                tradesPerMinute,
                commandsPerMinute,
                pnlPerHour,
                _maxInventory,
                fair,
                Distribution());
        }

        private double[] Distribution()
        {
            var buckets = new double[11];
            foreach (var s in _spreads)
            {
                buckets[(int)Math.Clamp(s, 0, 10)] += 100.0 / _spreads.Count;
            }

            return buckets;
        }

        private (long Top, long Depth) SideStats(Side side, double mid, int tick)
        {
            var n = engine.CopyLevels(market, Outcome.Yes, side, _levels);
            if (n == 0)
            {
                return (0, 0);
            }

            long depth = 0;
            for (var i = 0; i < n && Math.Abs(_levels[i].Price - mid) <= 5.0 * tick; i++)
            {
                depth += _levels[i].Size;
            }

            return (_levels[0].Size, depth);
        }

        private static double Quantile(List<double> values, double q)
        {
            if (values.Count == 0)
            {
                return double.NaN;
            }

            var sorted = values.ToArray();
            Array.Sort(sorted);
            return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];
        }
    }
}

/// <summary>A venue wrapper that hashes every engine event (SHA-256) and counts what the run reports.</summary>
internal sealed class RecordingVenue(EngineVenue inner, int market, int user = -1) : IMarketVenue, IDisposable
{
    private const int FieldsPerEvent = 27;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _buffer = new byte[FieldsPerEvent * 8];
    private readonly Dictionary<int, long> _deposited = [];

    public Engine Engine => inner.Engine;

    public long NowMs => inner.NowMs;

    public long NextOrderId => inner.NextOrderId;

    public long Commands { get; private set; }

    public long EventCount { get; private set; }

    public long MarketTrades { get; private set; }

    public long CrossedAfterCommand { get; private set; }

    public int User { get; } = user;

    public long UserFills { get; private set; }

    public long UserMakerFills { get; private set; }

    public long UserFilledShares { get; private set; }

    public long UserPlacedShares { get; private set; }

    public long DepositedTo(int account) => _deposited.GetValueOrDefault(account);

    public RejectCode Apply(Command command)
    {
        Commands++;
        var code = inner.Apply(command);
        if (code == RejectCode.None && command.Kind == CommandKind.Deposit)
        {
            _deposited[command.Account] = DepositedTo(command.Account) + command.Amount;
        }

        foreach (ref readonly var e in Engine.Events)
        {
            Hash(e);
            EventCount++;
            if (e.Kind == EventKind.Trade && e.Market == market)
            {
                MarketTrades++;
                if (e.Account == User || e.OtherAccount == User)
                {
                    UserFills++;
                    UserFilledShares += e.Size;
                    UserMakerFills += e.OtherAccount == User ? 1 : 0;
                }
            }
            else if (e.Kind == EventKind.OrderAccepted && e.Account == User)
            {
                UserPlacedShares += e.Size;
            }
        }

        if (Engine.GetMarket(market) is { } info && info.BestBid != 0 && info.BestAsk != Units.PriceScale && info.BestBid >= info.BestAsk)
        {
            CrossedAfterCommand++;
        }

        return code;
    }

    public string FinishHash() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();

    private void Hash(in EngineEvent e)
    {
        Span<long> f =
        [
            (long)e.Kind, e.Sequence, e.Timestamp, e.OrderId, e.OtherOrderId, e.TradeId, e.Account, e.OtherAccount, e.Market,
            e.Price, e.OtherPrice, e.Size, e.Remaining, e.OtherRemaining, e.Fee, e.Amount, e.OtherAmount, (long)e.Outcome,
            (long)e.OtherOutcome, (long)e.Side, (long)e.OtherSide, (long)e.TimeInForce, (long)e.MatchType, (long)e.Code,
            (long)e.Reason, (long)e.Status, e.FeeInShares ? 1 : 0,
        ];
        for (var i = 0; i < f.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(i * 8), f[i]);
        }

        _hash.AppendData(_buffer);
    }
}
