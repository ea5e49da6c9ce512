using System.Text.Json;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Api.Markets;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Polymarket.Public;

/// <summary>Parameter reading and lookups of the root Polymarket routes, failing with Polymarket's status and message.</summary>
internal static class PublicLookup
{
    /// <summary>Polymarket's 404 message for a token it has no book for.</summary>
    public const string NoOrderbookMessage = "No orderbook exists for the requested token id";

    /// <summary>Largest batch body Polymarket accepts on <c>POST /books</c> and its siblings.</summary>
    public const int MaxBatch = 500;

    private const int Scale = Units.PriceScale;

    public static ApiException InvalidTokenId() => new(400, "INVALID_TOKEN_ID", "Invalid token id");

    public static ApiException InvalidSide() => new(400, "INVALID_SIDE", "Invalid side");

    public static ApiException InvalidPayload() => new(400, "INVALID_PAYLOAD", "Invalid payload");

    public static ApiException NoOrderbook() => new(404, MarketDataEndpoints.NoOrderbookCode, NoOrderbookMessage);

    /// <summary>A token id from the query string or a route value: digits only, at most 78 (a uint256), else 400 <c>Invalid token id</c>.</summary>
    public static string TokenId(string? value) =>
        value is { Length: > 0 and <= 78 } && value.All(char.IsAsciiDigit) ? value : throw InvalidTokenId();

    /// <summary>The <c>token_id</c> query parameter.</summary>
    public static string TokenId(HttpContext http) => TokenId(QueryParams.Optional(http, "token_id"));

    /// <summary>BUY or SELL (any case), else 400 <c>Invalid side</c>.</summary>
    public static Side ParseSide(string? text) =>
        string.Equals(text, "BUY", StringComparison.OrdinalIgnoreCase) ? Side.Buy
        : string.Equals(text, "SELL", StringComparison.OrdinalIgnoreCase) ? Side.Sell
        : throw InvalidSide();

    /// <summary>The market and outcome of a token, or 404 <c>No orderbook exists…</c>; on the engine thread.</summary>
    public static (MarketListed Listed, MarketInfo Info, Outcome Outcome) Token(HostState state, string tokenId)
    {
        if (!state.Markets.TryGetToken(tokenId, out var listed, out var outcome))
        {
            throw NoOrderbook();
        }

        return (listed, Info(state, listed), outcome);
    }

    /// <summary>A market by condition id: 400 <c>Invalid market</c> when not 0x + 64 hex, 404 <c>market not found</c> when unknown.</summary>
    public static MarketListed Market(HostState state, string conditionId)
    {
        if (conditionId.Length != 66 || !conditionId.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || !conditionId.Skip(2).All(char.IsAsciiHexDigit))
        {
            throw new ApiException(400, "INVALID_MARKET", "Invalid market");
        }

        return state.Markets.ByCondition(conditionId)
            ?? state.Markets.ByCondition(conditionId.ToLowerInvariant())
            ?? throw new ApiException(404, "MARKET_NOT_FOUND", "market not found");
    }

    public static MarketInfo Info(HostState state, MarketListed listed) =>
        state.Engine.GetMarket(listed.MarketId) ?? throw new InvalidOperationException($"Listed market {listed.MarketId} is not in the engine.");

    /// <summary>Best bid and ask of a token when both sides quote, else null.</summary>
    public static (int Bid, int Ask)? TwoSided(MarketInfo info, Outcome outcome)
    {
        var (bid, ask) = MarketViews.Best(info, outcome);
        return bid > 0 && ask < Scale ? (bid, ask) : null;
    }

    /// <summary>The price of <c>/price</c>: side BUY → the best bid, SELL → the best ask; null when that side is empty.</summary>
    public static string? Price(MarketInfo info, Outcome outcome, Side side)
    {
        var (bid, ask) = MarketViews.Best(info, outcome);
        if (side == Side.Buy)
        {
            return bid > 0 ? BookFormatter.Price(bid) : null;
        }

        return ask < Scale ? BookFormatter.Price(ask) : null;
    }

    /// <summary>A token's last trade price and the taker's side on that token, "" each when the market has not traded.</summary>
    public static (string Price, string Side) LastTrade(HostState state, MarketListed listed, Outcome outcome)
    {
        if (state.Trades.LastTradeOf(listed.MarketId) is not { } last)
        {
            return (string.Empty, string.Empty);
        }

        var price = outcome == Outcome.Yes ? last.YesPrice : Scale - last.YesPrice;
        var side = outcome == Outcome.Yes ? last.YesSide : (last.YesSide == Side.Buy ? Side.Sell : Side.Buy);
        return (BookFormatter.Price(price), MarketViews.SideName(side));
    }

    /// <summary>The signed fee cap of <c>/fee-rate</c>: 1000 bps where takers pay a fee, 0 on fee-free markets (research §10).</summary>
    public static int BaseFee(MarketInfo info) => info.Parameters.TakerFeeRate > 0 ? 1000 : 0;

    /// <summary>Reads a batch body <c>[{"token_id": …}]</c>; malformed, empty or oversized → 400, bad token ids → 400 <c>Invalid token id</c>.</summary>
    public static async Task<List<TokenParam>> BatchAsync(HttpContext http)
    {
        List<TokenParam>? items;
        try
        {
            items = await JsonSerializer.DeserializeAsync(http.Request.Body, PublicJson.Default.ListTokenParam, http.RequestAborted);
        }
        catch (JsonException)
        {
            throw InvalidPayload();
        }

        if (items is null || items.Count == 0 || items.Any(i => i is null))
        {
            throw InvalidPayload();
        }

        if (items.Count > MaxBatch)
        {
            throw new ApiException(400, "BATCH_LIMIT_EXCEEDED", $"Too many token ids: at most {MaxBatch}.");
        }

        foreach (var item in items)
        {
            TokenId(item.TokenId);
        }

        return items;
    }
}
