using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Liquidity.Hosting;

/// <summary>Request of <c>PUT /v1/admin/markets/{id}/liquidity</c>; fields left out keep the market's current choice (or the configured defaults).</summary>
/// <param name="Kind">synthetic (default) or off.</param>
/// <param name="Preset">active, typical or thin.</param>
/// <param name="Fair">calm or demo.</param>
/// <param name="Seed">Non-negative integer.</param>
/// <param name="HouseMarketMakers">Whether the house market makers quote.</param>
public sealed record SetLiquidityRequest(string? Kind, string? Preset, string? Fair, JsonElement? Seed, bool? HouseMarketMakers);

/// <summary>Reply of <c>GET /v1/admin/liquidity</c>.</summary>
/// <param name="Enabled">Whether sources run at all (<c>Polysim:Liquidity:Enabled</c>).</param>
/// <param name="TimeScale">Virtual seconds per host second of the synthetic flow.</param>
/// <param name="Data">Every listed market, in listing order.</param>
public sealed record LiquidityListReply(bool Enabled, double TimeScale, IReadOnlyList<LiquidityStatus> Data);

/// <summary>Request of <c>POST /v1/admin/markets/{id}/replay</c>.</summary>
/// <param name="Path">The recording: a file or directory under the data directory (relative to it, or absolute inside it).</param>
/// <param name="Format">pmxt-v1, pmxt-v2, ws-capture or data-api-trades.</param>
/// <param name="SourceConditionId">The recorded Polymarket market's condition id.</param>
/// <param name="SourceYesTokenId">Its YES token id (PMXT v2 hours and captures need it).</param>
/// <param name="SourceNoTokenId">Its NO token id (captures).</param>
/// <param name="QueueModel">Queue model of user orders behind external size: RiskAdverse, Power(2), Log, Power2(n), Log2, Power3(n).</param>
/// <param name="Policy">estimated (default), external-first or internal-first.</param>
public sealed record LoadReplayRequest(
    string? Path, string? Format, string? SourceConditionId, string? SourceYesTokenId, string? SourceNoTokenId, string? QueueModel, string? Policy);

/// <summary>Body of the replay control routes (each route reads what it needs).</summary>
/// <param name="Seconds">step: data seconds to move forward.</param>
/// <param name="Events">step: events to deliver.</param>
/// <param name="Time">run-until: data time, ISO 8601 or Unix ms.</param>
/// <param name="Mode">speed: realtime, scaled, stepped or max.</param>
/// <param name="Speed">speed: data seconds per host second (scaled).</param>
public sealed record ReplayControlRequest(JsonElement? Seconds, int? Events, JsonElement? Time, string? Mode, double? Speed);

/// <summary>Source-generated JSON of the liquidity operator routes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(SetLiquidityRequest))]
[JsonSerializable(typeof(LiquidityStatus))]
[JsonSerializable(typeof(LiquidityListReply))]
[JsonSerializable(typeof(LoadReplayRequest))]
[JsonSerializable(typeof(ReplayControlRequest))]
internal sealed partial class LiquidityJson : JsonSerializerContext;

/// <summary>Operator routes of the liquidity sources: list, set per market, replay control.</summary>
public static class LiquidityEndpoints
{
    /// <summary>Recording formats the replay route knows by name.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["pmxt-v1", "pmxt-v2", "ws-capture", "data-api-trades"];

