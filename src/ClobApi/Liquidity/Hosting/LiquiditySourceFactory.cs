using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.ClobApi.Liquidity.Capture;
using Polysim.ClobApi.Liquidity.External;
using Polysim.ClobApi.Liquidity.Mirror;
using Polysim.ClobApi.Liquidity.Recordings;
using Polysim.ClobApi.Liquidity.Replay;
using Polysim.ClobApi.Liquidity.Synthetic;

namespace Polysim.ClobApi.Liquidity.Hosting;

/// <summary>Builds the source a market's configuration asks for; the seam between the host and the concrete sources.</summary>
public interface ILiquiditySourceFactory
{
    /// <summary>Refuses, in the /v1 error contract, a configuration this build cannot run on <paramref name="market"/>; changes nothing.</summary>
    void Validate(LiquidityConfigured config, MarketListed market, HostState state);

    /// <summary>Reads a replay's recording into memory, off the engine thread (the engine thread never waits for a disk).</summary>
    /// <exception cref="ApiException">The recording cannot be read.</exception>
    IReadOnlyList<ReplayEvent> LoadRecording(LiquidityConfigured config, string dataDirectory);

    /// <summary>Creates the source (on the engine thread; it may open the system accounts it trades for through <paramref name="venue"/>).</summary>
    /// <param name="config">A configuration <see cref="Validate"/> accepted.</param>
    /// <param name="seed">The seed of this run, derived from the configured seed and the engine sequence.</param>
    /// <param name="market">The market.</param>
    /// <param name="venue">Where the source will act.</param>
    /// <param name="recording">A replay's events, from <see cref="LoadRecording"/>.</param>
    ILiquiditySource Create(LiquidityConfigured config, long seed, MarketListed market, IMarketVenue venue, IReadOnlyList<ReplayEvent>? recording);
}

/// <summary>The sources of this build: synthetic flow, and replays of PMXT archives, WebSocket captures and Data API trades
/// into the external-book participant.</summary>
public sealed class LiquiditySourceFactory : ILiquiditySourceFactory
{
    /// <summary>Most events a recording may hold (it is kept in memory while it replays).</summary>
    public const int MaxRecordingEvents = 5_000_000;

