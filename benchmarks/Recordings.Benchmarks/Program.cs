using System.Diagnostics;
using System.Globalization;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.External;
using Polysim.ClobApi.Liquidity.Recordings;
using Polysim.MatchingEngine;

// Reading throughput of the PMXT reader on a generated archive-shaped hour: R rows over M markets (sorted by market, as
// the archive is), one market extracted and normalised into canonical events. Stopwatch, best of N runs after a warm-up.
//
//   dotnet run -c Release --project benchmarks/Recordings.Benchmarks -- --rows 1000000 --markets 4 --format v2
var rows = Arg("--rows", 1_000_000);
var markets = Arg("--markets", 4);
var rowGroup = Arg("--row-group", 1_048_576);
var runs = Arg("--runs", 3);
var format = args.SkipWhile(a => a != "--format").Skip(1).FirstOrDefault() ?? "v2";
var dir = Directory.CreateTempSubdirectory("polysim-recordings-bench-").FullName;
var hour = new DateTimeOffset(2026, 4, 14, 9, 0, 0, TimeSpan.Zero);
try
{
    var sw = Stopwatch.StartNew();
    var path = Path.Combine(dir, PmxtFile.HourFileName(hour));
    var (target, yes) = await Generate.WriteHourAsync(path, format, hour, rows, markets, rowGroup);
    var bytes = new FileInfo(path).Length;
    Console.WriteLine($"generated {format} hour: {rows:N0} rows, {markets} markets, row groups of {rowGroup:N0}, {bytes / 1e6:F1} MB in {sw.Elapsed.TotalSeconds:F1} s; {Environment.ProcessorCount} cores, load {LoadAverage()}");

    if (args.Contains("--raw"))
    {
        // Diagnostic: the file-reading half alone (internal method, reached by reflection), to split reading from normalising.
        var method = typeof(PmxtFile).GetMethod("ReadMarketAsync", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        for (var run = 0; run <= runs; run++)
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            sw.Restart();
            await (Task)method.Invoke(null, [path, target, CancellationToken.None])!;
            Console.WriteLine($"  raw read, run {run}: {sw.Elapsed.TotalSeconds:F2} s wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds:F2} s CPU");
        }
    }

    // The market itself, then an id that sorts inside the row group but matches nothing (the cost of the filter scan alone).
    foreach (var (label, market) in new[] { ("one market extracted", target), ("filter scan only (no match)", target + "0") })
    {
        double best = double.MaxValue, bestCpu = double.MaxValue;
        RecordingStats? stats = null;
        for (var run = 0; run <= runs; run++)
        {
            GC.Collect();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            sw.Restart();
            var reader = new PmxtReader(dir);
            var book = new ShadowBook();
            foreach (var e in reader.Read(new PmxtMarket(market, yes), hour, hour.AddHours(1)))
            {
                book.Apply(e);
            }

            var seconds = sw.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            Console.WriteLine($"  {label}, run {run}{(run == 0 ? " (warm-up)" : "")}: {seconds:F2} s wall, {cpu:F2} s CPU");
            if (run > 0 && seconds < best)
            {
                best = seconds;
                bestCpu = cpu;
                stats = reader.Stats;
            }
        }

        var s = stats!;
        Console.WriteLine($"{label}, best of {runs}: {best:F2} s wall ({bestCpu:F2} s CPU) — {s.RowsInFiles / best / 1e6:F2} M rows/s scanned ({s.RowsInFiles / bestCpu / 1e6:F2} per CPU-second), {s.RowsMatched:N0} rows of the market, {s.Events:N0} events ({s.Events / best / 1e3:F0} k/s); mismatches {s.Mismatches}, gaps {s.Gaps}");
    }

    // The hour replayed: the extracted market's events through ExternalLiquidity on a bare engine (the external book as
    // resting orders of the external account, queue model Power(2), sticky ledger), as fast as possible, best of N.
    var events = new PmxtReader(dir).Read(new PmxtMarket(target, yes), hour, hour.AddHours(1)).ToList();
    double bestReplay = double.MaxValue, bestReplayCpu = double.MaxValue;
    long commands = 0;
    for (var run = 0; run <= runs; run++)
    {
        GC.Collect();
        var engine = new Engine(new EngineOptions { FeeAccount = SystemAccounts.Fees });
        var venue = new EngineVenue(engine);
        venue.SetTime(hour.ToUnixTimeMilliseconds());
        venue.Apply(Command.CreateMarket(0, 0, 1, new MarketParameters(TickSize: 100)));
        var external = new ExternalLiquidity(1);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        foreach (var e in events)
        {
            venue.SetTime(e.TsNs / 1_000_000);
            external.OnEvent(venue, e);
        }

        var seconds = sw.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        Console.WriteLine($"  replay through the matcher, run {run}{(run == 0 ? " (warm-up)" : "")}: {seconds:F2} s wall, {cpu:F2} s CPU");
        if (run > 0 && seconds < bestReplay)
        {
            bestReplay = seconds;
            bestReplayCpu = cpu;
            commands = venue.CommandCount;
        }
    }

    Console.WriteLine($"replay through the matcher, best of {runs}: {bestReplay:F2} s wall ({bestReplayCpu:F2} s CPU) for {events.Count:N0} events — {events.Count / bestReplay / 1e3:F0} k events/s, {3_600 / bestReplay:F0} virtual s per wall s, {commands:N0} engine commands");
}
finally
{
    Directory.Delete(dir, recursive: true);
}

