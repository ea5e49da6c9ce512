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
/// Requests are prepared on the wire before the run (a cancel splices in its order id), so the generator's per-request
/// cost is a send and a receive.
/// </remarks>
internal sealed class Workload
{
    public const int Rest = 0;
    public const int Cancel = 1;
    public const int Marketable = 2;
    public const int Health = 3;
    public static readonly string[] KindNames = ["rest", "cancel", "marketable", "healthz"];

    /// <summary>Length of an order id: "0x" and 64 hex digits.</summary>
    private const int OrderIdLength = 66;

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly Options _options;
    private readonly Queue<byte[]>[] _resting;

    // The generator shares the machine with the server it measures and its own collections delay sends: an order id's
    // array goes back to this pool once its cancel was answered, and refusal outcomes are formatted once each.
    private readonly Stack<byte[]> _idPool = new();
    private readonly List<(int Status, byte[] Code, string Outcome)> _outcomes = [];

    // Every request on the wire, prepared before the run: [account][body] for placements, [account] for the rest.
    private readonly byte[][][] _restRequests;
    private readonly byte[][][] _marketableRequests;
    private readonly byte[][] _healthRequests;
    private readonly byte[][] _cancelSuffixes;

    private Workload(Options options, Uri url, string[] keys, byte[][] rest, byte[][] marketable)
    {
        _options = options;
        _resting = [.. keys.Select(_ => new Queue<byte[]>())];
        var host = url.Authority;
        byte[] Post(string key, byte[] body) => [.. Encoding.ASCII.GetBytes(
            $"POST /v1/orders HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {key}\r\nContent-Type: application/json\r\n" +
            $"Content-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n"), .. body];
        _restRequests = [.. keys.Select(k => rest.Select(b => Post(k, b)).ToArray())];
        _marketableRequests = [.. keys.Select(k => marketable.Select(b => Post(k, b)).ToArray())];
        _healthRequests = [.. keys.Select(k => Encoding.ASCII.GetBytes($"GET {options.BaselinePath} HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {k}\r\n\r\n"))];
        _cancelSuffixes = [.. keys.Select(k => Encoding.ASCII.GetBytes($" HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {k}\r\n\r\n"))];
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

        var keys = new string[options.Accounts];
        for (var a = 0; a < options.Accounts; a++)
        {
            var response = await admin.PostAsJsonAsync("/v1/admin/accounts", new Dictionary<string, object>
            {
                ["tier"] = "enterprise",
                ["starting_balance"] = "10000000",
            });
            using var doc = await ReadAsync(response, HttpStatusCode.Created);
            keys[a] = doc.RootElement.GetProperty("api_key").GetString()!;
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

        var workload = new Workload(options, url, keys, [.. rest], [.. marketable]);
        // Seed: every account rests one order at every price of every token, so marketable orders find liquidity at once.
        // Set-up is not measured, so it goes through HttpClient.
        using var seeder = new HttpClient(handler, disposeHandler: false) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        var orders = new Uri("/v1/orders", UriKind.Relative);
        for (var a = 0; a < options.Accounts; a++)
        {
            foreach (var body in rest)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, orders) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = Json;
                request.Headers.Add("X-API-Key", keys[a]);
                using var response = await seeder.SendAsync(request);
                var bytes = await response.Content.ReadAsByteArrayAsync();
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"Seeding failed: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
                }

                if (workload.OrderId(bytes) is { } id)
                {
                    workload._resting[a].Enqueue(id);
                }
            }
        }

        return workload;
    }

    /// <summary>Request i of the order mix (deterministic in i and the seed).</summary>
    public Request Order(long i)
    {
        var r = Mix(i);
        var account = (int)(r % (ulong)_resting.Length);
        var pick = (int)((r >> 16) % 100);
        var which = (int)((r >> 32) & int.MaxValue);
        var rest = _restRequests[account];
        if (pick < _options.RestPercent)
        {
            return new Request(Rest, account, rest[which % rest.Length], null);
        }

        if (pick < _options.RestPercent + _options.CancelPercent && _resting[account].TryDequeue(out var id))
        {
            return new Request(Cancel, account, _cancelSuffixes[account], id);
        }

        if (pick < _options.RestPercent + _options.CancelPercent)
        {
            return new Request(Rest, account, rest[which % rest.Length], null);
        }

        var marketable = _marketableRequests[account];
        return new Request(Marketable, account, marketable[which % marketable.Length], null);
    }

    /// <summary>The baseline request: GET /healthz on the same server and connections, with the accounts' keys.</summary>
    public Request Baseline(long i)
    {
        var account = (int)(i % _healthRequests.Length);
        return new Request(Health, account, _healthRequests[account], null);
    }

    /// <summary>Judges an answer; a resting placement's order id joins its account's cancel queue.</summary>
    public Result Classify(in Request request, int status, ReadOnlySpan<byte> code, ReadOnlySpan<byte> body)
    {
        if (request.CancelId is { Length: OrderIdLength } spent)
        {
            // Its bytes went on the wire when the request was sent.
            _idPool.Push(spent);
        }

        if (status is >= 200 and <= 299)
        {
            if (request.Kind == Rest && OrderId(body) is { } id)
            {
                _resting[request.Account].Enqueue(id);
            }

            return new Result(request.Kind, true, null, false);
        }

        var failure = new Result(request.Kind, false, Outcome(status, code), false);
        // A marketable order filled it first (400), or it finished so long ago that the server's order history forgot it
        // (404: the projection keeps the newest 10,000 finished orders per wallet, which an overloaded run's backlog of
        // cancels can fall behind).
        return request.Kind == Cancel
            ? failure with { Expected = failure.Outcome is "400 ORDER_NOT_CANCELLABLE" or "404 ORDER_NOT_FOUND" }
            : failure;
    }

    private byte[]? OrderId(ReadOnlySpan<byte> body)
    {
        var marker = "\"order_id\":\""u8;
        var at = body.IndexOf(marker);
        if (at < 0)
        {
            return null;
        }

        var rest = body[(at + marker.Length)..];
        var end = rest.IndexOf((byte)'"');
        if (end <= 0)
        {
            return null;
        }

        var id = end == OrderIdLength && _idPool.TryPop(out var pooled) ? pooled : new byte[end];
        rest[..end].CopyTo(id);
        return id;
    }

    private string Outcome(int status, ReadOnlySpan<byte> code)
    {
        foreach (var (s, c, outcome) in _outcomes)
        {
            if (s == status && code.SequenceEqual(c))
            {
                return outcome;
            }
        }

        var text = $"{status.ToString(CultureInfo.InvariantCulture)} {Encoding.ASCII.GetString(code)}";
        if (_outcomes.Count < 64)
        {
            _outcomes.Add((status, code.ToArray(), text));
        }

        return text;
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
