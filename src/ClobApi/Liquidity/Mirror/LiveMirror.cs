using System.Text.Json;
using System.Threading.Channels;
using Polysim.ClobApi.Liquidity.Capture;

namespace Polysim.ClobApi.Liquidity.Mirror;

/// <summary>Counters of a running <see cref="LiveMirror"/>.</summary>
/// <param name="Frames">WebSocket data frames received.</param>
/// <param name="Events">Canonical events emitted.</param>
/// <param name="Gaps">Gap events emitted.</param>
/// <param name="Reconnects">WebSocket reconnects.</param>
/// <param name="Stalls">Connections dropped as stalled.</param>
/// <param name="Reseeds">REST reseeds after reconnects (one <c>POST /books</c> per reconnect).</param>
/// <param name="RestRequests">REST requests sent (discovery, seeding, reseeds).</param>
/// <param name="BadFrames">Frames that could not be parsed.</param>
public sealed record MirrorStats(long Frames, long Events, long Gaps, long Reconnects, long Stalls, long Reseeds, long RestRequests, long BadFrames);

/// <summary>The live mirror of Polymarket's public books: discovery (Gamma), seeding (CLOB REST), streaming (market WebSocket), as canonical events.</summary>
/// <remarks>
/// Read-only: it never sends an order to Polymarket. Events come out of <see cref="Events"/> in arrival order (per market and
/// overall), already in YES terms. Every disconnect emits a <see cref="ReplayEventKind.Gap"/> for the markets of that
/// connection; every reconnect triggers exactly one REST reseed (<c>POST /books</c> of that connection's YES tokens), whose
/// snapshots follow in the stream. All REST calls share a per-host token bucket at
/// <see cref="MirrorOptions.RateBudgetFraction"/> of the published limits. The reseed runs inline, so frames that arrive
/// meanwhile wait (they are not lost) and come after the snapshot.
/// </remarks>
public sealed class LiveMirror : IAsyncDisposable
{
    private readonly Channel<ReplayEvent> _events = Channel.CreateUnbounded<ReplayEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly HttpClient _http;
    private readonly ClobBookClient _clob;
    private readonly GammaClient _gamma;
    private readonly MarketStream _stream;
    private readonly PolymarketMarketFrames _parser;
    private readonly CaptureWriter? _capture;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _cts;
    private readonly Dictionary<string, MirrorMarketInfo> _byToken = new(StringComparer.Ordinal);
    private Task _pump = Task.CompletedTask;
    private long _frames, _emitted, _gaps, _reseeds, _badFrames;

    private LiveMirror(MirrorOptions options, IReadOnlyList<MirrorMarketInfo> markets, HttpClient http, GammaClient gamma, RequestRateLimiter limiter, TimeProvider time, CancellationToken ct)
    {
        Options = options;
        Markets = markets;
        Limiter = limiter;
        _http = http;
        _gamma = gamma;
        _time = time;
        _clob = new ClobBookClient(http, options.ClobUrl);
        _parser = new PolymarketMarketFrames(markets.Select(m => m.Tokens));
        foreach (var m in markets)
        {
            _byToken[m.YesTokenId] = m;
            _byToken[m.NoTokenId] = m;
        }

        _capture = options.RecordTo is null ? null : CaptureWriter.Create(options.RecordTo);
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _stream = new MarketStream(
            new MarketStreamOptions
            {
                Url = options.WsUrl,
                MaxAssetsPerConnection = options.MaxAssetsPerConnection,
                PingInterval = options.PingInterval,
                StallAfter = options.StallAfter,
                BusyFrames = options.BusyFrames,
                ReconnectDelay = options.ReconnectDelay,
            },
            [.. markets.SelectMany(m => new[] { m.YesTokenId, m.NoTokenId })],
            time);
    }

    /// <summary>The settings in use.</summary>
    public MirrorOptions Options { get; }

    /// <summary>The markets found and mirrored.</summary>
    public IReadOnlyList<MirrorMarketInfo> Markets { get; }

    /// <summary>Canonical events, in arrival order.</summary>
    public ChannelReader<ReplayEvent> Events => _events.Reader;

    /// <summary>The REST limiter (shared by discovery, seeding and reseeds).</summary>
    public RequestRateLimiter Limiter { get; }

    /// <summary>Counters so far.</summary>
    public MirrorStats Stats => new(
        Interlocked.Read(ref _frames), Interlocked.Read(ref _emitted), Interlocked.Read(ref _gaps), _stream.Reconnects, _stream.Stalls,
        Interlocked.Read(ref _reseeds), _gamma.Requests + _clob.Requests, Interlocked.Read(ref _badFrames));

