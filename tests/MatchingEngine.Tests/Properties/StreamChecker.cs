using System.Globalization;
using System.Text;
using Xunit.Sdk;

namespace Polysim.MatchingEngine.Tests.Properties;

/// <summary>What one checked run saw, for coverage assertions.</summary>
public sealed class RunStats
{
    public Dictionary<MatchType, int> MatchTypes { get; } = new() { [MatchType.Normal] = 0, [MatchType.Mint] = 0, [MatchType.Merge] = 0 };

    public Dictionary<RejectCode, int> Codes { get; } = [];

    public Dictionary<CancelReason, int> CancelReasons { get; } = [];

    public int Commands { get; set; }

    public int Trades { get; set; }

    public int FeeTrades { get; set; }

    public int Expired { get; set; }

    public int Rested { get; set; }

    public int Reduced { get; set; }

    public int TickChanges { get; set; }

    public int Resolutions { get; set; }

    public int MaxOpenOrders { get; set; }

    public ulong FinalHash { get; set; }

    public void Add(RunStats other)
    {
        foreach (var (k, v) in other.MatchTypes)
        {
            MatchTypes[k] += v;
        }

        foreach (var (k, v) in other.Codes)
        {
            Codes[k] = Codes.GetValueOrDefault(k) + v;
        }

        foreach (var (k, v) in other.CancelReasons)
        {
            CancelReasons[k] = CancelReasons.GetValueOrDefault(k) + v;
        }

        Commands += other.Commands;
        Trades += other.Trades;
        FeeTrades += other.FeeTrades;
        Expired += other.Expired;
        Rested += other.Rested;
        Reduced += other.Reduced;
        TickChanges += other.TickChanges;
        Resolutions += other.Resolutions;
        MaxOpenOrders = Math.Max(MaxOpenOrders, other.MaxOpenOrders);
    }
}

/// <summary>
/// Drives an <see cref="Engine"/> and a <see cref="ReferenceExchange"/> with the same commands and checks, after every
/// command, the engine's invariants (book not crossed, money and supply conserved, nothing negative, reservations equal
/// what open orders need) and that engine and model agree (reject code, trades, cancels/expiries, full state).
/// </summary>
public static class StreamChecker
{
    private const int Scale = Units.PriceScale;

    /// <summary>Runs the stream with every check; throws an <see cref="XunitException"/> describing the first failure.</summary>
    /// <param name="label">How to reproduce the stream (e.g. "seed 42").</param>
    /// <param name="commands">The commands.</param>
    /// <param name="fullStateEvery">Compare the whole state with the model every this many commands (invariants run every command).</param>
    public static RunStats Run(string label, IReadOnlyList<Command> commands, int fullStateEvery = 1)
    {
        var failure = TryRun(commands, fullStateEvery, out var stats, out var engine, out var index);
        if (failure is null)
        {
            return stats;
        }

        var message = Describe(label, commands, index, failure, engine);
        if (Environment.GetEnvironmentVariable("POLYSIM_MINIMIZE") == "1")
        {
            var minimal = Minimize(commands.Take(index + 1).ToList(), TimeSpan.FromSeconds(120));
            var minimalFailure = TryRun(minimal, 1, out _, out _, out var at);
            message += $"\nMinimized reproduction ({minimal.Count} commands, fails at #{at}: {minimalFailure}):\n" +
                string.Join("\n", minimal.Select(c => "    " + CommandText.ToCode(c) + ","));
        }
        else
        {
            message += "\n(set POLYSIM_MINIMIZE=1 to shrink this stream to a minimal reproduction)";
        }

        throw new XunitException(message);
    }

    /// <summary>Runs the stream; returns null when every check passes, else what failed and at which command.</summary>
    public static string? TryRun(IReadOnlyList<Command> commands, int fullStateEvery, out RunStats stats, out Engine engine, out int index)
    {
        stats = new RunStats();
        engine = new Engine(new EngineOptions { FeeAccount = CommandStreamGenerator.FeeAccount });
        var model = new ReferenceExchange(CommandStreamGenerator.FeeAccount);
        var engineFills = new List<RefFill>();
        var engineRemovals = new List<RefRemoval>();
        var snapshot = LedgerSnapshot.Of(model);
        for (index = 0; index < commands.Count; index++)
        {
            var command = commands[index];
            string? failure;
            try
            {
                failure = Step(engine, model, command, engineFills, engineRemovals, stats, ref snapshot);
                if (failure is null && (index % fullStateEvery == 0 || index == commands.Count - 1))
                {
                    failure = CompareState(engine, model);
                }
            }
            catch (Exception ex) when (ex is not XunitException)
            {
                failure = "exception: " + ex;
            }

            if (failure is not null)
            {
                return failure;
            }
        }

        index = commands.Count - 1;
        stats.Commands = commands.Count;
        stats.FinalHash = engine.ComputeStateHash();
        return null;
    }

