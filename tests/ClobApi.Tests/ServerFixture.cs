using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Storage.Postgres;

namespace Polysim.ClobApi.Tests;

/// <summary>A real Polysim server on a loopback port of its own, with a throwaway data directory.</summary>
/// <remarks>Start one per test class (IClassFixture) or per test; <see cref="RestartAsync"/> stops it gracefully and starts
/// it again on the same data directory, as a process restart would.</remarks>
public sealed class TestServer : IAsyncDisposable
{
    public const string AdminKey = "adm_test_operator_key";

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<WebApplicationBuilder>? _configureServices;
    private readonly Action<WebApplication>? _configureApp;
    private WebApplication? _app;

    private TestServer(string dataDir, Dictionary<string, string?> settings, Action<WebApplicationBuilder>? configureServices, Action<WebApplication>? configureApp)
    {
        DataDir = dataDir;
        _settings = settings;
        _configureServices = configureServices;
        _configureApp = configureApp;
    }

    public string DataDir { get; }

    /// <summary>The database this server journals to in PostgreSQL mode (created for it, dropped on dispose), else null.</summary>
    public string? Database { get; private set; }

    /// <summary>Its connection string in PostgreSQL mode, else null.</summary>
    public string? ConnectionString { get; private set; }

    /// <summary>The prefix of its Redis keys in the Redis pass (kept across restarts, as a deployment's would be), else null.</summary>
    public string? RedisKeyPrefix { get; private set; }

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Starts a server; extra settings are configuration keys such as "Polysim:DefaultStartingBalance".</summary>
    /// <remarks><paramref name="configureServices"/> runs after the server's own registrations (e.g. to inject a FakeTimeProvider);
    /// <paramref name="configureApp"/> after its routes (e.g. to add a probe route). Both run again on <see cref="RestartAsync"/>.</remarks>
    public static async Task<TestServer> StartAsync(
        Dictionary<string, string?>? settings = null,
        string? dataDir = null,
        Action<WebApplicationBuilder>? configureServices = null,
        Action<WebApplication>? configureApp = null)
    {
        dataDir ??= Path.Combine(Path.GetTempPath(), "polysim-test-" + Guid.NewGuid().ToString("n"));
        var server = new TestServer(dataDir, settings ?? [], configureServices, configureApp);
        await server.StartAppAsync();
        return server;
    }

    private async Task StartAppAsync()
    {
        if (TestMode.Postgres && ConnectionString is null)
        {
            (Database, ConnectionString) = await TestDatabases.CreateAsync();
        }

        if (TestMode.Redis)
        {
            RedisKeyPrefix ??= "polysim-test:" + Guid.NewGuid().ToString("n")[..12] + ":";
        }

        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--Polysim:DataDir", DataDir,
            "--Polysim:AdminKey", AdminKey,
            "--Polysim:SeedDemo", "false",
            "--Logging:LogLevel:Default", "Warning",
            // CI exports ConnectionStrings__Postgres for everyone: the embedded pass must override it, not inherit it.
            "--" + PostgresStorage.ConnectionStringKey, ConnectionString ?? string.Empty,
            // The in-process stores unless the pass or the test asks for Redis: CI exports ConnectionStrings__Redis for the
            // Redis tests, and servers of other tests must not share its keys (nor its clock) by accident. In the Redis pass
            // each server has a key prefix of its own, so no two share idempotency keys or rate-limit buckets.
            "--ConnectionStrings:Redis", TestMode.Redis ? TestMode.RequireRedis() : string.Empty,
        };
        if (RedisKeyPrefix is not null)
        {
            args.Add("--Polysim:Redis:KeyPrefix");
            args.Add(RedisKeyPrefix);
        }

        if (TestMode.Redis)
        {
            args.Add("--Polysim:Redis:TimeoutMs");
            args.Add(Redis.RedisKit.BusyMachineTimeoutMs);
        }

        foreach (var (key, value) in _settings)
        {
            args.Add("--" + key);
            args.Add(value ?? string.Empty);
        }

        _app = PolysimServer.Build([.. args], _configureServices, _configureApp);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    /// <summary>Graceful stop and start on the same data directory.</summary>
    public async Task RestartAsync()
    {
        await _app!.StopAsync();
        await _app.DisposeAsync();
        await StartAppAsync();
    }

    /// <summary>A client with no credentials.</summary>
    public HttpClient Client() => new() { BaseAddress = BaseAddress };

    /// <summary>A client that sends the operator key.</summary>
    public HttpClient AdminClient()
    {
        var client = Client();
        client.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        return client;
    }

    /// <summary>A client that sends <paramref name="apiKey"/> as X-API-Key.</summary>
    public HttpClient KeyClient(string apiKey)
    {
        var client = Client();
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        return client;
    }

    /// <summary>Opens an account through the operator API and returns its id, first wallet and API key.</summary>
    public async Task<TestAccount> CreateAccountAsync(string tier = "free", string startingBalance = "10000")
    {
        using var admin = AdminClient();
        var response = await admin.PostAsJsonAsync("/v1/admin/accounts", new { tier, starting_balance = startingBalance });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Account creation failed: {(int)response.StatusCode} {body}");
        }

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        return new TestAccount(root.GetProperty("account_id").GetInt32(), root.GetProperty("wallet_id").GetInt32(), root.GetProperty("api_key").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }

        if (Database is not null)
        {
            await TestDatabases.DropAsync(Database);
        }
    }
}

/// <summary>An account created for a test.</summary>
public sealed record TestAccount(int AccountId, int WalletId, string ApiKey);
