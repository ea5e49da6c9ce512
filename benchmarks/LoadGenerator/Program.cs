using System.Globalization;
using System.Runtime;
using System.Text.Json;
using HdrHistogram;
using Polysim.LoadGenerator;

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

ServerHost? server = null;
try
{
    var url = options.Url;
    if (url is null)
    {
        server = await ServerHost.StartAsync(options);
        url = server.Url;
    }

    using var handler = new SocketsHttpHandler
    {
        MaxConnectionsPerServer = options.Connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    };
    using var admin = new HttpClient(handler, disposeHandler: false) { BaseAddress = url };
    admin.DefaultRequestHeaders.Add("X-Admin-Key", options.AdminKey);

    Console.WriteLine($"polysim load generator: mode {options.Mode}, server {url}{(server is null ? " (external)" : $" (pid {server.ProcessId})")}, " +
        $"rate {options.Rate:N0}/s, duration {options.Duration.TotalSeconds:N0} s, warm-up {options.Warmup.TotalSeconds:N0} s, " +
        $"{options.Accounts} accounts × {options.Markets} markets, mix rest/cancel/marketable {options.RestPercent}/{options.CancelPercent}/{100 - options.RestPercent - options.CancelPercent}, " +
        $"{options.Connections} connections; generator GC {(GCSettings.IsServerGC ? "server" : "workstation")}, {Environment.ProcessorCount} CPUs");
    if (MachineConditions.DamonMonitors() is { Count: > 0 } damon)
    {
        // Not ours to change, but it decides the tail on the machines this was measured on: say so beside every figure.
        Console.WriteLine($"machine: kernel DAMON monitor {string.Join("; ", damon)} — expect a stall every interval (docs/PERFORMANCE.md, session 10)");
    }
    var workload = await Workload.SetUpAsync(options, url, handler);
    using var client = new LeanHttpClient(url, options.Connections);
    Console.WriteLine("set-up done (markets listed, accounts opened, books seeded)");

    if (options.Warmup > TimeSpan.Zero)
    {
        var warm = OpenLoop.Run("warm-up", options.Rate, options.Warmup, Workload.KindNames.Length, client, workload.Order, workload.Classify);
        Report.Print(warm, null, null);
    }

    var results = new List<(PhaseResult Phase, Diagnostics? Before, Diagnostics? After)>();
    if (!options.SkipBaseline)
    {
        var before = await Diagnostics.ReadAsync(admin);
        var baseline = OpenLoop.Run("baseline GET " + options.BaselinePath, options.Rate, options.BaselineDuration, Workload.KindNames.Length, client, workload.Baseline, workload.Classify);
        var after = await Diagnostics.ReadAsync(admin);
        Report.Print(baseline, before, after);
        results.Add((baseline, before, after));
    }

    {
        var before = await Diagnostics.ReadAsync(admin);
        var orders = OpenLoop.Run("orders", options.Rate, options.Duration, Workload.KindNames.Length, client, workload.Order, workload.Classify);
        var after = await Diagnostics.ReadAsync(admin);
        Report.Print(orders, before, after);
        results.Add((orders, before, after));
    }

    if (options.TimelineOut is { } timeline)
    {
        foreach (var (phase, _, _) in results)
        {
            var file = $"{timeline}.{(phase.Name == "orders" ? "orders" : "baseline")}.csv";
            phase.WriteTimeline(file);
            Console.WriteLine("timeline written to " + file);
        }
    }

    if (results.Count == 2)
    {
        Report.PrintRatio(results[0].Phase, results[1].Phase);
    }

    if (options.JsonOut is { } path)
    {
        await File.WriteAllTextAsync(path, Report.Json(options, results));
        Console.WriteLine("results written to " + path);
    }

    return results[^1].Phase.ErrorCount == 0 ? 0 : 1;
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}