    private static string? Step(
        Engine engine, ReferenceExchange model, Command command, List<RefFill> engineFills, List<RefRemoval> engineRemovals,
        RunStats stats, ref LedgerSnapshot snapshot)
    {
        var before = snapshot;
        var expected = model.Apply(command);
        var actual = engine.Apply(command);
        stats.Codes[actual] = stats.Codes.GetValueOrDefault(actual) + 1;

        engineFills.Clear();
        engineRemovals.Clear();
        var engineReductions = new List<RefReduction>();
        var rejectedEvent = RejectCode.None;
        foreach (ref readonly var e in engine.Events)
        {
            switch (e.Kind)
            {
                case EventKind.Trade:
                    engineFills.Add(new RefFill(
                        e.TakerOrderId, e.MakerOrderId, e.TakerAccount, e.MakerAccount, e.Size, e.TakerPrice, e.MakerPrice,
                        e.MatchType, e.Fee));
                    stats.MatchTypes[e.MatchType]++;
                    stats.Trades++;
                    stats.FeeTrades += e.Fee > 0 ? 1 : 0;
                    break;
                case EventKind.OrderCancelled or EventKind.OrderExpired:
                    engineRemovals.Add(new RefRemoval(e.OrderId, e.Kind, e.Reason, e.Remaining));
                    stats.CancelReasons[e.Reason] = stats.CancelReasons.GetValueOrDefault(e.Reason) + 1;
                    stats.Expired += e.Kind == EventKind.OrderExpired ? 1 : 0;
                    break;
                case EventKind.Rejected:
                    rejectedEvent = e.Code;
                    break;
                case EventKind.OrderRested:
                    stats.Rested++;
                    break;
                case EventKind.OrderReduced:
                    engineReductions.Add(new RefReduction(e.OrderId, e.Remaining, e.Size));
                    stats.Reduced++;
                    break;
                case EventKind.TickSizeChanged:
                    stats.TickChanges++;
                    break;
                case EventKind.MarketResolved:
                    stats.Resolutions++;
                    break;
                default:
                    break;
            }
        }

        stats.MaxOpenOrders = Math.Max(stats.MaxOpenOrders, engine.OpenOrderCount);
        if (actual != expected)
        {
            return $"reject code: engine {actual}, model {expected}";
        }

        if (rejectedEvent != actual)
        {
            return $"Rejected event carries {rejectedEvent}, Apply returned {actual}";
        }

        if (!engineFills.SequenceEqual(model.Fills))
        {
            return "trades differ:\n  engine: " + string.Join("\n          ", engineFills) +
                "\n  model:  " + string.Join("\n          ", model.Fills);
        }

        var sortedEngine = engineRemovals.OrderBy(r => r.OrderId).ThenBy(r => r.Kind).ToList();
        var sortedModel = model.Removals.OrderBy(r => r.OrderId).ThenBy(r => r.Kind).ToList();
        if (!sortedEngine.SequenceEqual(sortedModel))
        {
            return "cancels/expiries differ:\n  engine: " + string.Join("\n          ", sortedEngine) +
                "\n  model:  " + string.Join("\n          ", sortedModel);
        }

        if (!engineReductions.SequenceEqual(model.Reductions))
        {
            return "reductions differ:\n  engine: " + string.Join("\n          ", engineReductions) +
                "\n  model:  " + string.Join("\n          ", model.Reductions);
        }

        snapshot = LedgerSnapshot.Of(model);
        return CheckInvariants(engine) ?? CheckChangeEvents(engine, before, snapshot);
    }