    /// <summary>Maps the routes of this area (behind the operator key).</summary>
    public static void MapLiquidity(this WebApplication app)
    {
        var admin = app.MapGroup("/v1/admin").AddEndpointFilter(AdminAccountsEndpoints.RequireAdmin).WithTags("Operator");
        admin.MapGet("/liquidity", List)
            .Produces<LiquidityListReply>()
            .WithSummary("Every market's liquidity source: kind, preset, state, counters, clock, replay position and freshness.");
        admin.MapGet("/markets/{id}/liquidity", Get)
            .Produces<LiquidityStatus>()
            .WithSummary("One market's liquidity source (id: condition id or engine market id).");
        admin.MapPut("/markets/{id}/liquidity", Set)
            .Accepts<SetLiquidityRequest>("application/json")
            .Produces<LiquidityStatus>()
            .WithSummary("Run synthetic flow on a market (preset active|typical|thin, fair calm|demo, seed, house market makers on/off) or switch it off.");
        admin.MapPost("/markets/{id}/replay", LoadReplay)
            .Accepts<LoadReplayRequest>("application/json")
            .Produces<LiquidityStatus>()
            .WithSummary("Load a recording (pmxt-v1, pmxt-v2, ws-capture, data-api-trades) of a Polymarket market into a market, idle at its start.");
        foreach (var action in new[] { "start", "pause", "step", "run-until", "speed" })
        {
            admin.MapPost($"/markets/{{id}}/replay/{action}", (HttpContext http, EngineHost host, LiquidityService service, [FromRoute(Name = "id")] string id) =>
                    ReplayControl(http, host, service, id, action))
                .Accepts<ReplayControlRequest>("application/json")
                .Produces<LiquidityStatus>()
                .WithSummary($"Replay control: {action}.");
        }
    }

    private static async Task<IResult> List(EngineHost host, LiquidityService service)
    {
        var data = await host.ReadAsync(service.DescribeAll);
        return JsonReply.Json(new LiquidityListReply(service.Options.Enabled, service.Options.TimeScale, data), LiquidityJson.Default.LiquidityListReply);
    }

    private static async Task<IResult> Get(EngineHost host, LiquidityService service, [FromRoute(Name = "id")] string id)
    {
        var reply = await host.ReadAsync(state => service.Describe(state, Find(state, id)));
        return JsonReply.Json(reply, LiquidityJson.Default.LiquidityStatus);
    }

    private static async Task<IResult> Set(HttpContext http, EngineHost host, LiquidityService service, [FromRoute(Name = "id")] string id)
    {
        var request = await RequestBody.ReadAsync(http, LiquidityJson.Default.SetLiquidityRequest);
        var kind = request.Kind?.Trim().ToLowerInvariant() switch
        {
            null or "" or "synthetic" => LiquidityKind.Synthetic,
            "off" or "none" => LiquidityKind.None,
            "replay" => throw ApiException.Validation("Load a recording with POST /v1/admin/markets/{id}/replay.", "kind"),
            "mirror" => throw ApiException.Validation("The live mirror is switched on through the Polysim:Mirror settings at start.", "kind"),
            var other => throw ApiException.Validation($"kind must be synthetic or off; got '{other}'.", "kind"),
        };
        var preset = Choice(request.Preset, LiquidityOptions.Presets, "preset");
        var fair = Choice(request.Fair, LiquidityOptions.FairProcesses, "fair");
        long? seed = request.Seed is { } seedElement ? ParseSeed(seedElement) : null;
        var defaults = service.Options;
        var reply = await host.WriteAsync(ctx =>
        {
            var market = Find(ctx.State, id);
            var current = ctx.State.Liquidity.Of(market.MarketId);
            var synthetic = current is { Kind: LiquidityKind.Synthetic } ? current : null;
            var config = new LiquidityConfigured(
                market.MarketId,
                kind,
                preset ?? synthetic?.Preset ?? defaults.Preset,
                fair ?? synthetic?.Fair ?? defaults.Fair,
                seed ?? synthetic?.Seed ?? defaults.Seed,
                request.HouseMarketMakers ?? synthetic?.HouseMarketMakers ?? defaults.HouseMarketMakers,
                QueueModel: null,
                Policy: null,
                RecordingPath: null,
                RecordingFormat: null,
                ctx.Now,
                current?.StartPrice);
            return service.Configure(ctx, config);
        });
        return JsonReply.Json(reply, LiquidityJson.Default.LiquidityStatus);
    }

