using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Polysim.Accounts;
using Polysim.ClobApi.Api.Markets;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api;

/// <summary>Market data: /v1/markets, /v1/book, prices.</summary>
/// <remarks>
/// Shapes follow Polymarket's CLOB read API (books with the best level last, prices as decimal strings, the tick size
/// and the history points as JSON numbers), so SDK code written against Polymarket reads them unchanged. A token's book
/// is read from the market's one YES-terms book; the NO token's is its mirror.
/// </remarks>
public static class MarketDataEndpoints
{
    /// <summary>Most markets in one page.</summary>
    public const int MaxPageSize = 1_000;

    /// <summary>Error code of a price query on a book side that has no orders.</summary>
    public const string NoOrderbookCode = "NO_ORDERBOOK";

    private const int Scale = Units.PriceScale;

    /// <summary>Maps the routes of this area.</summary>
    public static void MapMarketData(this WebApplication app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Market data");
        v1.MapGet("/markets", ListMarkets)
            .Produces<MarketPage>()
            .WithSummary("Markets in listing order, in Polymarket's page envelope (limit 1–1000, next_cursor; LTE= after the last page).");
        v1.MapGet("/markets/{condition_id}", GetMarket)
            .Produces<MarketReply>()
            .WithSummary("One market by condition id: Polymarket's market object plus native fields.");
        v1.MapGet("/markets/{condition_id}/book", GetMarketBook)
            .Produces<OrderBookReply>()
            .WithSummary("The book of a market's YES token (or ?outcome=No for the NO token), best levels last.");
        v1.MapGet("/book", GetBook)
            .Produces<OrderBookReply>()
            .WithSummary("A token's order book summary: bids ascending, asks descending (best last), with its SHA-1 hash.");
        v1.MapGet("/tick-size/{token_id}", (HttpContext http, EngineHost host, [FromRoute(Name = "token_id")] string tokenId) =>
                GetTickSize(http, host, QueryParams.CheckTokenId(tokenId, "token_id")))
            .Produces<TickSizeReply>()
            .WithSummary("The token's current tick size as a JSON number: 0.1, 0.01, 0.001 or 0.0001.");
        v1.MapGet("/tick-size", (HttpContext http, EngineHost host) => GetTickSize(http, host, QueryParams.TokenId(http, "token_id")))
            .Produces<TickSizeReply>()
            .WithSummary("Polymarket's form of the tick-size query (?token_id=).");
        v1.MapGet("/markets-by-token/{token_id}", GetMarketByToken)
            .Produces<MarketByTokenReply>()
            .WithSummary("The market a token belongs to and both of its token ids.");
        v1.MapGet("/midpoint", GetMidpoint)
            .Produces<MidpointReply>()
            .WithSummary("Midpoint of the token's best bid and best ask (404 NO_ORDERBOOK when a side is empty).");
        v1.MapGet("/spread", GetSpread)
            .Produces<SpreadReply>()
            .WithSummary("Best ask minus best bid of the token (404 NO_ORDERBOOK when a side is empty).");
        v1.MapGet("/price", GetPrice)
            .Produces<PriceReply>()
            .WithSummary("side=BUY → the best bid, side=SELL → the best ask, as on Polymarket's live wire.");
        v1.MapGet("/last-trade-price", GetLastTradePrice)
            .Produces<LastTradePriceReply>()
            .WithSummary("The token's price at the market's last trade and the taker's side on that token (\"\" when none).");
        v1.MapGet("/prices-history", GetPriceHistory)
            .Produces<PriceHistoryReply>()
            .WithSummary("Trade prints of a token: ?market=<token_id> with startTs/endTs (unix s) or interval (1h, 6h, 1d, 1w, 1m, max), fidelity in minutes.");
    }

    private static void RequireRead(HttpContext http) => Caller.Of(http).Require(KeyPermissions.Read);

