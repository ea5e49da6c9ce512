using Polysim.ClobApi.Api.Idempotency;
using Polysim.ClobApi.Api.RateLimiting;

namespace Polysim.ClobApi.Redis;

/// <summary>Registers the Redis-backed stores when <c>ConnectionStrings:Redis</c> is set.</summary>
public static class RedisServices
{
    /// <summary>With a Redis connection string, registers the Redis idempotency and rate-limit stores (before the in-process
    /// defaults, which are only added when no store is registered); without one, does nothing.</summary>
    public static IServiceCollection AddPolysimRedis(this IServiceCollection services, IConfiguration configuration)
    {
        if (RedisOptions.FromConfiguration(configuration) is not { } options)
        {
            return services;
        }

        services.AddSingleton(options);
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<IIdempotencyStore>(sp => new RedisIdempotencyStore(
            sp.GetRequiredService<RedisConnection>(), sp.GetService<IdempotencyOptions>() ?? new IdempotencyOptions()));
        services.AddSingleton<IRateLimitStore, RedisRateLimitStore>();
        services.AddHostedService<RedisConnectAtStart>();
        return services;
    }

    /// <summary>Opens the connection while the server starts, so the first requests do not race the connect (and fail
    /// closed with 503 when it is slow).</summary>
    private sealed class RedisConnectAtStart(RedisConnection redis, ILogger<RedisConnection> log) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await Task.Run(() => redis.Database, cancellationToken);
            if (!redis.IsConnected)
            {
                // The server starts anyway (reads work, and the client keeps reconnecting), but say so now rather than at the
                // first refused write.
                log.LogWarning(
                    "Redis at {Endpoint} is not reachable at start; until it is, trade writes are answered per the outage policy {Policy} (503 when FailClosed). Reconnecting in the background.",
                    redis.Options.ConnectionString.Split(',')[0], redis.Options.OnOutage);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
