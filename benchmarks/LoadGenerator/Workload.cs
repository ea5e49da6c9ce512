using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Polysim.LoadGenerator;

/// <summary>The order mix over several accounts and markets, through the /v1 API.</summary>
/// <remarks>
/// Resting orders are BUYs of YES or NO at 0.30–0.49, so the two sides never cross (a NO bid at p is a YES ask at 1 − p ≥
/// 0.51). Marketable orders are FAK market BUYs of 5 shares with a worst price of 0.99: they fill against the best resting
/// orders of the other outcome. Cancels take the oldest resting order the generator placed for that account; one that a
/// marketable order filled meanwhile answers 400 ORDER_NOT_CANCELLABLE (or 404 once the server's history has forgotten it),
/// which is expected and counted apart from errors, by answer.
/// Request bodies are prepared before the run, so the generator's per-request cost is the HTTP client's.
/// </remarks>
internal sealed class Workload
{
    public const int Rest = 0;
    public const int Cancel = 1;
    public const int Marketable = 2;
    public const int Health = 3;
    public static readonly string[] KindNames = ["rest", "cancel", "marketable", "healthz"];

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly Options _options;
    private readonly HttpClient[] _clients;
    private readonly ConcurrentQueue<string>[] _resting;
    private readonly byte[][] _restBodies;
    private readonly byte[][] _marketableBodies;
    private readonly Uri _orders = new("/v1/orders", UriKind.Relative);
    private readonly Uri _health;

    private Workload(Options options, HttpClient[] clients, byte[][] rest, byte[][] marketable)
    {
        _options = options;
        _clients = clients;
        _resting = [.. clients.Select(_ => new ConcurrentQueue<string>())];
        _restBodies = rest;
        _marketableBodies = marketable;
        _health = new Uri(options.BaselinePath, UriKind.Relative);
    }

    /// <summary>Lists the markets and opens the accounts through the operator API, then seeds each book.</summary>
    public static async Task<Workload> SetUpAsync(Options options, Uri url, SocketsHttpHandler handler)
    {
        using var admin = new HttpClient(handler, disposeHandler: false) { BaseAddress = url };
        admin.DefaultRequestHeaders.Add("X-Admin-Key", options.AdminKey);
        var tokens = new List<string>();
        for (var m = 0; m < options.Markets; m++)
        {
            var response = await admin.PostAsJsonAsync("/v1/admin/markets", new Dictionary<string, object>
            {
                ["question"] = $"Load test market {m}?",
                ["tick_size"] = "0.01",
                ["min_order_size"] = "5",
            });
            using var doc = await ReadAsync(response, HttpStatusCode.Created);
            foreach (var token in doc.RootElement.GetProperty("tokens").EnumerateArray())
            {
                tokens.Add(token.GetProperty("token_id").GetString()!);
            }
        }

        var clients = new HttpClient[options.Accounts];
        for (var a = 0; a < options.Accounts; a++)
        {
            var response = await admin.PostAsJsonAsync("/v1/admin/accounts", new Dictionary<string, object>
            {
                ["tier"] = "enterprise",
                ["starting_balance"] = "10000000",
            });
            using var doc = await ReadAsync(response, HttpStatusCode.Created);
            var client = new HttpClient(handler, disposeHandler: false) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Add("X-API-Key", doc.RootElement.GetProperty("api_key").GetString());
            clients[a] = client;
        }

        var rest = new List<byte[]>();
        var marketable = new List<byte[]>();
        foreach (var token in tokens)
        {
            for (var cents = 30; cents <= 49; cents++)
            {
                rest.Add(Encoding.UTF8.GetBytes(
                    $"{{\"token_id\":\"{token}\",\"side\":\"BUY\",\"quantity\":\"5\",\"price\":\"0.{cents.ToString(CultureInfo.InvariantCulture)}\"}}"));
            }

            marketable.Add(Encoding.UTF8.GetBytes(
                $"{{\"token_id\":\"{token}\",\"side\":\"BUY\",\"quantity\":\"5\",\"price\":\"0.99\",\"order_type\":\"market\",\"time_in_force\":\"FAK\"}}"));
        }

        var workload = new Workload(options, clients, [.. rest], [.. marketable]);
        // Seed: every account rests one order at every price of every token, so marketable orders find liquidity at once.
        for (var a = 0; a < options.Accounts; a++)
        {
            for (var b = 0; b < workload._restBodies.Length; b++)
            {
                var r = await workload.PlaceRestingAsync(a, workload._restBodies[b]);
                if (!r.Ok)
                {
                    throw new InvalidOperationException("Seeding failed: " + r.Outcome);
                }
            }
        }

        return workload;
    }

