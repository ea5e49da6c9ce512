using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Polysim.ClobApi.Tests.Redis;

/// <summary>Two real server processes sharing one Redis enforce one rate limit between them.</summary>
/// <remarks>Alone on the machine: a client stalled by other tests for over a second loses tokens GCRA never gives back.</remarks>
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
            var (admitted, refused, window) = await OfferAsync([a.BaseAddress, b.BaseAddress], apiKey);

            // GCRA admits a burst of the limit, then one request per interval: L + L × (seconds between the first and last request).
            var expected = LimitPerSecond * (1 + window.TotalSeconds);
            // Over-admission is what separate per-process limits would show, so that side is held to 1 %. Under-admission
            // only happens when the clients stall for over a second (GCRA keeps no more than one burst) — seen at up to
            // 3.7 % under CI load — and says nothing about sharing, so it gets 5 %.
            Assert.True(
                admitted <= expected * 1.01 && admitted >= expected * 0.95,
                $"admitted {admitted} (refused {refused}) over {window.TotalSeconds:F3} s; one shared limit admits {expected:F1}; per-process limits would admit about {2 * expected:F0}");
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

    /// <summary>Open loop: request i is sent at start + i / rate, alternately to each server, whatever earlier ones are doing.</summary>
    private static async Task<(int Admitted, int Refused, TimeSpan Window)> OfferAsync(Uri[] servers, string apiKey)
    {
        var clients = servers.Select(s =>
        {
            var c = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = s, Timeout = TimeSpan.FromSeconds(10) };
            c.DefaultRequestHeaders.Add("X-API-Key", apiKey);
            return c;
        }).ToArray();
        // Warm the connections and JIT of both servers on another route so the measured window starts hot; this costs tokens
        // of the same key, so let the allowance refill completely before measuring.
        foreach (var c in clients)
        {
            (await c.GetAsync("/v1/account/balance")).EnsureSuccessStatusCode();
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var total = (int)(OfferedPerSecond * Duration.TotalSeconds);
        var tasks = new List<Task<HttpStatusCode>>(total);
        var clock = Stopwatch.StartNew();
        TimeSpan firstSent = default, lastSent = default;
        for (var i = 0; i < total; i++)
        {
            var planned = TimeSpan.FromSeconds((double)i / OfferedPerSecond);
            var wait = planned - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var sent = clock.Elapsed;
            if (i == 0)
            {
                firstSent = sent;
            }

            lastSent = sent;
            tasks.Add(SendAsync(clients[i % clients.Length]));
        }

        var statuses = await Task.WhenAll(tasks);
        foreach (var c in clients)
        {
            c.Dispose();
        }

        var unexpected = statuses.Where(s => s is not HttpStatusCode.OK and not HttpStatusCode.TooManyRequests).ToList();
        Assert.True(unexpected.Count == 0, "unexpected statuses: " + string.Join(", ", unexpected.Distinct()));
        return (statuses.Count(s => s == HttpStatusCode.OK), statuses.Count(s => s == HttpStatusCode.TooManyRequests), lastSent - firstSent);

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
