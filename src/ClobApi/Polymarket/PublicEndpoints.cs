using Microsoft.AspNetCore.Mvc;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Api.Markets;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.ClobApi.Polymarket.Public;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Polymarket;

/// <summary>Polymarket's public CLOB market-data routes at the root paths, so an unmodified Polymarket SDK reads Polysim.</summary>
/// <remarks>
/// No key is needed (the key middleware guards /v1 only). Markets and books are rendered by <see cref="MarketViews"/>, the
/// same renderer as /v1; failures answer Polymarket's status and <c>{"error": …}</c> string (research polymarket-clob.md §3).
/// </remarks>
public static class PublicEndpoints
{
    /// <summary>Page size of the market listings (Polymarket serves 1000 per page).</summary>
    public const int PageSize = 1_000;

    private const string Tag = "Polymarket";

    /// <summary>Maps the public Polymarket routes.</summary>
    public static void MapPolymarketPublic(this WebApplication app)
    {
        var root = app.MapGroup(string.Empty).WithTags(Tag);
        root.MapGet("/", Ok).Produces<string>().WithSummary("Polymarket health check: the JSON string \"OK\".");
        root.MapGet("/ok", Ok).Produces<string>().WithSummary("V2 health check: the JSON string \"OK\".");
        root.MapGet("/time", GetTime).Produces<long>().WithSummary("Server time (the simulation clock) as bare integer Unix seconds.");
        root.MapGet("/version", (Trading.PolyTradingOptions options) => JsonReply.Json(new VersionReply(options.AdvertisedVersion), PublicJson.Default.VersionReply))
            .Produces<VersionReply>().WithSummary("The order protocol version the venue expects: {\"version\": 2} (1 when Polysim:OrderVersions is v1).");

        root.MapGet("/markets", (HttpContext http, EngineHost host) => MarketPage(http, host, sampling: false))
            .Produces<MarketPage>().WithSummary("Markets, 1000 per page, base64 offset cursors (MA== first, LTE= after the last).");
        root.MapGet("/sampling-markets", (HttpContext http, EngineHost host) => MarketPage(http, host, sampling: true))
            .Produces<MarketPage>().WithSummary("Markets accepting orders, paged like /markets.");
        root.MapGet("/simplified-markets", (HttpContext http, EngineHost host) => SimplifiedPage(http, host, sampling: false))
            .Produces<SimplifiedMarketPage>().WithSummary("Markets in simplified form, paged like /markets.");
        root.MapGet("/sampling-simplified-markets", (HttpContext http, EngineHost host) => SimplifiedPage(http, host, sampling: true))
            .Produces<SimplifiedMarketPage>().WithSummary("Markets accepting orders in simplified form, paged like /markets.");
        root.MapGet("/markets/{condition_id}", GetMarket)
            .Produces<MarketReply>().WithSummary("One market object by condition id (404 market not found).");
        root.MapGet("/clob-markets/{condition_id}", GetClobMarket)
            .Produces<ClobMarketReply>().WithSummary("V2 market details with short keys (c, t, mts, nr, fd, mbf, tbf, …).");
        root.MapGet("/markets-by-token/{token_id}", GetMarketByToken)
            .Produces<MarketByTokenShortReply>().WithSummary("The condition id and both token ids of a token's market.");

        root.MapGet("/book", GetBook)
            .Produces<OrderBookReply>().WithSummary("A token's book summary: bids ascending, asks descending (best last), SHA-1 hash.");
        root.MapPost("/books", PostBooks)
            .Accepts<List<TokenParam>>("application/json").Produces<List<OrderBookReply>>()
            .WithSummary("Book summaries of up to 500 tokens: [{\"token_id\"}].");
        root.MapGet("/price", GetPrice)
            .Produces<PriceReply>().WithSummary("side=BUY → the best bid, side=SELL → the best ask, as a decimal string.");
        root.MapGet("/prices", GetAllPrices)
            .Produces<Dictionary<string, Dictionary<string, string>>>().WithSummary("Best bid (BUY) and best ask (SELL) of every token.");
        root.MapPost("/prices", PostPrices)
            .Accepts<List<TokenParam>>("application/json").Produces<Dictionary<string, Dictionary<string, string>>>()
            .WithSummary("Prices of [{\"token_id\",\"side\"}] as {token_id: {side: price}}.");
        root.MapGet("/midpoint", GetMidpoint).Produces<MidpointReply>().WithSummary("Midpoint of the token's best bid and ask.");
        root.MapPost("/midpoints", PostMidpoints)
            .Accepts<List<TokenParam>>("application/json").Produces<Dictionary<string, string>>()
            .WithSummary("Midpoints of [{\"token_id\"}] as {token_id: mid} (tokens without a two-sided book are left out).");
        root.MapGet("/spread", GetSpread).Produces<SpreadReply>().WithSummary("Best ask minus best bid of the token.");
        root.MapPost("/spreads", PostSpreads)
            .Accepts<List<TokenParam>>("application/json").Produces<Dictionary<string, string>>()
            .WithSummary("Spreads of [{\"token_id\"}] as {token_id: spread} (tokens without a two-sided book are left out).");
        root.MapGet("/last-trade-price", GetLastTradePrice)
            .Produces<LastTradePriceReply>().WithSummary("The token's last trade price and taker side (\"\" when none).");
        root.MapMethods("/last-trades-prices", [HttpMethods.Get, HttpMethods.Post], PostLastTradesPrices)
            .Accepts<List<TokenParam>>("application/json").Produces<List<LastTradesPriceItem>>()
            .WithSummary("Last trade prices of [{\"token_id\"}] (GET with a JSON body, as rs-clob-client sends it, or POST).");
        root.MapGet("/tick-size", GetTickSize)
            .Produces<TickSizeReply>().WithSummary("The token's tick size as a JSON number.");
        root.MapGet("/neg-risk", GetNegRisk).Produces<NegRiskReply>().WithSummary("The token's neg-risk flag.");
        root.MapGet("/fee-rate", GetFeeRate)
            .Produces<FeeRateReply>().WithSummary("The fee cap orders sign, bps: 1000 where takers pay fees, 0 on fee-free markets.");
        root.MapGet("/prices-history", GetPriceHistory)
            .Produces<PriceHistoryReply>().WithSummary("Trade prints of ?market=<token_id>: startTs/endTs or interval, fidelity in minutes.");
    }

