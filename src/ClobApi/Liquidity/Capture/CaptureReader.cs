using System.Text;
using System.Text.Json;
using Polysim.ClobApi.Liquidity.Mirror;

namespace Polysim.ClobApi.Liquidity.Capture;

/// <summary>Reads a capture written by <see cref="CaptureWriter"/> back as canonical <see cref="ReplayEvent"/>s, in file order.</summary>
/// <remarks>
/// Frames go through <see cref="PolymarketMarketFrames"/>. A <c>disconnect</c> or <c>reconnect</c> meta line becomes a
/// <see cref="ReplayEventKind.Gap"/> for every market seen on that connection (once per outage: a reconnect right after a
/// disconnect does not repeat it). Without a parser given, the markets are taken from the <c>markets</c> of the
/// subscribe lines.
/// </remarks>
public sealed class CaptureReader
{
    private readonly Dictionary<int, SortedSet<string>> _conditionsByConn = [];
    private readonly HashSet<int> _gapOpen = [];

    /// <summary>A reader; <paramref name="parser"/> null learns the markets from the capture itself.</summary>
    public CaptureReader(PolymarketMarketFrames? parser = null) => Parser = parser ?? new PolymarketMarketFrames([]);

    /// <summary>The frame parser (its counters tell how many events were skipped).</summary>
    public PolymarketMarketFrames Parser { get; }

    /// <summary>Lines that were neither a frame nor a meta line, or held a frame that could not be parsed.</summary>
    public long BadLines { get; private set; }

    /// <summary>Reads every event of a capture file.</summary>
    public static IEnumerable<ReplayEvent> ReadFile(string path, PolymarketMarketFrames? parser = null) =>
        new CaptureReader(parser).Read(path);

    /// <summary>Reads every event of a capture file.</summary>
    public IEnumerable<ReplayEvent> Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        foreach (var e in Read(reader))
        {
            yield return e;
        }
    }

    /// <summary>Reads every event of a capture, line by line.</summary>
    public IEnumerable<ReplayEvent> Read(TextReader reader)
    {
        var output = new List<ReplayEvent>();
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            output.Clear();
            ReadLine(line, output);
            foreach (var e in output)
            {
                yield return e;
            }
        }
    }

    private void ReadLine(string line, List<ReplayEvent> output)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            BadLines++;
            return;
        }

        using (doc)
        {
            var root = doc.RootElement;
            var recvNs = root.TryGetProperty("recv_ns", out var r) ? r.GetInt64() : 0;
            var conn = root.TryGetProperty("conn", out var c) ? c.GetInt32() : 0;
            if (root.TryGetProperty("frame", out var frame))
            {
                var before = output.Count;
                try
                {
                    Parser.Parse(frame, recvNs, output);
                }
                catch (FormatException)
                {
                    BadLines++;
                    return;
                }

                for (var i = before; i < output.Count; i++)
                {
                    if (output[i].ConditionId.Length > 0)
                    {
                        Conditions(conn).Add(output[i].ConditionId);
                    }
                }

                if (output.Count > before)
                {
                    _gapOpen.Remove(conn);
                }

                return;
            }

            if (!root.TryGetProperty("meta", out var metaElement))
            {
                // A non-JSON frame (recorded under "text") carries no event.
                if (!root.TryGetProperty("text", out _))
                {
                    BadLines++;
                }

                return;
            }

            var meta = metaElement.GetString();
            if (root.TryGetProperty("markets", out var markets) && markets.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in markets.EnumerateArray())
                {
                    var pair = new MirrorTokenPair(m.GetProperty("condition_id").GetString() ?? string.Empty, m.GetProperty("yes").GetString()!, m.GetProperty("no").GetString()!);
                    Parser.Add(pair);
                    if (pair.ConditionId.Length > 0)
                    {
                        Conditions(conn).Add(pair.ConditionId);
                    }
                }
            }

            if (meta is CaptureMeta.Disconnect or CaptureMeta.Reconnect && _gapOpen.Add(conn))
            {
                var reason = root.TryGetProperty("reason", out var why) ? why.GetString() : null;
                foreach (var condition in Conditions(conn))
                {
                    output.Add(Parser.Gap(condition, recvNs, reason is null ? meta : $"{meta}: {reason}"));
                }
            }
        }
    }

    private SortedSet<string> Conditions(int conn)
    {
        if (!_conditionsByConn.TryGetValue(conn, out var set))
        {
            set = new SortedSet<string>(StringComparer.Ordinal);
            _conditionsByConn[conn] = set;
        }

        return set;
    }
}
