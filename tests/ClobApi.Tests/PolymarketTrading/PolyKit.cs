using System.Globalization;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Polymarket.Crypto;
using Polysim.ClobApi.Polymarket.Trading;
using Polysim.ClobApi.Tests.Orders;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.PolymarketTrading;

/// <summary>API credentials as the SDKs hold them.</summary>
public sealed record PolyCreds(string Key, string Secret, string Passphrase);

/// <summary>A Polymarket client written from the spec: an EOA private key, L1 and L2 headers, and V1/V2 order signing.</summary>
public sealed class PolyTrader(TestServer server, byte[] privateKey) : IDisposable
{
    private readonly HttpClient _http = server.Client();

    /// <summary>A trader with a fresh random key.</summary>
    public PolyTrader(TestServer server)
        : this(server, RandomNumberGenerator.GetBytes(32))
    {
    }

    /// <summary>The checksummed EOA.</summary>
    public string Address { get; } = EthereumAddress.ToChecksum(EthereumSignature.AddressOf(privateKey));

    /// <summary>The credentials after <see cref="CreateKeyAsync"/>.</summary>
    public PolyCreds Creds { get; set; } = null!;

    /// <summary>The private key.</summary>
    public byte[] PrivateKey => privateKey;

    /// <summary>L1 headers for (address, nonce) at a timestamp, signed on chain 137.</summary>
    public Dictionary<string, string> L1Headers(long nonce = 0, long? timestamp = null, byte[]? signingKey = null, int chain = 137)
    {
        var ts = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture);
        var digest = new ClobAuthMessage(Address, ts, nonce).Digest(chain);
        return new Dictionary<string, string>
        {
            ["POLY_ADDRESS"] = Address,
            ["POLY_SIGNATURE"] = Hex.ToHex(EthereumSignature.Sign(digest, signingKey ?? privateKey)),
            ["POLY_TIMESTAMP"] = ts,
            ["POLY_NONCE"] = nonce.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>POST /auth/api-key; stores and returns the credentials (asserting 200).</summary>
    public async Task<PolyCreds> CreateKeyAsync(long nonce = 0)
    {
        var response = await _http.SendJsonAsync(HttpMethod.Post, "/auth/api-key", null, L1Headers(nonce));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"create key: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Creds = new PolyCreds(root.Str("apiKey"), root.Str("secret"), root.Str("passphrase"));
        return Creds;
    }

    /// <summary>Sends an L2 request; the HMAC covers the path without its query and the exact body text.</summary>
    public Task<HttpResponseMessage> L2Async(HttpMethod method, string pathAndQuery, string? body = null, Func<Dictionary<string, string>, Dictionary<string, string>>? tamper = null)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>
        {
            ["POLY_ADDRESS"] = Address,
            ["POLY_SIGNATURE"] = PolyHmac.Sign(Creds.Secret, ts, method.Method, PolyHmac.SignedPath(pathAndQuery), body),
            ["POLY_TIMESTAMP"] = ts,
            ["POLY_API_KEY"] = Creds.Key,
            ["POLY_PASSPHRASE"] = Creds.Passphrase,
        };
        return _http.SendJsonAsync(method, pathAndQuery, body, tamper is null ? headers : tamper(headers));
    }

