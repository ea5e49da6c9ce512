using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Polysim.Accounts;
using Polysim.ClobApi.Api.Idempotency;
using Polysim.ClobApi.Api.Orders;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.ClobApi.Projections;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api;

/// <summary>Orders and cancels: /v1/orders, /v1/order, /v1/clob/order, batch and cancel routes.</summary>
/// <remarks>
/// Every order acts on the caller's selected wallet. Trading routes need the key's <c>trade</c> permission, reads
/// <c>read</c>. Every mutating route honours <c>Idempotency-Key</c>. Refusals at the edge (schema, unknown market, duplicate
/// client order id, an order that cannot be cancelled) are thrown and so never stored by idempotency; rejections by the
/// engine are returned, stored and replayed.
/// </remarks>
public static class OrdersEndpoints
{
    /// <summary>Most orders in the array (Polymarket batch) form of <c>POST /v1/orders</c>, as on Polymarket.</summary>
    public const int PolymarketBatchLimit = 15;

    /// <summary>Most order ids in one <c>DELETE /v1/orders</c>.</summary>
    public const int CancelBatchLimit = 100;

    /// <summary>Largest page of <c>GET /v1/orders</c>.</summary>
    public const int MaxListLimit = 200;

    /// <summary>Default page of <c>GET /v1/orders</c>.</summary>
    public const int DefaultListLimit = 50;

    /// <summary>Header that confirms <c>POST /v1/cancel-all</c> (as an alternative to <c>?confirm=true</c>).</summary>
    public const string ConfirmCancelAllHeader = "X-Confirm-Cancel-All";