    private static async Task<IResult> LoadReplay(
        HttpContext http, EngineHost host, LiquidityService service, ILiquiditySourceFactory factory, Seeding.DataDirectory data, [FromRoute(Name = "id")] string id)
    {
        var request = await RequestBody.ReadAsync(http, LiquidityJson.Default.LoadReplayRequest);
        var format = request.Format?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(format))
        {
            throw ApiException.Validation("format is required: pmxt-v1, pmxt-v2, ws-capture or data-api-trades.", "format");
        }

        if (!Formats.Contains(format))
        {
            throw ApiException.Validation($"format must be pmxt-v1, pmxt-v2, ws-capture or data-api-trades; got '{format}'.", "format");
        }

        var source = request.SourceConditionId?.Trim();
        if (string.IsNullOrEmpty(source))
        {
            throw ApiException.Validation("source_condition_id is required: the recorded Polymarket market's condition id.", "source_condition_id");
        }

        var relative = ResolveUnderDataDirectory(data.Path, request.Path);
        var market = await host.ReadAsync(state => Find(state, id));
        var config = new LiquidityConfigured(
            market.MarketId, LiquidityKind.Replay, service.Options.Preset, service.Options.Fair, service.Options.Seed, HouseMarketMakers: false,
            request.QueueModel, request.Policy, relative, format, ChangedAtMs: 0, StartPrice: null,
            source, request.SourceYesTokenId?.Trim(), request.SourceNoTokenId?.Trim());
        _ = LiquiditySourceFactory.ExternalOptions(config);
        var recording = await Task.Run(() => factory.LoadRecording(config, data.Path), http.RequestAborted);
        var reply = await host.WriteAsync(ctx => service.Configure(ctx, config with { ChangedAtMs = ctx.Now }, recording));
        return JsonReply.Json(reply, LiquidityJson.Default.LiquidityStatus);
    }

    private static async Task<IResult> ReplayControl(HttpContext http, EngineHost host, LiquidityService service, string id, string action)
    {
        var request = http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0
            ? await RequestBody.ReadAsync(http, LiquidityJson.Default.ReplayControlRequest)
            : new ReplayControlRequest(null, null, null, null, null);
        Action<Replay.ReplaySource, long> control = action switch
        {
            "start" => (r, now) =>
            {
                if (r.State == Replay.ReplayState.Idle)
                {
                    r.Start(now);
                }
                else
                {
                    r.Resume(now);
                }
            }
            ,
            "pause" => (r, now) => Started(r, now).Pause(now),
            "step" => StepControl(request),
            "run-until" => RunUntilControl(request),
            _ => SpeedControl(request),
        };
        var reply = await host.WriteAsync(ctx => service.ControlReplay(ctx, Find(ctx.State, id), control));
        return JsonReply.Json(reply, LiquidityJson.Default.LiquidityStatus);
    }

    /// <summary>Controls other than start act on a replay that has not started by starting it paused at its first event.</summary>
    private static Replay.ReplaySource Started(Replay.ReplaySource replay, long now)
    {
        if (replay.State == Replay.ReplayState.Idle)
        {
            replay.Start(now);
            replay.Pause(now);
        }

        return replay;
    }

    private static Action<Replay.ReplaySource, long> StepControl(ReplayControlRequest request)
    {
        if (request.Events is { } events)
        {
            return events is > 0 and <= 1_000_000
                ? (r, now) => Started(r, now).StepEvents(events, now)
                : throw ApiException.Validation("events must be an integer from 1 to 1000000.", "events");
        }

        if (request.Seconds is not { } secondsElement)
        {
            throw ApiException.Validation("step needs seconds (data time) or events.", "seconds");
        }

        var text = Api.Markets.MarketListing.NumberText(secondsElement, "seconds");
        if (!Money.TryParseScaled(text, 3, out var ms) || ms <= 0 || ms > Api.AdminMarketsEndpoints.MaxAdvanceSeconds * 1_000)
        {
            throw ApiException.Validation($"seconds must be a positive number of data seconds with at most 3 decimals; got '{text}'.", "seconds");
        }

        return (r, now) => Started(r, now).StepTime(ms * Replay.VirtualClock.NanosPerMs, now);
    }

    private static Action<Replay.ReplaySource, long> RunUntilControl(ReplayControlRequest request)
    {
        if (request.Time is not { } time)
        {
            throw ApiException.Validation("time is required: a data time, ISO 8601 or Unix ms.", "time");
        }

        long ms;
        if (time.ValueKind == JsonValueKind.Number && time.TryGetInt64(out var unixMs) && unixMs > 0)
        {
            ms = unixMs;
        }
        else if (time.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            ms = at.ToUnixTimeMilliseconds();
        }
        else
        {
            throw ApiException.Validation("time must be ISO 8601 or a positive Unix ms integer.", "time");
        }

        if (ms <= 0 || ms > long.MaxValue / Replay.VirtualClock.NanosPerMs)
        {
            throw ApiException.Validation("time is out of range.", "time");
        }

        return (r, now) => Started(r, now).RunUntil(ms * Replay.VirtualClock.NanosPerMs, now);
    }

    private static Action<Replay.ReplaySource, long> SpeedControl(ReplayControlRequest request)
    {
        var mode = request.Mode?.Trim().ToLowerInvariant() switch
        {
            null or "" or "scaled" => Replay.ReplayClockMode.Scaled,
            "realtime" or "real-time" => Replay.ReplayClockMode.RealTime,
            "stepped" => Replay.ReplayClockMode.Stepped,
            "max" => Replay.ReplayClockMode.Max,
            var other => throw ApiException.Validation($"mode must be realtime, scaled, stepped or max; got '{other}'.", "mode"),
        };
        var speed = request.Speed ?? 1;
        if (mode == Replay.ReplayClockMode.Scaled && !(speed > 0 && speed <= Replay.VirtualClock.MaxSpeed))
        {
            throw ApiException.Validation($"speed must be above 0 and at most {Replay.VirtualClock.MaxSpeed}.", "speed");
        }

        return (r, now) => Started(r, now).SetRate(mode, mode == Replay.ReplayClockMode.RealTime ? 1 : speed, now);
    }

    /// <summary>The recording's path relative to the data directory; refuses anything outside it (400) or missing (404).</summary>
    internal static string ResolveUnderDataDirectory(string dataDirectory, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw ApiException.Validation("path is required: a recording under the data directory.", "path");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw ApiException.Validation("path holds a NUL character.", "path");
        }

        var root = Path.GetFullPath(dataDirectory);
        string full;
        try
        {
            full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(root, path));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw ApiException.Validation($"path is not a valid file path: {ex.Message}", "path");
        }

        var relative = Path.GetRelativePath(root, full);
        if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new ApiException(400, "INVALID_PATH", "The recording must be inside the data directory.", new() { ["field"] = "path" });
        }

        if (!File.Exists(full) && !Directory.Exists(full))
        {
            throw new ApiException(404, "NOT_FOUND", $"No recording at '{relative}' in the data directory.");
        }

        return relative;
    }

    /// <summary>A market by condition id, else by engine market id (404 when neither names one).</summary>
    internal static MarketListed Find(HostState state, string id)
    {
        var listed = state.Markets.ByCondition(id);
        if (listed is null && int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var marketId))
        {
            listed = state.Markets.ById(marketId);
        }

        return listed ?? throw new ApiException(404, "MARKET_NOT_FOUND", $"No market '{id}' (give its condition id or engine market id).");
    }

    private static string? Choice(string? value, IReadOnlyList<string> allowed, string field)
    {
        if (value is null)
        {
            return null;
        }

        var v = value.Trim().ToLowerInvariant();
        return allowed.Contains(v) ? v : throw ApiException.Validation($"{field} must be one of {string.Join(", ", allowed)}; got '{value}'.", field);
    }

    private static long ParseSeed(JsonElement element)
    {
        var text = element.ValueKind switch
        {
            JsonValueKind.Number => element.GetRawText(),
            JsonValueKind.String => element.GetString()!,
            _ => throw ApiException.Validation("seed must be a non-negative integer.", "seed"),
        };
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw ApiException.Validation($"seed must be a non-negative integer below 2^63; got '{text}'.", "seed");
    }
}