int Arg(string name, int fallback)
{
    var value = args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    return value is null ? fallback : int.Parse(value, CultureInfo.InvariantCulture);
}

static string LoadAverage()
{
    try
    {
        return File.ReadAllText("/proc/loadavg").Split(' ')[0];
    }
    catch (IOException)
    {
        return "?";
    }
}

/// <summary>A consistent random YES book per market rendered as both tokens' rows (a NO row mirrors each YES row).</summary>
internal static class Generate
{
    public static async Task<(string Market, string YesToken)> WriteHourAsync(string path, string format, DateTimeOffset hour, int rows, int markets, int rowGroup)
    {
        var start = hour.ToUnixTimeMilliseconds();
        var v1 = new List<PmxtV1Row>();
        var v2 = new List<PmxtV2Row>();
        var perMarket = rows / markets;
        var rng = new ulong[] { 42 };
        for (var m = 0; m < markets; m++)
        {
            var market = "0x" + (m + 1).ToString("x64", CultureInfo.InvariantCulture);
            var yes = (1_000_000 + (2 * m)).ToString(CultureInfo.InvariantCulture);
            var no = (1_000_001 + (2 * m)).ToString(CultureInfo.InvariantCulture);
            var bids = new long[10_000];
            var asks = new long[10_000];
            for (var i = 0; i < 10; i++)
            {
                bids[4_900 - (i * 100)] = 100_000_000;
                asks[5_100 + (i * 100)] = 100_000_000;
            }

            var written = 0;
            var step = 0;
            while (written < perMarket)
            {
                var t = start + (long)((double)written / perMarket * 3_599_000);
                if (step++ % 500 == 0)
                {
                    Snapshot(format, v1, v2, market, yes, no, t, bids, asks);
                    written += 2;
                    continue;
                }

                var bid = Next(rng, 2) == 0;
                var price = bid ? 4_000 + (int)(Next(rng, 10) * 100) : 5_100 + (int)(Next(rng, 10) * 100);
                var size = Next(rng, 4) == 0 ? 0 : (1 + Next(rng, 100_000)) * 10_000;
                (bid ? bids : asks)[price] = size;
                int bestBid = 0, bestAsk = 10_000;
                for (var p = 9_999; p > 0; p--)
                {
                    if (bids[p] > 0)
                    {
                        bestBid = p;
                        break;
                    }
                }

                for (var p = 1; p < 10_000; p++)
                {
                    if (asks[p] > 0)
                    {
                        bestAsk = p;
                        break;
                    }
                }

                Change(format, v1, v2, market, yes, no, t, bid, price, size, bestBid, bestAsk);
                written += 2;
            }
        }

        if (format == "v1")
        {
            await PmxtWriter.WriteV1Async(path, v1, rowGroup);
        }
        else
        {
            await PmxtWriter.WriteV2Async(path, v2, rowGroup);
        }

        return ("0x" + 2.ToString("x64", CultureInfo.InvariantCulture), "1000002");
    }

