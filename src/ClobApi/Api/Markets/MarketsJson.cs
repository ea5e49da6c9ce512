using System.Text.Json;
using System.Text.Json.Serialization;

namespace Polysim.ClobApi.Api.Markets;

/// <summary>Request of <c>POST /v1/admin/markets</c>.</summary>
/// <param name="Question">The market's question (required).</param>
/// <param name="TickSize">0.1, 0.01, 0.001 or 0.0001 (number or string).</param>
/// <param name="MinOrderSize">Smallest resting order in shares (default 5).</param>
/// <param name="NegRisk">Whether the market belongs to a neg-risk event.</param>
/// <param name="TakerFeeRate">Taker fee rate 0..1 with at most 4 decimals (default 0).</param>
/// <param name="FeeExponent">Fee curve exponent: 0, 0.5, 1 or 2 (default 0).</param>
/// <param name="AutoTick">Switch 0.01 → 0.001 after a print above 0.96 or below 0.04.</param>
public sealed record CreateMarketRequest(
    string? Question, JsonElement? TickSize, JsonElement? MinOrderSize, bool? NegRisk, JsonElement? TakerFeeRate, JsonElement? FeeExponent, bool? AutoTick);

/// <summary>Request of <c>POST /v1/admin/markets/{condition_id}/tick-size</c>.</summary>
/// <param name="TickSize">The new tick: 0.1, 0.01, 0.001 or 0.0001.</param>
public sealed record TickSizeRequest(JsonElement? TickSize);

/// <summary>Request of <c>POST /v1/admin/markets/{condition_id}/resolve</c>.</summary>
/// <param name="WinningOutcome">"Yes", "No", or the winning token id.</param>
public sealed record ResolveRequest(string? WinningOutcome);

/// <summary>Request of <c>POST /v1/admin/clock/advance</c>.</summary>
/// <param name="Seconds">How far to move the simulation clock forward (non-negative, up to 3 decimals).</param>
public sealed record ClockAdvanceRequest(JsonElement? Seconds);

/// <summary>Reply of <c>POST /v1/admin/clock/advance</c>.</summary>
/// <param name="OffsetMs">Total offset of the simulation clock over the wall clock, ms.</param>
/// <param name="NowMs">The simulation clock now, Unix ms.</param>
/// <param name="Now">The simulation clock now, ISO 8601 UTC.</param>
/// <param name="ExpiredOrders">GTD orders that expired because of this advance.</param>
/// <param name="HeartbeatsExpired">Accounts whose heartbeat lapsed because of this advance (their orders were cancelled).</param>
public sealed record ClockReply(long OffsetMs, long NowMs, string Now, int ExpiredOrders, int HeartbeatsExpired);

/// <summary>One token of a market, in Polymarket's market object.</summary>
/// <param name="TokenId">uint256 decimal id.</param>
/// <param name="Outcome">"Yes" or "No".</param>
/// <param name="Price">Midpoint, else last trade, else 0.5 (1 or 0 once resolved), as a JSON number.</param>
/// <param name="Winner">Whether this token won the resolution.</param>
public sealed record TokenReply(string TokenId, string Outcome, decimal Price, bool Winner);

/// <summary>Liquidity-rewards block of Polymarket's market object (no rewards are simulated).</summary>
/// <param name="Rates">Always null.</param>
/// <param name="MinSize">Always 0.</param>
/// <param name="MaxSpread">Always 0.</param>
public sealed record RewardsReply(string? Rates, int MinSize, int MaxSpread);

