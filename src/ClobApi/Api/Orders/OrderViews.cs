using System.Text.Json;
using System.Text.Json.Serialization;

namespace Polysim.ClobApi.Api.Orders;

/// <summary>One fill of an order on the native surface.</summary>
/// <param name="TradeId">Public trade id.</param>
/// <param name="Role">"maker" or "taker".</param>
/// <param name="Price">This order's own-token price of the fill.</param>
/// <param name="Size">Shares filled.</param>
/// <param name="Fee">Taker fee (0 for a maker).</param>
/// <param name="FeeAsset">"shares" (a BUY taker pays in shares) or "usdc".</param>
/// <param name="MatchType">NORMAL, MINT or MERGE.</param>
/// <param name="Timestamp">ISO-8601 UTC time of the fill.</param>
public sealed record FillView(string TradeId, string Role, string Price, string Size, string Fee, string FeeAsset, string MatchType, string Timestamp);

/// <summary>The native order object; every decimal is a string. Failed batch entries carry only what is known plus the error.</summary>
/// <param name="OrderId">Public id ("0x" + 64 hex); null for a rejected batch entry.</param>
/// <param name="ClientOrderId">The client's id, or null.</param>
/// <param name="Status">OPEN, PARTIALLY_FILLED, FILLED, CANCELLED or EXPIRED; REJECTED or ERROR for failed batch entries.</param>
/// <param name="MarketId">Condition id (0x + 64 hex).</param>
/// <param name="TokenId">Token id (uint256 decimal).</param>
/// <param name="Outcome">"Yes" or "No".</param>
/// <param name="Side">BUY or SELL.</param>
/// <param name="OrderType">"limit" or "market".</param>
/// <param name="Price">Limit price (worst price for a market order).</param>
/// <param name="Quantity">Size in shares (for a market BUY sized by amount: what it bought once finished).</param>
/// <param name="Amount">USDC budget of a market BUY sized by amount, else null.</param>
/// <param name="FilledQuantity">Shares filled.</param>
/// <param name="RemainingQuantity">Shares still open.</param>
/// <param name="AvgFillPrice">Size-weighted average fill price, or null before any fill.</param>
/// <param name="TimeInForce">GTC, GTD, FOK or FAK.</param>
/// <param name="PostOnly">Post-only flag.</param>
/// <param name="Expiration">GTD expiration in Unix seconds, or null.</param>
/// <param name="CreatedAt">ISO-8601 UTC submission time.</param>
/// <param name="UpdatedAt">ISO-8601 UTC time of the last change.</param>
/// <param name="CancelReason">Why it left the book (user, expired, fak_remainder, self_trade, market_resolved), or null.</param>
/// <param name="FillCount">How many fills (the list keeps the first 500).</param>
/// <param name="Fills">Fills, oldest first.</param>
public sealed record OrderView(
    string? OrderId,
    string? ClientOrderId,
    string Status,
    string? MarketId,
    string? TokenId,
    string? Outcome,
    string? Side,
    string? OrderType,
    string? Price,
    string? Quantity,
    string? Amount,
    string? FilledQuantity,
    string? RemainingQuantity,
    string? AvgFillPrice,
    string? TimeInForce,
    bool? PostOnly,
    long? Expiration,
    string? CreatedAt,
    string? UpdatedAt,
    string? CancelReason,
    int FillCount,
    IReadOnlyList<FillView> Fills)
{
    /// <summary>Machine code of a failed batch entry (the code a single order would carry in <c>X-Polysim-Code</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <summary>Human-readable message of a failed batch entry.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorMessage { get; init; }
}

/// <summary>A page of the caller's orders, newest first.</summary>
/// <param name="Orders">The orders.</param>
/// <param name="HasMore">Whether another page follows.</param>
/// <param name="NextCursor">Opaque cursor of the next page, or null.</param>
/// <param name="TotalHint">How many orders the wallet has in all (an upper bound of the filtered count).</param>
public sealed record OrderListReply(IReadOnlyList<OrderView> Orders, bool HasMore, string? NextCursor, int TotalHint);

