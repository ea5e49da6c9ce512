using System.Globalization;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.ClobApi.Projections;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api.Orders;

/// <summary>Why an order operation did not happen, in both surfaces' words.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Code">X-Polysim-Code.</param>
/// <param name="Message">Native message.</param>
/// <param name="PolymarketMessage">Polymarket's error string.</param>
/// <param name="Executed">Whether the engine judged it (a stored, replayable outcome) rather than the edge refusing it.</param>
public sealed record OrderFailure(int Status, string Code, string Message, string PolymarketMessage, bool Executed)
{
    /// <summary>The failure as a thrown contract error, with the message of the chosen surface.</summary>
    public ApiException ToException(bool polymarket) =>
        new(Status, Code, polymarket ? PolymarketMessage : Message);
}

/// <summary>The result of placing one order: the rendered order, or why not.</summary>
/// <typeparam name="T">What the caller renders an order as.</typeparam>
/// <param name="Order">The rendered order when placed (or found again by its client order id).</param>
/// <param name="Failure">Why not, otherwise.</param>
/// <param name="Replayed">The order already existed under this client order id with the same parameters.</param>
public sealed record PlaceResult<T>(T? Order, OrderFailure? Failure, bool Replayed);

/// <summary>Who an order operation acts for.</summary>
/// <param name="AccountId">The account (client order ids and ownership are per account).</param>
/// <param name="WalletId">The wallet, i.e. the engine account that trades.</param>
public readonly record struct OrderActor(int AccountId, int WalletId);

/// <summary>Hooks tests use to make an order operation fail inside the engine operation (EXECUTION_ERROR paths).</summary>
internal sealed class OrderFaults
{
    /// <summary>Called on the engine thread after the order's metadata is journaled and before its command is applied;
    /// returning true makes the operation throw.</summary>
    public Func<Command, bool>? FailBeforeApply { get; set; }
}

/// <summary>Order placement and cancellation on the engine thread: market lookup, client order ids, the engine command,
/// and the reject table. Call only inside <see cref="EngineHost.WriteAsync{T}"/>.</summary>
/// <remarks>
/// The engine order id of a placement is the sequence number its command will carry (the last sequence + 1), so ids are
/// unique for the life of the data directory; anything else that places orders should use <see cref="Place{T}"/> too.
/// </remarks>
internal static class OrderEntry
{
    /// <summary>Places one order; edge refusals and engine rejections come back as <see cref="PlaceResult{T}.Failure"/>.</summary>
    public static PlaceResult<T> Place<T>(
        EngineHost.WriteContext ctx, OrderActor actor, OrderIntent intent, Func<HostState, OrderRecord, T> render, OrderFaults? faults)
    {
        var state = ctx.State;
        if (!TryResolve(state, intent, out var market, out var outcome, out var failure))
        {
            return new(default, failure, false);
        }

        var info = state.Engine.GetMarket(market.MarketId);
        if (info is null)
        {
            return new(default, MarketNotFound(intent), false);
        }

        var tokenId = MarketDirectory.TokenId(market, outcome);
        var expirationMs = intent.ExpirationSeconds * 1000;
        if (intent.ClientOrderId is { } clientId && state.Orders.FindByClientOrderId(actor.AccountId, clientId) is { } existing)
        {
            return SameOrder(existing, actor, market.MarketId, outcome, intent, expirationMs)
                ? new(render(state, existing), null, true)
                : new(default, new OrderFailure(409, "DUPLICATE_CLIENT_ORDER_ID",
                    $"client_order_id '{clientId}' is already bound to order {existing.PublicId}; use a new client_order_id for a new order.",
                    $"order {existing.PublicId} is invalid. Duplicated.", false), false);
        }

        var orderId = state.Engine.LastSequence + 1;
        // Built only for a rejection: its strings (a SHA-256 public id among them) would cost every accepted order on the
        // engine thread.
        RejectContext Context() => new()
        {
            OrderId = intent.PublicId ?? PublicIds.Order(orderId),
            Price = intent.PriceBeyondScale ? intent.PriceText : Money.FormatPrice(intent.Price),
            TickSize = Money.FormatPrice(info.Value.TickSize),
            MinimumSize = Money.FormatUsdc(info.Value.Parameters.MinimumSize),
        };
        if (intent.PriceBeyondScale)
        {
            return new(default, Reject(RejectCode.InvalidTickSize, Context(), executed: false), false);
        }

        var command = intent.IsBudget
            ? Command.PlaceBudgetBuy(0, 0, actor.WalletId, market.MarketId, orderId, outcome, intent.Price, intent.Quantity, intent.TimeInForce, intent.PostOnly, expirationMs)
            : Command.Place(0, 0, actor.WalletId, market.MarketId, orderId, outcome, intent.Side, intent.Price, intent.Quantity, intent.TimeInForce, intent.PostOnly, expirationMs);
        ctx.Record(new OrderSubmitted(orderId, actor.AccountId, actor.WalletId, intent.ClientOrderId, tokenId, intent.OrderType, ctx.Now, intent.PublicId));
        if (faults?.FailBeforeApply?.Invoke(command) == true)
        {
            throw new InvalidOperationException("Injected fault before the order command was applied.");
        }

        var code = ctx.ApplyForCode(command);
        if (code != RejectCode.None)
        {
            return new(default, Reject(code, Describe(state, actor, intent, market.MarketId, outcome, Context()), executed: true), false);
        }

        var placed = state.Orders.Find(orderId)
            ?? throw new InvalidOperationException($"Order {orderId} was accepted but is missing from the order history.");
        return new(render(state, placed), null, false);
    }