    private static async Task<IResult> ListMarkets(HttpContext http, EngineHost host)
    {
        RequireRead(http);
        var limit = (int)(QueryParams.Integer(http, "limit", 1, MaxPageSize) ?? 100);
        var cursor = QueryParams.Optional(http, "next_cursor") ?? QueryParams.Optional(http, "cursor");
        var offset = QueryParams.OffsetCursor(cursor, "next_cursor");
        var page = await host.ReadAsync(state =>
        {
            var all = state.Markets.All;
            var start = (int)Math.Min(offset, all.Count);
            var end = Math.Min(all.Count, start + limit);
            var data = new List<MarketReply>(end - start);
            for (var i = start; i < end; i++)
            {
                data.Add(MarketViews.Market(state, all[i]));
            }

            var next = end < all.Count ? QueryParams.EncodeOffset(end) : QueryParams.EndCursor;
            return new MarketPage(limit, data.Count, next, data);
        });
        return JsonReply.Json(page, MarketsJson.Default.MarketPage);
    }

    private static async Task<IResult> GetMarket(HttpContext http, EngineHost host, [FromRoute(Name = "condition_id")] string conditionId)
    {
        RequireRead(http);
        var reply = await host.ReadAsync(state => MarketViews.Market(state, FindMarket(state, conditionId)));
        return JsonReply.Json(reply, MarketsJson.Default.MarketReply);
    }

    private static async Task<IResult> GetMarketBook(HttpContext http, EngineHost host, TimeProvider time, [FromRoute(Name = "condition_id")] string conditionId)
    {
        RequireRead(http);
        var outcomeText = QueryParams.Optional(http, "outcome") ?? "Yes";
        Outcome outcome;
        if (string.Equals(outcomeText, "yes", StringComparison.OrdinalIgnoreCase))
        {
            outcome = Outcome.Yes;
        }
        else if (string.Equals(outcomeText, "no", StringComparison.OrdinalIgnoreCase))
        {
            outcome = Outcome.No;
        }
        else
        {
            throw ApiException.Validation($"outcome must be Yes or No; got '{outcomeText}'.", "outcome");
        }

        var reply = await host.ReadAsync(state =>
            MarketViews.Book(state, FindMarket(state, conditionId), outcome, MarketViews.NowMs(time, state)));
        return JsonReply.Json(reply, MarketsJson.Default.OrderBookReply);
    }

    private static async Task<IResult> GetBook(HttpContext http, EngineHost host, TimeProvider time)
    {
        RequireRead(http);
        var tokenId = QueryParams.TokenId(http, "token_id");
        var reply = await host.ReadAsync(state =>
        {
            var (listed, outcome) = FindToken(state, tokenId);
            return MarketViews.Book(state, listed, outcome, MarketViews.NowMs(time, state));
        });
        return JsonReply.Json(reply, MarketsJson.Default.OrderBookReply);
    }

    private static async Task<IResult> GetTickSize(HttpContext http, EngineHost host, string tokenId)
    {
        RequireRead(http);
        var reply = await host.ReadAsync(state =>
        {
            var (listed, _) = FindToken(state, tokenId);
            return new TickSizeReply(MarketViews.PriceNumber(Info(state, listed).TickSize));
        });
        return JsonReply.Json(reply, MarketsJson.Default.TickSizeReply);
    }

    private static async Task<IResult> GetMarketByToken(HttpContext http, EngineHost host, [FromRoute(Name = "token_id")] string tokenId)
    {
        RequireRead(http);
        QueryParams.CheckTokenId(tokenId, "token_id");
        var reply = await host.ReadAsync(state =>
        {
            var (listed, outcome) = FindToken(state, tokenId);
            return new MarketByTokenReply(listed.ConditionId, tokenId, MarketViews.OutcomeName(outcome), listed.YesTokenId, listed.NoTokenId);
        });
        return JsonReply.Json(reply, MarketsJson.Default.MarketByTokenReply);
    }