    /// <summary>Registers the order services: the idempotency store (in-process unless another is registered) and test hooks.</summary>
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.TryAddSingleton(new IdempotencyOptions());
        services.TryAddSingleton<IIdempotencyStore, InMemoryIdempotencyStore>();
        services.TryAddSingleton<OrderFaults>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(OrdersJson.Default));
        return services;
    }

    /// <summary>Maps the routes of this area.</summary>
    public static void MapOrders(this WebApplication app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Orders");

        v1.MapPost("/orders", PlaceOrders)
            .WithIdempotency()
            .Accepts<NativeOrderRequest>("application/json")
            .Produces<OrderView>()
            .Produces<IReadOnlyList<PolymarketOrderReply>>(StatusCodes.Status200OK, "application/json")
            .Produces<ErrorReply>(StatusCodes.Status400BadRequest)
            .Produces<ErrorReply>(StatusCodes.Status404NotFound)
            .Produces<ErrorReply>(StatusCodes.Status409Conflict)
            .Produces<ErrorReply>(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Place an order (native object), or a Polymarket batch of at most 15 orders (JSON array).")
            .WithDescription("Object: {token_id | market_id + outcome, side, quantity | amount, price, order_type (limit|market), time_in_force (GTC|GTD|FOK|FAK), expiration (Unix s), post_only, client_order_id}; numbers as JSON numbers or strings. Market orders are FOK (default) or FAK and need price as the worst price; a market BUY may be sized by amount (USDC). Array: Polymarket order bodies, answered with one Polymarket reply per entry (200 even when some fail).");

        v1.MapPost("/order", PlacePolymarketOrder)
            .WithIdempotency()
            .Accepts<PolymarketOrderRequest>("application/json")
            .Produces<PolymarketOrderReply>()
            .Produces<ErrorReply>(StatusCodes.Status400BadRequest)
            .Produces<ErrorReply>(StatusCodes.Status404NotFound)
            .WithSummary("Place an order in Polymarket's body {order: {tokenId, makerAmount, takerAmount, side, …}, owner, orderType}, or the flat native body.")
            .WithDescription("price = makerAmount / takerAmount (BUY) or takerAmount / makerAmount (SELL); a FOK/FAK BUY spends makerAmount USDC, other BUYs buy takerAmount shares, SELLs sell makerAmount shares. Signature fields are accepted and ignored. Errors carry Polymarket's error strings.");

        v1.MapPost("/clob/order", PlaceClobOrder)
            .WithIdempotency()
            .Accepts<ClobOrderRequest>("application/json")
            .Produces<OrderView>()
            .Produces<ErrorReply>(StatusCodes.Status400BadRequest)
            .WithSummary("Place a flat legacy order {token_id, side, size, price, order_type, client_order_id}; order_type IOC is refused (UNSUPPORTED_ORDER_TYPE).");

        v1.MapPost("/orders/batch", PlaceBatch)
            .WithIdempotency()
            .Accepts<BatchOrdersRequest>("application/json")
            .Produces<BatchReply>()
            .Produces<ErrorReply>(StatusCodes.Status400BadRequest)
            .WithSummary("Place up to the tier's batch size of native orders {orders: [...]}; per-entry results, 200 even with partial failures.");

        v1.MapGet("/orders", ListOrders)
            .Produces<OrderListReply>()
            .Produces<ErrorReply>(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("The selected wallet's orders, newest first: filters status, market_id, side; limit 1-200 (default 50); opaque cursor.");

        v1.MapGet("/orders/{orderId}", GetOrder)
            .Produces<OrderView>()
            .Produces<ErrorReply>(StatusCodes.Status404NotFound)
            .WithSummary("One of the caller's orders with its fills (another account's order is 404 ORDER_NOT_FOUND).");

        v1.MapDelete("/orders/{orderId}", CancelOrderById)
            .WithIdempotency()
            .Produces<CancelReply>()
            .Produces<ErrorReply>(StatusCodes.Status400BadRequest)
            .Produces<ErrorReply>(StatusCodes.Status404NotFound)
            .WithSummary("Cancel one order; a FILLED, CANCELLED or EXPIRED order is 400 ORDER_NOT_CANCELLABLE.");

        v1.MapDelete("/order", CancelOrderByBody)
            .WithIdempotency()
            .Accepts<CancelOrderRequest>("application/json")
            .Produces<CancelReply>()
            .Produces<ErrorReply>(StatusCodes.Status400BadRequest)
            .Produces<ErrorReply>(StatusCodes.Status404NotFound)
            .WithSummary("Cancel one order named in the body {orderID} (Polymarket's form).");

        v1.MapDelete("/orders", CancelOrders)
            .WithIdempotency()
            .Accepts<IReadOnlyList<string>>("application/json")
            .Produces<CancelReply>()
            .Produces<ErrorReply>(StatusCodes.Status400BadRequest)
            .WithSummary("Cancel up to 100 orders [ids]; more is 400 BATCH_LIMIT_EXCEEDED; orders that cannot be cancelled are listed in not_canceled.");

        v1.MapPost("/cancel-all", CancelAll)
            .WithIdempotency()
            .Produces<CancelReply>()
            .Produces<ErrorReply>(StatusCodes.Status400BadRequest)
            .WithSummary("Cancel every open order of the selected wallet; requires ?confirm=true (or X-Confirm-Cancel-All: true).");

        v1.MapDelete("/cancel-market-orders", CancelMarketOrders)
            .WithIdempotency()
            .Accepts<CancelMarketRequest>("application/json")
            .Produces<CancelReply>()
            .Produces<ErrorReply>(StatusCodes.Status404NotFound)
            .WithSummary("Cancel the selected wallet's open orders in a market {market} (condition id) and/or on one token {asset_id}.");
    }

    // ---- placing -------------------------------------------------------------------------------------------------------

    private static async Task<IResult> PlaceOrders(HttpContext http, EngineHost host, OrderFaults faults)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var bytes = await RequestBytes.ReadAsync(http);
        using var document = OrderParsers.ParseDocument(bytes, m => ApiException.Validation(m));
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            return await PlacePolymarketBatch(http, host, faults, caller, root);
        }

        return OrderParsers.IsPolymarketBody(root)
            ? await PlaceSingle(http, host, faults, caller, OrderParsers.ParsePolymarket(root), OrderRender.Polymarket, OrdersJson.Default.PolymarketOrderReply, polymarket: true)
            : await PlaceSingle(http, host, faults, caller, OrderParsers.ParseNative(root), OrderRender.Native, OrdersJson.Default.OrderView, polymarket: false);
    }

    private static async Task<IResult> PlacePolymarketOrder(HttpContext http, EngineHost host, OrderFaults faults)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var bytes = await RequestBytes.ReadAsync(http);
        using var document = OrderParsers.ParseDocument(bytes, OrderParsers.InvalidPayload);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw OrderParsers.InvalidPayload("The body must be a JSON object.");
        }

        return OrderParsers.IsPolymarketBody(root)
            ? await PlaceSingle(http, host, faults, caller, OrderParsers.ParsePolymarket(root), OrderRender.Polymarket, OrdersJson.Default.PolymarketOrderReply, polymarket: true)
            : await PlaceSingle(http, host, faults, caller, OrderParsers.ParseNative(root), OrderRender.Native, OrdersJson.Default.OrderView, polymarket: false);
    }

    private static async Task<IResult> PlaceClobOrder(HttpContext http, EngineHost host, OrderFaults faults)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var bytes = await RequestBytes.ReadAsync(http);
        using var document = OrderParsers.ParseDocument(bytes, m => ApiException.Validation(m));
        var intent = OrderParsers.ParseClob(document.RootElement);
        return await PlaceSingle(http, host, faults, caller, intent, OrderRender.Native, OrdersJson.Default.OrderView, polymarket: false);
    }

    private static async Task<IResult> PlaceSingle<T>(
        HttpContext http, EngineHost host, OrderFaults faults, Caller caller, OrderIntent intent,
        Func<HostState, OrderRecord, T> render, JsonTypeInfo<T> typeInfo, bool polymarket)
    {
        var actor = Actor(caller);
        PlaceResult<T> result;
        try
        {
            result = await host.WriteAsync(ctx => OrderEntry.Place(ctx, actor, intent, render, faults));
        }
        catch (Exception ex) when (ex is not ApiException and not EngineUnavailableException)
        {
            return ExecutionError(http, ex);
        }

        if (result.Failure is { } failure)
        {
            return failure.Executed ? new ContractError(failure.Status, failure.Code, polymarket ? failure.PolymarketMessage : failure.Message) : throw failure.ToException(polymarket);
        }

        if (result.Replayed)
        {
            http.Response.Headers[IdempotencyFilter.ReplayedHeader] = "true";
        }

        return JsonReply.Json(result.Order!, typeInfo);
    }

    private static async Task<IResult> PlacePolymarketBatch(HttpContext http, EngineHost host, OrderFaults faults, Caller caller, JsonElement entries)
    {
        var count = entries.GetArrayLength();
        if (count == 0)
        {
            throw ApiException.Validation("The batch is empty; send at least one order.");
        }

        if (count > PolymarketBatchLimit)
        {
            throw new ApiException(400, "BATCH_LIMIT_EXCEEDED", $"Too many orders in payload: {count}, max allowed: {PolymarketBatchLimit}");
        }

        var parsed = new (OrderIntent? Intent, OrderFailure? Failure)[count];
        var i = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            parsed[i++] = TryParse(() => OrderParsers.IsPolymarketBody(entry) ? OrderParsers.ParsePolymarket(entry) : OrderParsers.ParseNative(entry));
        }

        var results = await PlaceAll(http, host, faults, caller, parsed, OrderRender.Polymarket);
        var replies = results.Select(r => r.Order ?? OrderRender.PolymarketFailure(r.Failure!.PolymarketMessage)).ToArray();
        return JsonReply.Json<IReadOnlyList<PolymarketOrderReply>>(replies, OrdersJson.Default.IReadOnlyListPolymarketOrderReply);
    }

    private static async Task<IResult> PlaceBatch(HttpContext http, EngineHost host, OrderFaults faults)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var bytes = await RequestBytes.ReadAsync(http);
        using var document = OrderParsers.ParseDocument(bytes, m => ApiException.Validation(m));
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || OrderParsers.Get(root, "orders") is not { ValueKind: JsonValueKind.Array } orders)
        {
            throw ApiException.Validation("The body must be {\"orders\": [...]}.", "orders");
        }

        var count = orders.GetArrayLength();
        if (count == 0)
        {
            throw ApiException.Validation("orders is empty; send at least one order.", "orders");
        }

        var cap = caller.Limits.BatchSize;
        if (count > cap)
        {
            throw new ApiException(400, "BATCH_LIMIT_EXCEEDED", $"Batch size {count} exceeds the {caller.Limits.Name} tier's limit of {cap} orders per batch.");
        }

        var parsed = new (OrderIntent? Intent, OrderFailure? Failure)[count];
        var clientIds = new string?[count];
        var i = 0;
        foreach (var entry in orders.EnumerateArray())
        {
            clientIds[i] = entry.ValueKind == JsonValueKind.Object && OrderParsers.Get(entry, "client_order_id") is { ValueKind: JsonValueKind.String } cid ? cid.GetString() : null;
            parsed[i++] = TryParse(() => OrderParsers.ParseNative(entry));
        }

        var results = await PlaceAll(http, host, faults, caller, parsed, OrderRender.Native);
        var views = results.Select((r, index) => r.Order ?? OrderRender.FailedEntry(r.Failure!, clientIds[index])).ToArray();
        var succeeded = results.Count(r => r.Failure is null);
        return JsonReply.Json(new BatchReply(views, succeeded, count - succeeded), OrdersJson.Default.BatchReply);
    }

    private static (OrderIntent? Intent, OrderFailure? Failure) TryParse(Func<OrderIntent> parse)
    {
        try
        {
            return (parse(), null);
        }
        catch (ApiException ex)
        {
            return (null, new OrderFailure(ex.Status, ex.Code, ex.Message, ex.Code == "INVALID_ORDER_PAYLOAD" ? ex.Message : "Invalid order payload", false));
        }
    }

    /// <summary>Places a batch in one engine operation (one journal commit); each entry succeeds or fails on its own.</summary>
    private static async Task<PlaceResult<T>[]> PlaceAll<T>(
        HttpContext http, EngineHost host, OrderFaults faults, Caller caller, (OrderIntent? Intent, OrderFailure? Failure)[] parsed,
        Func<HostState, OrderRecord, T> render)
    {
        var actor = Actor(caller);
        var requestId = RequestIdMiddleware.Get(http);
        var log = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OrdersEndpoints));
        return await host.WriteAsync(ctx =>
        {
            var results = new PlaceResult<T>[parsed.Length];
            for (var i = 0; i < parsed.Length; i++)
            {
                if (parsed[i].Intent is not { } intent)
                {
                    results[i] = new PlaceResult<T>(default, parsed[i].Failure, false);
                    continue;
                }

                try
                {
                    results[i] = OrderEntry.Place(ctx, actor, intent, render, faults);
                }
                catch (Exception ex) when (ex is not EngineUnavailableException)
                {
                    log.LogError(ex, "Batch entry {Index} failed inside the engine operation (request {RequestId}).", i, requestId);
                    results[i] = new PlaceResult<T>(default, ExecutionFailure(requestId), false);
                }
            }

            return results;
        });
    }

    // ---- reading -------------------------------------------------------------------------------------------------------

    private static async Task<IResult> ListOrders(HttpContext http, EngineHost host)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Read);
        var query = http.Request.Query;
        var limit = DefaultListLimit;
        if (query["limit"].ToString() is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxListLimit))
        {
            throw ApiException.Validation($"limit must be an integer from 1 to {MaxListLimit}; got '{limitText}'.", "limit");
        }

        OrderStatus? status = null;
        if (query["status"].ToString() is { Length: > 0 } statusText)
        {
            status = OrderRender.TryParseStatus(statusText, out var parsedStatus)
                ? parsedStatus
                : throw ApiException.Validation("status must be one of OPEN, PARTIALLY_FILLED, FILLED, CANCELLED, EXPIRED.", "status");
        }

        Side? side = null;
        if (query["side"].ToString() is { Length: > 0 } sideText)
        {
            side = string.Equals(sideText, "BUY", StringComparison.OrdinalIgnoreCase) ? Side.Buy
                : string.Equals(sideText, "SELL", StringComparison.OrdinalIgnoreCase) ? Side.Sell
                : throw ApiException.Validation("side must be BUY or SELL.", "side");
        }

        var marketId = query["market_id"].ToString() is { Length: > 0 } m ? m : null;
        var before = query["cursor"].ToString() is { Length: > 0 } cursor ? DecodeCursor(cursor) : long.MaxValue;
        var wallet = caller.Wallet.Id;
        var reply = await host.ReadAsync(state =>
        {
            int? market = null;
            if (marketId is not null)
            {
                market = state.Markets.ByCondition(marketId)?.MarketId ?? -1;
            }

            var page = new List<OrderView>(Math.Min(limit, 64));
            long last = 0;
            var more = false;
            foreach (var order in state.Orders.ListWallet(wallet, before, new OrderFilter(status, side, market)))
            {
                if (page.Count == limit)
                {
                    more = true;
                    break;
                }

                page.Add(OrderRender.Native(state, order));
                last = order.EngineId;
            }

            return new OrderListReply(page, more, more ? EncodeCursor(last) : null, state.Orders.CountWallet(wallet));
        });
        return JsonReply.Json(reply, OrdersJson.Default.OrderListReply);
    }

    private static async Task<IResult> GetOrder(HttpContext http, EngineHost host, string orderId)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Read);
        var actor = Actor(caller);
        var view = await host.ReadAsync(state => OrderEntry.FindOwned(state, actor, orderId) is { } order ? OrderRender.Native(state, order) : null);
        return view is null
            ? throw OrderEntry.NotFound(orderId).ToException(polymarket: false)
            : JsonReply.Json(view, OrdersJson.Default.OrderView);
    }

    // ---- cancelling ----------------------------------------------------------------------------------------------------

    private static Task<IResult> CancelOrderById(HttpContext http, EngineHost host, string orderId)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        return CancelOne(http, host, caller, orderId);
    }

    private static async Task<IResult> CancelOrderByBody(HttpContext http, EngineHost host)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var bytes = await RequestBytes.ReadAsync(http);
        using var document = OrderParsers.ParseDocument(bytes, m => ApiException.Validation(m));
        var root = document.RootElement;
        var id = root.ValueKind == JsonValueKind.Object && OrderParsers.Get(root, "orderID") is { ValueKind: JsonValueKind.String } idElement
            ? idElement.GetString()!
            : throw ApiException.Validation("The body must be {\"orderID\": \"0x…\"}.", "orderID");
        return await CancelOne(http, host, caller, id);
    }

    private static async Task<IResult> CancelOne(HttpContext http, EngineHost host, Caller caller, string orderId)
    {
        var actor = Actor(caller);
        OrderFailure? failure;
        try
        {
            failure = await host.WriteAsync(ctx => OrderEntry.CancelOne(ctx, actor, orderId));
        }
        catch (Exception ex) when (ex is not ApiException and not EngineUnavailableException)
        {
            return ExecutionError(http, ex);
        }

        return failure switch
        {
            null => JsonReply.Json(new CancelReply([orderId.ToLowerInvariant()], new Dictionary<string, string>()), OrdersJson.Default.CancelReply),
            { Executed: true } => new ContractError(failure.Status, failure.Code, failure.Message),
            _ => throw failure.ToException(polymarket: false),
        };
    }

    private static async Task<IResult> CancelOrders(HttpContext http, EngineHost host)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var bytes = await RequestBytes.ReadAsync(http);
        using var document = OrderParsers.ParseDocument(bytes, m => ApiException.Validation(m));
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw ApiException.Validation("The body must be a JSON array of order ids.");
        }

        var count = root.GetArrayLength();
        if (count > CancelBatchLimit)
        {
            throw new ApiException(400, "BATCH_LIMIT_EXCEEDED", $"Too many orders in payload, max allowed: {CancelBatchLimit}");
        }

        var ids = new List<string>(count);
        foreach (var element in root.EnumerateArray())
        {
            ids.Add(element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } id
                ? id
                : throw ApiException.Validation("Every order id must be a non-empty string."));
        }

        var actor = Actor(caller);
        return await CancelReplyOf(http, host, ctx => OrderEntry.CancelMany(ctx, actor, ids));
    }

    private static async Task<IResult> CancelAll(HttpContext http, EngineHost host)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var confirmed = string.Equals(http.Request.Query["confirm"], "true", StringComparison.OrdinalIgnoreCase)
            || string.Equals(http.Request.Headers[ConfirmCancelAllHeader], "true", StringComparison.OrdinalIgnoreCase);
        if (!confirmed)
        {
            throw new ApiException(400, "CONFIRMATION_REQUIRED",
                $"Cancel-all cancels every open order of this wallet: confirm it with ?confirm=true or the {ConfirmCancelAllHeader}: true header. No order was touched.");
        }

        var actor = Actor(caller);
        return await CancelReplyOf(http, host, ctx => OrderEntry.CancelWallet(ctx, actor));
    }

    private static async Task<IResult> CancelMarketOrders(HttpContext http, EngineHost host)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var bytes = await RequestBytes.ReadAsync(http);
        string? market = http.Request.Query["market"].ToString() is { Length: > 0 } qm ? qm : null;
        string? asset = http.Request.Query["asset_id"].ToString() is { Length: > 0 } qa ? qa : null;
        if (bytes.Length > 0)
        {
            using var document = OrderParsers.ParseDocument(bytes, m => ApiException.Validation(m));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw ApiException.Validation("The body must be {\"market\": condition id, \"asset_id\": token id}.");
            }

            market = OrderParsers.Get(root, "market") is { } me ? StringMember(me, "market") : market;
            asset = OrderParsers.Get(root, "asset_id") is { } ae ? StringMember(ae, "asset_id") : asset;
        }

        if (market is null && asset is null)
        {
            throw ApiException.Validation("Name a market (condition id) and/or an asset_id (token id).", "market");
        }

        var actor = Actor(caller);
        return await CancelReplyOf(http, host, ctx =>
        {
            var markets = ctx.State.Markets;
            MarketListed? listed = null;
            Outcome? outcome = null;
            if (asset is not null)
            {
                if (!markets.TryGetToken(asset, out var byToken, out var tokenOutcome))
                {
                    throw new ApiException(404, "MARKET_NOT_FOUND", $"No market has token {asset}.");
                }

                listed = byToken;
                outcome = tokenOutcome;
            }

            if (market is not null)
            {
                var byCondition = markets.ByCondition(market) ?? throw new ApiException(404, "MARKET_NOT_FOUND", $"No market has condition id {market}.");
                if (listed is not null && listed.MarketId != byCondition.MarketId)
                {
                    throw ApiException.Validation("asset_id is not a token of that market.", "asset_id");
                }

                listed = byCondition;
            }

            return OrderEntry.CancelWallet(ctx, actor, listed!.MarketId, outcome);
        });
    }

    private static async Task<IResult> CancelReplyOf(HttpContext http, EngineHost host, Func<EngineHost.WriteContext, CancelReply> operation)
    {
        try
        {
            var reply = await host.WriteAsync(operation);
            return JsonReply.Json(reply, OrdersJson.Default.CancelReply);
        }
        catch (Exception ex) when (ex is not ApiException and not EngineUnavailableException)
        {
            return ExecutionError(http, ex);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------------

    private static OrderActor Actor(Caller caller) => new(caller.Account.Id, caller.Wallet.Id);

    private static string StringMember(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } text
            ? text
            : throw ApiException.Validation($"{field} must be a non-empty string.", field);

    private static string EncodeCursor(long engineId) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes("o" + engineId.ToString(CultureInfo.InvariantCulture)));

    private static long DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            if (text.Length > 1 && text[0] == 'o' && long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                return id;
            }
        }
        catch (FormatException)
        {
        }

        throw ApiException.Validation("cursor is not a cursor this server issued; pass next_cursor back unchanged.", "cursor");
    }

    private static OrderFailure ExecutionFailure(string requestId) =>
        new(500, "EXECUTION_ERROR", $"The order could not be executed because of a server-side error; report request id {requestId}.", "could not insert order", true);

    private static ContractError ExecutionError(HttpContext http, Exception ex)
    {
        var requestId = RequestIdMiddleware.Get(http);
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OrdersEndpoints))
            .LogError(ex, "Order operation failed inside the engine operation (request {RequestId}).", requestId);
        var failure = ExecutionFailure(requestId);
        return new ContractError(failure.Status, failure.Code, failure.Message, new Dictionary<string, string> { ["request_id"] = requestId });
    }

    /// <summary>An error in the /v1 contract returned (not thrown), so that idempotency stores and replays it.</summary>
    private sealed class ContractError(int status, string code, string message, Dictionary<string, string>? details = null) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => ErrorWriter.WriteAsync(httpContext, status, code, message, details);
    }
}
