using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HdrHistogram;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi;
using Polysim.ClobApi.Feeds;
using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

// Fan-out benchmark of the market channel: N WebSocket subscribers on loopback, an open-loop order flow, and what arrives.
//
// Every command of the flow changes exactly one level of the YES book (a bid placed at a fresh price, or the oldest one
// cancelled), so it yields exactly one price_change whose YES entry carries seq = base + command index. A subscriber
// therefore knows which command each event came from and measures submit-to-receive latency against the time the command
// was handed to the engine. That interval contains the engine queue, the journal's group commit (fsync) and the publish,
// so it is an upper bound of publish-to-receive latency.
var options = Options.Parse(args);
Console.WriteLine($"feeds benchmark: {options.Subscribers} subscribers, {options.Rate} commands/s for {options.Seconds} s (+{options.WarmupSeconds} s warm-up), {Environment.ProcessorCount} cores");

var dataDir = Path.Combine(Path.GetTempPath(), "polysim-feeds-bench-" + Guid.NewGuid().ToString("n"));
var app = PolysimServer.Build(
[
    "--urls", "http://127.0.0.1:0",
    "--Polysim:DataDir", dataDir,
    "--Polysim:AdminKey", "adm_bench",
    "--Polysim:SeedDemo", "false",
    "--Polysim:Feeds:IdleTimeoutMs", "600000",
    "--Logging:LogLevel:Default", "Warning",
]);
await app.StartAsync();
try
{
    var baseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    var host = app.Services.GetRequiredService<EngineHost>();
    var hub = app.Services.GetRequiredService<FeedHub>();

    // One market and one funded wallet; the flow never crosses, so nothing trades and each command is one level change.
    var yesToken = "1" + string.Concat(RandomNumberGenerator.GetBytes(20).Select(b => (b % 10).ToString(CultureInfo.InvariantCulture)));
    var noToken = "2" + string.Concat(RandomNumberGenerator.GetBytes(20).Select(b => (b % 10).ToString(CultureInfo.InvariantCulture)));
    var marketId = await host.WriteAsync(ctx =>
    {
        var id = ctx.State.Markets.NextMarketId;
        ctx.Record(new MarketListed(id, "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), yesToken, noToken, "Bench?", "bench", ctx.Now));
        var created = ctx.Apply(Command.CreateMarket(0, 0, id, new MarketParameters(100, 5 * Units.AmountScale)));
        return created.Accepted ? id : throw new InvalidOperationException(created.Code.ToString());
    });
    using var admin = new HttpClient { BaseAddress = baseUri };
    admin.DefaultRequestHeaders.Add("X-Admin-Key", "adm_bench");
    var account = await admin.PostAsJsonAsync("/v1/admin/accounts", new { tier = "enterprise", starting_balance = "100000000" });
    var wallet = JsonDocument.Parse(await account.Content.ReadAsStringAsync()).RootElement.GetProperty("wallet_id").GetInt32();

    // Subscribers.
    var wsUri = new Uri(baseUri.ToString().Replace("http://", "ws://", StringComparison.Ordinal).TrimEnd('/') + "/ws/market");
    var subscribe = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { assets_ids = new[] { yesToken }, type = "market", initial_dump = true }));
    var stats = new ReceiveStats(yesToken);
    var clients = new List<(ClientWebSocket Socket, Task Loop)>();
    var connectWatch = Stopwatch.StartNew();
    for (var i = 0; i < options.Subscribers; i++)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(wsUri, CancellationToken.None);
        await socket.SendAsync(subscribe, WebSocketMessageType.Text, true, CancellationToken.None);
        clients.Add((socket, Task.Run(() => stats.ReceiveAsync(socket))));
    }

    while (stats.Dumps < options.Subscribers && connectWatch.Elapsed < TimeSpan.FromSeconds(120))
    {
        await Task.Delay(50);
    }

    Console.WriteLine($"{options.Subscribers} subscribed in {connectWatch.Elapsed.TotalSeconds:0.0} s ({stats.Dumps} book dumps)");

    // Open-loop flow: command i is submitted at start + i / rate whatever happened to the previous ones.
    var baseSeq = stats.DumpSeq;
    var total = (options.Seconds + options.WarmupSeconds) * options.Rate;
    var submitted = new long[total];
    stats.Prepare(baseSeq, submitted, Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency));
    var open = new Queue<long>();
    var refused = 0;
    var pending = new List<Task>(total);
    var start = Stopwatch.GetTimestamp();
    for (var i = 0; i < total; i++)
    {
        var due = start + (long)(i * (double)Stopwatch.Frequency / options.Rate);
        while (Stopwatch.GetTimestamp() < due)
        {
            var waitMs = (due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
            if (waitMs > 1)
            {
                await Task.Delay((int)Math.Min(waitMs - 1, 50));
            }
            else
            {
                Thread.SpinWait(50);
            }
        }

        var price = 100 + ((i % 40) * 100); // 0.01 … 0.40, never crossing
        submitted[i] = Stopwatch.GetTimestamp();

        // The queue of open orders is touched only inside operations, which all run on the engine thread, one at a time.
        var task = host.WriteAsync(ctx =>
        {
            if (open.Count >= 40)
            {
                return ctx.Apply(Command.Cancel(0, 0, wallet, open.Dequeue())).Accepted ? 0L : -1L;
            }

            var id = ctx.State.Engine.LastSequence + 1;
            var placed = ctx.Apply(Command.Place(0, 0, wallet, marketId, id, Outcome.Yes, Side.Buy, price, 5 * Units.AmountScale)).Accepted;
            open.Enqueue(id);
            return placed ? id : -1L;
        });
        pending.Add(task.ContinueWith(t => { if (t.Result < 0) { Interlocked.Increment(ref refused); } }, TaskScheduler.Default));
    }

    await Task.WhenAll(pending);
    var flowSeconds = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
    var lastSeq = baseSeq + total;
    var drainWatch = Stopwatch.StartNew();
    while (stats.MinSeenSeq(options.Subscribers) < lastSeq && drainWatch.Elapsed < TimeSpan.FromSeconds(30))
    {
        await Task.Delay(20);
    }

    var report = stats.Report(options, flowSeconds, refused, hub.SlowConsumerDisconnects, lastSeq);
    Console.WriteLine(report);
    foreach (var (socket, _) in clients)
    {
        socket.Abort();
    }

    await Task.WhenAll(clients.Select(c => c.Loop));
    return report.Contains("FAIL", StringComparison.Ordinal) ? 1 : 0;
}
finally
{
    await app.StopAsync();
    await app.DisposeAsync();
    try
    {
        Directory.Delete(dataDir, recursive: true);
    }
    catch (IOException)
    {
        // Best effort: a temp directory.
    }
}