/// <summary>The server's process counters (GET /v1/admin/diagnostics).</summary>
internal sealed record Diagnostics(long AllocatedBytes, int Gen0, int Gen1, int Gen2, long GcPauseMs, long CpuMs, long EngineThreadCpuMs, bool ServerGc)
{
    public static async Task<Diagnostics?> ReadAsync(HttpClient admin)
    {
        try
        {
            using var response = await admin.GetAsync(new Uri("/v1/admin/diagnostics", UriKind.Relative));
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var r = doc.RootElement;
            return new Diagnostics(
                r.GetProperty("allocated_bytes").GetInt64(), r.GetProperty("gen0_collections").GetInt32(), r.GetProperty("gen1_collections").GetInt32(),
                r.GetProperty("gen2_collections").GetInt32(), r.GetProperty("gc_pause_ms").GetInt64(), r.GetProperty("cpu_ms").GetInt64(),
                r.GetProperty("engine_thread_cpu_ms").GetInt64(), r.GetProperty("server_gc").GetBoolean());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}

/// <summary>Prints and serializes the figures.</summary>
internal static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Print(PhaseResult p, Diagnostics? before, Diagnostics? after)
    {
        var h = p.Latency;
        Console.WriteLine();
        Console.WriteLine($"== {p.Name}: planned {p.Planned:N0} at {p.Planned / Math.Max(1e-9, p.Elapsed.TotalSeconds):N0}/s achieved " +
            $"({p.Completed:N0} completed in {p.Elapsed.TotalSeconds:F2} s), late sends {p.LateSends:N0}, generator CPU {p.GeneratorCpu.TotalSeconds:F1} s, " +
            $"generator GCs {string.Join('/', p.GeneratorGcs)} pausing it {p.GeneratorGcPause.TotalMilliseconds:F0} ms, " +
            $"started {p.StartedAt:HH:mm:ss.fff} UTC");
        Console.WriteLine($"   latency from planned send (ms): p50 {Ms(h.GetValueAtPercentile(50))}  p90 {Ms(h.GetValueAtPercentile(90))}  " +
            $"p99 {Ms(h.GetValueAtPercentile(99))}  p99.9 {Ms(h.GetValueAtPercentile(99.9))}  max {Ms(h.GetMaxValue())}  mean {h.GetMean() / 1000:F3}");
        Console.WriteLine($"   requests over 10 ms: {p.CountOver(10_000):N0}, over 15 ms: {p.CountOver(15_000):N0} (a p99 within a line allows {p.Completed / 100:N0})");
        Console.WriteLine("   p99 per second (ms): " + string.Join(' ', p.P99PerSecond().Select(v => (v / 1000.0).ToString("F1", Inv))));
        var kinds = string.Join(", ", Workload.KindNames.Select((n, i) => (n, p.Ok[i])).Where(x => x.Item2 > 0).Select(x => $"{x.n} {x.Item2:N0}"));
        Console.WriteLine($"   ok: {kinds}; expected refusals (cancel lost to a fill): {p.Expected:N0}" +
            (p.ExpectedByOutcome.IsEmpty ? string.Empty : " (" + string.Join(", ", p.ExpectedByOutcome.Select(e => $"{e.Key} × {e.Value}")) + ")") + $"; errors: {p.ErrorCount:N0}" +
            (p.Errors.IsEmpty ? string.Empty : " (" + string.Join(", ", p.Errors.Select(e => $"{e.Key} × {e.Value}")) + ")"));
        var accounted = p.Ok.Sum() + p.Expected + p.ErrorCount;
        if (accounted != p.Planned || p.Completed > p.Planned)
        {
            // Every planned request must end as exactly one of ok, expected refusal or error (unanswered ones are errors).
            Console.WriteLine($"   COUNTS DO NOT ADD UP: planned {p.Planned:N0}, completed {p.Completed:N0}, ok + expected + errors {accounted:N0}");
        }

        if (before is not null && after is not null && p.Completed > 0)
        {
            var n = (double)p.Completed;
            var engine = after.EngineThreadCpuMs - before.EngineThreadCpuMs;
            Console.WriteLine($"   server: {(after.AllocatedBytes - before.AllocatedBytes) / n:N0} B allocated per request, " +
                $"CPU {(after.CpuMs - before.CpuMs) * 1000 / n:F1} µs per request, engine thread CPU {engine * 1000 / n:F2} µs per request, " +
                $"GCs gen0/1/2 {after.Gen0 - before.Gen0}/{after.Gen1 - before.Gen1}/{after.Gen2 - before.Gen2}, GC pause {after.GcPauseMs - before.GcPauseMs} ms " +
                $"({(after.ServerGc ? "server" : "workstation")} GC)");
        }
    }

    public static void PrintRatio(PhaseResult baseline, PhaseResult orders)
    {
        double Ratio(double p) => orders.Latency.GetValueAtPercentile(p) / (double)Math.Max(1, baseline.Latency.GetValueAtPercentile(p));
        Console.WriteLine();
        Console.WriteLine($"== orders ÷ baseline (same rate, same server): p50 ×{Ratio(50):F2}, p99 ×{Ratio(99):F2}, p99.9 ×{Ratio(99.9):F2}");
    }

    public static string Json(Options options, List<(PhaseResult Phase, Diagnostics? Before, Diagnostics? After)> results)
    {
        var phases = results.Select(r => new Dictionary<string, object?>
        {
            ["name"] = r.Phase.Name,
            ["planned"] = r.Phase.Planned,
            ["completed"] = r.Phase.Completed,
            ["elapsed_s"] = r.Phase.Elapsed.TotalSeconds,
            ["achieved_per_s"] = r.Phase.Completed / Math.Max(1e-9, r.Phase.Elapsed.TotalSeconds),
            ["p50_ms"] = r.Phase.Latency.GetValueAtPercentile(50) / 1000.0,
            ["p99_ms"] = r.Phase.Latency.GetValueAtPercentile(99) / 1000.0,
            ["p99_9_ms"] = r.Phase.Latency.GetValueAtPercentile(99.9) / 1000.0,
            ["max_ms"] = r.Phase.Latency.GetMaxValue() / 1000.0,
            ["over_10_ms"] = r.Phase.CountOver(10_000),
            ["over_15_ms"] = r.Phase.CountOver(15_000),
            ["errors"] = r.Phase.ErrorCount,
            ["expected_refusals"] = r.Phase.Expected,
            ["late_sends"] = r.Phase.LateSends,
            ["generator_cpu_s"] = r.Phase.GeneratorCpu.TotalSeconds,
            ["generator_gc_pause_ms"] = r.Phase.GeneratorGcPause.TotalMilliseconds,
            ["allocated_bytes_per_request"] = r.Before is null || r.After is null ? null : (r.After.AllocatedBytes - r.Before.AllocatedBytes) / (double)Math.Max(1, r.Phase.Completed),
            ["server_cpu_us_per_request"] = r.Before is null || r.After is null ? null : (r.After.CpuMs - r.Before.CpuMs) * 1000.0 / Math.Max(1, r.Phase.Completed),
            ["engine_thread_cpu_us_per_request"] = r.Before is null || r.After is null ? null : (r.After.EngineThreadCpuMs - r.Before.EngineThreadCpuMs) * 1000.0 / Math.Max(1, r.Phase.Completed),
        }).ToList();
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["mode"] = options.Mode,
            ["rate"] = options.Rate,
            ["duration_s"] = options.Duration.TotalSeconds,
            ["at_utc"] = DateTime.UtcNow.ToString("O", Inv),
            ["damon_monitors"] = MachineConditions.DamonMonitors(),
            ["phases"] = phases,
        });
    }

    private static string Ms(long micros) => (micros / 1000.0).ToString("F3", Inv);
}