    /// <inheritdoc />
    public void Validate(LiquidityConfigured config, MarketListed market, HostState state)
    {
        switch (config.Kind)
        {
            case LiquidityKind.None:
                return;
            case LiquidityKind.Synthetic:
                if (!LiquidityOptions.Presets.Contains(config.Preset) || !LiquidityOptions.FairProcesses.Contains(config.Fair))
                {
                    throw ApiException.Validation($"Unknown synthetic preset '{config.Preset}' or fair process '{config.Fair}'.", "preset");
                }

                return;
            case LiquidityKind.Replay:
                _ = ExternalOptions(config);
                if (string.IsNullOrEmpty(config.RecordingPath) || string.IsNullOrEmpty(config.SourceConditionId))
                {
                    throw ApiException.Validation("A replay needs a recording path and the recorded market's condition id.", "source_condition_id");
                }

                return;
            default:
                throw new ApiException(400, "INVALID_LIQUIDITY", "The live mirror is switched on through the Polysim:Mirror settings at start, not per market.");
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ReplayEvent> LoadRecording(LiquidityConfigured config, string dataDirectory)
    {
        var path = Path.GetFullPath(Path.Combine(dataDirectory, config.RecordingPath ?? string.Empty));
        var condition = config.SourceConditionId ?? string.Empty;
        try
        {
            IEnumerable<ReplayEvent> events = config.RecordingFormat switch
            {
                "pmxt-v1" or "pmxt-v2" => Directory.Exists(path)
                    ? new PmxtReader(path).Read(new PmxtMarket(condition, config.SourceYesTokenId, config.SourceNoTokenId))
                    : throw new ApiException(400, "INVALID_PATH", "A PMXT recording is a directory of hourly Parquet files."),
                "ws-capture" => File.Exists(path)
                    ? CaptureReader.ReadFile(path, new PolymarketMarketFrames(Pairs(config)))
                    : throw new ApiException(400, "INVALID_PATH", "A WebSocket capture is one NDJSON file."),
                "data-api-trades" => Directory.Exists(path)
                    ? DataApiTrades.ReadDirectory(path, condition, config.SourceYesTokenId)
                    : DataApiTrades.Parse([File.ReadAllText(path)], condition, config.SourceYesTokenId),
                _ => throw ApiException.Validation($"format '{config.RecordingFormat}' is not available in this build.", "format"),
            };
            var list = new List<ReplayEvent>();
            foreach (var e in events)
            {
                if (list.Count >= MaxRecordingEvents)
                {
                    throw new ApiException(413, "RECORDING_TOO_LARGE", $"The recording holds more than {MaxRecordingEvents} events of this market; load a shorter span.");
                }

                list.Add(e);
            }

            if (list.Count == 0)
            {
                throw ApiException.Validation($"The recording holds no event of market {condition}.", "source_condition_id");
            }

            return list;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or System.Text.Json.JsonException or NotSupportedException)
        {
            throw new ApiException(400, "INVALID_RECORDING", $"The recording cannot be read as {config.RecordingFormat}: {ex.Message}");
        }
    }

    /// <inheritdoc />
    public ILiquiditySource Create(LiquidityConfigured config, long seed, MarketListed market, IMarketVenue venue, IReadOnlyList<ReplayEvent>? recording)
    {
        switch (config.Kind)
        {
            case LiquidityKind.Synthetic:
                var scenario = SyntheticScenario.Preset(config.Preset, config.Fair) with { P0 = StartProbability(config, venue.Engine.GetMarket(market.MarketId)) };
                if (!config.HouseMarketMakers)
                {
                    scenario = scenario.WithoutHouseMarketMakers();
                }

                SyntheticMarket.EnsureAccounts(venue);
                return new SyntheticMarket(market.MarketId, scenario, (ulong)seed);
            case LiquidityKind.Replay when recording is not null:
                // Loaded paused at its start: the operator starts it (or steps it) through the replay routes.
                var external = new ExternalLiquidity(market.MarketId, ExternalOptions(config));
                return new ReplaySource(market.MarketId, recording, VirtualClock.RealTime(), external);
            default:
                throw new InvalidOperationException($"No {config.Kind} source in this build (or its recording is not loaded).");
        }
    }

    /// <summary>Where the hidden fair value starts: the last trade (a restart continues from the market as it is), else the
    /// configured start price, else 0.5; kept off the edges so the first quotes fit the tick grid.</summary>
    internal static double StartProbability(LiquidityConfigured config, MatchingEngine.MarketInfo? market)
    {
        var price = market is { LastTradePrice: > 0 and < MatchingEngine.Units.PriceScale } m ? m.LastTradePrice
            : config.StartPrice ?? (MatchingEngine.Units.PriceScale / 2);
        return Math.Clamp(price / (double)MatchingEngine.Units.PriceScale, 0.02, 0.98);
    }

    /// <summary>The external participant's settings from a configuration's queue model and policy names.</summary>
    internal static ExternalLiquidityOptions ExternalOptions(LiquidityConfigured config)
    {
        var options = new ExternalLiquidityOptions();
        if (config.QueueModel is { Length: > 0 } model)
        {
            options = QueueModel.TryParse(model, out var parsed)
                ? options with { QueueModel = parsed }
                : throw ApiException.Validation($"queue_model '{model}' is not a known queue model.", "queue_model");
        }

        if (config.Policy is { Length: > 0 } policy)
        {
            options = options with
            {
                Policy = policy.Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant() switch
                {
                    "estimated" => ExternalFillPolicy.Estimated,
                    "externalfirst" => ExternalFillPolicy.ExternalFirst,
                    "internalfirst" => ExternalFillPolicy.InternalFirst,
                    _ => throw ApiException.Validation($"policy must be estimated, external-first or internal-first; got '{policy}'.", "policy"),
                },
            };
        }

        return options;
    }

    private static MirrorTokenPair[] Pairs(LiquidityConfigured config) =>
        config.SourceYesTokenId is { } yes && config.SourceNoTokenId is { } no
            ? [new MirrorTokenPair(config.SourceConditionId!, yes, no)]
            : [];
}