    /// <summary>Cancels one of the actor's orders by public id; a finished order is ORDER_NOT_CANCELLABLE.</summary>
    public static OrderFailure? CancelOne(EngineHost.WriteContext ctx, OrderActor actor, string publicId)
    {
        var state = ctx.State;
        var order = FindOwned(state, actor, publicId);
        if (order is null)
        {
            return NotFound(publicId);
        }

        if (order.IsFinished)
        {
            return NotCancellable(order);
        }

        var code = ctx.ApplyForCode(Command.Cancel(0, 0, order.WalletId, order.EngineId));
        return code == RejectCode.None ? null : Reject(code, new RejectContext { OrderId = publicId }, executed: true);
    }

    /// <summary>Cancels several orders; each one that cannot be cancelled is reported with Polymarket's reason.</summary>
    public static CancelReply CancelMany(EngineHost.WriteContext ctx, OrderActor actor, IReadOnlyList<string> publicIds)
    {
        var canceled = new List<string>();
        var notCanceled = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in publicIds)
        {
            var order = FindOwned(ctx.State, actor, id);
            if (order is null)
            {
                notCanceled[id] = "order not found";
                continue;
            }

            if (order.IsFinished)
            {
                notCanceled[id] = order.Status == OrderStatus.Filled ? "order already matched" : "order already canceled";
                continue;
            }

            var code = ctx.ApplyForCode(Command.Cancel(0, 0, order.WalletId, order.EngineId));
            if (code == RejectCode.None)
            {
                canceled.Add(order.PublicId);
            }
            else
            {
                notCanceled[id] = RejectTable.For(code).PolymarketMessage(new RejectContext { OrderId = id });
            }
        }

