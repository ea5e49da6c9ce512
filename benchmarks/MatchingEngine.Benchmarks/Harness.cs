using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using HdrHistogram;

namespace Polysim.MatchingEngine.Benchmarks;

/// <summary>Command-line options of the <c>latency</c>, <c>throughput</c> and <c>memory</c> subcommands.</summary>
internal sealed class HarnessArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public HarnessArgs(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            _values[args[i]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }
    }

    public long Long(string name, long fallback) =>
        _values.TryGetValue(name, out var v) ? (long)double.Parse(v.Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => _values.ContainsKey(name);
}

/// <summary>The <c>latency</c>, <c>throughput</c> and <c>memory</c> subcommands.</summary>
internal static class Harness
{
    private static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;

    public static void PrintEnvironment()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        Console.WriteLine($"machine: {cpu ?? "unknown cpu"}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}");
        Console.WriteLine($"runtime: {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}, " +
                          $"GC {(GCSettings.IsServerGC ? "server" : "workstation")} ({GCSettings.LatencyMode}), Stopwatch {Stopwatch.Frequency:N0} Hz");
        PrintLoad();
    }

    /// <summary>The other processes' load matters on 2 cores: print the load averages next to every result.</summary>
    public static void PrintLoad()
    {
        if (File.Exists("/proc/loadavg"))
        {
            Console.WriteLine($"load average (1/5/15 min): {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}");
        }
    }

    // ---- throughput ---------------------------------------------------------------------------

    /// <summary>Replays the flow back to back on fresh engines and prints commands/s per run.</summary>
    public static int Throughput(HarnessArgs args)
    {
        var commands = (int)args.Long("--commands", 5_000_000);
        var runs = (int)args.Long("--runs", 5);
        PrintEnvironment();
        var flow = Generate(args, commands);
        Console.WriteLine("warm-up run (not reported) …");
        RunThroughput(flow, report: false);
        var rates = new List<double>();
        var ok = true;
        for (var r = 1; r <= runs; r++)
        {
            var (rate, good) = RunThroughput(flow, report: true, run: r);
            rates.Add(rate);
            ok &= good;
        }

        PrintLoad();
        rates.Sort();
        Console.WriteLine($"throughput: median {rates[rates.Count / 2] / 1e6:F2} M commands/s, best {rates[^1] / 1e6:F2} M, worst {rates[0] / 1e6:F2} M over {runs} runs of {commands:N0} commands " +
                          $"(target ≥ 2 M must, ≥ 5 M target: {(rates[rates.Count / 2] >= 2e6 ? "must met" : "must NOT met")}, {(rates[rates.Count / 2] >= 5e6 ? "target met" : "target not met")})");
        Console.WriteLine(ok ? "state hash: OK (every run equals the generator's dry run)" : "state hash: MISMATCH");
        return ok ? 0 : 1;
    }

    private static (double Rate, bool HashOk) RunThroughput(Flow flow, bool report, int run = 0)
    {
        var engine = flow.NewEngineAfterSetup();
        var commands = flow.Commands;
        FullGc();
        var gen0 = GC.CollectionCount(0);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < commands.Length; i++)
        {
            engine.Apply(in commands[i]);
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var rate = commands.Length / elapsed.TotalSeconds;
        var hashOk = engine.ComputeStateHash() == flow.ExpectedHash;
        if (report)
        {
            Console.WriteLine($"run {run}: {commands.Length:N0} commands in {elapsed.TotalMilliseconds:F0} ms = {rate / 1e6:F2} M commands/s " +
                              $"({1e9 / rate:F0} ns/command), allocated {allocated:N0} B ({(double)allocated / commands.Length:F3} B/command), " +
                              $"GCs gen0 {GC.CollectionCount(0) - gen0} gen2 {GC.CollectionCount(2) - gen2}, hash {(hashOk ? "OK" : "MISMATCH")}");
        }

        return (rate, hashOk);
    }

    // ---- latency ------------------------------------------------------------------------------

    /// <summary>
    /// Open loop: command i is planned at start + i / rate; the loop spins until then, applies it, and records
    /// (end − planned) as latency and (end − start of apply) as service time. A late command is applied at once,
    /// and its queueing delay counts in its latency (no coordinated omission).
    /// </summary>
    public static int Latency(HarnessArgs args)
    {
        var commands = (int)args.Long("--commands", 5_000_000);
        var rate = args.Long("--rate", 500_000);
        var warmup = (int)args.Long("--warmup", commands / 10);
        PrintEnvironment();
        var flow = Generate(args, commands);

        Console.WriteLine("unmeasured replay (reference hash; also warms up the JIT) …");
        var replayHash = flow.ReplayHash();
        if (replayHash != flow.ExpectedHash)
        {
            Console.WriteLine("FAIL: an unmeasured replay does not reproduce the generator's state");
            return 1;
        }

        var timer = new LongHistogram(1_000_000_000, 3);
        for (var i = 0; i < 1_000_000; i++)
        {
            var t1 = Stopwatch.GetTimestamp();
            var t2 = Stopwatch.GetTimestamp();
            timer.RecordValue((long)((t2 - t1) * NsPerTick));
        }

        Console.WriteLine($"timer: back-to-back Stopwatch.GetTimestamp() reads differ by p50 {timer.GetValueAtPercentile(50)} ns, p99 {timer.GetValueAtPercentile(99)} ns");

        var engine = flow.NewEngineAfterSetup();
        var flowCommands = flow.Commands;
        for (var i = 0; i < warmup; i++)
        {
            engine.Apply(in flowCommands[i]);
        }

        var latency = new LongHistogram(TimeSpan.FromSeconds(60).Ticks * 100, 3);
        var service = new LongHistogram(TimeSpan.FromSeconds(60).Ticks * 100, 3);
        var measured = flowCommands.Length - warmup;
        var ticksPerCommand = rate > 0 ? (double)Stopwatch.Frequency / rate : 0;
        Console.WriteLine($"measuring {measured:N0} commands after {warmup:N0} warm-up commands, " +
                          (rate > 0 ? $"open loop at {rate:N0} commands/s ({measured / (double)rate:F1} s)" : "back to back (no pacing)") + " …");
        var (switchesBefore, stealBefore) = Interference();
        FullGc();
        var gen0 = GC.CollectionCount(0);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var origin = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1000;
        var nsPerTick = NsPerTick;
        for (var i = 0; i < measured; i++)
        {
            var planned = origin + (long)(i * ticksPerCommand);
            long start;
            while ((start = Stopwatch.GetTimestamp()) < planned)
            {
                // spin: the engine thread owns this core
            }

            engine.Apply(in flowCommands[warmup + i]);
            var end = Stopwatch.GetTimestamp();
            latency.RecordValue((long)((end - (rate > 0 ? planned : start)) * nsPerTick));
            service.RecordValue((long)((end - start) * nsPerTick));
        }

        var elapsed = Stopwatch.GetElapsedTime(origin);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var (switchesAfter, stealAfter) = Interference();
        var gcs = $"gen0 {GC.CollectionCount(0) - gen0}, gen2 {GC.CollectionCount(2) - gen2}";
        var hash = engine.ComputeStateHash();

        Console.WriteLine();
        PrintLoad();
        Console.WriteLine($"throughput: {measured / elapsed.TotalSeconds:N0} commands/s achieved (planned {(rate > 0 ? rate.ToString("N0", CultureInfo.InvariantCulture) : "unpaced")})");
        Console.WriteLine($"interference during the measured loop: {switchesAfter - switchesBefore:N0} involuntary context switches of this process, " +
                          $"{(stealAfter - stealBefore) * 10:N0} ms of hypervisor steal time (all vCPUs)");
        Console.WriteLine($"allocated during the measured loop: {allocated:N0} B ({(double)allocated / measured:F4} B/command, harness included), GCs {gcs}");
        Print("latency (end − planned start), ns", latency);
        Print("service time (end − actual start, one timer read included), ns", service);
        Console.WriteLine(
            $"targets (service time): p50 ≤ 500 ns {Verdict(service.GetValueAtPercentile(50) <= 500)}, p99 ≤ 2 µs {Verdict(service.GetValueAtPercentile(99) <= 2_000)}, " +
            $"p99.9 ≤ 10 µs {Verdict(service.GetValueAtPercentile(99.9) <= 10_000)}");
        Console.WriteLine(
            $"targets (open-loop latency): p99 ≤ 2 µs {Verdict(latency.GetValueAtPercentile(99) <= 2_000)}, p99.9 ≤ 10 µs {Verdict(latency.GetValueAtPercentile(99.9) <= 10_000)}");
        var ok = hash == replayHash;
        Console.WriteLine(ok
            ? $"state hash: OK ({hash:x16} = unmeasured replay = generator's dry run)"
            : $"state hash: MISMATCH (measured {hash:x16}, unmeasured replay {replayHash:x16})");

        if (!args.Flag("--no-memory"))
        {
            Console.WriteLine();
            engine = null!;
            flow = null!;
            flowCommands = null!;
            MemoryPerOrder(args);
        }

        return ok ? 0 : 1;
    }

    /// <summary>Involuntary context switches of this process (/proc/self/status) and the machine's steal ticks (/proc/stat).</summary>
    private static (long Switches, long Steal) Interference()
    {
        long switches = 0, steal = 0;
        if (File.Exists("/proc/self/status"))
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("nonvoluntary_ctxt_switches", StringComparison.Ordinal));
            switches = line is null ? 0 : long.Parse(line.Split(':')[1].Trim(), CultureInfo.InvariantCulture);
        }

        if (File.Exists("/proc/stat"))
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            steal = cpu.Length > 8 ? long.Parse(cpu[8], CultureInfo.InvariantCulture) : 0;
        }

        return (switches, steal);
    }

    private static void Print(string title, LongHistogram h)
    {
        Console.WriteLine(
            $"{title}: p50 {h.GetValueAtPercentile(50):N0}  p90 {h.GetValueAtPercentile(90):N0}  p99 {h.GetValueAtPercentile(99):N0}  " +
            $"p99.9 {h.GetValueAtPercentile(99.9):N0}  p99.99 {h.GetValueAtPercentile(99.99):N0}  max {h.GetMaxValue():N0}  mean {h.GetMean():F0}  (n = {h.TotalCount:N0})");
    }

    private static string Verdict(bool met) => met ? "met" : "NOT met";

    private static Flow Generate(HarnessArgs args, int commands)
    {
        var options = new FlowOptions
        {
            Commands = commands,
            Markets = (int)args.Long("--markets", 8),
            Accounts = (int)args.Long("--accounts", 1_000),
            OrdersPerBook = (int)args.Long("--book", 1_000),
            Seed = (int)args.Long("--seed", new FlowOptions().Seed),
        };
        Console.WriteLine($"generating {commands:N0} commands ({options.Markets} markets, {options.Accounts} accounts, {options.OrdersPerBook} resting orders per book, seed {options.Seed}) …");
        var sw = Stopwatch.StartNew();
        var flow = FlowGenerator.Generate(options);
        Console.WriteLine($"generated in {sw.Elapsed.TotalSeconds:F1} s: setup prefix {flow.Setup.Length:N0} commands, flow {flow.Commands.Length:N0} commands");
        Console.WriteLine(flow.Stats.Describe(flow.Commands.Length));
        MixedFlowChecks.AssertMix(flow);
        return flow;
    }

    // ---- memory per resting order -------------------------------------------------------------

    /// <summary>
    /// Live heap (GC.GetTotalMemory(true)) held by an engine with N resting GTC orders minus the same engine with
    /// none, divided by N. Included: the pooled order slot (level links and account links live in the slot), the
    /// order-id dictionary entry and bucket, and unused pool/dictionary capacity left by growth. Not included
    /// (fixed, counted separately): the per-market level arrays and price bitsets. GTD orders also add an expiry
    /// heap entry; that is measured as a separate row.
    /// </summary>
    public static int MemoryPerOrder(HarnessArgs args)
    {
        var count = (int)args.Long("--orders", 1_000_000);
        Console.WriteLine($"memory per resting order ({count:N0} orders over 8 markets at tick 0.0001, 1,000 accounts; GC.GetTotalMemory(true) deltas):");
        var emptyDefault = EngineBytes(0, presize: false, gtd: false, markets: 8);
        var marketsOnly = EngineBytes(0, presize: false, gtd: false, markets: 8, positions: false);
        var noMarkets = EngineBytes(0, presize: false, gtd: false, markets: 0);
        var grown = EngineBytes(count, presize: false, gtd: false, markets: 8);
        var presized = EngineBytes(count, presize: true, gtd: false, markets: 8);
        var presizedEmpty = EngineBytes(0, presize: true, gtd: false, markets: 8, capacity: count);
        var grownGtd = EngineBytes(count, presize: false, gtd: true, markets: 8);
        double perPresized = (presized - emptyDefault) / (double)count;
        double perGrown = (grown - emptyDefault) / (double)count;
        double perGtd = (grownGtd - emptyDefault) / (double)count;
        Console.WriteLine($"  pre-sized pool (InitialOrderCapacity = {count:N0}): {perPresized:F1} B/order  (target ≤ 192 B: {Verdict(perPresized <= 192)}; of which reserved up front by the empty pre-sized engine: {(presizedEmpty - emptyDefault) / (double)count:F1} B)");
        Console.WriteLine($"  default pool (16,384 slots, growing by chunks): {perGrown:F1} B/order  (target ≤ 192 B: {Verdict(perGrown <= 192)})");
        Console.WriteLine($"  default pool, all orders GTD (+ expiry heap):   {perGtd:F1} B/order");
        Console.WriteLine($"  fixed per market (levels + bitsets):            {(marketsOnly - noMarkets) / 8.0 / 1024:F0} KiB (the same at every tick size)");
        Console.WriteLine($"  OrderSlot struct size:                          {System.Runtime.CompilerServices.Unsafe.SizeOf<OrderSlot>()} B");
        return 0;
    }

    /// <summary>Bytes the engine keeps alive after setup and <paramref name="orders"/> resting orders.</summary>
    private static long EngineBytes(int orders, bool presize, bool gtd, int markets, int capacity = 0, bool positions = true)
    {
        const int accounts = 1_000;
        FullGc();
        var before = GC.GetTotalMemory(true);
        var options = presize || capacity > 0 ? new EngineOptions { InitialOrderCapacity = Math.Max(orders, capacity) } : new EngineOptions();
        var engine = new Engine(options);
        long seq = 0;
        var ts = FlowGenerator.T0;
        for (var a = 1; a <= accounts; a++)
        {
            Must(engine.Apply(Command.RegisterAccount(++seq, ts, a)));
            Must(engine.Apply(Command.Deposit(++seq, ts, a, Units.MaxAmount)));
        }

        for (var m = 1; m <= markets; m++)
        {
            Must(engine.Apply(Command.CreateMarket(++seq, ts, m, new MarketParameters(1))));
        }

        // Create every (account, market, token) position first, so the rows below count orders only.
        long id = 1;
        for (var m = 1; m <= (positions ? markets : 0); m++)
        {
            for (var a = 1; a <= accounts; a++)
            {
                for (var o = 0; o < 2; o++)
                {
                    Must(engine.Apply(Command.Place(++seq, ts, a, m, id, (Outcome)o, Side.Buy, 100, 5 * Units.AmountScale)));
                    Must(engine.Apply(Command.Cancel(++seq, ts, a, id++)));
                }
            }
        }

        // BUY YES rests as a bid at p, BUY NO at q as an ask at 1 − q: prices 1..4999 on both sides, 5 shares each.
        for (var i = 0; i < orders; i++)
        {
            var market = 1 + (i % markets);
            var account = 1 + (i / markets % accounts);
            var price = 1 + (i / (markets * accounts) % 4_999);
            var outcome = (i & 1) == 0 ? Outcome.Yes : Outcome.No;
            Must(engine.Apply(gtd
                ? Command.Place(++seq, ts, account, market, id++, outcome, Side.Buy, price, 5 * Units.AmountScale, TimeInForce.Gtd, expiration: ts + 3_600_000)
                : Command.Place(++seq, ts, account, market, id++, outcome, Side.Buy, price, 5 * Units.AmountScale)));
        }

        if (engine.OpenOrderCount != orders)
        {
            throw new InvalidOperationException($"expected {orders} resting orders, found {engine.OpenOrderCount}");
        }

        var after = GC.GetTotalMemory(true);
        GC.KeepAlive(engine);
        return after - before;
    }

    private static void Must(RejectCode code)
    {
        if (code != RejectCode.None)
        {
            throw new InvalidOperationException($"memory probe command rejected: {code}");
        }
    }

    private static void FullGc()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
