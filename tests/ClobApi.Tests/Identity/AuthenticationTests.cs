using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using static Polysim.ClobApi.Tests.Identity.IdentityKit;

namespace Polysim.ClobApi.Tests.Identity;

public sealed class AuthenticationTests
{
    [Fact]
    public async Task A_private_route_without_any_credential_answers_401_MISSING_API_KEY()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        using var client = server.Client();
        await AssertErrorAsync(await client.GetAsync("/v1/keys"), HttpStatusCode.Unauthorized, "MISSING_API_KEY");
        // A non-bearer Authorization header is no credential either.
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "dXNlcjpwdw==");
        await AssertErrorAsync(await client.GetAsync("/v1/wallets"), HttpStatusCode.Unauthorized, "MISSING_API_KEY");
    }

    [Fact]
    public async Task An_unknown_key_answers_401_INVALID_KEY_and_the_verbose_body_names_the_code()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        using var client = server.KeyClient("ps_live_" + new string('0', 64));
        await AssertErrorAsync(await client.GetAsync("/v1/keys"), HttpStatusCode.Unauthorized, "INVALID_KEY");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/keys");
        request.Headers.Add("X-Polysim-Verbose", "true");
        var verbose = await JsonOf(await client.SendAsync(request));
        Assert.Equal("INVALID_KEY", verbose.GetProperty("error").GetString());
        Assert.Equal("Invalid API key", verbose.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_revoked_key_answers_401_INVALID_KEY()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync();
        var second = await IssueKeyAsync(server, account.ApiKey);
        using var owner = server.KeyClient(account.ApiKey);
        var revoked = await owner.DeleteAsync($"/v1/keys/{second.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal("revoked", (await JsonOf(revoked)).GetProperty("status").GetString());
        await AssertErrorAsync(await GetAsync(server, second.GetProperty("api_key").GetString()!, "/v1/keys"), HttpStatusCode.Unauthorized, "INVALID_KEY");
    }

    [Fact]
    public async Task A_deactivated_key_answers_401_KEY_DEACTIVATED_and_works_again_once_reactivated()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync();
        var second = await IssueKeyAsync(server, account.ApiKey);
        var id = second.GetProperty("id").GetString();
        var secret = second.GetProperty("api_key").GetString()!;
        using var owner = server.KeyClient(account.ApiKey);

        var off = await owner.PatchAsJsonAsync($"/v1/keys/{id}", new { active = false });
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.Equal("deactivated", (await JsonOf(off)).GetProperty("status").GetString());
        await AssertErrorAsync(await GetAsync(server, secret, "/v1/keys"), HttpStatusCode.Unauthorized, "KEY_DEACTIVATED");

        var on = await owner.PatchAsJsonAsync($"/v1/keys/{id}", new { active = true });
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, secret, "/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task A_key_past_its_expiry_answers_401_KEY_EXPIRED()
    {
        var clock = NewClock();
        await using var server = await StartWithClockAsync(clock, Unthrottled());
        var account = await server.CreateAccountAsync();
        var shortLived = await IssueKeyAsync(server, account.ApiKey, new { name = "short", expires_in = 60 });
        var secret = shortLived.GetProperty("api_key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, secret, "/v1/keys")).StatusCode);

        clock.Advance(TimeSpan.FromSeconds(61));
        await AssertErrorAsync(await GetAsync(server, secret, "/v1/keys"), HttpStatusCode.Unauthorized, "KEY_EXPIRED");
        var listed = await JsonOf(await GetAsync(server, account.ApiKey, "/v1/keys"));
        var entry = listed.EnumerateArray().Single(k => k.GetProperty("id").GetString() == shortLived.GetProperty("id").GetString());
        Assert.Equal("expired", entry.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_legacy_POLY_API_KEY_header_and_a_bearer_carrying_the_key_authenticate_like_X_API_Key()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync();
        using var legacy = server.Client();
        legacy.DefaultRequestHeaders.Add("POLY_API_KEY", account.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await legacy.GetAsync("/v1/keys")).StatusCode);
        using var bearer = BearerClient(server, account.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task A_token_from_POST_auth_token_is_an_HS256_JWT_naming_the_key_and_authenticates_as_it()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync();
        using var keyClient = server.KeyClient(account.ApiKey);
        var issued = await keyClient.PostAsync("/v1/auth/token", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var reply = await JsonOf(issued);
        var token = reply.GetProperty("access_token").GetString()!;
        Assert.Equal("Bearer", reply.GetProperty("token_type").GetString());
        Assert.Equal(3600, reply.GetProperty("expires_in").GetInt64());

        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        using var header = System.Text.Json.JsonDocument.Parse(Base64UrlDecode(parts[0]));
        Assert.Equal("HS256", header.RootElement.GetProperty("alg").GetString());
        using var claims = System.Text.Json.JsonDocument.Parse(Base64UrlDecode(parts[1]));
        Assert.Equal(reply.GetProperty("key_id").GetString(), claims.RootElement.GetProperty("sub").GetString());
        Assert.Equal(3600, claims.RootElement.GetProperty("exp").GetInt64() - claims.RootElement.GetProperty("iat").GetInt64());

        using var bearer = BearerClient(server, token);
        var keys = await bearer.GetAsync("/v1/keys");
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        Assert.Equal("free", keys.Headers.GetValues("X-RateLimit-Tier").Single());
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrZXlfMSJ9.!!!")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJrZXlfMSIsImV4cCI6OTk5OTk5OTk5OX0.")]
    public async Task A_malformed_or_unsigned_bearer_token_answers_401_INVALID_TOKEN(string token)
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        using var client = BearerClient(server, token);
        await AssertErrorAsync(await client.GetAsync("/v1/keys"), HttpStatusCode.Unauthorized, "INVALID_TOKEN");
    }

    [Fact]
    public async Task A_token_with_a_bad_signature_or_without_sub_or_exp_answers_401_INVALID_TOKEN()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync();
        var token = await TokenAsync(server, account.ApiKey);
        var parts = token.Split('.');

        // Same claims, signature of another secret.
        var forged = Sign(parts[0] + "." + parts[1], Encoding.UTF8.GetBytes(new string('x', 64)));
        using (var client = BearerClient(server, forged))
        {
            await AssertErrorAsync(await client.GetAsync("/v1/keys"), HttpStatusCode.Unauthorized, "INVALID_TOKEN");
        }

        // Claims changed after signing.
        var tampered = Base64UrlEncode(Encoding.UTF8.GetBytes("""{"iss":"polysim","sub":"key_other","exp":9999999999}"""));
        using (var client = BearerClient(server, parts[0] + "." + tampered + "." + parts[2]))
        {
            await AssertErrorAsync(await client.GetAsync("/v1/keys"), HttpStatusCode.Unauthorized, "INVALID_TOKEN");
        }

        // Correctly signed with the server's own secret, but missing sub, then missing exp.
        var secret = Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(server.DataDir, "jwt.key")).Trim());
        foreach (var claims in new[] { """{"iss":"polysim","exp":9999999999}""", """{"iss":"polysim","sub":"key_x"}""" })
        {
            var signed = Sign(parts[0] + "." + Base64UrlEncode(Encoding.UTF8.GetBytes(claims)), secret);
            using var client = BearerClient(server, signed);
            await AssertErrorAsync(await client.GetAsync("/v1/keys"), HttpStatusCode.Unauthorized, "INVALID_TOKEN");
        }
    }

    [Fact]
    public async Task A_token_past_its_exp_answers_401_TOKEN_EXPIRED()
    {
        var clock = NewClock();
        await using var server = await StartWithClockAsync(clock, Unthrottled(new() { ["Polysim:JwtLifetimeSeconds"] = "120" }));
        var account = await server.CreateAccountAsync();
        var token = await TokenAsync(server, account.ApiKey);
        using var client = BearerClient(server, token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/keys")).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(121));
        await AssertErrorAsync(await client.GetAsync("/v1/keys"), HttpStatusCode.Unauthorized, "TOKEN_EXPIRED");
    }

    [Fact]
    public async Task A_token_follows_the_state_of_its_key()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync();
        var second = await IssueKeyAsync(server, account.ApiKey);
        var token = await TokenAsync(server, second.GetProperty("api_key").GetString()!);
        using var owner = server.KeyClient(account.ApiKey);
        using var bearer = BearerClient(server, token);
        var id = second.GetProperty("id").GetString();

        await owner.PatchAsJsonAsync($"/v1/keys/{id}", new { active = false });
        await AssertErrorAsync(await bearer.GetAsync("/v1/keys"), HttpStatusCode.Unauthorized, "KEY_DEACTIVATED");
        await owner.DeleteAsync($"/v1/keys/{id}");
        await AssertErrorAsync(await bearer.GetAsync("/v1/keys"), HttpStatusCode.Unauthorized, "INVALID_KEY");
    }

    [Fact]
    public async Task The_token_route_takes_only_an_API_key_and_refuses_a_bearer_token_with_MISSING_API_KEY()
    {
        await using var server = await TestServer.StartAsync(Unthrottled());
        var account = await server.CreateAccountAsync();
        var token = await TokenAsync(server, account.ApiKey);
        using var bearer = BearerClient(server, token);
        await AssertErrorAsync(await bearer.PostAsync("/v1/auth/token", null), HttpStatusCode.Unauthorized, "MISSING_API_KEY");
    }

    [Fact]
    public async Task A_configured_JWT_secret_signs_the_tokens()
    {
        const string Secret = "a-configured-secret-that-is-long-enough-0123456789";
        await using var server = await TestServer.StartAsync(Unthrottled(new() { ["Polysim:JwtSecret"] = Secret }));
        var account = await server.CreateAccountAsync();
        var parts = (await TokenAsync(server, account.ApiKey)).Split('.');
        Assert.Equal(parts[2], Sign(parts[0] + "." + parts[1], Encoding.UTF8.GetBytes(Secret)).Split('.')[2]);
        Assert.False(File.Exists(Path.Combine(server.DataDir, "jwt.key")));
    }

    private static async Task<string> TokenAsync(TestServer server, string apiKey)
    {
        using var client = server.KeyClient(apiKey);
        var response = await client.PostAsync("/v1/auth/token", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonOf(response)).GetProperty("access_token").GetString()!;
    }

    private static string Sign(string signingInput, byte[] secret) =>
        signingInput + "." + Base64UrlEncode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Base64UrlDecode(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