    private static IResult Ok() => JsonReply.Json("OK", PublicJson.Default.String);

    private static async Task<IResult> GetTime(EngineHost host, TimeProvider time)
    {
        var seconds = await host.ReadAsync(state => MarketViews.NowMs(time, state) / 1_000);
        return JsonReply.Json(seconds, PublicJson.Default.Int64);
    }

    private static (int Offset, int Limit) Paging(HttpContext http)
    {
        var cursor = QueryParams.Optional(http, "next_cursor");
        var offset = QueryParams.OffsetCursor(cursor, "next_cursor");
        return ((int)Math.Min(offset, int.MaxValue), PageSize);
    }

    /// <summary>Sampling markets are Polymarket's reward-eligible ones; Polysim pays no rewards, so they are the ones taking orders.</summary>
    private static List<MarketListed> Listing(HostState state, bool sampling) =>
        sampling
            ? [.. state.Markets.All.Where(m => PublicLookup.Info(state, m).Status == MarketStatus.Active)]
            : [.. state.Markets.All];

    private static async Task<IResult> MarketPage(HttpContext http, EngineHost host, bool sampling)
    {
        var (offset, limit) = Paging(http);
        var page = await host.ReadAsync(state =>
        {
            var all = Listing(state, sampling);
            var start = Math.Min(offset, all.Count);
            var end = Math.Min(all.Count, start + limit);
            var data = all.Skip(start).Take(end - start).Select(m => MarketViews.Market(state, m)).ToList();
            return new MarketPage(limit, data.Count, end < all.Count ? QueryParams.EncodeOffset(end) : QueryParams.EndCursor, data);
        });
        return JsonReply.Json(page, MarketsJson.Default.MarketPage);
    }

