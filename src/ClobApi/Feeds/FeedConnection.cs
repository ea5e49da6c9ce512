using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Polysim.ClobApi.Feeds;

/// <summary>Which feed a connection reads.</summary>
public enum FeedChannel
{
    /// <summary>Public book events by token id.</summary>
    Market,

    /// <summary>One account's orders and trades by condition id.</summary>
    User,
}

/// <summary>How a queued frame may be sent.</summary>
internal enum FrameKind : byte
{
    /// <summary>One JSON event object; may be coalesced with others into an array frame.</summary>
    Event,

    /// <summary>A JSON array of events; may be coalesced (its elements are spliced in).</summary>
    Array,

    /// <summary>Sent as is, alone (PONG, error replies).</summary>
    Raw,
}

/// <summary>One frame waiting in an outbox: shared, immutable bytes.</summary>
internal readonly record struct Outgoing(byte[] Bytes, FrameKind Kind);

/// <summary>One subscriber's WebSocket: a bounded outbox drained by its own send loop, and its receive loop.</summary>
/// <remarks>
/// The publisher only ever calls <see cref="Enqueue"/>, which never waits: when the outbox is full the connection is
/// marked dead with close code 4001 and the publisher moves on, so a slow reader costs the others nothing. Close frames
/// are sent by the send loop; if the peer does not take them within the grace period the socket is aborted.
/// </remarks>
public sealed class FeedConnection
{
    /// <summary>Close code of a subscriber whose outbox overflowed.</summary>
    public const int SlowConsumerCloseCode = 4001;

    /// <summary>Close code when the account's tier allows no more connections.</summary>
    public const int ConnectionCapCloseCode = 4002;

    /// <summary>Close code of a connection that stayed silent past the idle timeout.</summary>
    public const int IdleCloseCode = 4003;

    /// <summary>The heartbeat reply.</summary>
    internal static readonly byte[] Pong = "PONG"u8.ToArray();
    private static long _nextId;

    private readonly WebSocket _socket;
    private readonly FeedOptions _options;
    private readonly Channel<Outgoing> _outbox;
    private int _closing;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = string.Empty;
    private long _lastHeardTicks = Environment.TickCount64;

