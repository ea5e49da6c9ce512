using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Polysim.ClobApi.Tests.Orders;

namespace Polysim.ClobApi.Tests.PolymarketTrading;

public sealed class PolyAuthTests(PolyServer fixture) : IClassFixture<PolyServer>
{
    private readonly TestServer _server = fixture.Server;

    private static async Task<string> ErrorOf(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.True(response.Headers.Contains("X-Request-Id"));
        using var json = JsonDocument.Parse(text);
        return json.RootElement.Str("error");
    }

    [Fact]
    public async Task The_published_ClobAuth_vector_creates_a_key_when_the_timestamp_window_allows_it()
    {
        await using var server = await TestServer.StartAsync(PolyKit.Settings(("Polysim:PolyAuthWindowSeconds", "100000000000")));
        using var client = server.Client();
        var headers = new Dictionary<string, string>
        {
            ["POLY_ADDRESS"] = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            ["POLY_SIGNATURE"] = "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b",
            ["POLY_TIMESTAMP"] = "10000000",
            ["POLY_NONCE"] = "23",
        };

        var response = await client.SendJsonAsync(HttpMethod.Post, "/auth/api-key", null, headers);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = await response.JsonAsync();
        Assert.Equal(["apiKey", "secret", "passphrase"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.True(Guid.TryParse(json.RootElement.Str("apiKey"), out _));
        Assert.Equal(44, json.RootElement.Str("secret").Length);
        Assert.Matches("^[0-9a-f]{64}$", json.RootElement.Str("passphrase"));
    }

    [Fact]
    public async Task Creating_an_existing_key_is_400_so_createOrDerive_falls_back_and_derive_returns_the_same_key()
    {
        using var trader = new PolyTrader(_server);
        var created = await trader.CreateKeyAsync();
        using var client = _server.Client();

        var again = await client.SendJsonAsync(HttpMethod.Post, "/auth/api-key", null, trader.L1Headers());
        Assert.Equal("Could not create api key", await ErrorOf(again, HttpStatusCode.BadRequest));

        var derived = await client.SendJsonAsync(HttpMethod.Get, "/auth/derive-api-key", null, trader.L1Headers());
        Assert.Equal(HttpStatusCode.OK, derived.StatusCode);
        using var json = await derived.JsonAsync();
        Assert.Equal(created.Key, json.RootElement.Str("apiKey"));
        Assert.Equal(created.Secret, json.RootElement.Str("secret"));
        Assert.Equal(created.Passphrase, json.RootElement.Str("passphrase"));
    }

    [Fact]
    public async Task Another_nonce_makes_another_key_on_the_same_paper_account()
    {
        using var trader = new PolyTrader(_server);
        var first = await trader.CreateKeyAsync(0);
        var second = await trader.CreateKeyAsync(7);
        Assert.NotEqual(first.Key, second.Key);

        var keys = await trader.OkAsync(HttpMethod.Get, "/auth/api-keys");
        Assert.Equal(new[] { first.Key, second.Key }.Order(), keys.GetProperty("apiKeys").EnumerateArray().Select(k => k.GetString()!).Order());
        var balance = await trader.OkAsync(HttpMethod.Get, "/balance-allowance?asset_type=COLLATERAL&signature_type=0");
        Assert.Equal("10000000000", balance.Str("balance"));
    }

    [Fact]
    public async Task The_first_key_opens_an_account_funded_with_the_default_balance_and_unlimited_allowances_for_V1_and_V2()
    {
        using var trader = await _server.TraderAsync();

        var reply = await trader.OkAsync(HttpMethod.Get, "/balance-allowance?asset_type=COLLATERAL&signature_type=0");

        Assert.Equal("10000000000", reply.Str("balance"));
        const string max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
        Assert.Equal(max, reply.Str("allowance"));
        var allowances = reply.GetProperty("allowances");
        foreach (var exchange in new[] { "0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E", "0xC5d563A36AE78145C45a50134d48A1215220f80a", "0xE111180000d2663C0091e4f400237545B87B996B", "0xe2222d279d744050d28e00520010520000310F59" })
        {
            Assert.Equal(max, allowances.Str(exchange));
        }
    }

    [Fact]
    public async Task An_L1_request_signed_by_another_key_is_401_Invalid_L1_Request_headers()
    {
        using var trader = new PolyTrader(_server);
        using var client = _server.Client();

        var response = await client.SendJsonAsync(HttpMethod.Post, "/auth/api-key", null, trader.L1Headers(signingKey: RandomNumberGenerator.GetBytes(32)));

        Assert.Equal("Invalid L1 Request headers", await ErrorOf(response, HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task An_L1_request_with_an_expired_timestamp_is_401()
    {
        using var trader = new PolyTrader(_server);
        using var client = _server.Client();

        var response = await client.SendJsonAsync(HttpMethod.Get, "/auth/derive-api-key", null,
            trader.L1Headers(timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600));

        Assert.Equal("Invalid L1 Request headers", await ErrorOf(response, HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Deriving_a_key_that_was_never_created_is_400()
    {
        using var trader = new PolyTrader(_server);
        using var client = _server.Client();

        var response = await client.SendJsonAsync(HttpMethod.Get, "/auth/derive-api-key", null, trader.L1Headers(nonce: 5));

        Assert.Equal("Could not derive api key!", await ErrorOf(response, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task L2_accepts_a_good_HMAC_and_signs_the_path_without_its_query()
    {
        using var trader = await _server.TraderAsync();

        var page = await trader.OkAsync(HttpMethod.Get, "/data/orders?next_cursor=MA==");

        Assert.Equal("LTE=", page.Str("next_cursor"));
        Assert.Equal(0, page.GetProperty("count").GetInt32());
        var closed = await trader.OkAsync(HttpMethod.Get, "/auth/ban-status/closed-only");
        Assert.False(closed.GetProperty("closed_only").GetBoolean());
    }

    [Theory]
    [InlineData("signature")]
    [InlineData("passphrase")]
    [InlineData("address")]
    [InlineData("key")]
    public async Task L2_with_a_wrong_header_is_401_Unauthorized_Invalid_api_key(string header)
    {
        using var trader = await _server.TraderAsync();
        using var other = new PolyTrader(_server);

        var response = await trader.L2Async(HttpMethod.Get, "/data/orders", null, h =>
        {
            switch (header)
            {
                case "signature":
                    h["POLY_SIGNATURE"] = "ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=";
                    break;
                case "passphrase":
                    h["POLY_PASSPHRASE"] = new string('0', 64);
                    break;
                case "address":
                    h["POLY_ADDRESS"] = other.Address;
                    break;
                default:
                    h["POLY_API_KEY"] = Guid.NewGuid().ToString();
                    break;
            }

            return h;
        });

        Assert.Equal("Unauthorized/Invalid api key", await ErrorOf(response, HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task L2_rejects_a_body_that_differs_from_the_signed_one()
    {
        using var trader = await _server.TraderAsync();
        var signed = await trader.L2Async(HttpMethod.Delete, "/orders", "[\"0x01\"]");
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);

        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>
        {
            ["POLY_ADDRESS"] = trader.Address,
            ["POLY_SIGNATURE"] = Polysim.ClobApi.Polymarket.Crypto.PolyHmac.Sign(trader.Creds.Secret, ts, "DELETE", "/orders", "[\"0x01\"]"),
            ["POLY_TIMESTAMP"] = ts,
            ["POLY_API_KEY"] = trader.Creds.Key,
            ["POLY_PASSPHRASE"] = trader.Creds.Passphrase,
        };
        using var client = _server.Client();
        var tampered = await client.SendJsonAsync(HttpMethod.Delete, "/orders", "[\"0x02\"]", headers);

        Assert.Equal("Unauthorized/Invalid api key", await ErrorOf(tampered, HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task A_deleted_key_stops_authenticating_and_can_no_longer_be_derived()
    {
        using var trader = await _server.TraderAsync();

        var deleted = await trader.L2Async(HttpMethod.Delete, "/auth/api-key");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("\"OK\"", await deleted.Content.ReadAsStringAsync());

        var after = await trader.L2Async(HttpMethod.Get, "/data/orders");
        Assert.Equal("Unauthorized/Invalid api key", await ErrorOf(after, HttpStatusCode.Unauthorized));
        using var client = _server.Client();
        var derive = await client.SendJsonAsync(HttpMethod.Get, "/auth/derive-api-key", null, trader.L1Headers());
        Assert.Equal("Could not derive api key!", await ErrorOf(derive, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Keys_and_orders_survive_a_restart()
    {
        await using var server = await TestServer.StartAsync(PolyKit.Settings());
        var market = await server.ListAsync();
        using var trader = await server.TraderAsync();
        var placed = await trader.PlaceAsync(trader.V2Order(market.YesToken, "BUY", 5_000_000, 10_000_000));
        var id = placed.Str("orderID");

        await server.RestartAsync();

        using var again = new PolyTrader(server, trader.PrivateKey) { Creds = trader.Creds };
        var order = await again.OkAsync(HttpMethod.Get, "/data/order/" + id);
        Assert.Equal(id, order.Str("id"));
        Assert.Equal("LIVE", order.Str("status"));
        Assert.Equal(trader.Creds.Key, order.Str("owner"));
        using var client = server.Client();
        var derived = await client.SendJsonAsync(HttpMethod.Get, "/auth/derive-api-key", null, again.L1Headers());
        using var json = await derived.JsonAsync();
        Assert.Equal(trader.Creds.Key, json.RootElement.Str("apiKey"));
        var balance = await again.OkAsync(HttpMethod.Get, "/balance-allowance?asset_type=COLLATERAL");
        Assert.Equal("10000000000", balance.Str("balance"));
    }
}