/// <summary>A market: every field of Polymarket's market object plus the native fields (decimal strings).</summary>
/// <param name="EnableOrderBook">Always true.</param>
/// <param name="Active">False once resolved.</param>
/// <param name="Closed">True when not accepting orders (closed or resolved).</param>
/// <param name="Archived">Always false.</param>
/// <param name="AcceptingOrders">True while the market takes new orders.</param>
/// <param name="AcceptingOrderTimestamp">Listing time, ISO 8601.</param>
/// <param name="MinimumOrderSize">Minimum resting size in shares, as a JSON number (Polymarket's type).</param>
/// <param name="MinimumTickSize">Current tick, as a JSON number (Polymarket's type).</param>
/// <param name="ConditionId">0x + 64 hex.</param>
/// <param name="QuestionId">0x + 64 hex, derived from the condition id.</param>
/// <param name="Question">The question.</param>
/// <param name="Description">Empty.</param>
/// <param name="MarketSlug">URL-friendly name.</param>
/// <param name="EndDateIso">Null (no scheduled end).</param>
/// <param name="GameStartTime">Null.</param>
/// <param name="SecondsDelay">Always 0.</param>
/// <param name="Fpmm">Empty.</param>
/// <param name="MakerBaseFee">Always 0 (makers pay no fee).</param>
/// <param name="TakerBaseFee">Taker fee rate in basis points.</param>
/// <param name="NotificationsEnabled">Always true.</param>
/// <param name="NegRisk">Neg-risk flag.</param>
/// <param name="NegRiskMarketId">Empty.</param>
/// <param name="NegRiskRequestId">Empty.</param>
/// <param name="Icon">Empty.</param>
/// <param name="Image">Empty.</param>
/// <param name="Rewards">No rewards.</param>
/// <param name="Is5050Outcome">Always false.</param>
/// <param name="Tokens">YES then NO.</param>
/// <param name="Tags">Empty.</param>
/// <param name="MarketId">Native id of the market for order routes: the condition id.</param>
/// <param name="Status">active, closed or resolved.</param>
/// <param name="TickSize">Current tick, decimal string.</param>
/// <param name="MinOrderSize">Minimum resting size, decimal string.</param>
/// <param name="TakerFeeRate">Taker fee rate, decimal string.</param>
/// <param name="FeeExponent">Fee curve exponent, decimal string.</param>
/// <param name="AutoTick">Whether the tick switches 0.01 → 0.001 near the extremes.</param>
/// <param name="BestBid">Best YES bid, or null.</param>
/// <param name="BestAsk">Best YES ask, or null.</param>
/// <param name="LastTradePrice">YES price of the last trade, or null.</param>
/// <param name="WinningOutcome">"Yes" or "No" once resolved, else null.</param>
/// <param name="CreatedAt">Listing time, ISO 8601.</param>
public sealed record MarketReply(
    bool EnableOrderBook,
    bool Active,
    bool Closed,
    bool Archived,
    bool AcceptingOrders,
    string AcceptingOrderTimestamp,
    decimal MinimumOrderSize,
    decimal MinimumTickSize,
    string ConditionId,
    string QuestionId,
    string Question,
    string Description,
    string MarketSlug,
    string? EndDateIso,
    string? GameStartTime,
    int SecondsDelay,
    string Fpmm,
    int MakerBaseFee,
    int TakerBaseFee,
    bool NotificationsEnabled,
    bool NegRisk,
    string NegRiskMarketId,
    string NegRiskRequestId,
    string Icon,
    string Image,
    RewardsReply Rewards,
    [property: JsonPropertyName("is_50_50_outcome")] bool Is5050Outcome,
    IReadOnlyList<TokenReply> Tokens,
    IReadOnlyList<string> Tags,
    string MarketId,
    string Status,
    string TickSize,
    string MinOrderSize,
    string TakerFeeRate,
    string FeeExponent,
    bool AutoTick,
    string? BestBid,
    string? BestAsk,
    string? LastTradePrice,
    string? WinningOutcome,
    string CreatedAt);

/// <summary>A page of markets in Polymarket's paging envelope.</summary>
/// <param name="Limit">Page size asked for.</param>
/// <param name="Count">Markets in this page.</param>
/// <param name="NextCursor">Cursor of the next page, <c>LTE=</c> after the last.</param>
/// <param name="Data">The markets.</param>
public sealed record MarketPage(int Limit, int Count, string NextCursor, IReadOnlyList<MarketReply> Data);

/// <summary>One level of a book summary.</summary>
/// <param name="Price">Trimmed decimal string.</param>
/// <param name="Size">Trimmed decimal string of shares.</param>
public sealed record BookLevelReply(string Price, string Size);

