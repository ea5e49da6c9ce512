using Polysim.ClobApi.Api.Markets;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.ClobApi.Liquidity.External;
using Polysim.ClobApi.Liquidity.Mirror;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.Hosting;

/// <summary>Starts the live Polymarket mirror when <c>Polysim:Mirror:Enabled</c> is true: lists each mirrored market under its
/// real ids and lets <see cref="LiquidityService"/> feed the mirror's events to the market's external book.</summary>
/// <remarks>Discovery, seeding and the WebSocket run on the thread pool, never on the engine thread, and after the server
/// has started (a slow or unreachable Gamma delays nothing). A mirror that cannot start is logged; the server runs on
/// without those markets.</remarks>
public sealed class MirrorHostedService(
    MirrorOptions options,
    EngineHost host,
    LiquidityService liquidity,
    ILogger<MirrorHostedService> log) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private Task _run = Task.CompletedTask;
    private LiveMirror? _mirror;
    private int _disposed;

    /// <summary>The running mirror, once started (null when off or when it failed).</summary>
    public LiveMirror? Mirror => Volatile.Read(ref _mirror);

    /// <summary>Completes when the start attempt is over (markets listed, or the failure logged).</summary>
    public Task Started => _run;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Enabled)
        {
            _run = Task.Run(() => RunAsync(_cts.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        await _cts.CancelAsync();
        await _run;
        if (Interlocked.Exchange(ref _mirror, null) is { } mirror)
        {
            await mirror.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Registered both as itself and as a hosted service through a factory, so the container may dispose it twice.
        await StopAsync(CancellationToken.None);
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _cts.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        LiveMirror mirror;
        try
        {
            // The network side runs on real time whatever the host's clock: pings, stalls and rate limits are Polymarket's.
            mirror = await LiveMirror.StartAsync(options, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.LogError(ex, "Mirror: could not start (Gamma {Gamma}, CLOB {Clob}); no market is mirrored.", options.GammaUrl, options.ClobUrl);
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Volatile.Write(ref _mirror, mirror);
        if (mirror.Markets.Count == 0)
        {
            log.LogWarning("Mirror: no open order-book market matched Polysim:Mirror:Markets / Search.");
            return;
        }

        var feed = new MirrorFeed(mirror.Events);
        while (!host.IsReady && !ct.IsCancellationRequested)
        {
            await Task.Delay(50, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        try
        {
            var listed = await host.WriteAsync(ctx =>
            {
                var count = 0;
                foreach (var info in mirror.Markets)
                {
                    try
                    {
                        var market = MarketListing.ListWithIds(ctx, Spec(info), info.ConditionId, info.YesTokenId, info.NoTokenId, info.Slug);
                        var options = ctx.State.Liquidity.Of(market.MarketId) is { Kind: LiquidityKind.Mirror } config
                            ? LiquiditySourceFactory.ExternalOptions(config)
                            : new ExternalLiquidityOptions();
                        liquidity.AttachMirror(ctx, market, () => new MirrorSource(market.MarketId, info.ConditionId, feed, new ExternalLiquidity(market.MarketId, options)));
                        count++;
                    }
                    catch (ApiException ex)
                    {
                        log.LogWarning("Mirror: market {Condition} ({Question}) cannot be listed: {Reason}", info.ConditionId, info.Question, ex.Message);
                    }
                }

                return count;
            });
            log.LogInformation("Mirror: {Count} Polymarket market(s) mirrored.", listed);
        }
        catch (Exception ex) when (ex is EngineUnavailableException or OperationCanceledException)
        {
            log.LogWarning("Mirror: the engine stopped before the mirrored markets were listed: {Reason}", ex.Message);
        }
    }

    private static MarketSpec Spec(MirrorMarketInfo info)
    {
        if (!Units.IsValidTick(info.TickSize))
        {
            throw ApiException.Validation($"tick {info.TickSize} is not a Polysim tick.", "tick_size");
        }

        var question = info.Question.Length <= MarketListing.MaxQuestionLength ? info.Question : info.Question[..MarketListing.MaxQuestionLength];
        return new MarketSpec(question, new MarketParameters(info.TickSize, Math.Max(info.MinSize, 1), info.NegRisk, 0, 0, false));
    }
}