        return new CancelReply(canceled, notCanceled);
    }

    /// <summary>Cancels every open order of the actor's wallet, or those of one market (optionally one token).</summary>
    public static CancelReply CancelWallet(EngineHost.WriteContext ctx, OrderActor actor, int? market = null, Outcome? outcome = null)
    {
        var command = market is { } m
            ? Command.CancelMarket(0, 0, actor.WalletId, m, outcome)
            : Command.CancelAll(0, 0, actor.WalletId);
        var result = ctx.Apply(command);
        var canceled = new List<string>();
        if (result.Accepted)
        {
            foreach (var e in result.Events)
            {
                if (e.Kind == EventKind.OrderCancelled && e.Account == actor.WalletId && e.Reason == CancelReason.UserRequest
                    && ctx.State.Orders.Find(e.OrderId) is { } order)
                {
                    canceled.Add(order.PublicId);
                }
            }
        }

        return new CancelReply(canceled, new Dictionary<string, string>());
    }

    /// <summary>An order of the actor's account by public id; another account's order is not found.</summary>
    public static OrderRecord? FindOwned(HostState state, OrderActor actor, string publicId)
    {
        var order = state.Orders.FindByPublicId(publicId);
        if (order is null)
        {
            return null;
        }

        var owner = order.AccountId >= 0 ? order.AccountId : state.Accounts.FindWallet(order.WalletId)?.AccountId;
        return owner == actor.AccountId ? order : null;
    }

    /// <summary>404 ORDER_NOT_FOUND.</summary>
    public static OrderFailure NotFound(string publicId)
    {
        var entry = RejectTable.For(RejectCode.OrderNotFound);
        var context = new RejectContext { OrderId = publicId };
        return new OrderFailure(entry.Status, entry.PolysimCode, entry.NativeMessage(context), entry.PolymarketMessage(context), false);
    }

    private static OrderFailure NotCancellable(OrderRecord order)
    {
        var status = OrderRender.StatusText(order.Status);
        return new OrderFailure(400, "ORDER_NOT_CANCELLABLE",
            $"Order {order.PublicId} is {status} and can no longer be cancelled.",
            order.Status == OrderStatus.Filled ? "order already matched" : "order already canceled", false);
    }

    private static OrderFailure Reject(RejectCode code, RejectContext context, bool executed)
    {
        var entry = RejectTable.For(code);
        return new OrderFailure(entry.Status, entry.PolysimCode, entry.NativeMessage(context), entry.PolymarketMessage(context), executed);
    }

    private static OrderFailure MarketNotFound(OrderIntent intent)
    {
        var entry = RejectTable.For(RejectCode.MarketNotFound);
        var what = intent.TokenId is { } token ? $"token {token}" : $"market {intent.ConditionId}";
        return new OrderFailure(entry.Status, entry.PolysimCode,
            $"No market has {what}. Look the token up with GET /v1/markets-by-token/{{token_id}}.", entry.PolymarketMessage(new RejectContext()), false);
    }

    private static bool TryResolve(HostState state, OrderIntent intent, out MarketListed market, out Outcome outcome, out OrderFailure? failure)
    {
        failure = null;
        if (intent.TokenId is { } tokenId)
        {
            if (!state.Markets.TryGetToken(tokenId, out market, out outcome))
            {
                failure = MarketNotFound(intent);
                return false;
            }

            if ((intent.ConditionId is { } condition && !string.Equals(condition, market.ConditionId, StringComparison.OrdinalIgnoreCase))
                || (intent.Outcome is { } named && named != outcome))
            {
                failure = new OrderFailure(422, "VALIDATION_FAILED",
                    "token_id does not belong to the market_id and outcome given; send token_id alone, or market_id with outcome.",
                    "Invalid order payload", false);
                return false;
            }

            return true;
        }

        var byCondition = state.Markets.ByCondition(intent.ConditionId!);
        if (byCondition is null)
        {
            market = null!;
            outcome = default;
            failure = MarketNotFound(intent);
            return false;
        }

        market = byCondition;
        outcome = intent.Outcome!.Value;
        return true;
    }

    private static bool SameOrder(OrderRecord existing, OrderActor actor, int market, Outcome outcome, OrderIntent intent, long expirationMs) =>
        existing.WalletId == actor.WalletId
        && existing.Market == market
        && existing.Outcome == outcome
        && existing.Side == intent.Side
        && !intent.PriceBeyondScale
        && existing.Price == intent.Price
        && (intent.IsBudget ? existing.Budget == intent.Quantity : existing.Budget == 0 && existing.Quantity == intent.Quantity)
        && existing.TimeInForce == intent.TimeInForce
        && existing.PostOnly == intent.PostOnly
        && existing.ExpirationMs == expirationMs
        && existing.OrderType == intent.OrderType;

    /// <summary>Fills the reject context with the figures a message quotes: size, notional, funds.</summary>
    private static RejectContext Describe(HostState state, OrderActor actor, OrderIntent intent, int market, Outcome outcome, RejectContext context)
    {
        var shares = intent.IsBudget ? intent.Quantity * Units.PriceScale / Math.Max(1, intent.Price) : intent.Quantity;
        var notional = intent.IsBudget ? intent.Quantity : (long)((Int128)intent.Quantity * intent.Price / Units.PriceScale);
        string available, required;
        if (intent.Side == Side.Buy)
        {
            available = Money.FormatUsdc(state.Engine.GetBalance(actor.WalletId).Available);
            required = Money.FormatUsdc(intent.IsBudget
                ? intent.Quantity
                : (long)(((Int128)intent.Quantity * intent.Price + Units.PriceScale - 1) / Units.PriceScale));
        }
        else
        {
            available = Money.FormatUsdc(state.Engine.GetPosition(actor.WalletId, market, outcome).Available);
            required = Money.FormatUsdc(intent.Quantity);
        }

        return context with
        {
            Size = Money.FormatUsdc(shares),
            Notional = Money.FormatUsdc(notional),
            Available = available,
            Required = required,
        };
    }
}

/// <summary>Renders order records on the engine thread into the native and Polymarket shapes.</summary>
internal static class OrderRender
{
    /// <summary>The native status name.</summary>
    public static string StatusText(OrderStatus status) => status switch
    {
        OrderStatus.Open => "OPEN",
        OrderStatus.PartiallyFilled => "PARTIALLY_FILLED",
        OrderStatus.Filled => "FILLED",
        OrderStatus.Cancelled => "CANCELLED",
        _ => "EXPIRED",
    };

