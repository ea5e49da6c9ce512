using System.Text.Json.Serialization;
using Polysim.ClobApi.Api.Orders;

namespace Polysim.ClobApi.Polymarket.Trading;

/// <summary>Reply of <c>POST /auth/api-key</c> and <c>GET /auth/derive-api-key</c> (Polymarket's ApiKeyRaw).</summary>
/// <param name="ApiKey">The key (UUID).</param>
/// <param name="Secret">base64url HMAC secret.</param>
/// <param name="Passphrase">Passphrase.</param>
public sealed record PolymarketApiKeyReply(
    [property: JsonPropertyName("apiKey")] string ApiKey,
    [property: JsonPropertyName("secret")] string Secret,
    [property: JsonPropertyName("passphrase")] string Passphrase);

/// <summary>Reply of <c>GET /auth/api-keys</c>.</summary>
/// <param name="ApiKeys">The address's live keys.</param>
public sealed record PolymarketApiKeysReply([property: JsonPropertyName("apiKeys")] IReadOnlyList<string> ApiKeys);

/// <summary>Reply of <c>GET /auth/ban-status/closed-only</c>.</summary>
/// <param name="ClosedOnly">Always false: paper accounts are never restricted to closing.</param>
public sealed record PolymarketClosedOnlyReply(bool ClosedOnly);

/// <summary>Polymarket's OpenOrder (<c>GET /data/order/{id}</c>, items of <c>GET /data/orders</c>).</summary>
/// <param name="Id">Order hash.</param>
/// <param name="Status">LIVE, MATCHED, CANCELED or CANCELED_MARKET_RESOLVED.</param>
/// <param name="Owner">API key that placed it.</param>
/// <param name="MakerAddress">The wallet's address.</param>
/// <param name="Market">Condition id.</param>
/// <param name="AssetId">Token id.</param>
/// <param name="Side">BUY or SELL.</param>
/// <param name="OriginalSize">Shares asked for.</param>
/// <param name="SizeMatched">Shares filled.</param>
/// <param name="Price">Limit price.</param>
/// <param name="AssociateTrades">Trade ids.</param>
/// <param name="Outcome">Yes or No.</param>
/// <param name="CreatedAt">Unix seconds (a number).</param>
/// <param name="Expiration">Unix seconds as a string, "0" for none.</param>
/// <param name="OrderType">GTC, GTD, FOK or FAK.</param>
public sealed record PolymarketOpenOrder(
    string Id, string Status, string Owner, string MakerAddress, string Market, string AssetId, string Side, string OriginalSize,
    string SizeMatched, string Price, IReadOnlyList<string> AssociateTrades, string Outcome, long CreatedAt, string Expiration, string OrderType);

/// <summary>A page of open orders in Polymarket's envelope.</summary>
/// <param name="Limit">Page size.</param>
/// <param name="Count">Items here.</param>
/// <param name="NextCursor">base64 offset of the next page, <c>LTE=</c> after the last.</param>
/// <param name="Data">Orders.</param>
public sealed record PolymarketOrderPage(int Limit, int Count, string NextCursor, IReadOnlyList<PolymarketOpenOrder> Data);

/// <summary>One maker order of a trade.</summary>
/// <param name="OrderId">Maker order hash.</param>
/// <param name="Owner">Maker's API key.</param>
/// <param name="MakerAddress">Maker's address.</param>
/// <param name="MatchedAmount">Shares matched.</param>
/// <param name="Price">Maker's own-token price.</param>
/// <param name="FeeRateBps">Fee rate, bps.</param>
/// <param name="AssetId">Maker's token.</param>
/// <param name="Outcome">Yes or No.</param>
/// <param name="Side">Maker's side.</param>
public sealed record PolymarketMakerOrder(
    string OrderId, string Owner, string MakerAddress, string MatchedAmount, string Price, string FeeRateBps, string AssetId, string Outcome, string Side);