    /// <summary>
    /// The incremental events a projection relies on: every balance, position and book level that changed has an event,
    /// and the last event for each carries its final value (for a level, in both the YES and the mirrored NO view).
    /// </summary>
    private static string? CheckChangeEvents(Engine engine, LedgerSnapshot before, LedgerSnapshot after)
    {
        var cash = new Dictionary<int, (long, long)>();
        var positions = new Dictionary<(int, int, Outcome), (long, long)>();
        var yesLevels = new Dictionary<(int, bool, int), long>();
        var noLevels = new Dictionary<(int, bool, int), long>();
        foreach (ref readonly var e in engine.Events)
        {
            switch (e.Kind)
            {
                case EventKind.BalanceChanged:
                    cash[e.Account] = (e.Amount, e.OtherAmount);
                    break;
                case EventKind.PositionChanged:
                    positions[(e.Account, e.Market, e.Outcome)] = (e.Amount, e.OtherAmount);
                    break;
                case EventKind.BookLevelChanged when e.Outcome == Outcome.Yes:
                    yesLevels[(e.Market, e.Side == Side.Buy, e.Price)] = e.Size;
                    break;
                case EventKind.BookLevelChanged:
                    // A NO bid is a YES ask at 1 − price, a NO ask a YES bid.
                    noLevels[(e.Market, e.Side == Side.Sell, Scale - e.Price)] = e.Size;
                    break;
                default:
                    break;
            }
        }

        foreach (var (account, final) in after.Cash)
        {
            var changed = before.Cash.GetValueOrDefault(account) != final;
            if (cash.TryGetValue(account, out var reported) ? reported != final : changed)
            {
                return $"BalanceChanged for {account}: reported {(cash.TryGetValue(account, out var r) ? r.ToString() : "nothing")}, balance is {final}";
            }
        }

        foreach (var (key, final) in after.Positions)
        {
            var changed = before.Positions.GetValueOrDefault(key) != final;
            if (positions.TryGetValue(key, out var reported) ? reported != final : changed)
            {
                return $"PositionChanged for {key}: reported {(positions.TryGetValue(key, out var r) ? r.ToString() : "nothing")}, position is {final}";
            }
        }

        foreach (var key in before.Levels.Keys.Union(after.Levels.Keys).Union(yesLevels.Keys).Union(noLevels.Keys))
        {
            var final = after.Levels.GetValueOrDefault(key);
            var changed = before.Levels.GetValueOrDefault(key) != final;
            foreach (var (view, reported) in new[] { ("YES", yesLevels), ("NO", noLevels) })
            {
                if (reported.TryGetValue(key, out var size) ? size != final : changed)
                {
                    return $"BookLevelChanged ({view} view) for market {key.Item1} {(key.Item2 ? "bid" : "ask")} @{key.Item3}: " +
                        $"reported {(reported.TryGetValue(key, out var z) ? z.ToString(CultureInfo.InvariantCulture) : "nothing")}, level holds {final}";
                }
            }
        }

        return null;
    }

    /// <summary>Balances, positions and YES-book level sizes of the model at one instant.</summary>
    private sealed record LedgerSnapshot(
        Dictionary<int, (long, long)> Cash,
        Dictionary<(int, int, Outcome), (long, long)> Positions,
        Dictionary<(int, bool, int), long> Levels)
    {
        public static LedgerSnapshot Of(ReferenceExchange model)
        {
            var cash = model.Accounts.ToDictionary(a => a.Key, a => (a.Value.Available, a.Value.Reserved));
            var positions = model.Positions.ToDictionary(p => p.Key, p => (p.Value.Available, p.Value.Reserved));
            var levels = new Dictionary<(int, bool, int), long>();
            foreach (var market in model.Markets.Values)
            {
                foreach (var (price, level) in market.Bids)
                {
                    levels[(market.Id, true, price)] = level.Sum(o => o.Remaining);
                }

                foreach (var (price, level) in market.Asks)
                {
                    levels[(market.Id, false, price)] = level.Sum(o => o.Remaining);
                }
            }

            return new LedgerSnapshot(cash, positions, levels);
        }
    }

