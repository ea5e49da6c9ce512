using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Polysim.ClobApi.Tests.Identity.IdentityKit;

namespace Polysim.ClobApi.Tests.Identity;

public sealed partial class KeyRoutesTests
{
    [Fact]
    public async Task Bootstrap_opens_a_funded_free_account_and_returns_a_working_ps_live_key()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        using var anonymous = server.Client();
        var response = await anonymous.PostAsJsonAsync("/v1/keys/bootstrap", new { name = "my-bot" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var reply = await JsonOf(response);
        var secret = reply.GetProperty("api_key").GetString()!;
        Assert.Matches(SecretPattern(), secret);
        Assert.Equal(secret[..16], reply.GetProperty("prefix").GetString());
        Assert.Equal("free", reply.GetProperty("tier").GetString());
        Assert.Equal("10000", reply.GetProperty("balance").GetString());
        Assert.Equal(["read", "trade"], reply.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));

        var wallets = await JsonOf(await GetAsync(server, secret, "/v1/wallets"));
        var wallet = Assert.Single(wallets.EnumerateArray());
        Assert.Equal(reply.GetProperty("wallet_id").GetInt32(), wallet.GetProperty("id").GetInt32());
        Assert.Equal("10000", wallet.GetProperty("balance").GetString());

        // An empty body is fine too, and so is a trailing slash.
        var bare = await anonymous.PostAsync("/v1/keys/bootstrap/", null);
        Assert.Equal(HttpStatusCode.Created, bare.StatusCode);
        Assert.NotEqual(reply.GetProperty("account_id").GetInt32(), (await JsonOf(bare)).GetProperty("account_id").GetInt32());
    }

    [Fact]
    public async Task Keys_can_be_issued_listed_read_renamed_and_revoked_and_listings_never_show_a_secret()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync(tier: "pro");
        var issued = await IssueKeyAsync(server, account.ApiKey, new { name = "reader", permissions = new[] { "read" } });
        var id = issued.GetProperty("id").GetString()!;
        var secret = issued.GetProperty("api_key").GetString()!;
        Assert.Matches(SecretPattern(), secret);
        Assert.Equal(["read"], issued.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("active", issued.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, issued.GetProperty("expires_at").ValueKind);
        Assert.Equal("pro", issued.GetProperty("tier").GetString());

        using var owner = server.KeyClient(account.ApiKey);
        var listResponse = await owner.GetAsync("/v1/keys");
        var listText = await listResponse.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, listResponse.StatusCode);
        Assert.DoesNotContain(secret, listText, StringComparison.Ordinal);
        Assert.DoesNotContain(account.ApiKey, listText, StringComparison.Ordinal);
        var list = JsonDocument.Parse(listText).RootElement;
        Assert.Equal(2, list.GetArrayLength());
        foreach (var key in list.EnumerateArray())
        {
            Assert.Equal(
                ["id", "name", "prefix", "permissions", "status", "active", "revoked", "expires_at", "created_at", "retires_at"],
                key.EnumerateObject().Select(p => p.Name));
        }

        var one = await JsonOf(await owner.GetAsync($"/v1/keys/{id}"));
        Assert.Equal("reader", one.GetProperty("name").GetString());
        Assert.Equal(secret[..16], one.GetProperty("prefix").GetString());

