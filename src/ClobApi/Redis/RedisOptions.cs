namespace Polysim.ClobApi.Redis;

/// <summary>What a write does while Redis cannot be reached.</summary>
public enum RedisOutagePolicy
{
    /// <summary>Writes answer 503 SERVICE_UNAVAILABLE: no order runs without its shared rate limit and idempotency record.</summary>
    FailClosed,

    /// <summary>Writes proceed on this process's own rate limit and without idempotency records until Redis is back.</summary>
    FailOpen,
}

/// <summary>Settings of the Redis-backed stores: <c>ConnectionStrings:Redis</c> and <c>Polysim:Redis:*</c>.</summary>
public sealed record RedisOptions
{
    /// <summary>The StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Prepended to every key, so several deployments can share one Redis (<c>Polysim:Redis:KeyPrefix</c>, default <c>polysim:</c>).</summary>
    public string KeyPrefix { get; init; } = "polysim:";

    /// <summary>What writes do while Redis is unreachable (<c>Polysim:Redis:OnOutage</c> = <c>FailClosed</c> | <c>FailOpen</c>).</summary>
    public RedisOutagePolicy OnOutage { get; init; } = RedisOutagePolicy.FailClosed;

    /// <summary>How long one Redis call may take before it counts as an outage (<c>Polysim:Redis:TimeoutMs</c>, default 1000).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How much of a busy key's traffic one rate-limit call to Redis may take ahead for this process
    /// (<c>Polysim:Redis:RateLimitLeaseMs</c>, default 10; 0 makes one call per request). See <see cref="RedisRateLimitStore"/>.</summary>
    public TimeSpan RateLimitLease { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Reads the settings; null when no Redis connection string is configured (the in-process stores are used).</summary>
    public static RedisOptions? FromConfiguration(IConfiguration configuration)
    {
        var connection = configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(connection))
        {
            return null;
        }

        var section = configuration.GetSection("Polysim:Redis");
        var policyText = section["OnOutage"];
        var policy = RedisOutagePolicy.FailClosed;
        if (!string.IsNullOrWhiteSpace(policyText) && !Enum.TryParse(policyText, ignoreCase: true, out policy))
        {
            throw new InvalidOperationException($"Polysim:Redis:OnOutage '{policyText}' is neither FailClosed nor FailOpen.");
        }

        var timeoutText = section["TimeoutMs"];
        var timeoutMs = 1000;
        if (!string.IsNullOrWhiteSpace(timeoutText) &&
            (!int.TryParse(timeoutText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out timeoutMs) || timeoutMs < 1))
        {
            throw new InvalidOperationException($"Polysim:Redis:TimeoutMs '{timeoutText}' is not a positive whole number of milliseconds.");
        }

        var leaseText = section["RateLimitLeaseMs"];
        var leaseMs = 10;
        if (!string.IsNullOrWhiteSpace(leaseText) &&
            (!int.TryParse(leaseText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out leaseMs) || leaseMs > 1000))
        {
            throw new InvalidOperationException($"Polysim:Redis:RateLimitLeaseMs '{leaseText}' is not a whole number of milliseconds from 0 to 1000.");
        }

        return new RedisOptions
        {
            RateLimitLease = TimeSpan.FromMilliseconds(leaseMs),
            ConnectionString = connection,
            KeyPrefix = section["KeyPrefix"] ?? "polysim:",
            OnOutage = policy,
            Timeout = TimeSpan.FromMilliseconds(timeoutMs),
        };
    }
}