    /// <summary>(a)–(e) on the engine alone: its own queries must be self-consistent.</summary>
    private static string? CheckInvariants(Engine engine)
    {
        var accounts = engine.AccountIds().ToList();
        var markets = engine.MarketIds().ToList();
        long money = 0;
        foreach (var a in accounts)
        {
            var b = engine.GetBalance(a);
            if (b.Available < 0 || b.Reserved < 0)
            {
                return $"(d) account {a} cash negative: {b}";
            }

            money += b.Available + b.Reserved;
        }

        var buyReserved = new Dictionary<int, long>();
        var sellReserved = new Dictionary<(int, int, Outcome), long>();
        var orderCount = 0;
        foreach (var m in markets)
        {
            var info = engine.GetMarket(m)!.Value;
            if (info.BestBid >= info.BestAsk)
            {
                return $"(a) market {m} crossed: best bid {info.BestBid} ≥ best ask {info.BestAsk}";
            }

            money += info.Collateral;
            var yes = engine.GetSupply(m, Outcome.Yes);
            var no = engine.GetSupply(m, Outcome.No);
            if (yes != info.Collateral || no != info.Collateral)
            {
                return $"(c) market {m}: YES supply {yes}, NO supply {no}, collateral {info.Collateral}";
            }

            foreach (var a in accounts)
            {
                foreach (var outcome in (ReadOnlySpan<Outcome>)[Outcome.Yes, Outcome.No])
                {
                    var p = engine.GetPosition(a, m, outcome);
                    if (p.Available < 0 || p.Reserved < 0)
                    {
                        return $"(d) position of {a} in {m} {outcome} negative: {p}";
                    }
                }
            }
        }

        if (money != engine.TotalDeposited - engine.TotalWithdrawn)
        {
            return $"(b) money: Σ cash + Σ collateral = {money}, deposited − withdrawn = {engine.TotalDeposited - engine.TotalWithdrawn}";
        }

        foreach (var a in accounts)
        {
            foreach (var o in engine.GetOpenOrders(a))
            {
                orderCount++;
                if (o.Side == Side.Buy)
                {
                    var required = ReferenceExchange.RequiredBuyReserve(o.Notional, o.Remaining, o.Price);
                    if (o.Reserved != required)
                    {
                        return $"(e) BUY {o.Id} reserves {o.Reserved}, its remainder needs {required}: {o}";
                    }

                    buyReserved[a] = buyReserved.GetValueOrDefault(a) + o.Reserved;
                }
                else
                {
                    if (o.Reserved != o.Remaining)
                    {
                        return $"(e) SELL {o.Id} reserves {o.Reserved} shares for {o.Remaining} remaining";
                    }

                    var key = (a, o.Market, o.Outcome);
                    sellReserved[key] = sellReserved.GetValueOrDefault(key) + o.Remaining;
                }
            }

            var cashReserved = engine.GetBalance(a).Reserved;
            if (cashReserved != buyReserved.GetValueOrDefault(a))
            {
                return $"(e) account {a} has {cashReserved} reserved, its open BUYs hold {buyReserved.GetValueOrDefault(a)}";
            }

            foreach (var m in markets)
            {
                foreach (var outcome in (ReadOnlySpan<Outcome>)[Outcome.Yes, Outcome.No])
                {
                    var reserved = engine.GetPosition(a, m, outcome).Reserved;
                    if (reserved != sellReserved.GetValueOrDefault((a, m, outcome)))
                    {
                        return $"(e) position {a}/{m}/{outcome} has {reserved} reserved, its open SELLs hold {sellReserved.GetValueOrDefault((a, m, outcome))}";
                    }
                }
            }
        }

        if (orderCount != engine.OpenOrderCount)
        {
            return $"(e) accounts list {orderCount} open orders, engine counts {engine.OpenOrderCount}";
        }

        return null;
    }