    /// <summary>Request i of the order mix (deterministic in i and the seed).</summary>
    public Task<Result> OrderAsync(long i)
    {
        var r = Mix(i);
        var account = (int)(r % (ulong)_clients.Length);
        var pick = (int)((r >> 16) % 100);
        var which = (int)((r >> 32) & int.MaxValue);
        if (pick < _options.RestPercent)
        {
            return PlaceRestingAsync(account, _restBodies[which % _restBodies.Length]);
        }

        if (pick < _options.RestPercent + _options.CancelPercent && _resting[account].TryDequeue(out var id))
        {
            return CancelAsync(account, id);
        }

        if (pick < _options.RestPercent + _options.CancelPercent)
        {
            return PlaceRestingAsync(account, _restBodies[which % _restBodies.Length]);
        }

        return PlaceAsync(account, _marketableBodies[which % _marketableBodies.Length], Marketable);
    }

    /// <summary>The baseline request: GET /healthz on the same server, connections and client.</summary>
    public async Task<Result> HealthAsync(long i)
    {
        using var response = await _clients[(int)(i % _clients.Length)].GetAsync(_health).ConfigureAwait(false);
        await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        return response.IsSuccessStatusCode ? new Result(Health, true, null, false) : Failure(Health, response);
    }

    private async Task<Result> PlaceRestingAsync(int account, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _orders) { Content = Body(body) };
        using var response = await _clients[account].SendAsync(request).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return Failure(Rest, response);
        }

        if (OrderId(bytes) is { } id)
        {
            _resting[account].Enqueue(id);
        }

        return new Result(Rest, true, null, false);
    }

    private async Task<Result> PlaceAsync(int account, byte[] body, int kind)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _orders) { Content = Body(body) };
        using var response = await _clients[account].SendAsync(request).ConfigureAwait(false);
        await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        return response.IsSuccessStatusCode ? new Result(kind, true, null, false) : Failure(kind, response);
    }

    private async Task<Result> CancelAsync(int account, string id)
    {
        using var response = await _clients[account].DeleteAsync(new Uri("/v1/orders/" + id, UriKind.Relative)).ConfigureAwait(false);
        await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return new Result(Cancel, true, null, false);
        }

        var failure = Failure(Cancel, response);
        // A marketable order filled it first (400), or it finished so long ago that the server's order history forgot it
        // (404: the projection keeps the newest 10,000 finished orders per wallet, which an overloaded run's backlog of
        // cancels can fall behind).
        return failure with { Expected = failure.Outcome is "400 ORDER_NOT_CANCELLABLE" or "404 ORDER_NOT_FOUND" };
    }

    private static ByteArrayContent Body(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        return content;
    }

    private static Result Failure(int kind, HttpResponseMessage response)
    {
        var code = response.Headers.TryGetValues("X-Polysim-Code", out var values) ? values.FirstOrDefault() : null;
        return new Result(kind, false, $"{(int)response.StatusCode} {code}", false);
    }

    private static string? OrderId(byte[] body)
    {
        var marker = "\"order_id\":\""u8;
        var at = body.AsSpan().IndexOf(marker);
        if (at < 0)
        {
            return null;
        }

        var rest = body.AsSpan(at + marker.Length);
        var end = rest.IndexOf((byte)'"');
        return end <= 0 ? null : Encoding.ASCII.GetString(rest[..end]);
    }

    private ulong Mix(long i)
    {
        // SplitMix64 of (seed, i): every request's choice is fixed by its index, whatever the timing.
        var z = unchecked(((ulong)i * 0x9E3779B97F4A7C15UL) + _options.Seed);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    private static async Task<JsonDocument> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode == expected
            ? JsonDocument.Parse(text)
            : throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
    }
}
