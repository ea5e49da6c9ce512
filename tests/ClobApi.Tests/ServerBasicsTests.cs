using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Polysim.ClobApi.Tests;

public sealed class ServerBasicsTests
{
    [Fact]
    public async Task Liveness_and_readiness_answer_200_once_the_journal_is_replayed()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_v1_route_answers_404_NOT_FOUND_in_the_error_contract_with_a_request_id()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();
        var response = await client.GetAsync("/v1/no-such-route");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NOT_FOUND", response.Headers.GetValues("X-Polysim-Code").Single());
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("X-Request-Id").Single()));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.String, body.RootElement.GetProperty("error").ValueKind);
        Assert.Single(body.RootElement.EnumerateObject());
    }

    [Fact]
    public async Task The_client_request_id_is_echoed_and_the_verbose_body_carries_code_message_details_and_request_id()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/nothing-here");
        request.Headers.Add("X-Request-Id", "req-123");
        request.Headers.Add("X-Polysim-Verbose", "true");
        var response = await client.SendAsync(request);
        Assert.Equal("req-123", response.Headers.GetValues("X-Request-Id").Single());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("NOT_FOUND", body.RootElement.GetProperty("error").GetString());
        Assert.Equal("req-123", body.RootElement.GetProperty("request_id").GetString());
        Assert.True(body.RootElement.TryGetProperty("message", out _));
        Assert.True(body.RootElement.TryGetProperty("details", out _));
    }

    [Fact]
    public async Task An_account_created_by_the_operator_survives_a_restart_with_its_balance()
    {
        await using var server = await TestServer.StartAsync();
        var account = await server.CreateAccountAsync(startingBalance: "1234.5");
        await server.RestartAsync();
        using var admin = server.AdminClient();
        var funded = await admin.PostAsJsonAsync($"/v1/admin/accounts/{account.AccountId}/fund", new { amount = "0.5" });
        Assert.Equal(HttpStatusCode.OK, funded.StatusCode);
        using var body = JsonDocument.Parse(await funded.Content.ReadAsStringAsync());
        Assert.Equal("1235", body.RootElement.GetProperty("balance").GetString());
    }

    [Fact]
    public async Task A_private_v1_route_without_a_key_answers_401_MISSING_API_KEY_and_a_wrong_key_INVALID_KEY()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = server.Client();
        var missing = await anonymous.GetAsync("/v1/account/balance");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("MISSING_API_KEY", missing.Headers.GetValues("X-Polysim-Code").Single());
        using var wrong = server.KeyClient("pk_not_a_key");
        var invalid = await wrong.GetAsync("/v1/account/balance");
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
        Assert.Equal("INVALID_KEY", invalid.Headers.GetValues("X-Polysim-Code").Single());
    }
}
