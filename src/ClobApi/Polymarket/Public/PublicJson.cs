using System.Text.Json.Serialization;
using Polysim.ClobApi.Api.Markets;

namespace Polysim.ClobApi.Polymarket.Public;

/// <summary>One item of a Polymarket batch body (<c>POST /books</c>, <c>/prices</c>, <c>/midpoints</c>, <c>/spreads</c>, <c>/last-trades-prices</c>).</summary>
/// <param name="TokenId">The token id.</param>
/// <param name="Side">BUY or SELL; read by <c>POST /prices</c> only.</param>
public sealed record TokenParam(string? TokenId, string? Side);

/// <summary>Reply of <c>GET /version</c>.</summary>
/// <param name="Version">The order protocol version the venue expects (2).</param>
public sealed record VersionReply(int Version);

/// <summary>Reply of <c>GET /neg-risk</c>.</summary>
/// <param name="NegRisk">The market's neg-risk flag.</param>
public sealed record NegRiskReply(bool NegRisk);

/// <summary>Reply of <c>GET /fee-rate</c>.</summary>
/// <param name="BaseFee">The fee cap in basis points that orders must sign: 1000 where takers pay fees, 0 on fee-free markets.</param>
public sealed record FeeRateReply(int BaseFee);

/// <summary>A market in Polymarket's simplified form.</summary>
/// <param name="ConditionId">Condition id.</param>
/// <param name="Tokens">YES then NO.</param>
/// <param name="Rewards">No rewards.</param>
/// <param name="Active">False once resolved.</param>
/// <param name="Closed">True when not accepting orders.</param>
/// <param name="Archived">Always false.</param>
/// <param name="AcceptingOrders">True while the market takes new orders.</param>
public sealed record SimplifiedMarketReply(
    string ConditionId, IReadOnlyList<TokenReply> Tokens, RewardsReply Rewards, bool Active, bool Closed, bool Archived, bool AcceptingOrders);

/// <summary>A page of simplified markets in Polymarket's paging envelope.</summary>
/// <param name="Limit">Page size.</param>
/// <param name="Count">Markets in this page.</param>
/// <param name="NextCursor">Cursor of the next page, <c>LTE=</c> after the last.</param>
/// <param name="Data">The markets.</param>
public sealed record SimplifiedMarketPage(int Limit, int Count, string NextCursor, IReadOnlyList<SimplifiedMarketReply> Data);

/// <summary>One item of <c>/last-trades-prices</c>.</summary>
/// <param name="TokenId">The token.</param>
/// <param name="Price">Its price at the last trade, "" when none.</param>
/// <param name="Side">The taker's side on this token, "" when none.</param>
public sealed record LastTradesPriceItem(string TokenId, string Price, string Side);

/// <summary>Reply of <c>GET /markets-by-token/{token_id}</c>.</summary>
/// <param name="ConditionId">The token's market.</param>
/// <param name="PrimaryTokenId">The YES token.</param>
/// <param name="SecondaryTokenId">The NO token.</param>
public sealed record MarketByTokenShortReply(string ConditionId, string PrimaryTokenId, string SecondaryTokenId);

/// <summary>One token of <c>/clob-markets</c> (short keys).</summary>
/// <param name="T">Token id.</param>
/// <param name="O">Outcome name.</param>
public sealed record ClobTokenReply(
    [property: JsonPropertyName("t")] string T,
    [property: JsonPropertyName("o")] string O);

/// <summary>Fee details of <c>/clob-markets</c>: rate, exponent, taker-only.</summary>
/// <param name="R">Fee rate (0.072 for 7.2 %).</param>
/// <param name="E">Fee curve exponent.</param>
/// <param name="To">Taker-only (always true here: makers never pay).</param>
public sealed record ClobFeeReply(
    [property: JsonPropertyName("r")] decimal R,
    [property: JsonPropertyName("e")] decimal E,
    [property: JsonPropertyName("to")] bool To);

/// <summary>V2 <c>MarketDetails</c> of <c>GET /clob-markets/{condition_id}</c>, with Polymarket's short keys; optional keys are absent when unset.</summary>
/// <param name="C">Condition id.</param>
/// <param name="T">Tokens, YES then NO.</param>
/// <param name="Mts">Minimum tick size, a number.</param>
/// <param name="Nr">Neg-risk; absent when false.</param>
/// <param name="Fd">Fee details; absent on fee-free markets.</param>
/// <param name="Mbf">Maker base fee (bps), the value of <c>/fee-rate</c>.</param>
/// <param name="Tbf">Taker base fee (bps), the value of <c>/fee-rate</c>.</param>
/// <param name="R">Rewards: always null (none simulated), always present.</param>
/// <param name="Ao">Accepting orders.</param>
/// <param name="Mos">Minimum order size, a number.</param>
/// <param name="Sd">Seconds of matching delay (0).</param>
/// <param name="Aot">Accepting-orders timestamp, ISO 8601.</param>
public sealed record ClobMarketReply(
    [property: JsonPropertyName("c")] string C,
    [property: JsonPropertyName("t")] IReadOnlyList<ClobTokenReply> T,
    [property: JsonPropertyName("mts")] decimal Mts,
    [property: JsonPropertyName("nr"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Nr,
    [property: JsonPropertyName("fd"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ClobFeeReply? Fd,
    [property: JsonPropertyName("mbf")] int Mbf,
    [property: JsonPropertyName("tbf")] int Tbf,
    [property: JsonPropertyName("r")] string? R,
    [property: JsonPropertyName("ao")] bool Ao,
    [property: JsonPropertyName("mos")] decimal Mos,
    [property: JsonPropertyName("sd")] int Sd,
    [property: JsonPropertyName("aot")] string Aot);

/// <summary>Source-generated JSON of the root Polymarket routes (snake_case; book and market types come from <see cref="MarketsJson"/>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(List<TokenParam>))]
[JsonSerializable(typeof(VersionReply))]
[JsonSerializable(typeof(NegRiskReply))]
[JsonSerializable(typeof(FeeRateReply))]
[JsonSerializable(typeof(SimplifiedMarketPage))]
[JsonSerializable(typeof(List<OrderBookReply>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<LastTradesPriceItem>))]
[JsonSerializable(typeof(MarketByTokenShortReply))]
[JsonSerializable(typeof(ClobMarketReply))]
internal sealed partial class PublicJson : JsonSerializerContext;
