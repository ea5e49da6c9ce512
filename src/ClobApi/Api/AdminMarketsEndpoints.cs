using Microsoft.AspNetCore.Mvc;
using Polysim.ClobApi.Api.Markets;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api;

/// <summary>Operator market routes and the simulation clock: /v1/admin/markets, /v1/admin/clock.</summary>
public static class AdminMarketsEndpoints
{
    /// <summary>Largest single clock advance: ten years, far beyond any GTD or heartbeat horizon.</summary>
    public const long MaxAdvanceSeconds = 10L * 365 * 24 * 3600;

    /// <summary>Maps the routes of this area.</summary>
    public static void MapAdminMarkets(this WebApplication app)
    {
        var admin = app.MapGroup("/v1/admin").AddEndpointFilter(AdminAccountsEndpoints.RequireAdmin).WithTags("Operator");
        admin.MapPost("/markets", CreateMarket)
            .Accepts<CreateMarketRequest>("application/json")
            .Produces<MarketReply>(StatusCodes.Status201Created)
            .WithSummary("List a binary market (YES/NO tokens) with its tick size, minimum order size, neg-risk flag and taker fee curve.");
        admin.MapPost("/markets/{condition_id}/tick-size", SetTickSize)
            .Accepts<TickSizeRequest>("application/json")
            .Produces<MarketReply>()
            .WithSummary("Change a market's tick size (0.1, 0.01, 0.001 or 0.0001); resting orders off the new grid stay.");
        admin.MapPost("/markets/{condition_id}/close", (EngineHost host, [FromRoute(Name = "condition_id")] string conditionId) =>
                SetStatus(host, conditionId, MarketStatus.Closed))
            .Produces<MarketReply>()
            .WithSummary("Stop a market taking new orders; resting orders stay and can be cancelled.");
        admin.MapPost("/markets/{condition_id}/reopen", (EngineHost host, [FromRoute(Name = "condition_id")] string conditionId) =>
                SetStatus(host, conditionId, MarketStatus.Active))
            .Produces<MarketReply>()
            .WithSummary("Let a closed (not resolved) market take orders again.");
        admin.MapPost("/markets/{condition_id}/resolve", Resolve)
            .Accepts<ResolveRequest>("application/json")
            .Produces<MarketReply>()
            .WithSummary("Resolve a market: cancel its orders and pay $1 per winning share to every holder.");
        admin.MapPost("/clock/advance", AdvanceClock)
            .Accepts<ClockAdvanceRequest>("application/json")
            .Produces<ClockReply>()
            .WithSummary("Move the simulation clock forward (never back), then expire due GTD orders and lapsed heartbeats at once.");
    }