    private static async Task<IResult> SimplifiedPage(HttpContext http, EngineHost host, bool sampling)
    {
        var (offset, limit) = Paging(http);
        var page = await host.ReadAsync(state =>
        {
            var all = Listing(state, sampling);
            var start = Math.Min(offset, all.Count);
            var end = Math.Min(all.Count, start + limit);
            var data = all.Skip(start).Take(end - start).Select(m => Simplified(MarketViews.Market(state, m))).ToList();
            return new SimplifiedMarketPage(limit, data.Count, end < all.Count ? QueryParams.EncodeOffset(end) : QueryParams.EndCursor, data);
        });
        return JsonReply.Json(page, PublicJson.Default.SimplifiedMarketPage);
    }

    private static SimplifiedMarketReply Simplified(MarketReply m) =>
        new(m.ConditionId, m.Tokens, m.Rewards, m.Active, m.Closed, m.Archived, m.AcceptingOrders);

    private static async Task<IResult> GetMarket(EngineHost host, [FromRoute(Name = "condition_id")] string conditionId)
    {
        var reply = await host.ReadAsync(state => MarketViews.Market(state, PublicLookup.Market(state, conditionId)));
        return JsonReply.Json(reply, MarketsJson.Default.MarketReply);
    }

    private static async Task<IResult> GetClobMarket(EngineHost host, [FromRoute(Name = "condition_id")] string conditionId)
    {
        var reply = await host.ReadAsync(state =>
        {
            var listed = PublicLookup.Market(state, conditionId);
            var info = PublicLookup.Info(state, listed);
            var parameters = info.Parameters;
            var baseFee = PublicLookup.BaseFee(info);
            var fees = parameters.TakerFeeRate > 0
                ? new ClobFeeReply(MarketViews.PriceNumber(parameters.TakerFeeRate), parameters.TakerFeeExponentHalves / 2m, true)
                : null;
            return new ClobMarketReply(
                C: listed.ConditionId,
                T: [new ClobTokenReply(listed.YesTokenId, "Yes"), new ClobTokenReply(listed.NoTokenId, "No")],
                Mts: MarketViews.PriceNumber(info.TickSize),
                Nr: parameters.NegRisk ? true : null,
                Fd: fees,
                Mbf: baseFee,
                Tbf: baseFee,
                R: null,
                Ao: info.Status == MarketStatus.Active,
                Mos: MarketViews.AmountNumber(parameters.MinimumSize),
                Sd: 0,
                Aot: MarketViews.Iso(listed.CreatedAtMs));
        });
        return JsonReply.Json(reply, PublicJson.Default.ClobMarketReply);
    }

    private static async Task<IResult> GetMarketByToken(EngineHost host, [FromRoute(Name = "token_id")] string tokenId)
    {
        PublicLookup.TokenId(tokenId);
        var reply = await host.ReadAsync(state =>
        {
            var (listed, _, _) = PublicLookup.Token(state, tokenId);
            return new MarketByTokenShortReply(listed.ConditionId, listed.YesTokenId, listed.NoTokenId);
        });
        return JsonReply.Json(reply, PublicJson.Default.MarketByTokenShortReply);
    }

    private static async Task<IResult> GetBook(HttpContext http, EngineHost host, TimeProvider time)
    {
        var tokenId = PublicLookup.TokenId(http);
        var reply = await host.ReadAsync(state =>
        {
            var (listed, _, outcome) = PublicLookup.Token(state, tokenId);
            return MarketViews.Book(state, listed, outcome, MarketViews.NowMs(time, state));
        });
        return JsonReply.Json(reply, MarketsJson.Default.OrderBookReply);
    }