    internal FeedConnection(WebSocket socket, FeedChannel channel, FeedOptions options)
    {
        _socket = socket;
        _options = options;
        Channel = channel;
        _outbox = System.Threading.Channels.Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(options.OutboxCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Process-unique id (for logs and ordering).</summary>
    public long Id { get; } = Interlocked.Increment(ref _nextId);

    /// <summary>Which feed it reads.</summary>
    public FeedChannel Channel { get; }

    /// <summary>Whether the market subscriber asked for best_bid_ask, new_market and market_resolved.</summary>
    public bool CustomFeatures { get; internal set; }

    /// <summary>The user channel's principal once authenticated.</summary>
    public FeedPrincipal? Principal { get; internal set; }

    /// <summary>Set once the engine thread counted this connection as a watcher (undone on detach).</summary>
    internal int CountedAsWatcher;

    /// <summary>Tokens subscribed (market channel); owned by the publisher thread.</summary>
    internal HashSet<string> Tokens { get; } = new(StringComparer.Ordinal);

    /// <summary>Condition ids filtered on (user channel, lower-case; empty = all); owned by the publisher thread.</summary>
    internal HashSet<string> Markets { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the connection is closing or closed.</summary>
    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>The close status this side chose, once closing.</summary>
    public WebSocketCloseStatus CloseStatus => _closeStatus;

    /// <summary>Frames currently waiting.</summary>
    public int Backlog => _outbox.Reader.Count;

    /// <summary>Queues a frame without waiting; false (and the connection is closed as a slow consumer) when the outbox is full.</summary>
    internal bool Enqueue(Outgoing frame)
    {
        if (IsClosing)
        {
            return false;
        }

        if (_outbox.Writer.TryWrite(frame))
        {
            return true;
        }

        Close((WebSocketCloseStatus)SlowConsumerCloseCode,
            $"slow consumer: more than {_options.OutboxCapacity} frames waiting; reconnect and resubscribe");
        return false;
    }

    /// <summary>Queues a text frame sent alone (PONG, error replies).</summary>
    internal void SendRaw(byte[] bytes) => Enqueue(new Outgoing(bytes, FrameKind.Raw));

    /// <summary>Starts closing: frames still queued are dropped, the close frame goes next, the socket is aborted after the grace.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        _closeStatus = status;
        _closeReason = reason.Length > 120 ? reason[..120] : reason;
        _outbox.Writer.TryComplete();
        _ = AbortAfterGraceAsync();
    }

    private async Task AbortAfterGraceAsync()
    {
        await Task.Delay(_options.CloseGrace).ConfigureAwait(false);
        if (_socket.State is not WebSocketState.Closed and not WebSocketState.Aborted)
        {
            _socket.Abort();
        }
    }

    /// <summary>Sends queued frames until the connection closes, coalescing a backlog of events into array frames.</summary>
    internal async Task RunSendAsync()
    {
        var reader = _outbox.Reader;
        // Small to start: a thousand idle subscribers should not pin a thousand large buffers.
        var buffer = new ArrayBufferWriter<byte>(4 * 1024);
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (!IsClosing && reader.TryRead(out var first))
                {
                    if (first.Kind == FrameKind.Raw || !reader.TryPeek(out var next) || next.Kind == FrameKind.Raw)
                    {
                        await _socket.SendAsync(first.Bytes, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                        continue;
                    }

                    buffer.ResetWrittenCount();
                    buffer.Write("["u8);
                    Splice(buffer, first);
                    var events = 1;
                    while (events < _options.MaxEventsPerFrame && buffer.WrittenCount < 256 * 1024 &&
                        reader.TryPeek(out next) && next.Kind != FrameKind.Raw && reader.TryRead(out next))
                    {
                        buffer.Write(","u8);
                        Splice(buffer, next);
                        events++;
                    }

                    buffer.Write("]"u8);
                    await _socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                }

                if (IsClosing)
                {
                    break;
                }
            }

            using var grace = new CancellationTokenSource(_options.CloseGrace);
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, grace.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The peer vanished or never took the close frame: nothing more can be said to it.
            Close(WebSocketCloseStatus.EndpointUnavailable, "connection lost");
            _socket.Abort();
        }
    }

    private static void Splice(ArrayBufferWriter<byte> buffer, Outgoing frame)
    {
        var bytes = frame.Bytes.AsSpan();
        buffer.Write(frame.Kind == FrameKind.Array ? bytes[1..^1] : bytes);
    }

    /// <summary>Reads client messages until the peer closes, the socket fails or the connection is closed; PING goes to <paramref name="onPing"/>.</summary>
    internal async Task RunReceiveAsync(Func<FeedConnection, ReadOnlyMemory<byte>, Task> onMessage, Action<FeedConnection> onPing)
    {
        var buffer = new byte[Math.Min(4 * 1024, _options.MaxClientMessageBytes)];
        using var watchdog = new Timer(
            _ =>
            {
                if (Environment.TickCount64 - Volatile.Read(ref _lastHeardTicks) > (long)_options.IdleTimeout.TotalMilliseconds)
                {
                    Close((WebSocketCloseStatus)IdleCloseCode, $"idle: nothing received for {_options.IdleTimeout.TotalSeconds:0.###} s (send PING)");
                }
            },
            null,
            TimeSpan.FromMilliseconds(Math.Max(50, _options.IdleTimeout.TotalMilliseconds / 4)),
            TimeSpan.FromMilliseconds(Math.Max(50, _options.IdleTimeout.TotalMilliseconds / 4)));
        try
        {
            while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= _options.MaxClientMessageBytes)
                        {
                            Close(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {_options.MaxClientMessageBytes} bytes");
                            return;
                        }

                        Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _options.MaxClientMessageBytes));
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close(WebSocketCloseStatus.NormalClosure, string.Empty);
                    return;
                }

                Volatile.Write(ref _lastHeardTicks, Environment.TickCount64);
                if (IsClosing)
                {
                    continue;
                }

                var message = buffer.AsMemory(0, length);
                if (IsPing(message.Span))
                {
                    onPing(this);
                    continue;
                }

                await onMessage(this, message).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            Close(WebSocketCloseStatus.EndpointUnavailable, "connection lost");
        }
    }

    private static bool IsPing(ReadOnlySpan<byte> message)
    {
        var text = message.Trim(" \t\r\n"u8);
        return text.Length == 4 && Ascii.EqualsIgnoreCase(text, "PING"u8);
    }
}