    private static long Next(ulong[] state, long bound)
    {
        state[0] += 0x9E3779B97F4A7C15;
        var z = state[0];
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return (long)((z ^ (z >> 31)) % (ulong)bound);
    }

    private static void Snapshot(string format, List<PmxtV1Row> v1, List<PmxtV2Row> v2, string market, string yes, string no, long t, long[] bids, long[] asks)
    {
        var yb = Enumerable.Range(1, 9_999).Where(p => bids[p] > 0).Select(p => (p, bids[p])).ToList();           // worst (lowest) first
        var ya = Enumerable.Range(1, 9_999).Reverse().Where(p => asks[p] > 0).Select(p => (p, asks[p])).ToList(); // worst (highest) first
        var nb = ya.Select(l => (10_000 - l.p, l.Item2)).ToList();
        var na = yb.Select(l => (10_000 - l.p, l.Item2)).ToList();
        if (format == "v1")
        {
            v1.Add(new(t, t, market, "book_snapshot", $$"""{"update_type":"book_snapshot","market_id":"{{market}}","token_id":"{{yes}}","side":"YES","timestamp":{{t / 1000}}.{{t % 1000:000}},"bids":{{Levels(yb)}},"asks":{{Levels(ya)}}}"""));
            v1.Add(new(t, t, market, "book_snapshot", $$"""{"update_type":"book_snapshot","market_id":"{{market}}","token_id":"{{no}}","side":"NO","timestamp":{{t / 1000}}.{{t % 1000:000}},"bids":{{Levels(nb)}},"asks":{{Levels(na)}}}"""));
        }
        else
        {
            v2.Add(new(t, t, market, "book", yes) { Bids = Levels(yb), Asks = Levels(ya) });
            v2.Add(new(t, t, market, "book", no) { Bids = Levels(nb), Asks = Levels(na) });
        }
    }

    private static void Change(string format, List<PmxtV1Row> v1, List<PmxtV2Row> v2, string market, string yes, string no, long t, bool bid, int price, long size, int bestBid, int bestAsk)
    {
        if (format == "v1")
        {
            v1.Add(new(t, t, market, "price_change", $$"""{"update_type":"price_change","market_id":"{{market}}","token_id":"{{yes}}","side":"YES","best_bid":"{{P(bestBid)}}","best_ask":"{{P(bestAsk)}}","timestamp":{{t / 1000}}.{{t % 1000:000}},"change_price":"{{P(price)}}","change_size":"{{S(size)}}","change_side":"{{(bid ? "BUY" : "SELL")}}"}"""));
            v1.Add(new(t, t, market, "price_change", $$"""{"update_type":"price_change","market_id":"{{market}}","token_id":"{{no}}","side":"NO","best_bid":"{{P(10_000 - bestAsk)}}","best_ask":"{{P(10_000 - bestBid)}}","timestamp":{{t / 1000}}.{{t % 1000:000}},"change_price":"{{P(10_000 - price)}}","change_size":"{{S(size)}}","change_side":"{{(bid ? "SELL" : "BUY")}}"}"""));
        }
        else
        {
            v2.Add(new(t, t, market, "price_change", yes) { Price = price / 10_000m, Size = size / 1_000_000m, Side = bid ? "BUY" : "SELL", BestBid = bestBid / 10_000m, BestAsk = bestAsk / 10_000m });
            v2.Add(new(t, t, market, "price_change", no) { Price = (10_000 - price) / 10_000m, Size = size / 1_000_000m, Side = bid ? "SELL" : "BUY", BestBid = (10_000 - bestAsk) / 10_000m, BestAsk = (10_000 - bestBid) / 10_000m });
        }
    }

    private static string P(int price) => (price / 10_000m).ToString("0.####", CultureInfo.InvariantCulture);

    private static string S(long size) => (size / 1_000_000m).ToString("0.######", CultureInfo.InvariantCulture);

    private static string Levels(List<(int, long)> levels) =>
        "[" + string.Join(",", levels.Select(l => $"[\"{P(l.Item1)}\",\"{S(l.Item2)}\"]")) + "]";
}
