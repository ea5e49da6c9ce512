using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Polysim.ClobApi.Tests.Redis;

/// <summary>The Redis the tests run against, and helpers to start servers on it.</summary>
/// <remarks>The Redis is the one at <c>ConnectionStrings__Redis</c> (scripts/test.sh starts a throwaway one and exports it);
/// without it these tests fail rather than skip. Every test uses a key prefix of its own, so tests and runs never see
/// each other's keys.</remarks>
internal static class RedisKit
{
    /// <summary>The connection string of the shared test Redis; fails the test when it is not configured.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Redis") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "ConnectionStrings__Redis is not set: the Redis tests need a real Redis (scripts/test.sh starts one and exports it).");

    /// <summary>The Redis call timeout (ms) every test server gets: tests run many servers at once on two cores, where a
    /// call can stall past the 1 s default; that is the machine, not an outage, and it would turn a write into a 503 or send
    /// a read to the in-process fallback instead of Redis. Outage tests pass their own, shorter timeout.</summary>
    public const string BusyMachineTimeoutMs = "5000";

    /// <summary>A key prefix no other test uses.</summary>
    public static string UniquePrefix() => "polysim-test:" + Guid.NewGuid().ToString("n")[..12] + ":";

    /// <summary>Server settings for Redis mode on <paramref name="connection"/> (default: the shared test Redis).</summary>
    public static Dictionary<string, string?> Settings(string prefix, string? connection = null, Dictionary<string, string?>? extra = null)
    {
        var settings = Orders.OrdersKit.Settings();
        settings["ConnectionStrings:Redis"] = connection ?? ConnectionString;
        settings["Polysim:Redis:KeyPrefix"] = prefix;
        settings["Polysim:Redis:TimeoutMs"] = BusyMachineTimeoutMs;
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        return settings;
    }

    /// <summary>A direct connection to the shared test Redis, for inspecting keys.</summary>
    public static ConnectionMultiplexer Connect(string? connection = null) => ConnectionMultiplexer.Connect(connection ?? ConnectionString);

    /// <summary>A free loopback TCP port (bound and released, so it is free right now).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A redis-server of the test's own, a child process on a free port, that the test may stop and start again.</summary>
/// <remarks>For outage tests: the shared test Redis is never stopped.</remarks>
internal sealed class ThrowawayRedis : IAsyncDisposable
{
    private Process? _process;

    private ThrowawayRedis(int port) => Port = port;

    /// <summary>The port it listens on (the same after a restart).</summary>
    public int Port { get; }

    /// <summary>Its connection string.</summary>
    public string ConnectionString => "127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Starts one on a free port and waits until it answers PING.</summary>
    public static async Task<ThrowawayRedis> StartAsync()
    {
        var redis = new ThrowawayRedis(RedisKit.FreePort());
        await redis.StartAgainAsync();
        return redis;
    }

    /// <summary>Starts the server (again) on the same port.</summary>
    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--daemonize", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                await using var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer);
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"redis-server on port {Port} did not answer PING within 10 s");
    }

    /// <summary>Kills the server (no shutdown handshake: clients see the connection drop, as in a crash).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();
}
