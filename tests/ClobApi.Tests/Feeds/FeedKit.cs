using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Feeds;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Tests.Orders;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Feeds;

/// <summary>A real WebSocket client of the feeds: every event of every frame (arrays split) lands in one ordered queue.</summary>
public sealed class WsClient : IAsyncDisposable
{
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    private WsClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public string? CloseDescription { get; private set; }

    public int Frames { get; private set; }

    public int Pongs { get; private set; }

    /// <summary>Connects to <paramref name="path"/> on the test server; with <paramref name="read"/> false nothing is read until <see cref="StartReading"/>.</summary>
    public static async Task<WsClient> ConnectAsync(
        TestServer server, string path, Action<ClientWebSocketOptions>? configure = null, bool read = true, int? receiveBufferBytes = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        var uri = new Uri(server.BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal).TrimEnd('/') + path);
        if (receiveBufferBytes is { } size)
        {
            // A tiny TCP receive window makes "a client that stops reading" back up quickly.
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, ct) =>
                {
                    var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = size, NoDelay = true };
                    await s.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(s, ownsSocket: true);
                },
            };
            await socket.ConnectAsync(uri, new HttpMessageInvoker(handler, disposeHandler: false), CancellationToken.None);
        }
        else
        {
            await socket.ConnectAsync(uri, CancellationToken.None);
        }

        var client = new WsClient(socket);
        if (read)
        {
            client.StartReading();
        }

        return client;
    }

    public void StartReading() => _loop ??= Task.Run(ReadLoopAsync);

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 20];
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

                    result = await Socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseStatus = Socket.CloseStatus;
                    CloseDescription = Socket.CloseStatusDescription;
                    if (Socket.State == WebSocketState.CloseReceived)
                    {
                        await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None);
                    }

                    break;
                }

                Frames++;
                var text = Encoding.UTF8.GetString(buffer, 0, length);
                if (text == "PONG")
                {
                    Pongs++;
                    await _events.Writer.WriteAsync(JsonDocument.Parse("{\"event_type\":\"PONG\"}").RootElement.Clone());
                    continue;
                }

                var root = JsonDocument.Parse(text).RootElement;
                if (root.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in root.EnumerateArray())
                    {
                        await _events.Writer.WriteAsync(item.Clone());
                    }
                }
                else
                {
                    await _events.Writer.WriteAsync(root.Clone());
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            CloseStatus ??= Socket.CloseStatus;
            CloseDescription ??= Socket.CloseStatusDescription;
        }
        finally
        {
            _events.Writer.TryComplete();
            _closed.TrySetResult();
        }
    }

    public Task SendAsync(string text) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendJsonAsync(object message) => SendAsync(JsonSerializer.Serialize(message));

    /// <summary>The next event, whatever it is.</summary>
    public async Task<JsonElement> NextAsync(int timeoutMs = 5_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no event within {timeoutMs} ms");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"the connection closed ({CloseStatus} {CloseDescription}) before the next event");
        }
    }

    /// <summary>The next event matching <paramref name="match"/>; the ones before it are returned in <paramref name="skipped"/>.</summary>
    public async Task<JsonElement> NextAsync(Func<JsonElement, bool> match, List<JsonElement>? skipped = null, int timeoutMs = 5_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            var left = (int)Math.Max(1, deadline - Environment.TickCount64);
            var e = await NextAsync(left);
            if (match(e))
            {
                return e;
            }

            skipped?.Add(e);
        }
    }

    /// <summary>The next event of a type (and, when given, for a token).</summary>
    public Task<JsonElement> NextOfAsync(string eventType, string? assetId = null, List<JsonElement>? skipped = null, int timeoutMs = 5_000) =>
        NextAsync(e => e.Type() == eventType && (assetId is null || (e.TryGetProperty("asset_id", out var a) && a.GetString() == assetId)), skipped, timeoutMs);

    /// <summary>Everything received before a PONG answering a PING sent now.</summary>
    public async Task<List<JsonElement>> DrainAsync(int timeoutMs = 5_000)
    {
        await SendAsync("PING");
        var seen = new List<JsonElement>();
        await NextAsync(e => e.Type() == "PONG", seen, timeoutMs);
        return seen;
    }

    /// <summary>Waits until the server closes the connection.</summary>
    public async Task<bool> ClosedWithinAsync(int timeoutMs) =>
        await Task.WhenAny(_closed.Task, Task.Delay(timeoutMs)) == _closed.Task;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(2_000);
                await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, cts.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // Already gone.
        }

        if (_loop is not null)
        {
            await Task.WhenAny(_loop, Task.Delay(2_000));
        }

        Socket.Dispose();
    }
}

/// <summary>Helpers of the feed tests.</summary>
public static class FeedKit
{
    public const long Share = 1_000_000;

    public static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = OrdersKit.Settings();
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    public static string Type(this JsonElement e) =>
        e.TryGetProperty("event_type", out var t) ? t.GetString() ?? string.Empty : string.Empty;

    public static string S(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static EngineHost Host(this TestServer server) => server.Services.GetRequiredService<EngineHost>();

    public static FeedHub Hub(this TestServer server) => server.Services.GetRequiredService<FeedHub>();

    public static object MarketSubscribe(bool custom, params string[] assets) =>
        new { assets_ids = assets, type = "market", custom_feature_enabled = custom, initial_dump = true };

    /// <summary>Subscribes and returns the initial book dump (one book per token).</summary>
    public static async Task<List<JsonElement>> SubscribeMarketAsync(this WsClient client, bool custom, params string[] assets)
    {
        await client.SendJsonAsync(MarketSubscribe(custom, assets));
        var books = new List<JsonElement>();
        foreach (var _ in assets)
        {
            books.Add(await client.NextOfAsync("book"));
        }

        return books;
    }

    /// <summary>Places an order straight on the engine thread for a wallet; returns its engine id (0 when refused).</summary>
    public static Task<long> PlaceAsync(this TestServer server, int wallet, TestMarket market, Outcome outcome, Side side, int price, long shares) =>
        server.Host().WriteAsync(ctx =>
        {
            var id = ctx.State.Engine.LastSequence + 1;
            var result = ctx.Apply(Command.Place(0, 0, wallet, market.MarketId, id, outcome, side, price, shares * Share));
            return result.Accepted ? id : 0;
        });

    public static Task<bool> CancelAsync(this TestServer server, int wallet, long orderId) =>
        server.Host().WriteAsync(ctx => ctx.Apply(Command.Cancel(0, 0, wallet, orderId)).Accepted);

    public static Uri Ws(this TestServer server, string path) =>
        new(server.BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal).TrimEnd('/') + path);
}