    private static async Task<IResult> GetMidpoint(HttpContext http, EngineHost host)
    {
        RequireRead(http);
        var tokenId = QueryParams.TokenId(http, "token_id");
        var reply = await host.ReadAsync(state =>
        {
            var (bid, ask) = TwoSided(state, tokenId);
            return new MidpointReply(MarketViews.Mid(bid, ask));
        });
        return JsonReply.Json(reply, MarketsJson.Default.MidpointReply);
    }

    private static async Task<IResult> GetSpread(HttpContext http, EngineHost host)
    {
        RequireRead(http);
        var tokenId = QueryParams.TokenId(http, "token_id");
        var reply = await host.ReadAsync(state =>
        {
            var (bid, ask) = TwoSided(state, tokenId);
            return new SpreadReply(BookFormatter.Price(ask - bid));
        });
        return JsonReply.Json(reply, MarketsJson.Default.SpreadReply);
    }

    private static async Task<IResult> GetPrice(HttpContext http, EngineHost host)
    {
        RequireRead(http);
        var tokenId = QueryParams.TokenId(http, "token_id");
        var sideText = QueryParams.Optional(http, "side") ?? throw ApiException.Validation("side is required: BUY or SELL.", "side");
        Side side;
        if (string.Equals(sideText, "BUY", StringComparison.OrdinalIgnoreCase))
        {
            side = Side.Buy;
        }
        else if (string.Equals(sideText, "SELL", StringComparison.OrdinalIgnoreCase))
        {
            side = Side.Sell;
        }
        else
        {
            throw ApiException.Validation($"side must be BUY or SELL; got '{sideText}'.", "side");
        }

        var reply = await host.ReadAsync(state =>
        {
            var (listed, outcome) = FindToken(state, tokenId);
            var (bid, ask) = MarketViews.Best(Info(state, listed), outcome);
            // Polymarket's /price answers the price a BUY order would rest at (the best bid) for side=BUY.
            if (side == Side.Buy)
            {
                return bid > 0 ? new PriceReply(BookFormatter.Price(bid)) : throw NoOrderbook(tokenId, "bids");
            }

            return ask < Scale ? new PriceReply(BookFormatter.Price(ask)) : throw NoOrderbook(tokenId, "asks");
        });
        return JsonReply.Json(reply, MarketsJson.Default.PriceReply);
    }

    private static async Task<IResult> GetLastTradePrice(HttpContext http, EngineHost host)
    {
        RequireRead(http);
        var tokenId = QueryParams.TokenId(http, "token_id");
        var reply = await host.ReadAsync(state =>
        {
            var (listed, outcome) = FindToken(state, tokenId);
            if (state.Trades.LastTradeOf(listed.MarketId) is not { } last)
            {
                return new LastTradePriceReply(string.Empty, string.Empty);
            }

            var price = outcome == Outcome.Yes ? last.YesPrice : Scale - last.YesPrice;
            var side = outcome == Outcome.Yes ? last.YesSide : (last.YesSide == Side.Buy ? Side.Sell : Side.Buy);
            return new LastTradePriceReply(BookFormatter.Price(price), MarketViews.SideName(side));
        });
        return JsonReply.Json(reply, MarketsJson.Default.LastTradePriceReply);
    }

    private static Task<IResult> GetPriceHistory(HttpContext http, EngineHost host, TimeProvider time)
    {
        RequireRead(http);
        return PriceHistoryAsync(http, host, time);
    }