/// <summary>Reply of <c>POST /v1/orders/batch</c>: one entry per order, in request order.</summary>
/// <param name="Results">Per-entry results.</param>
/// <param name="Succeeded">Entries placed.</param>
/// <param name="Failed">Entries rejected or failed.</param>
public sealed record BatchReply(IReadOnlyList<OrderView> Results, int Succeeded, int Failed);

/// <summary>Reply of every cancel route (Polymarket's shape).</summary>
/// <param name="Canceled">Public ids of the orders cancelled.</param>
/// <param name="NotCanceled">Orders not cancelled, with the reason.</param>
public sealed record CancelReply(IReadOnlyList<string> Canceled, IReadOnlyDictionary<string, string> NotCanceled);

/// <summary>Polymarket's order placement reply (<c>POST /order</c>), field names exactly as Polymarket spells them.</summary>
/// <param name="Success">Whether the order was placed.</param>
/// <param name="ErrorMsg">Polymarket's error string, or "".</param>
/// <param name="OrderId">Public order id, or "".</param>
/// <param name="Status">"matched", "live", or "" when rejected.</param>
/// <param name="MakingAmount">BUY: USDC spent; SELL: shares sold; "" when nothing matched.</param>
/// <param name="TakingAmount">BUY: shares received; SELL: USDC received; "" when nothing matched.</param>
/// <param name="TransactionsHashes">Always empty (nothing settles on chain).</param>
/// <param name="TradeIds">Public ids of the trades the order took part in.</param>
public sealed record PolymarketOrderReply(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("errorMsg")] string ErrorMsg,
    [property: JsonPropertyName("orderID")] string OrderId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("makingAmount")] string MakingAmount,
    [property: JsonPropertyName("takingAmount")] string TakingAmount,
    [property: JsonPropertyName("transactionsHashes")] IReadOnlyList<string> TransactionsHashes,
    [property: JsonPropertyName("tradeIDs")] IReadOnlyList<string> TradeIds);

/// <summary>Body of <c>POST /v1/orders</c> (one object) and of each <c>POST /v1/orders/batch</c> entry; numbers may be JSON numbers or strings.</summary>
/// <param name="TokenId">Token id; or give <paramref name="MarketId"/> and <paramref name="Outcome"/>.</param>
/// <param name="MarketId">Condition id (with <paramref name="Outcome"/>).</param>
/// <param name="Outcome">"Yes" or "No".</param>
/// <param name="Side">BUY or SELL.</param>
/// <param name="Quantity">Shares.</param>
/// <param name="Amount">USDC to spend: market BUY only, instead of <paramref name="Quantity"/>.</param>
/// <param name="Price">Limit price; for a market order the worst acceptable price (required).</param>
/// <param name="OrderType">"limit" (default) or "market" (the default when <paramref name="Amount"/> is given).</param>
/// <param name="TimeInForce">GTC (limit default), GTD, FOK (market default), FAK (IOC is accepted as FAK).</param>
/// <param name="Expiration">GTD expiration, Unix seconds (at least 60 s ahead).</param>
/// <param name="PostOnly">Reject instead of crossing (GTC/GTD only).</param>
/// <param name="ClientOrderId">The client's id, unique per account.</param>
public sealed record NativeOrderRequest(
    string? TokenId, string? MarketId, string? Outcome, string Side, string? Quantity, string? Amount, string? Price,
    string? OrderType, string? TimeInForce, long? Expiration, bool? PostOnly, string? ClientOrderId);

/// <summary>Body of <c>POST /v1/clob/order</c>: the flat legacy order.</summary>
/// <param name="TokenId">Token id.</param>
/// <param name="Side">BUY or SELL.</param>
/// <param name="Size">Shares.</param>
/// <param name="Price">Limit price.</param>
/// <param name="OrderType">GTC (default), GTD, FOK or FAK; IOC is refused with UNSUPPORTED_ORDER_TYPE.</param>
/// <param name="ClientOrderId">The client's id.</param>
/// <param name="Expiration">GTD expiration, Unix seconds.</param>
/// <param name="PostOnly">Reject instead of crossing.</param>
public sealed record ClobOrderRequest(
    string TokenId, string Side, string Size, string? Price, string? OrderType, string? ClientOrderId, long? Expiration, bool? PostOnly);