    /// <summary>An L2 request whose 200 body is returned parsed.</summary>
    public async Task<JsonElement> OkAsync(HttpMethod method, string pathAndQuery, string? body = null)
    {
        var response = await L2Async(method, pathAndQuery, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {pathAndQuery}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A V2 NewOrder body (TS key order) signed under the market's V2 exchange (or another verifying contract).</summary>
    public string V2Order(
        string tokenId, string side, long makerAmount, long takerAmount, string orderType = "GTC", bool negRisk = false,
        string? verifyingContract = null, string? owner = null, string? signer = null, long? salt = null, string version = "2", bool postOnly = false,
        string expiration = "0")
    {
        var order = new OrderV2(
            salt ?? RandomNumberGenerator.GetInt32(1, int.MaxValue), Address, signer ?? Address, Eip712.ParseUint256(tokenId), makerAmount, takerAmount,
            side == "BUY" ? PolyOrderSide.Buy : PolyOrderSide.Sell, PolySignatureType.Eoa, 1780449126930 + RandomNumberGenerator.GetInt32(1_000_000),
            OrderV2.ZeroBytes32, OrderV2.ZeroBytes32);
        var contract = verifyingContract ?? (negRisk ? PolyContracts.V2NegRiskExchange : PolyContracts.V2Exchange);
        var digest = order.Hash(Eip712Domain.Exchange(version, 137, contract));
        LastHash = Hex.ToHex(digest);
        var signature = Hex.ToHex(EthereumSignature.Sign(digest, privateKey));
        return JsonSerializer.Serialize(new
        {
            deferExec = false,
            postOnly,
            order = new
            {
                salt = (long)order.Salt,
                maker = order.Maker,
                signer = order.Signer,
                tokenId,
                makerAmount = makerAmount.ToString(CultureInfo.InvariantCulture),
                takerAmount = takerAmount.ToString(CultureInfo.InvariantCulture),
                side,
                signatureType = 0,
                timestamp = order.Timestamp.ToString(CultureInfo.InvariantCulture),
                expiration,
                metadata = order.Metadata,
                builder = order.Builder,
                signature,
            },
            owner = owner ?? Creds.Key,
            orderType,
        });
    }

    /// <summary>A V1 NewOrder body (TS key order) signed under the market's V1 exchange.</summary>
    public string V1Order(string tokenId, string side, long makerAmount, long takerAmount, string orderType = "GTC", bool negRisk = false, long feeRateBps = 0)
    {
        var order = new OrderV1(
            RandomNumberGenerator.GetInt32(1, int.MaxValue), Address, Address, EthereumAddress.Zero, Eip712.ParseUint256(tokenId), makerAmount, takerAmount,
            0, 0, feeRateBps, side == "BUY" ? PolyOrderSide.Buy : PolyOrderSide.Sell, PolySignatureType.Eoa);
        var digest = order.Hash(Eip712Domain.Exchange("1", 137, negRisk ? PolyContracts.V1NegRiskExchange : PolyContracts.V1Exchange));
        LastHash = Hex.ToHex(digest);
        return JsonSerializer.Serialize(new
        {
            deferExec = false,
            order = new
            {
                salt = (long)order.Salt,
                maker = Address,
                signer = Address,
                taker = EthereumAddress.Zero,
                tokenId,
                makerAmount = makerAmount.ToString(CultureInfo.InvariantCulture),
                takerAmount = takerAmount.ToString(CultureInfo.InvariantCulture),
                side,
                expiration = "0",
                nonce = "0",
                feeRateBps = feeRateBps.ToString(CultureInfo.InvariantCulture),
                signatureType = 0,
                signature = Hex.ToHex(EthereumSignature.Sign(digest, privateKey)),
            },
            owner = Creds.Key,
            orderType,
            postOnly = false,
        });
    }

    /// <summary>The order hash of the last order built.</summary>
    public string LastHash { get; private set; } = string.Empty;

    /// <summary>POST /order; returns status and parsed body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostOrderAsync(string body)
    {
        var response = await L2Async(HttpMethod.Post, "/order", body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    /// <summary>POST /order that must succeed; returns the reply.</summary>
    public async Task<JsonElement> PlaceAsync(string body)
    {
        var (status, reply, _) = await PostOrderAsync(body);
        Assert.True(status == HttpStatusCode.OK, $"POST /order: {(int)status} {reply}");
        return reply;
    }

    /// <summary>POST /order that must fail with 400 and the given Polymarket string.</summary>
    public async Task AssertRejectedAsync(string body, string message)
    {
        var (status, reply, response) = await PostOrderAsync(body);
        Assert.True(status == HttpStatusCode.BadRequest, $"expected 400, got {(int)status} {reply}");
        Assert.Equal(message, reply.Str("error"));
        Assert.True(response.Headers.Contains("X-Polysim-Code"));
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

/// <summary>Server and market helpers of the Polymarket trading tests.</summary>
public static class PolyKit
{
    /// <summary>The published Hardhat key #0 (research V1 §2.1, V2 §3.6).</summary>
    public static readonly byte[] HardhatKey = Convert.FromHexString("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");

    /// <summary>Order-test settings plus extra keys.</summary>
    public static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = OrdersKit.Settings();
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Lists a market with a neg-risk flag and optionally a fixed YES token id.</summary>
    public static Task<TestMarket> ListAsync(this TestServer server, bool negRisk = false, string? yesToken = null, int tick = 100)
    {
        var host = server.Services.GetRequiredService<EngineHost>();
        return host.WriteAsync(ctx =>
        {
            var id = ctx.State.Markets.NextMarketId;
            var market = new TestMarket(id, "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), yesToken ?? Uint256(), Uint256());
            ctx.Record(new MarketListed(id, market.ConditionId, market.YesToken, market.NoToken, $"Poly market {id}?", $"poly-market-{id}", ctx.Now));
            var created = ctx.Apply(Command.CreateMarket(0, 0, id, new MarketParameters(tick, 5 * Units.AmountScale, negRisk)));
            return created.Accepted ? market : throw new InvalidOperationException($"CreateMarket refused: {created.Code}");
        });
    }

    /// <summary>A trader with a key (nonce 0).</summary>
    public static async Task<PolyTrader> TraderAsync(this TestServer server, byte[]? key = null)
    {
        var trader = key is null ? new PolyTrader(server) : new PolyTrader(server, key);
        await trader.CreateKeyAsync();
        return trader;
    }

    private static string Uint256() =>
        new BigInteger(RandomNumberGenerator.GetBytes(32), isUnsigned: true).ToString(CultureInfo.InvariantCulture);
}

/// <summary>One server shared by a test class.</summary>
public sealed class PolyServer : IAsyncLifetime
{
    /// <summary>The server.</summary>
    public TestServer Server { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => Server = await TestServer.StartAsync(PolyKit.Settings());

    /// <inheritdoc />
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>JSON text helpers.</summary>
public static class PolyText
{
    /// <summary>UTF-8 JSON of an anonymous object.</summary>
    public static string Json(object value) => JsonSerializer.Serialize(value);

    /// <summary>The text as base64.</summary>
    public static string B64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));
}
