using System.Net;
using System.Net.Http.Json;
using static Polysim.ClobApi.Tests.Identity.IdentityKit;

namespace Polysim.ClobApi.Tests.Identity;

public sealed class WalletTests
{
    [Fact]
    public async Task A_new_wallet_is_funded_listed_with_its_balance_and_selectable_by_wallet_id_or_header()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync(tier: "pro", startingBalance: "500");
        using var client = server.KeyClient(account.ApiKey);

        var created = await client.PostAsJsonAsync("/v1/wallets", new { name = "experiment", starting_balance = "2500.5" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var wallet = await JsonOf(created);
        var walletId = wallet.GetProperty("id").GetInt32();
        Assert.NotEqual(account.WalletId, walletId);
        Assert.Equal("experiment", wallet.GetProperty("name").GetString());
        Assert.Equal("2500.5", wallet.GetProperty("balance").GetString());
        Assert.Equal("2500.5", wallet.GetProperty("available").GetString());
        Assert.Equal("0", wallet.GetProperty("reserved").GetString());
        Assert.False(wallet.GetProperty("is_default").GetBoolean());

        var defaulted = await JsonOf(await client.PostAsJsonAsync("/v1/wallets", new { }));
        Assert.Equal("10000", defaulted.GetProperty("balance").GetString());

        var list = (await JsonOf(await client.GetAsync("/v1/wallets"))).EnumerateArray().ToArray();
        Assert.Equal([account.WalletId, walletId, defaulted.GetProperty("id").GetInt32()], list.Select(w => w.GetProperty("id").GetInt32()));
        Assert.True(list[0].GetProperty("is_default").GetBoolean());
        Assert.Equal("500", list[0].GetProperty("balance").GetString());
        Assert.Equal(
            ["id", "name", "balance", "available", "reserved", "created_at", "is_default"],
            list[0].EnumerateObject().Select(p => p.Name));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/wallets?wallet_id={walletId}")).StatusCode);
        using var byHeader = new HttpRequestMessage(HttpMethod.Get, "/v1/wallets");
        byHeader.Headers.Add("X-Wallet-Id", walletId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(byHeader)).StatusCode);
        await AssertErrorAsync(await client.GetAsync("/v1/wallets?wallet_id=999999"), HttpStatusCode.NotFound, "WALLET_NOT_FOUND");
        await AssertErrorAsync(await client.GetAsync("/v1/wallets?wallet_id=main"), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");

        await server.RestartAsync();
        var restored = (await JsonOf(await GetAsync(server, account.ApiKey, "/v1/wallets"))).EnumerateArray().ToArray();
        Assert.Equal("2500.5", restored[1].GetProperty("balance").GetString());
    }

    [Fact]
    public async Task Opening_more_wallets_than_the_tier_allows_answers_402_UPGRADE_REQUIRED_with_the_wallets_feature_key()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync(tier: "free");
        using var client = server.KeyClient(account.ApiKey);
        var refused = await client.PostAsJsonAsync("/v1/wallets", new { name = "second" });
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal("UPGRADE_REQUIRED", refused.Headers.GetValues("X-Polysim-Code").Single());
        Assert.Equal(
            """{"error":"UPGRADE_REQUIRED","feature_key":"wallets.sandbox_baseline","upgrade_url":"/pricing"}""",
            await refused.Content.ReadAsStringAsync());
        Assert.Single((await JsonOf(await client.GetAsync("/v1/wallets"))).EnumerateArray());
    }

    [Fact]
    public async Task A_read_only_key_cannot_open_a_wallet_403_INSUFFICIENT_PERMISSION()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync(tier: "pro");
        var reader = await IssueKeyAsync(server, account.ApiKey, new { name = "reader", permissions = new[] { "read" } });
        using var client = server.KeyClient(reader.GetProperty("api_key").GetString()!);
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/wallets", new { name = "nope" }), HttpStatusCode.Forbidden, "INSUFFICIENT_PERMISSION");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/wallets")).StatusCode);
    }

    [Fact]
    public async Task A_starting_balance_above_the_default_or_malformed_is_422_VALIDATION_FAILED()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync(tier: "pro");
        using var client = server.KeyClient(account.ApiKey);
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/wallets", new { starting_balance = "10000.000001" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/wallets", new { starting_balance = "-1" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/wallets", new { starting_balance = true }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        Assert.Single((await JsonOf(await client.GetAsync("/v1/wallets"))).EnumerateArray());
    }
}