    /// <summary>(f) the engine's whole observable state equals the model's.</summary>
    public static string? CompareState(Engine engine, ReferenceExchange model)
    {
        if (engine.LastSequence != model.LastSequence || engine.Now != model.Now || engine.TradeCount != model.TradeCount ||
            engine.TotalDeposited != model.TotalDeposited || engine.TotalWithdrawn != model.TotalWithdrawn)
        {
            return $"counters: engine seq {engine.LastSequence} now {engine.Now} trades {engine.TradeCount} dep {engine.TotalDeposited} wd {engine.TotalWithdrawn}; " +
                $"model seq {model.LastSequence} now {model.Now} trades {model.TradeCount} dep {model.TotalDeposited} wd {model.TotalWithdrawn}";
        }

        var accounts = engine.AccountIds().ToList();
        if (!accounts.SequenceEqual(model.Accounts.Keys.Order()))
        {
            return $"accounts: engine [{string.Join(",", accounts)}], model [{string.Join(",", model.Accounts.Keys.Order())}]";
        }

        foreach (var a in accounts)
        {
            var mine = model.Accounts[a];
            var b = engine.GetBalance(a);
            if (b.Available != mine.Available || b.Reserved != mine.Reserved)
            {
                return $"balance of {a}: engine {b}, model available {mine.Available} reserved {mine.Reserved}";
            }

            if (engine.GetSelfTradePrevention(a) != mine.Stp)
            {
                return $"STP of {a}: engine {engine.GetSelfTradePrevention(a)}, model {mine.Stp}";
            }
        }

        var markets = engine.MarketIds().ToList();
        if (!markets.SequenceEqual(model.Markets.Keys))
        {
            return $"markets: engine [{string.Join(",", markets)}], model [{string.Join(",", model.Markets.Keys)}]";
        }

        var open = 0;
        foreach (var m in markets)
        {
            var info = engine.GetMarket(m)!.Value;
            var mine = model.Markets[m];
            if (info.TickSize != mine.Tick || info.Status != mine.Status || info.Collateral != mine.Collateral ||
                info.BestBid != mine.BestBid || info.BestAsk != mine.BestAsk || info.LastTradePrice != mine.LastTradePrice ||
                info.OpenOrders != mine.OpenOrders)
            {
                return $"market {m}: engine {info}; model tick {mine.Tick} {mine.Status} collateral {mine.Collateral} " +
                    $"bid {mine.BestBid} ask {mine.BestAsk} last {mine.LastTradePrice} open {mine.OpenOrders}";
            }

            foreach (var a in accounts)
            {
                foreach (var outcome in (ReadOnlySpan<Outcome>)[Outcome.Yes, Outcome.No])
                {
                    var p = engine.GetPosition(a, m, outcome);
                    var q = model.Position(a, m, outcome);
                    if (p != q)
                    {
                        return $"position {a}/{m}/{outcome}: engine {p}, model {q}";
                    }
                }
            }

            var engineOrders = engine.GetMarketOrders(m);
            var modelOrders = mine.OrdersInPriority().Select(ToInfo).ToList();
            open += engineOrders.Count;
            if (!engineOrders.SequenceEqual(modelOrders))
            {
                var at = Enumerable.Range(0, Math.Min(engineOrders.Count, modelOrders.Count))
                    .FirstOrDefault(i => engineOrders[i] != modelOrders[i], Math.Min(engineOrders.Count, modelOrders.Count));
                return $"book of market {m} differs at position {at} (engine {engineOrders.Count} orders, model {modelOrders.Count}):\n" +
                    $"  engine: {(at < engineOrders.Count ? engineOrders[at] : "none")}\n" +
                    $"  model:  {(at < modelOrders.Count ? modelOrders[at] : "none")}";
            }
        }

        if (open != engine.OpenOrderCount || open != model.OpenOrders.Count)
        {
            return $"open orders: engine books {open}, engine count {engine.OpenOrderCount}, model {model.OpenOrders.Count}";
        }

        return null;
    }

    private static OrderInfo ToInfo(RefOrder o) => new(
        o.Id, o.Account, o.Market, o.Outcome, o.Side, o.OwnPrice, o.BookPrice, o.Original, o.Remaining, o.Filled, o.Reserved,
        o.Notional, o.TimeInForce, o.Expiration, o.PostOnly);

    private static string Describe(string label, IReadOnlyList<Command> commands, int index, string failure, Engine engine)
    {
        var command = commands[index];
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Property failed for {label} at command #{index} of {commands.Count}:\n  {CommandText.ToCode(command)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  raw: {command}\n");
        sb.Append(failure).Append('\n');
        sb.Append("Preceding commands:\n");
        for (var i = Math.Max(0, index - 8); i < index; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  #{i} {CommandText.ToCode(commands[i])}\n");
        }

        var markets = engine.GetMarket(command.Market) is null ? engine.MarketIds().ToList() : [command.Market];
        foreach (var m in markets)
        {
            sb.Append("Engine book after the command:\n").Append(BookFormatter.Format(engine, m));
        }

        return sb.ToString();
    }

    /// <summary>Shrinks a failing stream: drops chunks of commands (halves, quarters, … single commands) while it still fails.</summary>
    public static List<Command> Minimize(List<Command> failing, TimeSpan budget)
    {
        var deadline = DateTime.UtcNow + budget;
        var current = failing;
        var chunk = Math.Max(1, current.Count / 2);
        while (chunk >= 1 && DateTime.UtcNow < deadline)
        {
            var removedAny = false;
            for (var start = current.Count - chunk; start >= 0 && DateTime.UtcNow < deadline; start -= chunk)
            {
                var candidate = current.Take(start).Concat(current.Skip(start + chunk)).ToList();
                if (candidate.Count > 0 && TryRun(candidate, 1, out _, out _, out _) is not null)
                {
                    current = candidate;
                    removedAny = true;
                    start = Math.Min(start, current.Count);
                }
            }

            if (!removedAny)
            {
                chunk /= 2;
            }
        }

        return current;
    }
}