/// <summary>The signed order inside a Polymarket order body; on-chain fields are accepted and ignored.</summary>
/// <param name="TokenId">Token id.</param>
/// <param name="MakerAmount">What the maker gives, 6-decimal integer units (BUY: USDC, SELL: shares).</param>
/// <param name="TakerAmount">What the maker receives (BUY: shares, SELL: USDC).</param>
/// <param name="Side">"BUY"/"SELL" (or 0/1).</param>
/// <param name="Expiration">Unix seconds, "0" for none.</param>
/// <param name="Salt">Ignored.</param>
/// <param name="Maker">Ignored.</param>
/// <param name="Signer">Ignored.</param>
/// <param name="Signature">Ignored.</param>
public sealed record PolymarketSignedOrder(
    [property: JsonPropertyName("tokenId")] string TokenId,
    [property: JsonPropertyName("makerAmount")] string MakerAmount,
    [property: JsonPropertyName("takerAmount")] string TakerAmount,
    [property: JsonPropertyName("side")] string Side,
    [property: JsonPropertyName("expiration")] string? Expiration,
    [property: JsonPropertyName("salt")] JsonElement? Salt,
    [property: JsonPropertyName("maker")] string? Maker,
    [property: JsonPropertyName("signer")] string? Signer,
    [property: JsonPropertyName("signature")] string? Signature);

/// <summary>Polymarket's order body (<c>POST /order</c>): the signed order, its owner and its type.</summary>
/// <param name="Order">The signed order.</param>
/// <param name="Owner">The API key owner (ignored).</param>
/// <param name="OrderType">GTC (default), GTD, FOK or FAK.</param>
/// <param name="PostOnly">Reject instead of crossing.</param>
public sealed record PolymarketOrderRequest(
    [property: JsonPropertyName("order")] PolymarketSignedOrder Order,
    [property: JsonPropertyName("owner")] string? Owner,
    [property: JsonPropertyName("orderType")] string? OrderType,
    [property: JsonPropertyName("postOnly")] bool? PostOnly);

/// <summary>Body of <c>POST /v1/orders/batch</c>.</summary>
/// <param name="Orders">The orders, at most the tier's batch size.</param>
public sealed record BatchOrdersRequest(IReadOnlyList<NativeOrderRequest> Orders);

/// <summary>Body of <c>DELETE /v1/order</c>.</summary>
/// <param name="OrderId">The order to cancel.</param>
public sealed record CancelOrderRequest([property: JsonPropertyName("orderID")] string OrderId);

/// <summary>Body (or query) of <c>DELETE /v1/cancel-market-orders</c>: a market, a token, or both.</summary>
/// <param name="Market">Condition id.</param>
/// <param name="AssetId">Token id.</param>
public sealed record CancelMarketRequest(string? Market, string? AssetId);

/// <summary>Source-generated JSON for the order routes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(OrderView))]
[JsonSerializable(typeof(OrderListReply))]
[JsonSerializable(typeof(BatchReply))]
[JsonSerializable(typeof(CancelReply))]
[JsonSerializable(typeof(PolymarketOrderReply))]
[JsonSerializable(typeof(IReadOnlyList<PolymarketOrderReply>))]
[JsonSerializable(typeof(NativeOrderRequest))]
[JsonSerializable(typeof(IReadOnlyList<NativeOrderRequest>))]
[JsonSerializable(typeof(ClobOrderRequest))]
[JsonSerializable(typeof(PolymarketOrderRequest))]
[JsonSerializable(typeof(IReadOnlyList<PolymarketOrderRequest>))]
[JsonSerializable(typeof(BatchOrdersRequest))]
[JsonSerializable(typeof(CancelOrderRequest))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(CancelMarketRequest))]
public sealed partial class OrdersJson : JsonSerializerContext;