    private static async Task<IResult> CreateMarket(HttpContext http, EngineHost host)
    {
        var request = await RequestBody.ReadAsync(http, MarketsJson.Default.CreateMarketRequest);
        var spec = MarketListing.Validate(request);
        var reply = await host.WriteAsync(ctx => MarketViews.Market(ctx.State, MarketListing.List(ctx, spec)));
        return JsonReply.Json(reply, MarketsJson.Default.MarketReply, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> SetTickSize(HttpContext http, EngineHost host, [FromRoute(Name = "condition_id")] string conditionId)
    {
        var request = await RequestBody.ReadAsync(http, MarketsJson.Default.TickSizeRequest);
        if (request.TickSize is not { } tickElement)
        {
            throw ApiException.Validation("tick_size is required: 0.1, 0.01, 0.001 or 0.0001.", "tick_size");
        }

        var tick = MarketListing.ParseTick(tickElement);
        var reply = await host.WriteAsync(ctx =>
        {
            var listed = Find(ctx.State, conditionId);
            Check(ctx.Apply(Command.SetTickSize(0, 0, listed.MarketId, tick)));
            return MarketViews.Market(ctx.State, listed);
        });
        return JsonReply.Json(reply, MarketsJson.Default.MarketReply);
    }

    private static async Task<IResult> SetStatus(EngineHost host, string conditionId, MarketStatus status)
    {
        var reply = await host.WriteAsync(ctx =>
        {
            var listed = Find(ctx.State, conditionId);
            Check(ctx.Apply(Command.SetMarketStatus(0, 0, listed.MarketId, status)));
            return MarketViews.Market(ctx.State, listed);
        });
        return JsonReply.Json(reply, MarketsJson.Default.MarketReply);
    }

    private static async Task<IResult> Resolve(HttpContext http, EngineHost host, [FromRoute(Name = "condition_id")] string conditionId)
    {
        var request = await RequestBody.ReadAsync(http, MarketsJson.Default.ResolveRequest);
        var named = request.WinningOutcome?.Trim();
        if (string.IsNullOrEmpty(named))
        {
            throw ApiException.Validation("winning_outcome is required: Yes, No, or the winning token id.", "winning_outcome");
        }

        var reply = await host.WriteAsync(ctx =>
        {
            var listed = Find(ctx.State, conditionId);
            Outcome winner;
            if (string.Equals(named, "yes", StringComparison.OrdinalIgnoreCase) || named == listed.YesTokenId)
            {
                winner = Outcome.Yes;
            }
            else if (string.Equals(named, "no", StringComparison.OrdinalIgnoreCase) || named == listed.NoTokenId)
            {
                winner = Outcome.No;
            }
            else
            {
                throw ApiException.Validation($"winning_outcome must be Yes, No, or one of this market's token ids; got '{named}'.", "winning_outcome");
            }

            Check(ctx.Apply(Command.Resolve(0, 0, listed.MarketId, winner)));
            return MarketViews.Market(ctx.State, listed);
        });
        return JsonReply.Json(reply, MarketsJson.Default.MarketReply);
    }

    private static async Task<IResult> AdvanceClock(HttpContext http, EngineHost host)
    {
        var request = await RequestBody.ReadAsync(http, MarketsJson.Default.ClockAdvanceRequest);
        if (request.Seconds is not { } secondsElement)
        {
            throw ApiException.Validation("seconds is required.", "seconds");
        }

        var text = MarketListing.NumberText(secondsElement, "seconds");
        if (!Money.TryParseScaled(text, 3, out var advanceMs))
        {
            throw ApiException.Validation($"seconds must be a non-negative number with at most 3 decimals (the clock never goes back); got '{text}'.", "seconds");
        }

        if (advanceMs > MaxAdvanceSeconds * 1_000)
        {
            throw ApiException.Validation($"seconds must be at most {MaxAdvanceSeconds}.", "seconds");
        }

        var reply = await host.WriteAsync(ctx =>
        {
            var offset = ctx.State.ClockOffsetMs + advanceMs;
            if (advanceMs > 0)
            {
                ctx.Record(new ClockAdvanced(offset));
            }

            var expired = 0;
            foreach (var e in ctx.Apply(Command.AdvanceTime(0, 0)).Events)
            {
                expired += e.Kind == EventKind.OrderExpired ? 1 : 0;
            }

            var lapsed = Heartbeats.Sweep(ctx);
            var now = ctx.Now;
            return new ClockReply(offset, now, MarketViews.Iso(now), expired, lapsed);
        });
        return JsonReply.Json(reply, MarketsJson.Default.ClockReply);
    }

    private static MarketListed Find(HostState state, string conditionId) =>
        state.Markets.ByCondition(conditionId)
        ?? throw new ApiException(404, "MARKET_NOT_FOUND", $"No market with condition id '{conditionId}'.");

    /// <summary>Maps an engine refusal of an operator command to the error contract.</summary>
    private static void Check(EngineOutcome outcome)
    {
        switch (outcome.Code)
        {
            case RejectCode.None:
                return;
            case RejectCode.MarketResolved:
                throw new ApiException(400, "MARKET_CLOSED", "The market is resolved; it can no longer change.");
            case RejectCode.MarketNotFound:
                throw new ApiException(404, "MARKET_NOT_FOUND", "Unknown market.");
            default:
                throw ApiException.Validation($"The engine refused the change ({outcome.Code}).");
        }
    }
}