        var renamed = await JsonOf(await owner.PatchAsJsonAsync($"/v1/keys/{id}", new { name = "renamed", expires_at = "2099-01-01T00:00:00Z" }));
        Assert.Equal("renamed", renamed.GetProperty("name").GetString());
        Assert.Equal("2099-01-01T00:00:00.000Z", renamed.GetProperty("expires_at").GetString());
        var cleared = await JsonOf(await owner.PatchAsJsonAsync($"/v1/keys/{id}", new { expires_at = (string?)null }));
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("expires_at").ValueKind);
        Assert.Equal("renamed", cleared.GetProperty("name").GetString());

        var revoked = await owner.DeleteAsync($"/v1/keys/{id}");
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        var body = await JsonOf(revoked);
        Assert.True(body.GetProperty("revoked").GetBoolean());
        Assert.False(body.GetProperty("active").GetBoolean());
        // Revoking again is harmless; changing a revoked key is not.
        Assert.Equal(HttpStatusCode.OK, (await owner.DeleteAsync($"/v1/keys/{id}")).StatusCode);
        await AssertErrorAsync(await owner.PatchAsJsonAsync($"/v1/keys/{id}", new { active = true }), HttpStatusCode.Conflict, "KEY_NOT_ACTIVE");
    }

    [Fact]
    public async Task Another_accounts_key_is_404_NOT_FOUND_and_bad_fields_are_422_VALIDATION_FAILED()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var alice = await server.CreateAccountAsync(tier: "pro");
        var bob = await server.CreateAccountAsync(tier: "pro");
        var bobsKey = await IssueKeyAsync(server, bob.ApiKey);
        using var client = server.KeyClient(alice.ApiKey);
        var bobsId = bobsKey.GetProperty("id").GetString();

        await AssertErrorAsync(await client.GetAsync($"/v1/keys/{bobsId}"), HttpStatusCode.NotFound, "NOT_FOUND");
        await AssertErrorAsync(await client.PatchAsJsonAsync($"/v1/keys/{bobsId}", new { active = false }), HttpStatusCode.NotFound, "NOT_FOUND");
        await AssertErrorAsync(await client.DeleteAsync($"/v1/keys/{bobsId}"), HttpStatusCode.NotFound, "NOT_FOUND");
        await AssertErrorAsync(await client.PostAsync($"/v1/keys/{bobsId}/rotate", null), HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, bobsKey.GetProperty("api_key").GetString()!, "/v1/keys")).StatusCode);

        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { permissions = new[] { "admin" } }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { permissions = Array.Empty<string>() }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { expires_at = "2001-01-01T00:00:00Z" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { expires_in = 60, expires_at = "2099-01-01T00:00:00Z" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { expires_in = -5 }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { name = new string('n', 101) }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await client.PostAsync("/v1/keys", new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task Issuing_beyond_the_tiers_key_cap_answers_402_UPGRADE_REQUIRED_with_feature_key_and_upgrade_url_only()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync(tier: "free");
        var second = await IssueKeyAsync(server, account.ApiKey);
        using var client = server.KeyClient(account.ApiKey);

        var refused = await client.PostAsJsonAsync("/v1/keys", new { name = "third" });
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal("UPGRADE_REQUIRED", refused.Headers.GetValues("X-Polysim-Code").Single());
        Assert.False(string.IsNullOrEmpty(refused.Headers.GetValues("X-Request-Id").Single()));
        var body = await JsonOf(refused);
        Assert.Equal(["error", "feature_key", "upgrade_url"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("UPGRADE_REQUIRED", body.GetProperty("error").GetString());
        Assert.Equal("api.keys", body.GetProperty("feature_key").GetString());
        Assert.Equal("/pricing", body.GetProperty("upgrade_url").GetString());

        using var verboseRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/keys") { Content = JsonContent.Create(new { name = "third" }) };
        verboseRequest.Headers.Add("X-Polysim-Verbose", "true");
        var verbose = await JsonOf(await client.SendAsync(verboseRequest));
        Assert.Equal("UPGRADE_REQUIRED", verbose.GetProperty("error").GetString());
        Assert.Equal("api.keys", verbose.GetProperty("feature_key").GetString());
        Assert.Contains("2", verbose.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(verbose.GetProperty("request_id").GetString()));

        // Deleting a key frees its slot.
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/v1/keys/{second.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/v1/keys", new { name = "third" })).StatusCode);
    }

    [Fact]
    public async Task A_key_cannot_grant_a_permission_it_lacks_403_INSUFFICIENT_PERMISSION_but_may_manage_keys()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync(tier: "pro");
        var reader = await IssueKeyAsync(server, account.ApiKey, new { name = "reader", permissions = new[] { "read" } });
        var readerSecret = reader.GetProperty("api_key").GetString()!;
        using var client = server.KeyClient(readerSecret);

        await AssertErrorAsync(await client.PostAsJsonAsync("/v1/keys", new { permissions = new[] { "read", "trade" } }), HttpStatusCode.Forbidden, "INSUFFICIENT_PERMISSION");
        await AssertErrorAsync(
            await client.PatchAsJsonAsync($"/v1/keys/{reader.GetProperty("id").GetString()}", new { permissions = new[] { "trade" } }),
            HttpStatusCode.Forbidden,
            "INSUFFICIENT_PERMISSION");
        // Without permissions it inherits the caller's (read only).
        var child = await IssueKeyAsync(server, readerSecret, new { name = "child" });
        Assert.Equal(["read"], child.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Rotation_issues_a_key_with_the_same_permissions_and_the_old_one_works_until_the_overlap_ends()
    {
        var clock = NewClock();
        await using var server = await StartWithClockAsync(clock, Unthrottled(new() { ["Polysim:KeyRotationOverlapSeconds"] = "300" }));
        var account = await server.CreateAccountAsync(tier: "free");
        var reader = await IssueKeyAsync(server, account.ApiKey, new { name = "reader", permissions = new[] { "read" } });
        var oldId = reader.GetProperty("id").GetString()!;
        var oldSecret = reader.GetProperty("api_key").GetString()!;
        using var owner = server.KeyClient(account.ApiKey);

        // The free tier's two key slots are both taken: a rotation still succeeds.
        var rotated = await owner.PostAsync($"/v1/keys/{oldId}/rotate", null);
        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        var fresh = await JsonOf(rotated);
        var newSecret = fresh.GetProperty("api_key").GetString()!;
        Assert.NotEqual(oldId, fresh.GetProperty("id").GetString());
        Assert.Equal("reader", fresh.GetProperty("name").GetString());
        Assert.Equal(["read"], fresh.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        var previous = fresh.GetProperty("previous_key");
        Assert.Equal(oldId, previous.GetProperty("id").GetString());
        Assert.Equal("retiring", previous.GetProperty("status").GetString());
        var retiresAt = DateTimeOffset.Parse(previous.GetProperty("retires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(300, (retiresAt - clock.GetUtcNow()).TotalSeconds, 1.0);

        clock.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, oldSecret, "/v1/keys")).StatusCode);
        await AssertErrorAsync(await owner.PostAsync($"/v1/keys/{oldId}/rotate", null), HttpStatusCode.Conflict, "KEY_NOT_ACTIVE");

        clock.Advance(TimeSpan.FromSeconds(2));
        await AssertErrorAsync(await GetAsync(server, oldSecret, "/v1/keys"), HttpStatusCode.Unauthorized, "INVALID_KEY");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, newSecret, "/v1/keys")).StatusCode);
        Assert.Contains("\"type\":\"api_key_retiring\"", JournalText(server), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tier_table_is_public_and_follows_configuration()
    {
        await using var server = await TestServer.StartAsync(new() { ["Polysim:Tiers:enterprise:MaxKeys"] = "75" });
        using var anonymous = server.Client();
        var response = await anonymous.GetAsync("/v1/keys/tiers");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tiers = (await JsonOf(response)).GetProperty("tiers").EnumerateArray().ToArray();
        Assert.Equal(["free", "pro", "pro_plus", "enterprise"], tiers.Select(t => t.GetProperty("name").GetString()));
        int[][] expected = [[2, 120, 1, 1], [10, 600, 3, 5], [30, 1800, 10, 10], [100, 6000, 50, 25]];
        for (var i = 0; i < tiers.Length; i++)
        {
            Assert.Equal(expected[i][0], tiers[i].GetProperty("requests_per_second").GetInt32());
            Assert.Equal(expected[i][1], tiers[i].GetProperty("requests_per_minute").GetInt32());
            Assert.Equal(expected[i][2], tiers[i].GetProperty("max_ws_connections").GetInt32());
            Assert.Equal(expected[i][3], tiers[i].GetProperty("max_batch_size").GetInt32());
        }

        Assert.Equal(75, tiers[3].GetProperty("max_keys").GetInt32());
    }

    [Fact]
    public async Task Keys_survive_a_restart_and_the_journal_holds_only_their_hashes()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        using var anonymous = server.Client();
        var boot = await JsonOf(await anonymous.PostAsync("/v1/keys/bootstrap", null));
        var first = boot.GetProperty("api_key").GetString()!;
        var second = await IssueKeyAsync(server, first, new { name = "second", permissions = new[] { "read" }, expires_in = 86_400 });
        var secondSecret = second.GetProperty("api_key").GetString()!;
        using (var owner = server.KeyClient(first))
        {
            await owner.PatchAsJsonAsync($"/v1/keys/{second.GetProperty("id").GetString()}", new { name = "renamed" });
        }

        var journal = JournalText(server);
        Assert.DoesNotContain(first, journal, StringComparison.Ordinal);
        Assert.DoesNotContain(secondSecret, journal, StringComparison.Ordinal);
        Assert.DoesNotContain(first[16..], journal, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(first))), journal, StringComparison.Ordinal);

        await server.RestartAsync();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, first, "/v1/keys")).StatusCode);
        var list = await JsonOf(await GetAsync(server, secondSecret, "/v1/keys"));
        var restored = list.EnumerateArray().Single(k => k.GetProperty("id").GetString() == second.GetProperty("id").GetString());
        Assert.Equal("renamed", restored.GetProperty("name").GetString());
        Assert.Equal(["read"], restored.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(second.GetProperty("expires_at").GetString(), restored.GetProperty("expires_at").GetString());
    }

    /// <summary>Every file of the data directory as text (the journal and anything else the server wrote), and in PostgreSQL
    /// mode every journal record and table row of its database.</summary>
    internal static string JournalText(TestServer server)
    {
        var text = new StringBuilder();
        if (server.ConnectionString is not null)
        {
            text.Append(TestStorage.Dump(server.ConnectionString));
        }

        foreach (var file in Directory.EnumerateFiles(server.DataDir, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            text.Append(reader.ReadToEnd());
        }

        return text.ToString();
    }

    [GeneratedRegex("^ps_live_[0-9a-f]{64}$")]
    private static partial Regex SecretPattern();
}
