using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Polysim.ClobApi.Tests.Redis;

/// <summary>Two real server processes sharing one Redis enforce one rate limit between them.</summary>
/// <remarks>The expected count is what one GCRA limit admits for the times the limiter's calls actually reached Redis, as
/// Redis itself records them (MONITOR, on Redis's clock): a client or server stalled by other tests for over a second
/// loses tokens GCRA never gives back, and the reference loses them too, so the 1 % holds on a loaded CI machine.</remarks>
[Collection(SerialCollection.Name)]
[Trait("Mode", "Both")]
public sealed class TwoProcessRateLimitTests
{
    private const int LimitPerSecond = 40;
    private const int OfferedPerSecond = 5 * LimitPerSecond;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Two_server_processes_on_one_Redis_admit_one_limit_between_them_within_1_percent()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = RedisKit.ConnectionString,
            ["Polysim:Redis:KeyPrefix"] = RedisKit.UniquePrefix(),
            ["Polysim:Tiers:free:RequestsPerSecond"] = LimitPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Polysim:Tiers:free:RequestsPerMinute"] = "1000000",
        };
        var first = Path.Combine(Path.GetTempPath(), "polysim-test-" + Guid.NewGuid().ToString("n"));
        var second = first + "-b";
        try
        {
            // One account, known to both processes: made on the first, whose data directory is then copied for the second.
            string apiKey;
            await using (var setup = await ServerProcess.StartAsync(first, settings))
            {
                using var admin = new HttpClient { BaseAddress = setup.BaseAddress };
                admin.DefaultRequestHeaders.Add("X-Admin-Key", TestServer.AdminKey);
                var created = await admin.PostAsJsonAsync("/v1/admin/accounts", new { tier = "free", starting_balance = "100" });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
                apiKey = json.RootElement.GetProperty("api_key").GetString()!;
            }

            CopyDirectory(first, second);
            await using var a = await ServerProcess.StartAsync(first, settings);
            await using var b = await ServerProcess.StartAsync(second, settings);
            var prefix = settings["Polysim:Redis:KeyPrefix"]!;
            var (admitted, refused, calls) = await OfferAsync([a.BaseAddress, b.BaseAddress], apiKey, prefix);

            Assert.Equal(admitted + refused, calls.Count);
            var expected = OneLimitAdmits(calls.Select(c => c.At));
            var perProcess = calls.GroupBy(c => c.Client).Sum(g => OneLimitAdmits(g.Select(c => c.At)));
            var window = (calls[^1].At - calls[0].At) / 1e6;
            Assert.True(
                Math.Abs(admitted - expected) <= expected * 0.01,
                $"admitted {admitted} (refused {refused}) over {window:F3} s of Redis time; one shared limit admits {expected} for those arrivals " +
                $"(L × (1 + window) = {LimitPerSecond * (1 + window):F1}); separate limits per process would admit {perProcess}");
            Assert.True(perProcess > expected * 1.5, "the two processes' calls did not both reach Redis");
            Assert.True(refused > 0);
        }
        finally
        {
            foreach (var dir in new[] { first, second })
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>What one GCRA limit of <see cref="LimitPerSecond"/> (a burst of one second's worth, then one request per
    /// interval) admits for requests arriving at <paramref name="arrivalsMicros"/> (µs) — the same rule the server's Lua script applies.</summary>
    private static int OneLimitAdmits(IEnumerable<long> arrivalsMicros)
    {
        const long interval = 1_000_000 / LimitPerSecond;
        const long period = 1_000_000;
        long tat = 0;
        var admitted = 0;
        foreach (var at in arrivalsMicros.Order())
        {
            tat = Math.Max(tat, at);
            if (tat + interval - at <= period)
            {
                tat += interval;
                admitted++;
            }
        }

        return admitted;
    }

    /// <summary>Open loop: request i is sent at start + i / rate, alternately to each server, whatever earlier ones are doing.</summary>
    /// <returns>The admitted and refused counts, and the limiter's calls as Redis saw them arrive.</returns>
    private static async Task<(int Admitted, int Refused, List<(long At, string Client)> Calls)> OfferAsync(Uri[] servers, string apiKey, string prefix)
    {
        var clients = servers.Select(s =>
        {
            var c = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = s, Timeout = TimeSpan.FromSeconds(10) };
            c.DefaultRequestHeaders.Add("X-API-Key", apiKey);
            return c;
        }).ToArray();
        // Warm the JIT of both servers on the measured route (this costs tokens of the same key, so the allowance refills
        // completely before measuring) and open the connections the first second will need on /healthz: a measured request
        // that waits for a TCP connect reaches Redis late, which shortens the window Redis sees and reads as under-admission.
        foreach (var c in clients)
        {
            (await c.GetAsync("/v1/account/balance")).EnsureSuccessStatusCode();
            var opening = Enumerable.Range(0, 32).Select(_ => c.GetAsync("/healthz"));
            foreach (var response in await Task.WhenAll(opening))
            {
                response.EnsureSuccessStatusCode();
                response.Dispose();
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await using var monitor = await RedisMonitor.StartAsync(RedisKit.ConnectionString, prefix);
        var total = (int)(OfferedPerSecond * Duration.TotalSeconds);
        var tasks = new List<Task<HttpStatusCode>>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var planned = TimeSpan.FromSeconds((double)i / OfferedPerSecond);
            var wait = planned - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            tasks.Add(SendAsync(clients[i % clients.Length]));
        }

        var statuses = await Task.WhenAll(tasks);
        foreach (var c in clients)
        {
            c.Dispose();
        }

        var unexpected = statuses.Where(s => s is not HttpStatusCode.OK and not HttpStatusCode.TooManyRequests).ToList();
        Assert.True(unexpected.Count == 0, "unexpected statuses: " + string.Join(", ", unexpected.Distinct()));
        var calls = await monitor.StopAsync(expected: statuses.Length);
        return (statuses.Count(s => s == HttpStatusCode.OK), statuses.Count(s => s == HttpStatusCode.TooManyRequests), calls);

        static async Task<HttpStatusCode> SendAsync(HttpClient client)
        {
            using var response = await client.GetAsync("/v1/account/balance");
            return response.StatusCode;
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }
}

/// <summary>Records, from Redis's MONITOR stream, when each EVAL/EVALSHA touching one key prefix arrived (Redis's own clock,
/// µs) and from which client connection — the arrival times the rate limiter's script saw.</summary>
internal sealed class RedisMonitor : IAsyncDisposable
{
    private readonly System.Net.Sockets.TcpClient _client;
    private readonly Task _reading;
    private readonly List<(long At, string Client)> _calls = [];
    private readonly CancellationTokenSource _stop = new();

    private RedisMonitor(System.Net.Sockets.TcpClient client, string prefix)
    {
        _client = client;
        _reading = ReadAsync(prefix);
    }

    public static async Task<RedisMonitor> StartAsync(string connectionString, string prefix)
    {
        var endpoint = connectionString.Split(',')[0];
        var colon = endpoint.LastIndexOf(':');
        var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        await client.GetStream().WriteAsync("MONITOR\r\n"u8.ToArray());
        return new RedisMonitor(client, prefix);
    }

    /// <summary>Waits until <paramref name="expected"/> calls were seen (or 10 s passed) and returns them in arrival order.</summary>
    public async Task<List<(long At, string Client)>> StopAsync(int expected)
    {
        var deadline = Stopwatch.StartNew();
        while (Count() < expected && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        await _stop.CancelAsync();
        lock (_calls)
        {
            return [.. _calls.OrderBy(c => c.At)];
        }

        int Count()
        {
            lock (_calls)
            {
                return _calls.Count;
            }
        }
    }

    private async Task ReadAsync(string prefix)
    {
        using var reader = new StreamReader(_client.GetStream(), System.Text.Encoding.UTF8);
        try
        {
            // A line: 1700000000.123456 [0 127.0.0.1:52344] "EVALSHA" "…" "2" "prefix…" … — Lua's own calls show as [0 lua].
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var open = line.IndexOf(" [", StringComparison.Ordinal);
                var close = line.IndexOf("] ", StringComparison.Ordinal);
                if (open < 0 || close < open || !line.Contains(prefix, StringComparison.Ordinal) ||
                    !(line.AsSpan(close + 2).StartsWith("\"EVAL", StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                var client = line[(open + 2)..close];
                if (client.EndsWith(" lua", StringComparison.Ordinal))
                {
                    continue;
                }

                var stamp = line[..open].Split('.');
                var micros = (long.Parse(stamp[0], System.Globalization.CultureInfo.InvariantCulture) * 1_000_000) +
                    long.Parse(stamp[1], System.Globalization.CultureInfo.InvariantCulture);
                lock (_calls)
                {
                    _calls.Add((micros, client));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _client.Dispose();
        try
        {
            await _reading;
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }
}
