using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;

namespace Polysim.ClobApi.Liquidity.Mirror;

/// <summary>Settings of a <see cref="MarketStream"/>.</summary>
public sealed record MarketStreamOptions
{
    /// <summary>The market channel, e.g. <c>wss://ws-subscriptions-clob.polymarket.com/ws/market</c> or Polysim's <c>ws://host/ws/market</c>.</summary>
    public required Uri Url { get; init; }

    /// <summary>Most assets per connection (Nautilus' bound: high counts were seen to stall a connection silently).</summary>
    public int MaxAssetsPerConnection { get; init; } = 200;

    /// <summary>Text PING interval (the server drops a connection that is silent for about 10 s).</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A busy connection that delivers no data frame for this long is declared stalled and reconnected.</summary>
    public TimeSpan StallAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A connection is busy when its last this-many data frames arrived within <see cref="StallAfter"/> (quiet markets are not stalls).</summary>
    public int BusyFrames { get; init; } = 10;

    /// <summary>First wait before reconnecting; doubles up to <see cref="MaxReconnectDelay"/> while connecting fails.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest wait between reconnect attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Ask for best_bid_ask, new_market and market_resolved.</summary>
    public bool CustomFeatures { get; init; } = true;
}

/// <summary>What a <see cref="MarketStream"/> reports.</summary>
public enum StreamItemKind : byte
{
    /// <summary>A connection opened and subscribed (<see cref="StreamItem.Reconnect"/> after an outage).</summary>
    Subscribed = 1,

    /// <summary>A data frame (one event or an array).</summary>
    Frame,

    /// <summary>A connection ended (closed, failed, or stalled): frames may be missing until the next <see cref="Subscribed"/>.</summary>
    Disconnected,
}

/// <summary>One report of a <see cref="MarketStream"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Conn">Connection (shard) number, from 0.</param>
/// <param name="RecvNs">Local receive time, Unix ns.</param>
/// <param name="Frame">The frame's UTF-8 bytes (<see cref="StreamItemKind.Frame"/> only).</param>
/// <param name="Assets">The assets of the connection.</param>
/// <param name="Reconnect">For <see cref="StreamItemKind.Subscribed"/>: not the first connection of this shard.</param>
/// <param name="Reason">For <see cref="StreamItemKind.Disconnected"/>: why.</param>
public sealed record StreamItem(StreamItemKind Kind, int Conn, long RecvNs, byte[]? Frame, IReadOnlyList<string> Assets, bool Reconnect = false, string? Reason = null);

/// <summary>A market-channel WebSocket client speaking Polymarket's protocol: shards assets over connections, pings, detects stalls and reconnects.</summary>
/// <remarks>Every connection's reports go, in arrival order, into one channel (<see cref="Items"/>). Never sends orders: it only
/// subscribes to public market data.</remarks>
public sealed class MarketStream : IAsyncDisposable
{
    private readonly MarketStreamOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<StreamItem> _items = Channel.CreateUnbounded<StreamItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<IReadOnlyList<string>> _shards = [];
    private readonly List<Task> _loops = [];
    private CancellationTokenSource? _cts;
    private long _reconnects;
    private long _stalls;
    private long _pings;

    /// <summary>A stream over <paramref name="assets"/> (token ids), split into shards of at most <see cref="MarketStreamOptions.MaxAssetsPerConnection"/>.</summary>
    public MarketStream(MarketStreamOptions options, IReadOnlyList<string> assets, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        var size = Math.Max(1, options.MaxAssetsPerConnection);
        for (var i = 0; i < assets.Count; i += size)
        {
            _shards.Add([.. assets.Skip(i).Take(size)]);
        }
    }

    /// <summary>Reports of every connection, in arrival order.</summary>
    public ChannelReader<StreamItem> Items => _items.Reader;

    /// <summary>The assets of each connection.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Shards => _shards;

    /// <summary>Connections opened again after an outage.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Connections dropped because they stalled.</summary>
    public long Stalls => Interlocked.Read(ref _stalls);

    /// <summary>PINGs sent.</summary>
    public long Pings => Interlocked.Read(ref _pings);

    /// <summary>The subscribe message of a set of assets.</summary>
    public static byte[] SubscribeMessage(IReadOnlyList<string> assets, bool customFeatures) =>
        JsonSerializer.SerializeToUtf8Bytes(new SubscribeBody(assets, "market", customFeatures, true), MirrorJsonContext.Default.SubscribeBody);

    /// <summary>Opens every connection; they run until <paramref name="ct"/> is cancelled or the stream is disposed.</summary>
    public void Start(CancellationToken ct)
    {
        if (_cts is not null)
        {
            throw new InvalidOperationException("already started");
        }

        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        for (var i = 0; i < _shards.Count; i++)
        {
            var conn = i;
            _loops.Add(Task.Run(() => RunShardAsync(conn, _cts.Token), CancellationToken.None));
        }

        _ = Task.WhenAll(_loops).ContinueWith(_ => _items.Writer.TryComplete(), TaskScheduler.Default);
    }

    /// <summary>Forces a connection down (it reconnects): used when a consumer detects a gap the stream cannot see.</summary>
    public void Drop(int conn, string reason)
    {
        lock (_live)
        {
            if (_live.TryGetValue(conn, out var live))
            {
                live.Reason = reason;
                live.Cts.Cancel();
            }
        }
    }

    private readonly Dictionary<int, LiveConnection> _live = [];

    private sealed class LiveConnection(CancellationTokenSource cts)
    {
        public CancellationTokenSource Cts { get; } = cts;

