using Microsoft.Extensions.DependencyInjection.Extensions;
using Polysim.Accounts;
using Polysim.ClobApi.Api.RateLimiting;
using Polysim.ClobApi.Hosting;

namespace Polysim.ClobApi.Api.Identity;

/// <summary>Registers the identity services: policy settings, tier table, JWTs, rate-limit and trade-write stores.</summary>
public static class IdentityServices
{
    /// <summary>Adds the identity services; stores are added only when none is registered yet, so a shared (Redis) one can replace them.</summary>
    public static IServiceCollection AddPolysimIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        var options = IdentityOptions.FromConfiguration(configuration);
        var dataDir = Path.GetFullPath(configuration["Polysim:DataDir"] ?? "data");
        services.AddSingleton(options);
        services.AddSingleton(IdentityOptions.ReadTiers(configuration));
        services.AddSingleton(_ => new JwtTokens(JwtSecrets.Load(configuration, dataDir), options.JwtLifetime));
        services.TryAddSingleton<IRateLimitStore>(sp => new InProcessRateLimitStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ITradeWriteGate, InProcessTradeWriteGate>();
        services.AddSingleton(new TradeWriteLimiterOptions { Concurrency = options.TradeWriteConcurrency });
        services.AddSingleton<RequestRateLimiter>();
        services.AddSingleton<IdentityClock>();
        return services;
    }
}

/// <summary>The simulation clock as identity sees it: the injected time plus the operator's clock offset, in Unix ms.</summary>
/// <remarks>Key and token expiry follow the simulation clock, so advancing it ages keys and tokens as it ages orders.</remarks>
public sealed class IdentityClock(TimeProvider time, HostState state)
{
    /// <summary>Now, Unix ms.</summary>
    public long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds() + state.ClockOffsetMs;
}

/// <summary>What authentication learned about a request, kept beside the <see cref="Caller"/>.</summary>
/// <param name="Snapshot">The key and its account at authentication time.</param>
/// <param name="ByToken">Whether the request authenticated with a bearer JWT rather than the key itself.</param>
public sealed record CallerIdentity(KeySnapshot Snapshot, bool ByToken)
{
    private const string ItemKey = "polysim.caller_identity";

    /// <summary>Attaches it to the request.</summary>
    public void AttachTo(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>The request's authentication; throws the 401 contract when the route ran unauthenticated.</summary>
    public static CallerIdentity Of(HttpContext context) =>
        context.Items[ItemKey] as CallerIdentity ?? throw new Http.ApiException(401, "MISSING_API_KEY", "An API key is required: send X-API-Key.");
}
