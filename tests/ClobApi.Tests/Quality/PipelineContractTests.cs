using System.Net;
using System.Text;

namespace Polysim.ClobApi.Tests.Quality;

/// <summary>Contract rules of the shared pipeline that no single area owns: request ids everywhere, unreadable JSON text,
/// authentication of routes whose paths look like public ones.</summary>
public sealed class PipelineContractTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(QualityKit.Settings());

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/v1/keys/tiers")]
    public async Task Every_response_carries_an_X_Request_Id_and_echoes_the_clients(string path)
    {
        using var client = _server.Client();
        var fresh = await client.GetAsync(path);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Request-Id", "trace-42");
        var echoed = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.False(string.IsNullOrEmpty(QualityKit.Header(fresh, "X-Request-Id")));
        Assert.Equal("trace-42", QualityKit.Header(echoed, "X-Request-Id"));
    }

    [Theory]
    [InlineData("invalid UTF-8")]
    [InlineData("lone surrogate")]
    public async Task A_string_the_server_cannot_decode_answers_422_VALIDATION_FAILED_on_every_kind_of_body_route(string defect)
    {
        var market = await _server.CreateMarketAsync();
        var trader = await _server.CreateAccountAsync("enterprise");
        using var client = _server.KeyClient(trader.ApiKey);
        using var admin = _server.AdminClient();
        var bad = defect == "lone surrogate" ? Encoding.UTF8.GetBytes("\\ud800") : [0xC3, 0x28, 0xFF];
        var cases = new (HttpClient Client, HttpMethod Method, string Path, string Template)[]
        {
            (client, HttpMethod.Post, "/v1/orders", $"{{\"token_id\":\"@\",\"side\":\"BUY\",\"quantity\":\"5\",\"price\":\"0.5\"}}"),
            (client, HttpMethod.Post, "/v1/clob/order", $"{{\"token_id\":\"{market.YesToken}\",\"side\":\"@\",\"size\":\"5\",\"price\":\"0.5\"}}"),
            (client, HttpMethod.Delete, "/v1/orders", "[\"@\"]"),
            (client, HttpMethod.Delete, "/v1/cancel-market-orders", "{\"market\":\"@\"}"),
            (client, HttpMethod.Post, "/v1/heartbeats", "{\"interval_ms\":\"@\"}"),
            (client, HttpMethod.Post, "/v1/keys", "{\"name\":\"k\",\"permissions\":[\"@\"]}"),
            (admin, HttpMethod.Post, $"/v1/admin/accounts/{trader.AccountId}/fund", "{\"amount\":\"@\"}"),
            (admin, HttpMethod.Post, "/v1/admin/markets", "{\"question\":\"q\",\"tick_size\":\"@\"}"),
            (admin, HttpMethod.Post, "/v1/admin/clock/advance", "{\"seconds\":\"@\"}"),
        };
        foreach (var (who, method, path, template) in cases)
        {
            var at = template.IndexOf('@', StringComparison.Ordinal);
            byte[] body = [.. Encoding.UTF8.GetBytes(template[..at]), .. bad, .. Encoding.UTF8.GetBytes(template[(at + 1)..])];
            using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            var response = await who.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{method} {path} with {defect}: {(int)response.StatusCode} {text}");
            await QualityKit.AssertErrorAsync(response, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        }

        var balance = await client.GetJsonAsync("/v1/account/balance");
        Assert.Equal("10000", balance.GetProperty("balance").GetString());
        Assert.Empty(await client.ListAllOrdersAsync());
    }

    [Theory]
    [InlineData("GET", "/v1/keys/bootstrap")]
    [InlineData("DELETE", "/v1/keys/tiers")]
    [InlineData("PATCH", "/v1/keys/tiers")]
    public async Task A_key_route_whose_id_spells_a_public_route_still_authenticates_the_key(string method, string path)
    {
        var trader = await _server.CreateAccountAsync("enterprise");
        using var client = _server.KeyClient(trader.ApiKey);

        // /v1/keys/{id} with the id "bootstrap" or "tiers" is a private route: the key sent must be read, not ignored.
        var named = await client.SendAsync(new HttpMethod(method), path, method == "PATCH" ? new { name = "x" } : null);
        var other = await client.SendAsync(new HttpMethod(method), "/v1/keys/no-such-key", method == "PATCH" ? new { name = "x" } : null);

        var text = await named.Content.ReadAsStringAsync();
        Assert.True(QualityKit.Header(named, "X-Polysim-Code") != "MISSING_API_KEY",
            $"{method} {path} ignored the key that was sent: {(int)named.StatusCode} {text}");
        Assert.Equal(other.StatusCode, named.StatusCode);
    }
}
