using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Polysim.Accounts;
using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Orders;

/// <summary>A market listed for a test: engine id, condition id and both token ids.</summary>
public sealed record TestMarket(int MarketId, string ConditionId, string YesToken, string NoToken);

/// <summary>Helpers of the order tests: markets, keys, JSON requests and error-contract assertions.</summary>
/// <remarks>
/// Markets are listed straight on the server's engine thread (a <see cref="MarketListed"/> record plus a CreateMarket
/// command, exactly what the operator route journals), so these tests need no other area's routes. Accounts are created on
/// the enterprise tier and the rate limits are raised, so that the limiter (another area) never interferes with what these
/// tests check.
/// </remarks>
public static class OrdersKit
{
    /// <summary>Settings that keep rate limiting out of the way of order tests.</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Polysim:TradeWriteConcurrency"] = "256",
        ["Polysim:Tiers:enterprise:RequestsPerSecond"] = "100000",
        ["Polysim:Tiers:enterprise:RequestsPerMinute"] = "1000000",
        ["Polysim:Tiers:free:RequestsPerSecond"] = "100000",
        ["Polysim:Tiers:free:RequestsPerMinute"] = "1000000",
    };

    /// <summary>Starts a server for order tests.</summary>
    public static Task<TestServer> StartAsync() => TestServer.StartAsync(Settings());

    /// <summary>An enterprise account with a trade+read key.</summary>
    public static Task<TestAccount> TraderAsync(this TestServer server, string balance = "10000", string tier = "enterprise") =>
        server.CreateAccountAsync(tier, balance);

    /// <summary>Lists a binary market (tick in 1e-4 units, minimum size in shares) on the engine thread.</summary>
    public static Task<TestMarket> ListMarketAsync(this TestServer server, int tick = 100, long minimumShares = 5)
    {
        var host = server.Services.GetRequiredService<EngineHost>();
        return host.WriteAsync(ctx =>
        {
            var id = ctx.State.Markets.NextMarketId;
            var market = new TestMarket(id, "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), Uint256(), Uint256());
            ctx.Record(new MarketListed(id, market.ConditionId, market.YesToken, market.NoToken, $"Test market {id}?", $"test-market-{id}", ctx.Now));
            var created = ctx.Apply(Command.CreateMarket(0, 0, id, new MarketParameters(tick, minimumShares * Units.AmountScale)));
            return created.Accepted ? market : throw new InvalidOperationException($"CreateMarket refused: {created.Code}");
        });
    }

    /// <summary>Closes a market to new orders.</summary>
    public static Task CloseMarketAsync(this TestServer server, TestMarket market) =>
        server.Services.GetRequiredService<EngineHost>().WriteAsync(ctx => ctx.Apply(Command.SetMarketStatus(0, 0, market.MarketId, MarketStatus.Closed)));

    /// <summary>Moves the simulation clock forward (what the operator clock route journals).</summary>
    public static Task AdvanceClockAsync(this TestServer server, TimeSpan by) =>
        server.Services.GetRequiredService<EngineHost>().WriteAsync(ctx =>
        {
            ctx.Record(new ClockAdvanced(ctx.State.ClockOffsetMs + (long)by.TotalMilliseconds));
            return true;
        });

    /// <summary>Issues one more key to an account with the given permissions; returns the secret.</summary>
    public static Task<string> IssueKeyAsync(this TestServer server, int accountId, KeyPermissions permissions) =>
        server.Services.GetRequiredService<EngineHost>().WriteAsync(ctx =>
        {
            var secret = AccountDirectory.NewSecret();
            ctx.Record(new ApiKeyIssued(AccountDirectory.NewKeyId(), accountId, "test", secret[..10], AccountDirectory.HashSecret(secret), permissions, null, ctx.Now));
            return secret;
        });

    /// <summary>Adds a funded wallet to an account (what the wallet route journals); returns its id.</summary>
    public static Task<int> AddWalletAsync(this TestServer server, int accountId, long usdc) =>
        server.Services.GetRequiredService<EngineHost>().WriteAsync(ctx =>
        {
            var walletId = Api.AdminAccountsEndpoints.NextWalletId(ctx.State);
            ctx.Record(new WalletCreated(walletId, accountId, "second", null, ctx.Now));
            ctx.Apply(Command.RegisterAccount(0, 0, walletId));
            ctx.Apply(Command.Deposit(0, 0, walletId, usdc * Units.AmountScale));
            return walletId;
        });

    /// <summary>Gives both accounts <paramref name="shares"/> of a market's tokens: YES to <paramref name="yesHolder"/> and NO to
    /// <paramref name="noHolder"/>, by a MINT at 0.50.</summary>
    public static async Task MintAsync(this TestServer server, TestMarket market, TestAccount yesHolder, TestAccount noHolder, string shares)
    {
        using var yes = server.KeyClient(yesHolder.ApiKey);
        using var no = server.KeyClient(noHolder.ApiKey);
        var first = await yes.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = shares, price = "0.5" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var second = await no.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.NoToken, side = "BUY", quantity = shares, price = "0.5" });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        using var body = await second.JsonAsync();
        Assert.Equal("FILLED", body.RootElement.GetProperty("status").GetString());
    }

    /// <summary>Sends <paramref name="body"/> serialized as JSON (or raw text when it is a string).</summary>
    public static Task<HttpResponseMessage> SendJsonAsync(
        this HttpClient client, HttpMethod method, string path, object? body, IDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var json = body as string ?? JsonSerializer.Serialize(body);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return client.SendAsync(request);
    }

    /// <summary>Places a native order and returns its parsed body, asserting 200.</summary>
    public static async Task<JsonElement> PlaceAsync(this HttpClient client, object order)
    {
        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", order);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Gets one order by id, asserting 200.</summary>
    public static async Task<JsonElement> GetOrderAsync(this HttpClient client, string orderId)
    {
        var response = await client.GetAsync($"/v1/orders/{orderId}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The body as JSON.</summary>
    public static async Task<JsonDocument> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync());

    /// <summary>Asserts the /v1 error contract: status, <c>X-Polysim-Code</c>, a body of exactly <c>{"error": string}</c>;
    /// returns the message.</summary>
    public static async Task<string> AssertErrorAsync(this HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.True(response.Headers.TryGetValues("X-Polysim-Code", out var codes), $"no X-Polysim-Code on {text}");
        Assert.Equal(code, codes!.Single());
        using var body = JsonDocument.Parse(text);
        var property = Assert.Single(body.RootElement.EnumerateObject());
        Assert.Equal("error", property.Name);
        Assert.Equal(JsonValueKind.String, property.Value.ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(property.Value.GetString()));
        return property.Value.GetString()!;
    }

    /// <summary>A string member.</summary>
    public static string Str(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    private static string Uint256() =>
        new BigInteger(RandomNumberGenerator.GetBytes(32), isUnsigned: true).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One order-test server shared by the tests of a class (each test makes its own accounts and markets).</summary>
public sealed class OrdersServer : IAsyncLifetime
{
    /// <summary>The server.</summary>
    public TestServer Server { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => Server = await OrdersKit.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync() => await Server.DisposeAsync();
}