    /// <summary>Discovers the markets, seeds their books over REST, and starts streaming.</summary>
    /// <param name="options">Settings (base URLs point at a fake in tests).</param>
    /// <param name="ct">Stops the mirror.</param>
    /// <param name="time">Clock for the limiter, pings and stall detection (default: system).</param>
    /// <param name="transport">HTTP transport under the limiter (default: a new SocketsHttpHandler).</param>
    /// <returns>The running mirror; <see cref="Markets"/> may be empty when nothing matched.</returns>
    public static async Task<LiveMirror> StartAsync(MirrorOptions options, CancellationToken ct, TimeProvider? time = null, HttpMessageHandler? transport = null)
    {
        time ??= TimeProvider.System;
        var limiter = new RequestRateLimiter(time, options.RateBudgetFraction);
        limiter.Register(options.GammaUrl, PolymarketApi.Gamma);
        limiter.Register(options.ClobUrl, PolymarketApi.Clob);
        var http = new HttpClient(new RateLimitedHandler(limiter, transport ?? new SocketsHttpHandler())) { Timeout = Timeout.InfiniteTimeSpan };
        var gamma = new GammaClient(http, options.GammaUrl);
        var markets = new List<MirrorMarketInfo>();
        void AddAll(IEnumerable<MirrorMarketInfo> found)
        {
            foreach (var m in found)
            {
                if (!markets.Exists(x => x.ConditionId == m.ConditionId))
                {
                    markets.Add(m);
                }
            }
        }

        var ids = options.Markets.Where(MirrorOptions.IsConditionId).ToList();
        var slugs = options.Markets.Where(m => !MirrorOptions.IsConditionId(m)).ToList();
        if (ids.Count > 0)
        {
            AddAll(await gamma.MarketsByConditionIdsAsync(ids, ct));
        }

        if (slugs.Count > 0)
        {
            AddAll(await gamma.MarketsBySlugsAsync(slugs, ct));
        }

        if (options.Search is { } search)
        {
            AddAll(await gamma.SearchAsync(search, options.SearchLimit, ct));
        }

        var mirror = new LiveMirror(options, markets, http, gamma, limiter, time, ct);
        if (markets.Count > 0)
        {
            await mirror.SeedAsync(markets, ct);
            mirror._stream.Start(mirror._cts.Token);
            mirror._pump = Task.Run(() => mirror.PumpAsync(mirror._cts.Token), CancellationToken.None);
        }
        else
        {
            mirror._events.Writer.TryComplete();
        }

        return mirror;
    }

    private long NowNs() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    private void Emit(ReplayEvent e)
    {
        if (e.Kind == ReplayEventKind.Gap)
        {
            Interlocked.Increment(ref _gaps);
        }

        Interlocked.Increment(ref _emitted);
        _events.Writer.TryWrite(e);
    }

    private async Task SeedAsync(IReadOnlyList<MirrorMarketInfo> markets, CancellationToken ct)
    {
        // The YES book is the whole book (NO is its mirror), so half the tokens suffice.
        var books = await _clob.GetBooksAsync([.. markets.Select(m => m.YesTokenId)], ct);
        var now = NowNs();
        foreach (var book in books)
        {
            if (_parser.ParseBook(book, now) is { } snapshot)
            {
                Emit(snapshot);
            }
        }
    }

    private async Task PumpAsync(CancellationToken ct)
    {
        var gapOpen = new HashSet<int>();
        try
        {
            await foreach (var item in _stream.Items.ReadAllAsync(ct))
            {
                var markets = item.Assets.Select(a => _byToken.GetValueOrDefault(a)).OfType<MirrorMarketInfo>().Distinct().ToList();
                switch (item.Kind)
                {
                    case StreamItemKind.Subscribed:
                        _capture?.WriteMeta(item.Conn, item.RecvNs, item.Reconnect ? CaptureMeta.Reconnect : CaptureMeta.Subscribe, item.Assets, [.. markets.Select(m => m.Tokens)]);
                        if (item.Reconnect)
                        {
                            if (gapOpen.Add(item.Conn))
                            {
                                EmitGaps(markets, item.RecvNs, "reconnect");
                            }

                            await ReseedAsync(markets, ct);
                        }

                        break;
                    case StreamItemKind.Disconnected:
                        _capture?.WriteMeta(item.Conn, item.RecvNs, CaptureMeta.Disconnect, reason: item.Reason);
                        if (gapOpen.Add(item.Conn))
                        {
                            EmitGaps(markets, item.RecvNs, "disconnect: " + item.Reason);
                        }

                        break;
                    case StreamItemKind.Frame:
                        Interlocked.Increment(ref _frames);
                        _capture?.WriteFrame(item.Conn, item.RecvNs, item.Frame);
                        try
                        {
                            _parser.Parse(item.Frame, item.RecvNs).ForEach(Emit);
                            gapOpen.Remove(item.Conn);
                        }
                        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
                        {
                            Interlocked.Increment(ref _badFrames);
                        }

                        break;
                }

                if (_capture is not null && !_stream.Items.TryPeek(out _))
                {
                    _capture.Flush();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    private void EmitGaps(IEnumerable<MirrorMarketInfo> markets, long recvNs, string reason)
    {
        foreach (var m in markets)
        {
            Emit(_parser.Gap(m.ConditionId, recvNs, reason));
        }
    }

    private async Task ReseedAsync(IReadOnlyList<MirrorMarketInfo> markets, CancellationToken ct)
    {
        Interlocked.Increment(ref _reseeds);
        try
        {
            await SeedAsync(markets, ct);
        }
        catch (HttpRequestException)
        {
            // The WebSocket's own book dump after the re-subscribe still rebuilds the book; the gap stays declared until then.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await _stream.DisposeAsync();
        await _pump.ContinueWith(_ => { }, TaskScheduler.Default);
        _capture?.Dispose();
        _http.Dispose();
        _cts.Dispose();
    }
}