/// <summary>Command-line options.</summary>
internal sealed record Options(int Subscribers, int Rate, int Seconds, int WarmupSeconds)
{
    public static Options Parse(string[] args)
    {
        int Get(string name, int fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new Options(Get("--subscribers", 1000), Get("--rate", 100), Get("--seconds", 20), Get("--warmup", 3));
    }
}

/// <summary>What the subscribers received: events counted, latencies recorded into striped histograms.</summary>
internal sealed class ReceiveStats(string yesToken)
{
    private const int Stripes = 16;
    private readonly byte[] _assetKey = Encoding.UTF8.GetBytes($"\"asset_id\":\"{yesToken}\"");
    private readonly LongHistogram[] _histograms = Enumerable.Range(0, Stripes).Select(_ => new LongHistogram(TimeStamp.Seconds(60), 3)).ToArray();
    private readonly object[] _locks = Enumerable.Range(0, Stripes).Select(_ => new object()).ToArray();
    private readonly List<long> _lastSeqs = [];
    private long[] _submitted = [];
    private long _baseSeq;
    private long _measureFrom;
    private long _events;
    private long _measuredEvents;
    private long _frames;
    private long _gaps;
    private long _dumpSeq;
    private int _dumps;

    public int Dumps => Volatile.Read(ref _dumps);

    public long DumpSeq => Interlocked.Read(ref _dumpSeq);

    public void Prepare(long baseSeq, long[] submitted, long measureFrom)
    {
        _baseSeq = baseSeq;
        _submitted = submitted;
        _measureFrom = measureFrom;
    }

