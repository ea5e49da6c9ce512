using System.Collections.Frozen;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api.Orders;

/// <summary>The facts a rejection message may quote; every field is optional and already formatted for the wire.</summary>
/// <remarks>Missing values render as a neutral placeholder, so a message never fails to format.</remarks>
public sealed record RejectContext
{
    /// <summary>The public id of the order concerned (Polymarket quotes it as <c>order {id} is invalid…</c>).</summary>
    public string? OrderId { get; init; }

    /// <summary>The order's limit price, e.g. "0.345".</summary>
    public string? Price { get; init; }

    /// <summary>The order's size in shares, e.g. "1.08".</summary>
    public string? Size { get; init; }

    /// <summary>The market's tick size, e.g. "0.01".</summary>
    public string? TickSize { get; init; }

    /// <summary>The market's minimum resting size in shares, e.g. "5".</summary>
    public string? MinimumSize { get; init; }

    /// <summary>What a marketable BUY is worth in USDC, e.g. "0.5".</summary>
    public string? Notional { get; init; }

    /// <summary>What the account has available: USDC for a BUY, shares of the token for a SELL.</summary>
    public string? Available { get; init; }

    /// <summary>What the order needs: USDC for a BUY, shares for a SELL.</summary>
    public string? Required { get; init; }
}

/// <summary>How one engine <see cref="RejectCode"/> appears on the wire.</summary>
/// <param name="Code">The engine's reject code.</param>
/// <param name="Status">HTTP status on both surfaces.</param>
/// <param name="PolysimCode">Machine code for the <c>X-Polysim-Code</c> header of the native /v1 surface (seed 003's names).</param>
/// <param name="NativeMessage">The human-readable message of the native surface.</param>
/// <param name="PolymarketMessage">The <c>error</c> string Polymarket's CLOB answers with (research §5.4), or the closest
/// wording where Polymarket has no documented string for the situation.</param>
/// <param name="PolymarketDocumented">Whether <paramref name="PolymarketMessage"/> is Polymarket's documented or observed
/// wording (true) or ours, for a situation Polymarket never reports (false).</param>
public sealed record RejectEntry(
    RejectCode Code,
    int Status,
    string PolysimCode,
    Func<RejectContext, string> NativeMessage,
    Func<RejectContext, string> PolymarketMessage,
    bool PolymarketDocumented);

/// <summary>The one table mapping every engine <see cref="RejectCode"/> to its HTTP status, <c>X-Polysim-Code</c>, native
/// message and Polymarket error string; both the native /v1 surface and the Polymarket wire answer from it.</summary>
/// <remarks>
/// Client-caused rejections are 4xx (404 for an unknown market or order, 422 for schema-level ranges such as a price outside
/// (0, 1), 400 for trading rules); rejections that only a host bug can cause (sequence, unknown account, malformed command)
/// are 500 <c>EXECUTION_ERROR</c>. An order on another account answers exactly like an unknown order, so ids leak nothing.
/// </remarks>
public static class RejectTable
{
    private const string Unknown = "?";

    private static readonly FrozenDictionary<RejectCode, RejectEntry> Entries = Build().ToFrozenDictionary(e => e.Code);

    /// <summary>Every entry, one per reject code other than <see cref="RejectCode.None"/>.</summary>
    public static IReadOnlyCollection<RejectEntry> All => Entries.Values;

    /// <summary>The entry of <paramref name="code"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is <see cref="RejectCode.None"/> or unknown.</exception>
    public static RejectEntry For(RejectCode code) =>
        Entries.TryGetValue(code, out var entry)
            ? entry
            : throw new ArgumentOutOfRangeException(nameof(code), code, "Not a rejection.");

    /// <summary>Whether <paramref name="code"/> has an entry.</summary>
    public static bool Contains(RejectCode code) => Entries.ContainsKey(code);

    private static string V(string? value) => string.IsNullOrEmpty(value) ? Unknown : value;

