using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Polysim.ClobApi.Tests.Identity;

/// <summary>Helpers shared by the identity tests.</summary>
internal static class IdentityKit
{
    /// <summary>Settings that lift the free tier's request rate out of the way of tests that are not about it.</summary>
    public static Dictionary<string, string?> Unthrottled(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Polysim:Tiers:free:RequestsPerSecond"] = "10000",
            ["Polysim:Tiers:free:RequestsPerMinute"] = "100000",
            ["Polysim:Tiers:pro:RequestsPerSecond"] = "10000",
            ["Polysim:Tiers:pro:RequestsPerMinute"] = "100000",
        };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        return settings;
    }

    /// <summary>A fake clock starting now (so journaled times look real).</summary>
    public static FakeTimeProvider NewClock() => new(DateTimeOffset.UtcNow);

    /// <summary>Starts a server whose TimeProvider is <paramref name="clock"/>.</summary>
    public static Task<TestServer> StartWithClockAsync(FakeTimeProvider clock, Dictionary<string, string?>? settings = null) =>
        TestServer.StartAsync(settings, configureServices: b => b.Services.AddSingleton<TimeProvider>(clock));

    /// <summary>The response body as JSON.</summary>
    public static async Task<JsonElement> JsonOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts the error contract: status, X-Polysim-Code, X-Request-Id and the single-field body.</summary>
    public static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(code, response.Headers.GetValues("X-Polysim-Code").Single());
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("X-Request-Id").Single()));
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Single(root.EnumerateObject());
        var message = root.GetProperty("error").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message;
    }

    /// <summary>Issues a key with <paramref name="apiKey"/>; returns the reply.</summary>
    public static async Task<JsonElement> IssueKeyAsync(TestServer server, string apiKey, object? body = null)
    {
        using var client = server.KeyClient(apiKey);
        var response = await client.PostAsJsonAsync("/v1/keys", body ?? new { name = "extra" });
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Key issue failed: {(int)response.StatusCode} {json}");
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    /// <summary>GET with a key; returns the response.</summary>
    public static async Task<HttpResponseMessage> GetAsync(TestServer server, string apiKey, string path)
    {
        using var client = server.KeyClient(apiKey);
        return await client.GetAsync(path);
    }

    /// <summary>A client that authenticates with a bearer credential.</summary>
    public static HttpClient BearerClient(TestServer server, string bearer)
    {
        var client = server.Client();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>Operator POST returning the response.</summary>
    public static async Task<HttpResponseMessage> AdminPostAsync(TestServer server, string path, object? body)
    {
        using var admin = server.AdminClient();
        return body is null ? await admin.PostAsync(path, null) : await admin.PostAsJsonAsync(path, body);
    }

    /// <summary>Builds the test app's extra service registrations in one place.</summary>
    public static Action<WebApplicationBuilder> Services(Action<IServiceCollection> configure) => b => configure(b.Services);
}
