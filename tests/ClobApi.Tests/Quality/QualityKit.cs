using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Hosting;

namespace Polysim.ClobApi.Tests.Quality;

/// <summary>A market listed through the operator route.</summary>
public sealed record QualityMarket(string ConditionId, string YesToken, string NoToken);

/// <summary>Helpers of the quality gates: servers, markets, requests, the error-contract check and the ledger invariant.</summary>
/// <remarks>Everything goes through the public HTTP surface, except reads of the engine hash and the journal, which have
/// no route.</remarks>
public static class QualityKit
{
    /// <summary>Micro-units per share or USDC.</summary>
    public const long Micro = 1_000_000;

    /// <summary>Settings that keep rate limits and the trade-write limiter out of the way of what a test checks.</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Polysim:TradeWriteConcurrency"] = "256",
        ["Polysim:Tiers:enterprise:RequestsPerSecond"] = "100000",
        ["Polysim:Tiers:enterprise:RequestsPerMinute"] = "1000000",
    };

    /// <summary>The engine host of a running server.</summary>
    public static EngineHost Host(this TestServer server) => server.Services.GetRequiredService<EngineHost>();

    /// <summary>The engine's state hash, read on the engine thread.</summary>
    public static Task<ulong> StateHashAsync(this TestServer server) => server.Host().ReadAsync(s => s.Engine.ComputeStateHash());

    /// <summary>Lists a market through <c>POST /v1/admin/markets</c>.</summary>
    public static async Task<QualityMarket> CreateMarketAsync(this TestServer server, string tick = "0.01", string minimumSize = "5", string question = "Will the quality gates hold?")
    {
        using var admin = server.AdminClient();
        var response = await admin.PostAsJsonAsync("/v1/admin/markets", new { question, tick_size = tick, min_order_size = minimumSize, neg_risk = false });
        var root = await OkJsonAsync(response, HttpStatusCode.Created);
        var tokens = root.GetProperty("tokens");
        var yes = tokens.EnumerateArray().Single(t => t.GetProperty("outcome").GetString() == "Yes").GetProperty("token_id").GetString()!;
        var no = tokens.EnumerateArray().Single(t => t.GetProperty("outcome").GetString() == "No").GetProperty("token_id").GetString()!;
        return new QualityMarket(root.GetProperty("condition_id").GetString()!, yes, no);
    }

    /// <summary>Sends a request with a JSON body (an object is serialized, a string is sent as is) and extra headers.</summary>
    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string path, object? body = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var json = body as string ?? JsonSerializer.Serialize(body);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return client.SendAsync(request);
    }

    /// <summary>Places a native order, asserting 200; returns the order object.</summary>
    public static async Task<JsonElement> PlaceAsync(this HttpClient client, object order, string? walletId = null)
    {
        var path = walletId is null ? "/v1/orders" : "/v1/orders?wallet_id=" + walletId;
        return await OkJsonAsync(await client.SendAsync(HttpMethod.Post, path, order));
    }

    /// <summary>Asserts the status and returns the parsed body.</summary>
    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        return json.RootElement.Clone();
    }

    /// <summary>GET returning the parsed body, asserting 200.</summary>
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path) => await OkJsonAsync(await client.GetAsync(path));

    /// <summary>Asserts the /v1 error contract for one status and code: <c>X-Polysim-Code</c>, <c>X-Request-Id</c>, a JSON body of
    /// exactly <c>{"error": message}</c> with no stack trace; returns the message.</summary>
    public static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.True(response.Headers.TryGetValues("X-Polysim-Code", out var codes), $"no X-Polysim-Code header; body {text}");
        Assert.Equal(code, Assert.Single(codes!));
        Assert.False(string.IsNullOrWhiteSpace(Header(response, "X-Request-Id")), "no X-Request-Id header");
        Assert.Null(ContractViolation(response, text, verbose: false, head: false, allow5xx: (int)status >= 500));
        using var body = JsonDocument.Parse(text);
        return body.RootElement.GetProperty("error").GetString()!;
    }

    /// <summary>What is wrong with a response under the /v1 error contract, or null when it complies.</summary>
    /// <remarks>Every response carries <c>X-Request-Id</c>; none is 5xx unless <paramref name="allow5xx"/>. A non-2xx carries
    /// <c>X-Polysim-Code</c> and a JSON body: <c>{"error": message}</c> and nothing else, except the 402 body (<c>feature_key</c>,
    /// <c>upgrade_url</c>), the 429 RATE_LIMITED body (<c>retry_after_ms</c>) and, on request, the verbose body. No HTML, no
    /// empty body (a HEAD reply has none by definition), no stack trace.</remarks>
    public static string? ContractViolation(HttpResponseMessage response, string text, bool verbose, bool head, bool allow5xx = false)
    {
        var status = (int)response.StatusCode;
        var requestId = Header(response, "X-Request-Id");
        if (string.IsNullOrEmpty(requestId))
        {
            return "no X-Request-Id header";
        }

        if (status >= 500 && !allow5xx)
        {
            return $"a 5xx ({status})";
        }

        if (status is >= 200 and < 300)
        {
            return LooksLikeALeak(text) ? "a stack trace or exception text in a 2xx body" : null;
        }

        var code = Header(response, "X-Polysim-Code");
        if (string.IsNullOrEmpty(code) || !code.All(c => c is (>= 'A' and <= 'Z') or '_'))
        {
            return $"X-Polysim-Code missing or malformed ('{code}')";
        }

        if (status is 429 or 503 && response.Headers.RetryAfter is null)
        {
            return $"{status} without Retry-After";
        }

        if (head)
        {
            return null;
        }

        if (text.Length == 0)
        {
            return "an empty body";
        }

        if (LooksLikeALeak(text) || text.Contains("<html", StringComparison.OrdinalIgnoreCase) || text.Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase))
        {
            return "HTML, a stack trace or exception text in the body";
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType != "application/json")
        {
            return $"Content-Type '{mediaType}' instead of application/json";
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return "a body that is not JSON";
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return "a body that is not a JSON object";
        }

        var names = root.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        if (!root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(error.GetString()))
        {
            return "no non-empty string 'error'";
        }

        if (verbose)
        {
            string[] required = ["error", "message", "details", "request_id"];
            if (!required.All(names.Contains) || error.GetString() != code || root.GetProperty("request_id").GetString() != requestId)
            {
                return "a verbose body without error = code, message, details and request_id = X-Request-Id";
            }

            names.ExceptWith(required);
            names.ExceptWith(code switch
            {
                "RATE_LIMITED" => ["retry_after_ms"],
                "UPGRADE_REQUIRED" => ["feature_key", "upgrade_url"],
                _ => [],
            });
            return names.Count == 0 ? null : $"unexpected verbose fields {string.Join(", ", names)}";
        }

        HashSet<string> expected = status switch
        {
            402 => ["error", "feature_key", "upgrade_url"],
            429 when code == "RATE_LIMITED" => ["error", "retry_after_ms"],
            _ => ["error"],
        };
        if (!names.SetEquals(expected))
        {
            return $"body fields [{string.Join(", ", names)}], expected [{string.Join(", ", expected)}]";
        }

        if (status == 429 && code == "RATE_LIMITED" && root.GetProperty("retry_after_ms").ValueKind != JsonValueKind.Number)
        {
            return "retry_after_ms is not a number";
        }

        return null;
    }

    /// <summary>One header's value, or null.</summary>
    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : null;

    /// <summary>Every order of the client's selected wallet, all pages.</summary>
    public static async Task<List<JsonElement>> ListAllOrdersAsync(this HttpClient client, string? walletId = null)
    {
        var orders = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var query = "/v1/orders?limit=200" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor))
                + (walletId is null ? string.Empty : "&wallet_id=" + walletId);
            var page = await client.GetJsonAsync(query);
            orders.AddRange(page.GetProperty("orders").EnumerateArray());
            cursor = page.GetProperty("has_more").GetBoolean() ? page.GetProperty("next_cursor").GetString() : null;
        }
        while (cursor is not null);

        return orders;
    }

    /// <summary>Checks that a wallet's books balance against its open orders; returns what is wrong, or null.</summary>
    /// <remarks>balance = available + reserved; reserved USDC = what the open BUY orders still hold (ENGINE.md: ceil((N +
    /// remaining × L) / 10⁴) − ceil(N / 10⁴), N the order's fill notional); per token, reserved shares = the open SELL orders'
    /// remaining size and size = available + reserved. Reads are retried until the order list is the same before and
    /// after the balance, so a GTD expiry or heartbeat sweep between two reads is not mistaken for a torn write.</remarks>
    public static async Task<string?> LedgerViolationAsync(this HttpClient client, string? walletId = null)
    {
        var suffix = walletId is null ? string.Empty : "?wallet_id=" + walletId;
        for (var attempt = 0; ; attempt++)
        {
            var before = await client.ListAllOrdersAsync(walletId);
            var balance = await client.GetJsonAsync("/v1/account/balance" + suffix);
            var positions = await client.GetJsonAsync("/v1/account/positions" + suffix);
            var after = await client.ListAllOrdersAsync(walletId);
            if (Canonical(before) != Canonical(after) && attempt < 10)
            {
                await Task.Delay(100);
                continue;
            }

            return LedgerViolation(after, balance, positions);
        }
    }

    private static string? LedgerViolation(List<JsonElement> orders, JsonElement balance, JsonElement positions)
    {
        var total = ParseMicro(balance.GetProperty("balance").GetString()!);
        var available = ParseMicro(balance.GetProperty("available").GetString()!);
        var reserved = ParseMicro(balance.GetProperty("reserved").GetString()!);
        if (total != available + reserved)
        {
            return $"balance {total} != available {available} + reserved {reserved}";
        }

        long cashNeeded = 0;
        var sharesNeeded = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var order in orders)
        {
            var status = order.GetProperty("status").GetString();
            if (status is not ("OPEN" or "PARTIALLY_FILLED"))
            {
                continue;
            }

            var remaining = ParseMicro(order.GetProperty("remaining_quantity").GetString()!);
            var price = ParsePriceUnits(order.GetProperty("price").GetString()!);
            if (order.GetProperty("side").GetString() == "SELL")
            {
                var token = order.GetProperty("token_id").GetString()!;
                sharesNeeded[token] = sharesNeeded.GetValueOrDefault(token) + remaining;
                continue;
            }

            var fills = order.GetProperty("fills");
            if (order.GetProperty("fill_count").GetInt32() != fills.GetArrayLength())
            {
                return $"order {order.GetProperty("order_id")} lists {fills.GetArrayLength()} of {order.GetProperty("fill_count")} fills";
            }

            Int128 notional = 0;
            foreach (var fill in fills.EnumerateArray())
            {
                notional += (Int128)ParseMicro(fill.GetProperty("size").GetString()!) * ParsePriceUnits(fill.GetProperty("price").GetString()!);
            }

            cashNeeded += (long)(CeilDiv(notional + ((Int128)remaining * price), 10_000) - CeilDiv(notional, 10_000));
        }

        if (reserved != cashNeeded)
        {
            return $"reserved USDC {reserved} micro, but the open BUY orders need {cashNeeded}";
        }

        foreach (var position in positions.GetProperty("positions").EnumerateArray())
        {
            var token = position.GetProperty("token_id").GetString()!;
            var size = ParseMicro(position.GetProperty("size").GetString()!);
            var free = ParseMicro(position.GetProperty("available").GetString()!);
            var held = ParseMicro(position.GetProperty("reserved").GetString()!);
            if (size != free + held)
            {
                return $"token {token}: size {size} != available {free} + reserved {held}";
            }

            if (held != sharesNeeded.GetValueOrDefault(token))
            {
                return $"token {token}: reserved {held} micro-shares, but the open SELL orders need {sharesNeeded.GetValueOrDefault(token)}";
            }

            sharesNeeded.Remove(token);
        }

        return sharesNeeded.Count == 0 ? null : $"open SELL orders on tokens with no position: {string.Join(", ", sharesNeeded.Keys)}";
    }

    /// <summary>"12.5" → 12_500_000 (exact; at most 6 decimals).</summary>
    public static long ParseMicro(string text) => ParseScaled(text, 6);

    /// <summary>"0.34" → 3400.</summary>
    public static int ParsePriceUnits(string text) => (int)ParseScaled(text, 4);

    /// <summary>A stable text form of a JSON value for equality checks.</summary>
    public static string Canonical(object value) => JsonSerializer.Serialize(value);

    private static long ParseScaled(string text, int decimals)
    {
        var value = decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var scaled = value * (decimal)Math.Pow(10, decimals);
        Assert.True(scaled == decimal.Truncate(scaled), $"'{text}' has more than {decimals} decimals");
        return (long)scaled;
    }

    private static Int128 CeilDiv(Int128 value, Int128 by) => (value + by - 1) / by;

    private static bool LooksLikeALeak(string text) =>
        text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Exception", StringComparison.Ordinal);
}