    private static IEnumerable<RejectEntry> Build()
    {
        const string Execution = "EXECUTION_ERROR";
        const string Validation = "VALIDATION_FAILED";

        yield return new(RejectCode.SequenceOutOfOrder, 500, Execution,
            _ => "The order could not be executed (the engine refused its sequence number).",
            _ => "could not insert order",
            false);
        yield return new(RejectCode.InvalidCommand, 500, Execution,
            _ => "The order could not be executed (the engine did not understand the command).",
            _ => "could not insert order",
            false);
        yield return new(RejectCode.AccountNotFound, 500, Execution,
            _ => "The order could not be executed: this wallet is not registered with the engine.",
            _ => "could not insert order",
            false);
        yield return new(RejectCode.AccountExists, 500, Execution,
            _ => "The wallet is already registered with the engine.",
            _ => "could not insert order",
            false);
        yield return new(RejectCode.MarketNotFound, 404, "MARKET_NOT_FOUND",
            _ => "Market not found. Look the token up with GET /v1/markets-by-token/{token_id}.",
            _ => "market not found",
            false);
        yield return new(RejectCode.MarketExists, 409, "MARKET_EXISTS",
            _ => "A market with this id already exists.",
            _ => "market already exists",
            false);
        yield return new(RejectCode.MarketClosed, 400, "MARKET_CLOSED",
            _ => "The market is closed or resolved and accepts no new orders.",
            _ => "the market is not yet ready to process new orders",
            true);
        yield return new(RejectCode.MarketResolved, 400, "MARKET_CLOSED",
            _ => "The market is already resolved.",
            _ => "the market is not yet ready to process new orders",
            true);
        yield return new(RejectCode.InvalidMarketParameters, 422, Validation,
            _ => "Market parameters out of range: the tick size must be 0.1, 0.01, 0.001 or 0.0001.",
            _ => "invalid market parameters",
            false);
        yield return new(RejectCode.InvalidTickSize, 400, "INVALID_ORDER_MIN_TICK_SIZE",
            c => $"Price {V(c.Price)} is not a multiple of the market's tick size {V(c.TickSize)}; round it with GET /v1/tick-size/{{token_id}}.",
            c => $"order {V(c.OrderId)} is invalid. Price ({V(c.Price)}) breaks minimum tick size rule: {V(c.TickSize)}",
            true);
        yield return new(RejectCode.InvalidPrice, 422, Validation,
            c => $"Price {V(c.Price)} is out of range: it must lie between the tick size {V(c.TickSize)} and 1 minus the tick size.",
            c => $"invalid price ({V(c.Price)}), min: {V(c.TickSize)} - max: 1 - {V(c.TickSize)}",
            true);
        yield return new(RejectCode.InvalidQuantity, 400, "INVALID_QUANTITY",
            c => $"The order size {V(c.Size)} is not a positive quantity the engine can execute.",
            _ => "Invalid order payload",
            true);
        yield return new(RejectCode.BelowMinimumSize, 400, "INVALID_ORDER_MIN_SIZE",
            c => $"Order size {V(c.Size)} is below the market's minimum of {V(c.MinimumSize)} shares for resting orders.",
            c => $"order {V(c.OrderId)} is invalid. Size ({V(c.Size)}) lower than the minimum: {V(c.MinimumSize)}",
            true);
        yield return new(RejectCode.BelowMinimumNotional, 400, "INVALID_ORDER_MIN_SIZE",
            c => $"A BUY that crosses the book must be worth at least $1; this one is worth ${V(c.Notional)}.",
            c => $"invalid amount for a marketable BUY order (${V(c.Notional)}), min size: $1",
            true);
        yield return new(RejectCode.InvalidExpiration, 400, "INVALID_ORDER_EXPIRATION",
            _ => "Invalid expiration: a GTD order must expire at least 60 seconds from now (Unix seconds), and other orders carry none.",
            _ => "invalid expiration",
            true);
        yield return new(RejectCode.PostOnlyWouldCross, 400, "INVALID_POST_ONLY_ORDER",
            c => $"The post-only order at {V(c.Price)} would cross the book; it was rejected rather than taking liquidity.",
            _ => "invalid post-only order: order crosses book",
            true);
        yield return new(RejectCode.PostOnlyInvalidTimeInForce, 400, "INVALID_POST_ONLY_ORDER_TYPE",
            _ => "post_only is only allowed on GTC and GTD orders.",
            _ => "invalid post-only order: only GTC and GTD order types are allowed",
            true);
        yield return new(RejectCode.BudgetOnlyForBuy, 400, "INVALID_ORDER_PAYLOAD",
            _ => "Only a BUY can be sized as a USDC amount; size a SELL in shares.",
            _ => "Invalid order payload",
            true);
        yield return new(RejectCode.FokNotFilled, 400, "FOK_ORDER_NOT_FILLED_ERROR",
            c => $"The order could not be filled completely at {V(c.Price)} or better, so it was killed without effect.",
            _ => "order couldn't be fully filled. FOK orders are fully filled or killed.",
            true);
        yield return new(RejectCode.FakNoMatch, 400, "FOK_ORDER_NOT_FILLED_ERROR",
            c => $"Nothing in the book matches at {V(c.Price)} or better, so the FAK order was killed without effect.",
            _ => "no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.",
            true);
        yield return new(RejectCode.InsufficientBalance, 400, "INSUFFICIENT_BALANCE",
            c => $"Available balance ${V(c.Available)} is less than the order cost ${V(c.Required)}.",
            _ => "not enough balance / allowance",
            true);
        yield return new(RejectCode.InsufficientPosition, 400, "INSUFFICIENT_POSITION",
            c => $"Available position {V(c.Available)} shares is less than the {V(c.Required)} shares to sell; every SELL must be backed by shares of that token.",
            _ => "not enough balance / allowance",
            true);
        yield return new(RejectCode.DuplicateOrderId, 400, "INVALID_ORDER_DUPLICATED",
            c => $"Order {V(c.OrderId)} is already open.",
            c => $"order {V(c.OrderId)} is invalid. Duplicated.",
            true);
        yield return new(RejectCode.OrderNotFound, 404, "ORDER_NOT_FOUND",
            c => $"Order {V(c.OrderId)} not found.",
            _ => "order not found",
            false);
        yield return new(RejectCode.NotOrderOwner, 404, "ORDER_NOT_FOUND",
            c => $"Order {V(c.OrderId)} not found.",
            _ => "order not found",
            false);
        yield return new(RejectCode.InvalidOutcome, 422, Validation,
            _ => "outcome must be Yes or No.",
            _ => "Invalid order payload",
            true);
    }
}