    /// <summary>Parses a native status name (case-insensitive).</summary>
    public static bool TryParseStatus(string text, out OrderStatus status)
    {
        foreach (var candidate in Enum.GetValues<OrderStatus>())
        {
            if (string.Equals(StatusText(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>The time-in-force name.</summary>
    public static string TimeInForceText(TimeInForce tif) => tif switch
    {
        TimeInForce.Gtd => "GTD",
        TimeInForce.Fok => "FOK",
        TimeInForce.Fak => "FAK",
        _ => "GTC",
    };

    /// <summary>The native order object.</summary>
    public static OrderView Native(HostState state, OrderRecord order)
    {
        var market = state.Markets.ById(order.Market);
        var tokenId = order.TokenId.Length > 0 || market is null ? order.TokenId : MarketDirectory.TokenId(market, order.Outcome);
        var fills = new FillView[order.Fills.Count];
        for (var i = 0; i < fills.Length; i++)
        {
            var f = order.Fills[i];
            fills[i] = new FillView(
                PublicIds.Trade(f.TradeId),
                f.IsMaker ? "maker" : "taker",
                Money.FormatPrice(f.Price),
                Money.FormatUsdc(f.Size),
                Money.FormatUsdc(f.Fee),
                f.FeeInShares ? "shares" : "usdc",
                f.MatchType.ToString().ToUpperInvariant(),
                Iso(f.TimestampMs));
        }

        var created = Iso(order.CreatedAtMs);
        return new OrderView(
            order.PublicId,
            order.ClientOrderId,
            StatusText(order.Status),
            market?.ConditionId,
            tokenId,
            order.Outcome == Outcome.Yes ? "Yes" : "No",
            order.Side == Side.Buy ? "BUY" : "SELL",
            order.OrderType,
            Money.FormatPrice(order.Price),
            Money.FormatUsdc(order.Quantity),
            order.Budget > 0 ? Money.FormatUsdc(order.Budget) : null,
            Money.FormatUsdc(order.Filled),
            Money.FormatUsdc(order.Remaining),
            order.Filled == 0 ? null : Money.FormatUsdc((long)(((order.Notional * 200) + order.Filled) / (order.Filled * 2))),
            TimeInForceText(order.TimeInForce),
            order.PostOnly,
            order.ExpirationMs == 0 ? null : order.ExpirationMs / 1000,
            created,
            order.UpdatedAtMs == order.CreatedAtMs ? created : Iso(order.UpdatedAtMs),
            order.CancelReason is { } reason ? ReasonText(reason) : null,
            order.FillCount,
            fills);
    }

    /// <summary>Polymarket's placement reply for a placed order.</summary>
    public static PolymarketOrderReply Polymarket(HostState state, OrderRecord order)
    {
        _ = state;
        var matched = order.Filled > 0;
        string making = string.Empty, taking = string.Empty;
        if (matched)
        {
            (making, taking) = order.Side == Side.Buy
                ? (Money.FormatUsdc(order.Cash), Money.FormatUsdc(order.Filled - order.Fees))
                : (Money.FormatUsdc(order.Filled), Money.FormatUsdc(order.Cash));
        }

        var tradeIds = order.Fills.Select(f => PublicIds.Trade(f.TradeId)).Distinct().ToArray();
        return new PolymarketOrderReply(true, string.Empty, order.PublicId, matched ? "matched" : "live", making, taking, [], tradeIds);
    }

    /// <summary>Polymarket's placement reply for an order that was not placed.</summary>
    public static PolymarketOrderReply PolymarketFailure(string errorMsg) =>
        new(false, errorMsg, string.Empty, string.Empty, string.Empty, string.Empty, [], []);

    /// <summary>A failed entry of the native batch.</summary>
    public static OrderView FailedEntry(OrderFailure failure, string? clientOrderId) =>
        new(null, clientOrderId, failure.Status >= 500 ? "ERROR" : "REJECTED", null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, 0, [])
        {
            Error = failure.Code,
            ErrorMessage = failure.Message,
        };

    private static string ReasonText(CancelReason reason) => reason switch
    {
        CancelReason.UserRequest => "user",
        CancelReason.Expired => "expired",
        CancelReason.FakRemainder => "fak_remainder",
        CancelReason.SelfTrade => "self_trade",
        CancelReason.MarketResolved => "market_resolved",
        _ => "budget_exhausted",
    };

    private static string Iso(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
