using System.Text;
using System.Text.Json;
using Polysim.ClobApi.Liquidity.Mirror;

namespace Polysim.ClobApi.Liquidity.Capture;

/// <summary>Kinds of meta line in a capture.</summary>
public static class CaptureMeta
{
    /// <summary>A connection opened and subscribed for the first time.</summary>
    public const string Subscribe = "subscribe";

    /// <summary>A connection opened again after a disconnect and re-subscribed: frames were missed.</summary>
    public const string Reconnect = "reconnect";

    /// <summary>A connection was lost (closed, failed or declared stalled).</summary>
    public const string Disconnect = "disconnect";
}

/// <summary>Writes a market-WebSocket capture: NDJSON, one line per frame <c>{"recv_ns","conn","frame":raw}</c>, plus meta lines for subscribes and reconnects.</summary>
/// <remarks>The frame is embedded verbatim (no re-encoding), so a capture replays the exact bytes Polymarket or Polysim sent.
/// Thread-safe: several connections may write; lines are never interleaved.</remarks>
public sealed class CaptureWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly Lock _lock = new();
    private readonly Utf8JsonWriter _json;

    /// <summary>A writer over an open stream.</summary>
    public CaptureWriter(Stream stream, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _json = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = false });
    }

    /// <summary>Lines written.</summary>
    public long Lines { get; private set; }

    /// <summary>Creates (or truncates) a capture file.</summary>
    public static CaptureWriter Create(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        return new CaptureWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16));
    }

    /// <summary>Records one frame as received; a frame that is not JSON is recorded under <c>text</c> (readers skip it).</summary>
    public void WriteFrame(int conn, long recvNs, ReadOnlySpan<byte> utf8Frame)
    {
        var valid = IsJson(utf8Frame);
        lock (_lock)
        {
            _json.Reset(_stream);
            _json.WriteStartObject();
            _json.WriteNumber("recv_ns", recvNs);
            _json.WriteNumber("conn", conn);
            if (valid)
            {
                _json.WritePropertyName("frame");
                _json.WriteRawValue(utf8Frame, skipInputValidation: true);
            }
            else
            {
                _json.WriteString("text", Encoding.UTF8.GetString(utf8Frame));
            }

            EndLine();
        }
    }

    /// <summary>Records a meta line (<see cref="CaptureMeta"/>): the assets and markets of the connection, and why it ended.</summary>
    public void WriteMeta(int conn, long recvNs, string meta, IReadOnlyList<string>? assets = null, IReadOnlyList<MirrorTokenPair>? markets = null, string? reason = null)
    {
        lock (_lock)
        {
            _json.Reset(_stream);
            _json.WriteStartObject();
            _json.WriteNumber("recv_ns", recvNs);
            _json.WriteNumber("conn", conn);
            _json.WriteString("meta", meta);
            if (assets is not null)
            {
                _json.WriteStartArray("assets");
                foreach (var a in assets)
                {
                    _json.WriteStringValue(a);
                }

                _json.WriteEndArray();
            }

            if (markets is not null)
            {
                _json.WriteStartArray("markets");
                foreach (var m in markets)
                {
                    _json.WriteStartObject();
                    _json.WriteString("condition_id", m.ConditionId);
                    _json.WriteString("yes", m.YesTokenId);
                    _json.WriteString("no", m.NoTokenId);
                    _json.WriteEndObject();
                }

                _json.WriteEndArray();
            }

            if (reason is not null)
            {
                _json.WriteString("reason", reason);
            }

            EndLine();
        }
    }

    /// <summary>Pushes buffered lines to the file.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            _stream.Flush();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _json.Dispose();
            _stream.Flush();
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }

    private void EndLine()
    {
        _json.WriteEndObject();
        _json.Flush();
        _stream.WriteByte((byte)'\n');
        Lines++;
    }

    private static bool IsJson(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
