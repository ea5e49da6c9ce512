using System.Security.Cryptography;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.ClobApi.Journal;
using Scalar.AspNetCore;

namespace Polysim.ClobApi;

/// <summary>Builds the Polysim web application: services, middleware pipeline and routes.</summary>
public static class PolysimServer
{
    /// <summary>The default listen address when neither <c>--urls</c> nor configuration sets one.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Builds the application from command-line arguments (and environment/appsettings).</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="configureServices">Runs after the default services are registered (tests swap the TimeProvider or a store here).</param>
    /// <param name="configureApp">Runs after the routes are mapped (tests add probe routes here).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configureServices = null, Action<WebApplication>? configureApp = null)
    {
        // Settings are read once at start: reloading on change would keep a recursive file watcher on the content root,
        // which the default data directory (./data) sits under, so every journal write woke a watcher thread. A later
        // --hostBuilder:reloadConfigOnChange on the command line still wins.
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Kestrel runs request code on the thread that completed the socket read instead of queueing it to the thread pool:
        // with the socket completions inline too (Program.cs), a request costs no thread switch before the engine queue —
        // on small VMs a switch costs more than the request's own work (docs/PERFORMANCE.md). It relies on no handler
        // blocking a thread (none does: the engine, the journal and Redis are awaited). Polysim:Http:InlineScheduling=false
        // turns it off.
        if (builder.Configuration.GetValue("Polysim:Http:InlineScheduling", true))
        {
            builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        }

        // Hosting's per-request diagnostics logger only writes request start/finish lines (Information/Debug), but while it is
        // enabled at all, Kestrel creates an Activity and a log scope for every request (~600 B and their async-local
        // copies): off, since errors are logged by ErrorContractMiddleware under its own category.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        var dataDir = builder.Configuration["Polysim:DataDir"] ?? "data";
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new AccountDefaults(ReadStartingBalance(builder.Configuration)));
        builder.Services.AddSingleton(_ => new OperatorKey(OperatorKeys.Load(builder.Configuration, Path.GetFullPath(dataDir))));
        builder.Services.AddSingleton(new EngineHostOptions
        {
            GroupCommitWindow = TimeSpan.FromMicroseconds(Math.Clamp(builder.Configuration.GetValue(EngineHostOptions.GroupCommitWindowKey, 1_000), 0, 1_000_000)),
        });
        builder.Services.AddSingleton(_ => new HostState(new Polysim.MatchingEngine.EngineOptions { FeeAccount = SystemAccounts.Fees }));
        if (!Storage.Postgres.PostgresStorage.TryAdd(builder.Services, builder.Configuration))
        {
            builder.Services.AddSingleton<IJournal>(_ => new FileJournal(Path.GetFullPath(dataDir)));
        }

        builder.Services.AddSingleton<EngineHost>();
        builder.Services.AddHostedService<EngineLifetime>();
        // Before the identity and order services: their in-process stores are only added when none is registered.
        Redis.RedisServices.AddPolysimRedis(builder.Services, builder.Configuration);
        Api.Identity.IdentityServices.AddPolysimIdentity(builder.Services, builder.Configuration);
        Seeding.MarketServices.AddPolysimMarkets(builder.Services, Path.GetFullPath(dataDir));
        Liquidity.Hosting.LiquidityServices.AddPolysimLiquidity(builder.Services, builder.Configuration);
        builder.Services.AddOrders();
        Feeds.FeedEndpoints.AddPolysimFeeds(builder.Services, builder.Configuration);
        builder.Services.AddSingleton(Polymarket.Trading.PolyTradingOptions.From(builder.Configuration));
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default);
            // The OpenAPI generator names schema fields with these options, not the areas' source-generated contexts: without
            // this the document would describe camelCase fields that the wire never uses.
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
        });

        configureServices?.Invoke(builder);
        var app = builder.Build();
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<ErrorContractMiddleware>();
        app.UseMiddleware<Polymarket.Trading.PolyAuthentication>();
        app.UseMiddleware<ApiKeyAuthentication>();
        app.UseMiddleware<Api.RateLimiting.TradeWriteLimiter>();

        app.MapGet("/healthz", () => JsonReply.Json(new HealthReply("ok"), ApiJson.Default.HealthReply))
            .Produces<HealthReply>()
            .WithSummary("Liveness: the process is up.");
        app.MapGet("/readyz", (EngineHost host) => host.IsReady
                ? JsonReply.Json(new HealthReply("ready"), ApiJson.Default.HealthReply)
                : JsonReply.Json(new HealthReply("starting"), ApiJson.Default.HealthReply, statusCode: StatusCodes.Status503ServiceUnavailable))
            .Produces<HealthReply>()
            .Produces<HealthReply>(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Readiness: the journal is replayed and the engine accepts work.");
        app.MapV1();
        Liquidity.Hosting.LiquidityEndpoints.MapLiquidity(app);
        Storage.Postgres.PostgresStorage.MapStorage(app);
        Polymarket.PublicEndpoints.MapPolymarketPublic(app);
        Feeds.FeedEndpoints.MapPolysimFeeds(app);
        Polymarket.Trading.PolyTradingEndpoints.MapPolymarketTrading(app);
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", o => o.WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        configureApp?.Invoke(app);
        return app;
    }

    private static long ReadStartingBalance(IConfiguration configuration)
    {
        var text = configuration["Polysim:DefaultStartingBalance"] ?? "10000";
        return Money.TryParseScaled(text, 6, out var micro)
            ? micro
            : throw new InvalidOperationException($"Polysim:DefaultStartingBalance '{text}' is not a USDC amount.");
    }
}

/// <summary>Where the operator key comes from: configuration, else a file in the data directory created on first start.</summary>
internal static class OperatorKeys
{
    public static string Load(IConfiguration configuration, string dataDir)
    {
        var configured = configuration["Polysim:AdminKey"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, "admin.key");
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var key = "adm_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(path, key);
        return key;
    }
}
