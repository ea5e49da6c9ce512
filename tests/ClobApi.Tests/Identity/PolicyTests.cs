using System.Net;
using System.Net.Http.Json;
using static Polysim.ClobApi.Tests.Identity.IdentityKit;

namespace Polysim.ClobApi.Tests.Identity;

public sealed class PolicyTests
{
    [Fact]
    public async Task Under_closed_beta_bootstrap_and_key_issuance_answer_403_CLOSED_BETA_until_the_operator_admits_the_account()
    {
        await using var server = await TestServer.StartAsync(Unthrottled(new() { ["Polysim:KeyIssuance"] = "closed_beta" }));
        using var anonymous = server.Client();
        await AssertErrorAsync(await anonymous.PostAsync("/v1/keys/bootstrap", null), HttpStatusCode.Forbidden, "CLOSED_BETA");

        // Operator-opened accounts still get their first key, and existing keys keep working; issuing more is gated.
        var account = await server.CreateAccountAsync(tier: "pro");
        using var client = server.KeyClient(account.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/keys")).StatusCode);
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { name = "bot" }), HttpStatusCode.Forbidden, "CLOSED_BETA");

        var admitted = await AdminPostAsync(server, $"/v1/admin/accounts/{account.AccountId}/admit", new { admitted = true });
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.True((await JsonOf(admitted)).GetProperty("admitted").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/v1/keys", new { name = "bot" })).StatusCode);

        await AdminPostAsync(server, $"/v1/admin/accounts/{account.AccountId}/admit", new { admitted = false });
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { name = "bot2" }), HttpStatusCode.Forbidden, "CLOSED_BETA");
    }

    [Fact]
    public async Task With_self_serve_issuance_on_a_paying_caller_not_admitted_gets_403_API_PRO_COMING_SOON_and_others_CLOSED_BETA()
    {
        await using var server = await TestServer.StartAsync(Unthrottled(new()
        {
            ["Polysim:KeyIssuance"] = "closed_beta",
            ["Polysim:SelfServeIssuance"] = "true",
        }));
        var pro = await server.CreateAccountAsync(tier: "pro");
        var proPlus = await server.CreateAccountAsync(tier: "pro_plus");
        var free = await server.CreateAccountAsync(tier: "free");
        foreach (var paying in new[] { pro, proPlus })
        {
            using var client = server.KeyClient(paying.ApiKey);
            await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { name = "bot" }), HttpStatusCode.Forbidden, "API_PRO_COMING_SOON");
        }

        using (var client = server.KeyClient(free.ApiKey))
        {
            await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { name = "bot" }), HttpStatusCode.Forbidden, "CLOSED_BETA");
        }

        using var anonymous = server.Client();
        await AssertErrorAsync(await anonymous.PostAsync("/v1/keys/bootstrap", null), HttpStatusCode.Forbidden, "CLOSED_BETA");
    }

    [Fact]
    public async Task Without_self_serve_issuance_a_paying_caller_also_gets_CLOSED_BETA()
    {
        await using var server = await TestServer.StartAsync(Unthrottled(new() { ["Polysim:KeyIssuance"] = "closed_beta" }));
        var pro = await server.CreateAccountAsync(tier: "pro");
        using var client = server.KeyClient(pro.ApiKey);
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { name = "bot" }), HttpStatusCode.Forbidden, "CLOSED_BETA");
    }

    [Fact]
    public async Task Under_the_allowlist_policy_an_account_off_the_list_answers_403_ACCESS_RESTRICTED_until_allowlisted()
    {
        await using var server = await TestServer.StartAsync(Unthrottled(new() { ["Polysim:KeyIssuance"] = "allowlist" }));
        var account = await server.CreateAccountAsync();
        using var client = server.KeyClient(account.ApiKey);
        var message = await AssertErrorAsync(await client.GetAsync("/v1/keys"), HttpStatusCode.Forbidden, "ACCESS_RESTRICTED");
        Assert.Equal("API access restricted. Contact support to request access.", message);
        await AssertErrorAsync(await client.PostAsync("/v1/auth/token", null), HttpStatusCode.Forbidden, "ACCESS_RESTRICTED");

        var listed = await AdminPostAsync(server, "/v1/admin/allowlist", new { account_id = account.AccountId, allowed = true });
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.True((await JsonOf(listed)).GetProperty("allowlisted").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/keys")).StatusCode);
        using (var admin = server.AdminClient())
        {
            var allowlist = await JsonOf(await admin.GetAsync("/v1/admin/allowlist"));
            Assert.Equal([account.AccountId], allowlist.GetProperty("account_ids").EnumerateArray().Select(e => e.GetInt32()));
        }

        await AdminPostAsync(server, "/v1/admin/allowlist", new { account_id = account.AccountId, allowed = false });
        await AssertErrorAsync(await client.GetAsync("/v1/keys"), HttpStatusCode.Forbidden, "ACCESS_RESTRICTED");
    }

    [Fact]
    public async Task A_flagged_account_answers_403_ACCESS_RESTRICTED_whatever_the_policy_until_the_flag_is_cleared()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync();
        using var client = server.KeyClient(account.ApiKey);
        var token = await JsonOf(await client.PostAsync("/v1/auth/token", null));
        using var bearer = BearerClient(server, token.GetProperty("access_token").GetString()!);

        var flagged = await AdminPostAsync(server, $"/v1/admin/accounts/{account.AccountId}/flag", new { flagged = true });
        Assert.True((await JsonOf(flagged)).GetProperty("flagged").GetBoolean());
        var message = await AssertErrorAsync(await client.GetAsync("/v1/wallets"), HttpStatusCode.Forbidden, "ACCESS_RESTRICTED");
        Assert.Equal("API access restricted. Contact support to request access.", message);
        await AssertErrorAsync(await bearer.GetAsync("/v1/wallets"), HttpStatusCode.Forbidden, "ACCESS_RESTRICTED");

        await AdminPostAsync(server, $"/v1/admin/accounts/{account.AccountId}/flag", new { flagged = false });
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/wallets")).StatusCode);
    }

    [Fact]
    public async Task An_operator_tier_change_moves_the_caps_and_limits_at_once()
    {
        await using var server = await TestServer.StartAsync(new() { ["Polysim:Tiers:free:RequestsPerSecond"] = "1000" });
        var account = await server.CreateAccountAsync(tier: "free");
        await IssueKeyAsync(server, account.ApiKey);
        using var client = server.KeyClient(account.ApiKey);
        Assert.Equal(HttpStatusCode.PaymentRequired, (await client.PostAsJsonAsync("/v1/keys", new { })).StatusCode);

        var changed = await AdminPostAsync(server, $"/v1/admin/accounts/{account.AccountId}/tier", new { tier = "pro" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("pro", (await JsonOf(changed)).GetProperty("tier").GetString());
        var issued = await client.PostAsJsonAsync("/v1/keys", new { });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Assert.Equal("pro", issued.Headers.GetValues("X-RateLimit-Tier").Single());
        Assert.Equal("10", issued.Headers.GetValues("X-RateLimit-Limit-Per-Second").Single());

        await AssertErrorAsync(
            await AdminPostAsync(server, $"/v1/admin/accounts/{account.AccountId}/tier", new { tier = "platinum" }),
            HttpStatusCode.UnprocessableEntity,
            "VALIDATION_FAILED");
    }

    [Fact]
    public async Task An_operator_can_disable_any_key_which_then_answers_401_KEY_DEACTIVATED()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync();
        using var admin = server.AdminClient();
        var view = await JsonOf(await admin.GetAsync($"/v1/admin/accounts/{account.AccountId}"));
        var keyId = view.GetProperty("keys")[0].GetProperty("id").GetString();
        Assert.Equal([account.WalletId], view.GetProperty("wallet_ids").EnumerateArray().Select(e => e.GetInt32()));

        var off = await admin.PatchAsJsonAsync($"/v1/admin/keys/{keyId}", new { active = false });
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        await AssertErrorAsync(await GetAsync(server, account.ApiKey, "/v1/keys"), HttpStatusCode.Unauthorized, "KEY_DEACTIVATED");
        await admin.PatchAsJsonAsync($"/v1/admin/keys/{keyId}", new { active = true });
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, account.ApiKey, "/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task Operator_identity_routes_need_the_operator_key_and_answer_404_for_unknown_accounts()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync();
        using var anonymous = server.Client();
        await AssertErrorAsync(await anonymous.PostAsJsonAsync($"/v1/admin/accounts/{account.AccountId}/flag", new { flagged = true }), HttpStatusCode.Unauthorized, "MISSING_API_KEY");
        using var userKey = server.KeyClient(account.ApiKey);
        await AssertErrorAsync(await userKey.PostAsJsonAsync("/v1/admin/allowlist", new { account_id = account.AccountId }), HttpStatusCode.Unauthorized, "MISSING_API_KEY");

        await AssertErrorAsync(await AdminPostAsync(server, "/v1/admin/accounts/999999/flag", new { flagged = true }), HttpStatusCode.NotFound, "NOT_FOUND");
        await AssertErrorAsync(await AdminPostAsync(server, "/v1/admin/allowlist", new { account_id = 999999 }), HttpStatusCode.NotFound, "NOT_FOUND");
        await AssertErrorAsync(await AdminPostAsync(server, "/v1/admin/allowlist", new { allowed = true }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        using var admin = server.AdminClient();
        await AssertErrorAsync(await admin.PatchAsJsonAsync("/v1/admin/keys/key_nope", new { active = false }), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Operator_policy_changes_are_journaled_and_survive_a_restart()
    {
        await using var server = await TestServer.StartAsync(Unthrottled(new() { ["Polysim:KeyIssuance"] = "allowlist" }));
        var account = await server.CreateAccountAsync();
        await AdminPostAsync(server, "/v1/admin/allowlist", new { account_id = account.AccountId });
        await AdminPostAsync(server, $"/v1/admin/accounts/{account.AccountId}/admit", null);
        await AdminPostAsync(server, $"/v1/admin/accounts/{account.AccountId}/tier", new { tier = "pro_plus" });
        await server.RestartAsync();

        using var admin = server.AdminClient();
        var view = await JsonOf(await admin.GetAsync($"/v1/admin/accounts/{account.AccountId}"));
        Assert.True(view.GetProperty("allowlisted").GetBoolean());
        Assert.True(view.GetProperty("admitted").GetBoolean());
        Assert.False(view.GetProperty("flagged").GetBoolean());
        Assert.Equal("pro_plus", view.GetProperty("tier").GetString());
        var ok = await GetAsync(server, account.ApiKey, "/v1/keys");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("pro_plus", ok.Headers.GetValues("X-RateLimit-Tier").Single());
    }
}
