using Polysim.ClobApi.Http;
using StackExchange.Redis;

namespace Polysim.ClobApi.Redis;

/// <summary>The process's one Redis connection, set up to fail fast while Redis is unreachable.</summary>
/// <remarks>
/// Commands are not queued while disconnected (<see cref="BacklogPolicy.FailFast"/>) and time out after
/// <see cref="RedisOptions.Timeout"/>, so an outage costs a request at most that long before the outage policy
/// decides; the multiplexer keeps reconnecting in the background and the stores recover without a restart.
/// </remarks>
public sealed class RedisConnection : IDisposable
{
    private static readonly long LogEveryTicks = TimeSpan.FromSeconds(10).Ticks;

    private readonly ILogger<RedisConnection> _log;
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;
    private long _lastLoggedTicks = long.MinValue;

    /// <summary>Prepares the connection; it is opened on first use.</summary>
    public RedisConnection(RedisOptions options, ILogger<RedisConnection> log)
    {
        Options = options;
        _log = log;
        _multiplexer = new Lazy<ConnectionMultiplexer>(Open, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The settings.</summary>
    public RedisOptions Options { get; }

    /// <summary>The database all stores use.</summary>
    public IDatabase Database => _multiplexer.Value.GetDatabase();

    /// <summary>Whether the connection is open now (false before the first use).</summary>
    public bool IsConnected => _multiplexer.IsValueCreated && _multiplexer.Value.IsConnected;

    /// <summary>Whether <paramref name="exception"/> means Redis could not be reached or answered too late.</summary>
    public static bool IsOutage(Exception exception) =>
        exception is RedisConnectionException or TimeoutException or ObjectDisposedException;

    /// <summary>The 503 SERVICE_UNAVAILABLE refusal of a write during an outage (fail-closed policy).</summary>
    public static ApiException Unavailable() =>
        new(503, "SERVICE_UNAVAILABLE", "Trading is paused: the shared rate-limit and idempotency store (Redis) cannot be reached. Retry shortly.")
        {
            RetryAfterSeconds = 1,
        };

    /// <summary>Logs an outage, at most once every 10 seconds so a dead Redis does not flood the log.</summary>
    public void ReportOutage(Exception exception, string operation)
    {
        var now = Environment.TickCount64 * TimeSpan.TicksPerMillisecond;
        var last = Interlocked.Read(ref _lastLoggedTicks);
        if (now - last < LogEveryTicks || Interlocked.CompareExchange(ref _lastLoggedTicks, now, last) != last)
        {
            return;
        }

        _log.LogWarning(exception, "Redis unreachable during {Operation}; policy {Policy}", operation, Options.OnOutage);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_multiplexer.IsValueCreated)
        {
            _multiplexer.Value.Dispose();
        }
    }

    private ConnectionMultiplexer Open()
    {
        var config = ConfigurationOptions.Parse(Options.ConnectionString);
        var timeoutMs = (int)Options.Timeout.TotalMilliseconds;
        config.AbortOnConnectFail = false;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        // Connecting gets longer than a command: a slow first connect must not leave the server failing closed until
        // the next reconnect. Commands still fail fast (AsyncTimeout, FailFast backlog) during an outage.
        config.ConnectTimeout = Math.Max(timeoutMs, 5_000);
        config.AsyncTimeout = timeoutMs;
        config.SyncTimeout = timeoutMs;
        config.ConnectRetry = 1;
        config.ClientName ??= "polysim";
        return ConnectionMultiplexer.Connect(config);
    }
}