    public long MinSeenSeq(int subscribers)
    {
        lock (_lastSeqs)
        {
            return _lastSeqs.Count < subscribers ? 0 : _lastSeqs.Min();
        }
    }

    public async Task ReceiveAsync(ClientWebSocket socket)
    {
        int index;
        lock (_lastSeqs)
        {
            index = _lastSeqs.Count;
            _lastSeqs.Add(0);
        }

        var stripe = index % Stripes;
        var buffer = new byte[16 * 1024];
        long expect = -1;
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var now = System.Diagnostics.Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _frames);
                var frame = buffer.AsSpan(0, length);
                var events = Count(frame, "\"event_type\":"u8);
                Interlocked.Add(ref _events, events);
                if (now >= _measureFrom && _measureFrom > 0)
                {
                    Interlocked.Add(ref _measuredEvents, events);
                }

                // Each YES entry carries its seq: map it back to the command that caused it.
                var rest = frame;
                while (true)
                {
                    var at = rest.IndexOf(_assetKey);
                    if (at < 0)
                    {
                        break;
                    }

                    rest = rest[(at + _assetKey.Length)..];
                    var seqAt = rest.IndexOf("\"seq\":"u8);
                    if (seqAt < 0)
                    {
                        break;
                    }

                    rest = rest[(seqAt + 6)..];
                    long seq = 0;
                    var k = 0;
                    while (k < rest.Length && rest[k] is >= (byte)'0' and <= (byte)'9')
                    {
                        seq = (seq * 10) + (rest[k++] - '0');
                    }

                    if (expect < 0)
                    {
                        // The first frame is the book dump: its seq is where this subscriber starts.
                        expect = seq + 1;
                        Interlocked.Exchange(ref _dumpSeq, seq);
                        Interlocked.Increment(ref _dumps);
                        continue;
                    }

                    if (seq != expect)
                    {
                        Interlocked.Increment(ref _gaps);
                    }

                    expect = seq + 1;
                    var command = seq - _baseSeq - 1;
                    if (command >= 0 && command < _submitted.Length && _submitted[command] >= _measureFrom && _measureFrom > 0)
                    {
                        var micros = (now - _submitted[command]) * 1_000_000 / System.Diagnostics.Stopwatch.Frequency;
                        lock (_locks[stripe])
                        {
                            _histograms[stripe].RecordValue(Math.Max(0, micros));
                        }
                    }

                    lock (_lastSeqs)
                    {
                        _lastSeqs[index] = seq;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted at the end of the run.
        }
    }

    private static int Count(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
    {
        var count = 0;
        while (true)
        {
            var at = haystack.IndexOf(needle);
            if (at < 0)
            {
                return count;
            }

            count++;
            haystack = haystack[(at + needle.Length)..];
        }
    }

    public string Report(Options options, double flowSeconds, int refused, long slowDisconnects, long lastSeq)
    {
        var all = new LongHistogram(TimeStamp.Seconds(60), 3);
        foreach (var h in _histograms)
        {
            all.Add(h);
        }

        var measuredSeconds = Math.Max(0.001, flowSeconds - options.WarmupSeconds);
        var rate = _measuredEvents / measuredSeconds;
        double P(double q) => all.GetValueAtPercentile(q) / 1000.0;
        var expected = (long)options.Subscribers * (lastSeq - _baseSeq);
        var verdict = rate >= 20_000 && P(99) <= 50 ? "PASS" : "FAIL";
        return string.Create(CultureInfo.InvariantCulture, $"""
            commands: {lastSeq - _baseSeq} over {flowSeconds:0.0} s ({(lastSeq - _baseSeq) / flowSeconds:0} /s), refused {refused}
            events delivered: {_events} in {_frames} frames (expected >= {expected} price_change events), gaps {_gaps}, slow-consumer disconnects {slowDisconnects}
            delivered rate (after warm-up): {rate:0} events/s
            submit-to-receive latency (ms, {all.TotalCount} samples): p50 {P(50):0.00}  p90 {P(90):0.00}  p99 {P(99):0.00}  p99.9 {P(99.9):0.00}  max {all.GetMaxValue() / 1000.0:0.00}
            target >= 20000 events/s and p99 <= 50 ms: {verdict}
            """);
    }
}