    /// <summary>The price history reply of <c>?market=&amp;…</c>, without the key check (the root Polymarket route is public).</summary>
    internal static async Task<IResult> PriceHistoryAsync(HttpContext http, EngineHost host, TimeProvider time)
    {
        var tokenId = QueryParams.TokenId(http, "market");
        var interval = QueryParams.Optional(http, "interval");
        var startTs = QueryParams.Integer(http, "startTs", 0, long.MaxValue / 1_000);
        var endTs = QueryParams.Integer(http, "endTs", 0, long.MaxValue / 1_000);
        var fidelity = QueryParams.Integer(http, "fidelity", 1, 525_600);
        long? intervalSeconds = interval?.ToLowerInvariant() switch
        {
            null or "max" or "all" => null,
            "1h" => 3_600,
            "6h" => 6 * 3_600,
            "1d" => 24 * 3_600,
            "1w" => 7 * 24 * 3_600,
            "1m" => 30 * 24 * 3_600,
            _ => throw ApiException.Validation($"interval must be one of 1h, 6h, 1d, 1w, 1m (a month), max; got '{interval}'.", "interval"),
        };
        if (interval is not null && (startTs is not null || endTs is not null))
        {
            throw ApiException.Validation("interval and startTs/endTs are mutually exclusive.", "interval");
        }

        if (startTs is { } s && endTs is { } e && s > e)
        {
            throw ApiException.Validation("startTs must not be after endTs.", "startTs");
        }

        var reply = await host.ReadAsync(state =>
        {
            var (listed, outcome) = FindToken(state, tokenId);
            var nowSeconds = MarketViews.NowMs(time, state) / 1_000;
            var from = intervalSeconds is { } span ? nowSeconds - span : startTs ?? long.MinValue;
            var to = endTs ?? long.MaxValue;
            var bucket = fidelity is { } minutes ? minutes * 60 : 0;
            var points = new List<PricePointReply>();
            foreach (var print in state.Trades.PriceHistory(listed.MarketId))
            {
                var t = print.TimestampMs / 1_000;
                if (t < from || t > to)
                {
                    continue;
                }

                var price = MarketViews.PriceNumber(outcome == Outcome.Yes ? print.YesPrice : Scale - print.YesPrice);
                if (bucket == 0)
                {
                    points.Add(new PricePointReply(t, price));
                    continue;
                }

                // One point per fidelity bucket, stamped at the bucket's start, holding the bucket's last print.
                var start = t - (((t % bucket) + bucket) % bucket);
                if (points.Count > 0 && points[^1].T == start)
                {
                    points[^1] = new PricePointReply(start, price);
                }
                else
                {
                    points.Add(new PricePointReply(start, price));
                }
            }

            return new PriceHistoryReply(points);
        });
        return JsonReply.Json(reply, MarketsJson.Default.PriceHistoryReply);
    }

    /// <summary>A market by condition id, or 404 MARKET_NOT_FOUND; on the engine thread.</summary>
    internal static MarketListed FindMarket(HostState state, string conditionId) =>
        state.Markets.ByCondition(conditionId)
        ?? throw new ApiException(404, "MARKET_NOT_FOUND", $"No market with condition id '{conditionId}'.");

    /// <summary>The market and outcome of a token id, or 404 MARKET_NOT_FOUND; on the engine thread.</summary>
    internal static (MarketListed Market, Outcome Outcome) FindToken(HostState state, string tokenId) =>
        state.Markets.TryGetToken(tokenId, out var market, out var outcome)
            ? (market, outcome)
            : throw new ApiException(404, "MARKET_NOT_FOUND", $"No market has token id '{tokenId}'. Check GET /v1/markets.");

    private static MarketInfo Info(HostState state, MarketListed listed) =>
        state.Engine.GetMarket(listed.MarketId) ?? throw new InvalidOperationException($"Listed market {listed.MarketId} is not in the engine.");

    private static (int Bid, int Ask) TwoSided(HostState state, string tokenId)
    {
        var (listed, outcome) = FindToken(state, tokenId);
        var (bid, ask) = MarketViews.Best(Info(state, listed), outcome);
        return bid <= 0 ? throw NoOrderbook(tokenId, "bids")
            : ask >= Scale ? throw NoOrderbook(tokenId, "asks")
            : (bid, ask);
    }

    private static ApiException NoOrderbook(string tokenId, string emptySide) =>
        new(404, NoOrderbookCode, string.Create(CultureInfo.InvariantCulture, $"No orderbook side to price token {tokenId}: it has no {emptySide}."));
}