/// <summary>Polymarket's order book summary: bids ascending and asks descending, so the best of each is the last entry.</summary>
/// <param name="Market">Condition id.</param>
/// <param name="AssetId">Token id.</param>
/// <param name="Timestamp">Unix ms as a string.</param>
/// <param name="Hash">SHA-1 (40 hex) of this object's compact JSON with an empty hash.</param>
/// <param name="Bids">Bids, ascending.</param>
/// <param name="Asks">Asks, descending.</param>
/// <param name="MinOrderSize">Minimum resting size.</param>
/// <param name="TickSize">"0.1", "0.01", "0.001" or "0.0001".</param>
/// <param name="NegRisk">Neg-risk flag.</param>
/// <param name="LastTradePrice">This token's price at the last trade, "" when none.</param>
public sealed record OrderBookReply(
    string Market,
    string AssetId,
    string Timestamp,
    string Hash,
    IReadOnlyList<BookLevelReply> Bids,
    IReadOnlyList<BookLevelReply> Asks,
    string MinOrderSize,
    string TickSize,
    bool NegRisk,
    string LastTradePrice);

/// <summary>Reply of <c>GET /v1/tick-size/{token_id}</c>.</summary>
/// <param name="MinimumTickSize">The tick, a JSON number.</param>
public sealed record TickSizeReply(decimal MinimumTickSize);

/// <summary>Reply of <c>GET /v1/markets-by-token/{token_id}</c>.</summary>
/// <param name="ConditionId">The market.</param>
/// <param name="TokenId">The token asked about.</param>
/// <param name="Outcome">Its outcome.</param>
/// <param name="PrimaryTokenId">The YES token.</param>
/// <param name="SecondaryTokenId">The NO token.</param>
public sealed record MarketByTokenReply(string ConditionId, string TokenId, string Outcome, string PrimaryTokenId, string SecondaryTokenId);

/// <summary>Reply of <c>GET /v1/midpoint</c>.</summary>
/// <param name="Mid">Midpoint, decimal string.</param>
public sealed record MidpointReply(string Mid);

/// <summary>Reply of <c>GET /v1/spread</c>.</summary>
/// <param name="Spread">Best ask minus best bid, decimal string.</param>
public sealed record SpreadReply(string Spread);

/// <summary>Reply of <c>GET /v1/price</c>.</summary>
/// <param name="Price">Best bid (side=BUY) or best ask (side=SELL), decimal string.</param>
public sealed record PriceReply(string Price);

/// <summary>Reply of <c>GET /v1/last-trade-price</c>.</summary>
/// <param name="Price">This token's price at the last trade, "" when none.</param>
/// <param name="Side">The taker's side on this token, "" when none.</param>
public sealed record LastTradePriceReply(string Price, string Side);

/// <summary>One point of a price history.</summary>
/// <param name="T">Unix seconds.</param>
/// <param name="P">Price, a JSON number (Polymarket's type).</param>
public sealed record PricePointReply(long T, decimal P);

/// <summary>Reply of <c>GET /v1/prices-history</c>.</summary>
/// <param name="History">Points in time order.</param>
public sealed record PriceHistoryReply(IReadOnlyList<PricePointReply> History);

/// <summary>Source-generated JSON for market data and the operator market routes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CreateMarketRequest))]
[JsonSerializable(typeof(TickSizeRequest))]
[JsonSerializable(typeof(ResolveRequest))]
[JsonSerializable(typeof(ClockAdvanceRequest))]
[JsonSerializable(typeof(ClockReply))]
[JsonSerializable(typeof(MarketReply))]
[JsonSerializable(typeof(MarketPage))]
[JsonSerializable(typeof(OrderBookReply))]
[JsonSerializable(typeof(TickSizeReply))]
[JsonSerializable(typeof(MarketByTokenReply))]
[JsonSerializable(typeof(MidpointReply))]
[JsonSerializable(typeof(SpreadReply))]
[JsonSerializable(typeof(PriceReply))]
[JsonSerializable(typeof(LastTradePriceReply))]
[JsonSerializable(typeof(PriceHistoryReply))]
internal sealed partial class MarketsJson : JsonSerializerContext;