/// <summary>Polymarket's Trade object (taker-centric; both parties see it).</summary>
/// <param name="Id">Trade id (UUID).</param>
/// <param name="TakerOrderId">Taker order hash.</param>
/// <param name="Market">Condition id.</param>
/// <param name="AssetId">Taker's token.</param>
/// <param name="Side">Taker's side.</param>
/// <param name="Size">Shares.</param>
/// <param name="FeeRateBps">Fee rate, bps.</param>
/// <param name="Price">Taker's price.</param>
/// <param name="Status">MATCHED, then CONFIRMED.</param>
/// <param name="MatchTime">Unix seconds, string.</param>
/// <param name="LastUpdate">Unix seconds, string.</param>
/// <param name="Outcome">Taker's outcome.</param>
/// <param name="BucketIndex">Always 0.</param>
/// <param name="Owner">The requesting key.</param>
/// <param name="MakerAddress">Taker's address.</param>
/// <param name="TransactionHash">Synthetic settlement hash.</param>
/// <param name="TraderSide">TAKER or MAKER: the requester's role.</param>
/// <param name="MakerOrders">The maker order(s).</param>
public sealed record PolymarketTrade(
    string Id, string TakerOrderId, string Market, string AssetId, string Side, string Size, string FeeRateBps, string Price, string Status,
    string MatchTime, string LastUpdate, string Outcome, int BucketIndex, string Owner, string MakerAddress, string TransactionHash,
    string TraderSide, IReadOnlyList<PolymarketMakerOrder> MakerOrders);

/// <summary>A page of trades.</summary>
/// <param name="Limit">Page size.</param>
/// <param name="Count">Items here.</param>
/// <param name="NextCursor">Next cursor or <c>LTE=</c>.</param>
/// <param name="Data">Trades.</param>
public sealed record PolymarketTradePage(int Limit, int Count, string NextCursor, IReadOnlyList<PolymarketTrade> Data);

/// <summary>An always-empty page (rewards, builder trades, pre-migration orders).</summary>
/// <param name="Limit">Page size.</param>
/// <param name="Count">0.</param>
/// <param name="NextCursor"><c>LTE=</c>.</param>
/// <param name="Data">Empty.</param>
public sealed record PolymarketEmptyPage(int Limit, int Count, string NextCursor, IReadOnlyList<string> Data);

/// <summary>Reply of <c>GET /balance-allowance</c>.</summary>
/// <param name="Balance">6-decimal base units.</param>
/// <param name="Allowance">Max uint256 (paper allowances are unlimited).</param>
/// <param name="Allowances">The same allowance for every V1 and V2 exchange contract and the NegRiskAdapter.</param>
public sealed record PolymarketBalanceAllowance(string Balance, string Allowance, IReadOnlyDictionary<string, string> Allowances);

/// <summary>Reply of <c>GET /order-scoring</c>.</summary>
/// <param name="Scoring">Always false: the paper venue runs no rewards program.</param>
public sealed record PolymarketScoringReply(bool Scoring);

/// <summary>Reply of <c>GET /fees/builder-fees/{code}</c>.</summary>
/// <param name="BuilderMakerFeeRateBps">0.</param>
/// <param name="BuilderTakerFeeRateBps">0.</param>
public sealed record PolymarketBuilderFeesReply(int BuilderMakerFeeRateBps, int BuilderTakerFeeRateBps);

/// <summary>Source-generated JSON for the Polymarket trading routes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(PolymarketApiKeyReply))]
[JsonSerializable(typeof(PolymarketApiKeysReply))]
[JsonSerializable(typeof(PolymarketClosedOnlyReply))]
[JsonSerializable(typeof(PolymarketOpenOrder))]
[JsonSerializable(typeof(PolymarketOrderPage))]
[JsonSerializable(typeof(PolymarketTradePage))]
[JsonSerializable(typeof(PolymarketEmptyPage))]
[JsonSerializable(typeof(PolymarketBalanceAllowance))]
[JsonSerializable(typeof(PolymarketScoringReply))]
[JsonSerializable(typeof(PolymarketBuilderFeesReply))]
[JsonSerializable(typeof(PolymarketOrderReply))]
[JsonSerializable(typeof(IReadOnlyList<PolymarketOrderReply>))]
[JsonSerializable(typeof(CancelReply))]
[JsonSerializable(typeof(Dictionary<string, bool>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(string))]
internal sealed partial class PolyJson : JsonSerializerContext;
