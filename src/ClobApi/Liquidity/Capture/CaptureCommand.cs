using System.Globalization;
using Polysim.ClobApi.Liquidity.Mirror;

namespace Polysim.ClobApi.Liquidity.Capture;

/// <summary>Parsed arguments of the <c>capture</c> command.</summary>
/// <param name="Url">Market-channel WebSocket URL.</param>
/// <param name="Assets">Token ids, in pairs YES,NO (Gamma's <c>clobTokenIds</c> order).</param>
/// <param name="Out">Capture file.</param>
/// <param name="Seconds">How long to record (null: until Ctrl+C).</param>
public sealed record CaptureArguments(Uri Url, IReadOnlyList<string> Assets, string Out, double? Seconds);

/// <summary>Totals of a capture run.</summary>
/// <param name="Frames">Frames recorded.</param>
/// <param name="Lines">Lines written (frames and meta).</param>
/// <param name="Reconnects">Reconnects during the run.</param>
public sealed record CaptureResult(long Frames, long Lines, long Reconnects);

/// <summary><c>dotnet run --project src/ClobApi -- capture --url ws://host/ws/market --assets yes,no --out file.ndjson [--seconds N]</c>: records a market WebSocket to a capture file.</summary>
/// <remarks>Works against any server speaking Polymarket's market-channel protocol: Polysim's own <c>/ws/market</c> or Polymarket's.</remarks>
public static class CaptureCommand
{
    /// <summary>Usage line.</summary>
    public const string Usage = "usage: capture --url ws://host/ws/market --assets <yesId,noId[,yesId,noId…]> --out file.ndjson [--seconds N]";

    /// <summary>Parses the arguments after <c>capture</c>; null (with a message on <paramref name="error"/>) when invalid.</summary>
    public static CaptureArguments? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        string? url = null, assets = null, output = null, seconds = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--url": url = value; i++; break;
                case "--assets": assets = value; i++; break;
                case "--out": output = value; i++; break;
                case "--seconds": seconds = value; i++; break;
                default:
                    error.WriteLine($"unknown argument '{args[i]}'");
                    error.WriteLine(Usage);
                    return null;
            }
        }

        var tokens = assets?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss") || tokens.Length == 0 || output is null)
        {
            error.WriteLine(Usage);
            return null;
        }

        double? duration = null;
        if (seconds is not null)
        {
            if (!double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || s <= 0)
            {
                error.WriteLine("--seconds must be a positive number");
                return null;
            }

            duration = s;
        }

        return new CaptureArguments(uri, tokens, output, duration);
    }

    /// <summary>Entry point of the command: records until <c>--seconds</c> elapse or Ctrl+C; returns the exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = Parse(args, Console.Error);
        if (parsed is null)
        {
            return 2;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        var result = await CaptureAsync(parsed, cts.Token);
        await Console.Out.WriteLineAsync($"captured {result.Frames} frames ({result.Lines} lines, {result.Reconnects} reconnects) to {parsed.Out}");
        return 0;
    }

    /// <summary>Records until the duration elapses or <paramref name="ct"/> is cancelled.</summary>
    public static async Task<CaptureResult> CaptureAsync(CaptureArguments args, CancellationToken ct, TimeProvider? time = null, MarketStreamOptions? streamOptions = null)
    {
        time ??= TimeProvider.System;
        var pairs = new List<MirrorTokenPair>();
        for (var i = 0; i + 1 < args.Assets.Count; i += 2)
        {
            pairs.Add(new MirrorTokenPair(string.Empty, args.Assets[i], args.Assets[i + 1]));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (args.Seconds is { } seconds)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        using var writer = CaptureWriter.Create(args.Out);
        var options = (streamOptions ?? new MarketStreamOptions { Url = args.Url }) with { Url = args.Url };
        await using var stream = new MarketStream(options, args.Assets, time);
        stream.Start(stop.Token);
        long frames = 0;
        try
        {
            await foreach (var item in stream.Items.ReadAllAsync(stop.Token))
            {
                switch (item.Kind)
                {
                    case StreamItemKind.Subscribed:
                        // Pairs whose tokens are on this connection (a lone token has no partner to mirror with).
                        var mine = pairs.Where(p => item.Assets.Contains(p.YesTokenId) || item.Assets.Contains(p.NoTokenId)).ToList();
                        writer.WriteMeta(item.Conn, item.RecvNs, item.Reconnect ? CaptureMeta.Reconnect : CaptureMeta.Subscribe, item.Assets, mine);
                        break;
                    case StreamItemKind.Disconnected:
                        writer.WriteMeta(item.Conn, item.RecvNs, CaptureMeta.Disconnect, reason: item.Reason);
                        break;
                    case StreamItemKind.Frame:
                        writer.WriteFrame(item.Conn, item.RecvNs, item.Frame);
                        frames++;
                        break;
                }

                // Flush whenever the backlog is drained: a reader of the live file sees every frame received so far.
                if (!stream.Items.TryPeek(out _))
                {
                    writer.Flush();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        writer.Flush();
        return new CaptureResult(frames, writer.Lines, stream.Reconnects);
    }
}