    private static async Task<IResult> PostBooks(HttpContext http, EngineHost host, TimeProvider time)
    {
        var items = await PublicLookup.BatchAsync(http);
        var reply = await host.ReadAsync(state =>
        {
            var now = MarketViews.NowMs(time, state);
            return items.Select(i =>
            {
                var (listed, _, outcome) = PublicLookup.Token(state, i.TokenId!);
                return MarketViews.Book(state, listed, outcome, now);
            }).ToList();
        });
        return JsonReply.Json(reply, PublicJson.Default.ListOrderBookReply);
    }

    private static async Task<IResult> GetPrice(HttpContext http, EngineHost host)
    {
        var tokenId = PublicLookup.TokenId(http);
        var side = PublicLookup.ParseSide(QueryParams.Optional(http, "side"));
        var reply = await host.ReadAsync(state =>
        {
            var (_, info, outcome) = PublicLookup.Token(state, tokenId);
            return new PriceReply(PublicLookup.Price(info, outcome, side) ?? throw PublicLookup.NoOrderbook());
        });
        return JsonReply.Json(reply, MarketsJson.Default.PriceReply);
    }

    private static async Task<IResult> GetAllPrices(EngineHost host)
    {
        var reply = await host.ReadAsync(state =>
        {
            var map = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            foreach (var listed in state.Markets.All)
            {
                var info = PublicLookup.Info(state, listed);
                foreach (var outcome in (ReadOnlySpan<Outcome>)[Outcome.Yes, Outcome.No])
                {
                    var sides = new Dictionary<string, string>(StringComparer.Ordinal);
                    AddPrice(sides, info, outcome, Side.Buy);
                    AddPrice(sides, info, outcome, Side.Sell);
                    map[MarketDirectory.TokenId(listed, outcome)] = sides;
                }
            }

            return map;
        });
        return JsonReply.Json(reply, PublicJson.Default.DictionaryStringDictionaryStringString);
    }

    private static void AddPrice(Dictionary<string, string> sides, MarketInfo info, Outcome outcome, Side side)
    {
        if (PublicLookup.Price(info, outcome, side) is { } price)
        {
            sides[MarketViews.SideName(side)] = price;
        }
    }

    private static async Task<IResult> PostPrices(HttpContext http, EngineHost host)
    {
        var items = await PublicLookup.BatchAsync(http);
        var sides = items.Select(i => PublicLookup.ParseSide(i.Side)).ToList();
        var reply = await host.ReadAsync(state =>
        {
            var map = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            for (var i = 0; i < items.Count; i++)
            {
                var tokenId = items[i].TokenId!;
                var (_, info, outcome) = PublicLookup.Token(state, tokenId);
                if (!map.TryGetValue(tokenId, out var entry))
                {
                    entry = new Dictionary<string, string>(StringComparer.Ordinal);
                    map[tokenId] = entry;
                }

                AddPrice(entry, info, outcome, sides[i]);
            }

            return map;
        });
        return JsonReply.Json(reply, PublicJson.Default.DictionaryStringDictionaryStringString);
    }

    private static async Task<IResult> GetMidpoint(HttpContext http, EngineHost host)
    {
        var tokenId = PublicLookup.TokenId(http);
        var reply = await host.ReadAsync(state =>
        {
            var (_, info, outcome) = PublicLookup.Token(state, tokenId);
            var (bid, ask) = PublicLookup.TwoSided(info, outcome) ?? throw PublicLookup.NoOrderbook();
            return new MidpointReply(MarketViews.Mid(bid, ask));
        });
        return JsonReply.Json(reply, MarketsJson.Default.MidpointReply);
    }

    private static async Task<IResult> PostMidpoints(HttpContext http, EngineHost host)
    {
        var items = await PublicLookup.BatchAsync(http);
        var reply = await host.ReadAsync(state => TokenMap(state, items, (bid, ask) => MarketViews.Mid(bid, ask)));
        return JsonReply.Json(reply, PublicJson.Default.DictionaryStringString);
    }