        public string? Reason { get; set; }
    }

    private long NowNs() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    private async Task RunShardAsync(int conn, CancellationToken ct)
    {
        var assets = _shards[conn];
        var delay = _options.ReconnectDelay;
        var connectedBefore = false;
        while (!ct.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            using var connectionCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var live = new LiveConnection(connectionCts);
            string reason;
            var subscribed = false;
            try
            {
                using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    connectTimeout.CancelAfter(TimeSpan.FromSeconds(15));
                    await socket.ConnectAsync(_options.Url, connectTimeout.Token);
                }

                await socket.SendAsync(SubscribeMessage(assets, _options.CustomFeatures), WebSocketMessageType.Text, true, ct);
                subscribed = true;
                if (connectedBefore)
                {
                    Interlocked.Increment(ref _reconnects);
                }

                await _items.Writer.WriteAsync(new StreamItem(StreamItemKind.Subscribed, conn, NowNs(), null, assets, connectedBefore), ct);
                connectedBefore = true;
                delay = _options.ReconnectDelay;
                lock (_live)
                {
                    _live[conn] = live;
                }

                reason = await RunConnectionAsync(conn, socket, assets, live, connectionCts.Token);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                reason = "stopped";
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or HttpRequestException)
            {
                reason = live.Reason ?? ex.GetType().Name + ": " + ex.Message;
            }
            finally
            {
                lock (_live)
                {
                    _live.Remove(conn);
                }
            }

            if (subscribed)
            {
                _items.Writer.TryWrite(new StreamItem(StreamItemKind.Disconnected, conn, NowNs(), null, assets, Reason: reason));
                await CloseQuietlyAsync(socket);
            }

            if (ct.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(delay, _time, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

    private async Task<string> RunConnectionAsync(int conn, ClientWebSocket socket, IReadOnlyList<string> assets, LiveConnection live, CancellationToken ct)
    {
        var recent = new long[Math.Max(1, _options.BusyFrames)];
        var count = 0L;
        var lastData = _time.GetTimestamp();
        var sendLock = new SemaphoreSlim(1, 1);

        async Task PingLoopAsync()
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(_options.PingInterval, _time, ct);
                await sendLock.WaitAsync(ct);
                try
                {
                    await socket.SendAsync("PING"u8.ToArray(), WebSocketMessageType.Text, true, ct);
                    Interlocked.Increment(ref _pings);
                }
                finally
                {
                    sendLock.Release();
                }
            }
        }

        async Task WatchdogAsync()
        {
            var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 20, _options.StallAfter.Ticks / 4));
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(period, _time, ct);
                long last, oldest, seen;
                lock (recent)
                {
                    (last, seen) = (lastData, count);
                    oldest = recent[seen % recent.Length];
                }

                // Busy: the last BusyFrames frames came within StallAfter of each other; then silence is a stall.
                var busy = seen >= recent.Length && _time.GetElapsedTime(oldest, last) <= _options.StallAfter;
                if (busy && _time.GetElapsedTime(last) > _options.StallAfter)
                {
                    Interlocked.Increment(ref _stalls);
                    live.Reason = $"stall: no frame for {_options.StallAfter.TotalSeconds:0.###} s on a busy connection";
                    live.Cts.Cancel();
                    return;
                }
            }
        }

        var ping = PingLoopAsync();
        var watchdog = WatchdogAsync();
        var buffer = new byte[1 << 16];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return $"closed by server: {socket.CloseStatus} {socket.CloseStatusDescription}".TrimEnd();
                }

                var frame = buffer.AsSpan(0, length);
                if (frame.SequenceEqual("PONG"u8) || frame.IsEmpty)
                {
                    continue;
                }

                lock (recent)
                {
                    lastData = _time.GetTimestamp();
                    recent[count % recent.Length] = lastData;
                    count++;
                }

                await _items.Writer.WriteAsync(new StreamItem(StreamItemKind.Frame, conn, NowNs(), frame.ToArray(), assets), ct);
            }
        }
        catch (OperationCanceledException) when (live.Reason is not null)
        {
            return live.Reason;
        }
        finally
        {
            await live.Cts.CancelAsync();
            await Task.WhenAll(ping.ContinueWith(_ => { }, TaskScheduler.Default), watchdog.ContinueWith(_ => { }, TaskScheduler.Default));
            sendLock.Dispose();
        }
    }

    private static async Task CloseQuietlyAsync(ClientWebSocket socket)
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, cts.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // Already gone.
        }

        socket.Abort();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_cts is not null)
        {
            await _cts.CancelAsync();
            await Task.WhenAll(_loops.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            _cts.Dispose();
        }

        _items.Writer.TryComplete();
    }
}

/// <summary>The market-channel subscribe message.</summary>
internal sealed record SubscribeBody(
    [property: System.Text.Json.Serialization.JsonPropertyName("assets_ids")] IReadOnlyList<string> AssetsIds,
    [property: System.Text.Json.Serialization.JsonPropertyName("type")] string Type,
    [property: System.Text.Json.Serialization.JsonPropertyName("custom_feature_enabled")] bool CustomFeatureEnabled,
    [property: System.Text.Json.Serialization.JsonPropertyName("initial_dump")] bool InitialDump);

/// <summary>Source-generated JSON metadata of the mirror's request bodies.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(SubscribeBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(BooksRequestItem[]))]
internal sealed partial class MirrorJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>One item of a <c>POST /books</c> body.</summary>
internal sealed record BooksRequestItem([property: System.Text.Json.Serialization.JsonPropertyName("token_id")] string TokenId);