    private static async Task<IResult> GetSpread(HttpContext http, EngineHost host)
    {
        var tokenId = PublicLookup.TokenId(http);
        var reply = await host.ReadAsync(state =>
        {
            var (_, info, outcome) = PublicLookup.Token(state, tokenId);
            var (bid, ask) = PublicLookup.TwoSided(info, outcome) ?? throw PublicLookup.NoOrderbook();
            return new SpreadReply(BookFormatter.Price(ask - bid));
        });
        return JsonReply.Json(reply, MarketsJson.Default.SpreadReply);
    }

    private static async Task<IResult> PostSpreads(HttpContext http, EngineHost host)
    {
        var items = await PublicLookup.BatchAsync(http);
        var reply = await host.ReadAsync(state => TokenMap(state, items, (bid, ask) => BookFormatter.Price(ask - bid)));
        return JsonReply.Json(reply, PublicJson.Default.DictionaryStringString);
    }

    private static Dictionary<string, string> TokenMap(HostState state, List<TokenParam> items, Func<int, int, string> render)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var (_, info, outcome) = PublicLookup.Token(state, item.TokenId!);
            if (PublicLookup.TwoSided(info, outcome) is { } best)
            {
                map[item.TokenId!] = render(best.Bid, best.Ask);
            }
        }

        return map;
    }

    private static async Task<IResult> GetLastTradePrice(HttpContext http, EngineHost host)
    {
        var tokenId = PublicLookup.TokenId(http);
        var reply = await host.ReadAsync(state =>
        {
            var (listed, _, outcome) = PublicLookup.Token(state, tokenId);
            var (price, side) = PublicLookup.LastTrade(state, listed, outcome);
            return new LastTradePriceReply(price, side);
        });
        return JsonReply.Json(reply, MarketsJson.Default.LastTradePriceReply);
    }

    private static async Task<IResult> PostLastTradesPrices(HttpContext http, EngineHost host)
    {
        var items = await PublicLookup.BatchAsync(http);
        var reply = await host.ReadAsync(state => items.Select(i =>
        {
            var (listed, _, outcome) = PublicLookup.Token(state, i.TokenId!);
            var (price, side) = PublicLookup.LastTrade(state, listed, outcome);
            return new LastTradesPriceItem(i.TokenId!, price, side);
        }).ToList());
        return JsonReply.Json(reply, PublicJson.Default.ListLastTradesPriceItem);
    }

    private static async Task<IResult> GetTickSize(HttpContext http, EngineHost host)
    {
        var tokenId = PublicLookup.TokenId(http);
        var reply = await host.ReadAsync(state => new TickSizeReply(MarketViews.PriceNumber(PublicLookup.Token(state, tokenId).Info.TickSize)));
        return JsonReply.Json(reply, MarketsJson.Default.TickSizeReply);
    }

    private static async Task<IResult> GetNegRisk(HttpContext http, EngineHost host)
    {
        var tokenId = PublicLookup.TokenId(http);
        var reply = await host.ReadAsync(state => new NegRiskReply(PublicLookup.Token(state, tokenId).Info.Parameters.NegRisk));
        return JsonReply.Json(reply, PublicJson.Default.NegRiskReply);
    }

    private static async Task<IResult> GetFeeRate(HttpContext http, EngineHost host)
    {
        var tokenId = PublicLookup.TokenId(http);
        var reply = await host.ReadAsync(state => new FeeRateReply(PublicLookup.BaseFee(PublicLookup.Token(state, tokenId).Info)));
        return JsonReply.Json(reply, PublicJson.Default.FeeRateReply);
    }

    private static async Task<IResult> GetPriceHistory(HttpContext http, EngineHost host, TimeProvider time)
    {
        // Polymarket's errors for the token first; the rendering (and its parameter checks) is the /v1 route's.
        var tokenId = PublicLookup.TokenId(QueryParams.Optional(http, "market"));
        await host.ReadAsync(state => PublicLookup.Token(state, tokenId));
        return await MarketDataEndpoints.PriceHistoryAsync(http, host, time);
    }
}
