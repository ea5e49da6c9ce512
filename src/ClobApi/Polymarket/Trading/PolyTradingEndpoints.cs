using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Polysim.Accounts;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Api.Idempotency;
using Polysim.ClobApi.Api.Identity;
using Polysim.ClobApi.Api.Orders;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.ClobApi.Polymarket.Crypto;
using Polysim.ClobApi.Polymarket.Public;
using Polysim.ClobApi.Projections;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Polymarket.Trading;

/// <summary>Polymarket's authenticated CLOB routes at the root paths: L1 key creation, L2 trading, orders, trades, balances.</summary>
/// <remarks>
/// L2 routes carry <see cref="PolyL2Required"/> so <see cref="PolyAuthentication"/> checks the HMAC and attaches the caller;
/// success is always 200 and a rejection is 400 <c>{"error": "&lt;Polymarket's string&gt;"}</c> (research polymarket-clob.md §5.4).
/// </remarks>
public static class PolyTradingEndpoints
{
    /// <summary>Most orders in one <c>POST /orders</c>.</summary>
    public const int BatchLimit = 15;

    /// <summary>Page size of <c>/data/orders</c> and <c>/data/trades</c>.</summary>
    public const int PageSize = 100;

    /// <summary>How long a trade reads MATCHED before it reads CONFIRMED (simulated settlement), ms.</summary>
    public const long ConfirmationMs = 2_000;

    /// <summary>The first cursor.</summary>
    public const string InitialCursor = "MA==";

    /// <summary>The cursor after the last page.</summary>
    public const string EndCursor = "LTE=";

    /// <summary>The unlimited allowance every paper wallet has (max uint256).</summary>
    public const string MaxAllowance = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

    private const string Tag = "Polymarket trading";

    /// <summary>Maps the routes.</summary>
    public static void MapPolymarketTrading(this WebApplication app)
    {
        var root = app.MapGroup(string.Empty).WithTags(Tag);
        var l2 = app.MapGroup(string.Empty).WithTags(Tag).WithMetadata(PolyL2Required.Instance);

        root.MapPost("/auth/api-key", CreateApiKey)
            .Produces<PolymarketApiKeyReply>().Produces<ErrorReply>(400).Produces<ErrorReply>(401)
            .WithSummary("L1: create the API key of (POLY_ADDRESS, POLY_NONCE); the first key of an address opens a funded paper account. An existing key is 400.");
        root.MapGet("/auth/derive-api-key", DeriveApiKey)
            .Produces<PolymarketApiKeyReply>().Produces<ErrorReply>(400).Produces<ErrorReply>(401)
            .WithSummary("L1: the existing API key of (POLY_ADDRESS, POLY_NONCE).");

        l2.MapGet("/auth/api-keys", (HttpContext http, HostState state) =>
                JsonReply.Json(new PolymarketApiKeysReply([.. state.PolyKeys.KeysOf(PolyHeaders.Credential(http).Address).Select(c => c.ApiKey)]), PolyJson.Default.PolymarketApiKeysReply))
            .Produces<PolymarketApiKeysReply>().WithSummary("L2: the address's API keys.");
        l2.MapDelete("/auth/api-key", DeleteApiKey).Produces<string>().WithSummary("L2: delete the calling API key.");
        l2.MapGet("/auth/ban-status/closed-only", () => JsonReply.Json(new PolymarketClosedOnlyReply(false), PolyJson.Default.PolymarketClosedOnlyReply))
            .Produces<PolymarketClosedOnlyReply>().WithSummary("L2: closed-only status (always false).");

        l2.MapPost("/order", PostOrder).WithIdempotency()
            .Accepts<PolymarketOrderRequest>("application/json")
            .Produces<PolymarketOrderReply>().Produces<ErrorReply>(400)
            .WithSummary("L2: place one signed order (V1 or V2 struct); the EIP-712 hash is the order id.");
        l2.MapPost("/orders", PostOrders).WithIdempotency()
            .Accepts<IReadOnlyList<PolymarketOrderRequest>>("application/json")
            .Produces<IReadOnlyList<PolymarketOrderReply>>().Produces<ErrorReply>(400)
            .WithSummary("L2: place up to 15 signed orders; one reply per order, 200 even when some fail.");
        l2.MapDelete("/order", CancelOrder).WithIdempotency()
            .Produces<CancelReply>().Produces<ErrorReply>(400).WithSummary("L2: cancel one order {orderID} (or {orderId}).");
        l2.MapDelete("/orders", CancelOrders).WithIdempotency()
            .Produces<CancelReply>().Produces<ErrorReply>(400).WithSummary("L2: cancel orders [ids].");
        l2.MapDelete("/cancel-all", CancelAll).WithIdempotency()
            .Produces<CancelReply>().WithSummary("L2: cancel every open order of the key's wallet.");
        l2.MapDelete("/cancel-market-orders", CancelMarketOrders).WithIdempotency()
            .Produces<CancelReply>().WithSummary("L2: cancel open orders of a market {market} and/or token {asset_id}.");

        l2.MapGet("/data/order/{orderId}", GetOrder)
            .Produces<PolymarketOpenOrder>().Produces<ErrorReply>(404).WithSummary("L2: one of the caller's orders.");
        l2.MapGet("/data/orders", GetOrders)
            .Produces<PolymarketOrderPage>().Produces<ErrorReply>(400).WithSummary("L2: open orders (filters id, market, asset_id), base64 offset cursors.");
        l2.MapGet("/data/trades", GetTrades)
            .Produces<PolymarketTradePage>().Produces<ErrorReply>(400).WithSummary("L2: the caller's trades as taker or maker (filters id, market, asset_id, before, after).");
        l2.MapGet("/data/pre-migration-orders", () => EmptyPage())
            .Produces<PolymarketEmptyPage>().WithSummary("L2: open orders from before the V2 migration (none on the paper venue).");

        l2.MapGet("/balance-allowance", GetBalanceAllowance)
            .Produces<PolymarketBalanceAllowance>().Produces<ErrorReply>(400)
            .WithSummary("L2: paper USDC (COLLATERAL) or token shares (CONDITIONAL, token_id) in base units, with unlimited allowances.");
        l2.MapGet("/balance-allowance/update", GetBalanceAllowance)
            .Produces<PolymarketBalanceAllowance>().Produces<ErrorReply>(400).WithSummary("L2: refresh of the balance cache; answers the balance.");

        l2.MapGet("/order-scoring", () => JsonReply.Json(new PolymarketScoringReply(false), PolyJson.Default.PolymarketScoringReply))
            .Produces<PolymarketScoringReply>().WithSummary("L2: whether an order earns rewards (never on the paper venue).");
        l2.MapPost("/orders-scoring", (Delegate)OrdersScoring)
            .Produces<Dictionary<string, bool>>().WithSummary("L2: scoring of [order ids] as {id: false}.");
        l2.MapGet("/notifications", () => JsonReply.Json<IReadOnlyList<string>>([], PolyJson.Default.IReadOnlyListString))
            .Produces<IReadOnlyList<string>>().WithSummary("L2: notifications (none).");
        l2.MapDelete("/notifications", () => JsonReply.Json("OK", PolyJson.Default.String))
            .Produces<string>().WithSummary("L2: drop notifications.");

        foreach (var path in new[] { "/rewards/user", "/rewards/user/markets" })
        {
            l2.MapGet(path, () => EmptyPage()).Produces<PolymarketEmptyPage>().WithSummary("L2: liquidity rewards (an empty page).");
        }

        l2.MapGet("/rewards/user/total", () => JsonReply.Json<IReadOnlyList<string>>([], PolyJson.Default.IReadOnlyListString))
            .Produces<IReadOnlyList<string>>().WithSummary("L2: total rewards earned (none).");
        l2.MapGet("/rewards/user/percentages", () => JsonReply.Json(new Dictionary<string, string>(), PolyJson.Default.DictionaryStringString))
            .Produces<Dictionary<string, string>>().WithSummary("L2: reward percentages by market (none).");
        root.MapGet("/rewards/markets/current", () => EmptyPage()).Produces<PolymarketEmptyPage>().WithSummary("Markets with rewards (an empty page).");
        root.MapGet("/rewards/markets/{conditionId}", (string conditionId) => EmptyPage(conditionId))
            .Produces<PolymarketEmptyPage>().WithSummary("Rewards of one market (an empty page).");

        root.MapGet("/markets/live-activity/{conditionId}", (string conditionId) => EmptyList(conditionId))
            .Produces<IReadOnlyList<string>>().WithSummary("V2: recent trade events of a market (none are published).");
        root.MapGet("/live-activity/events/{conditionId}", (string conditionId) => EmptyList(conditionId))
            .Produces<IReadOnlyList<string>>().WithSummary("V1: recent trade events of a market (none are published).");
        root.MapGet("/fees/builder-fees/{code}", (string code) =>
                JsonReply.Json(new PolymarketBuilderFeesReply(0, 0), PolyJson.Default.PolymarketBuilderFeesReply))
            .Produces<PolymarketBuilderFeesReply>().WithSummary("V2: a builder code's fee rates (0 on the paper venue).");
        root.MapGet("/builder/trades", () => EmptyPage()).Produces<PolymarketEmptyPage>().WithSummary("V2: trades attributed to a builder code (an empty page).");
    }

    // ---- L1 ----------------------------------------------------------------------------------------------------------

    private static (string Address, string Nonce) L1(HttpContext http, HostState state, TimeProvider time, PolyTradingOptions options)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        return PolyHeaders.VerifyL1(http, nowMs / 1000, (nowMs + state.ClockOffsetMs) / 1000, options.AuthWindowSeconds);
    }

    private static async Task<IResult> CreateApiKey(HttpContext http, EngineHost host, HostState state, TimeProvider time, PolyTradingOptions options, AccountDefaults defaults)
    {
        var (address, nonce) = L1(http, state, time, options);
        var created = await host.WriteAsync(ctx =>
        {
            if (ctx.State.PolyKeys.FindByIdentity(address, nonce) is not null)
            {
                return null;
            }

            int accountId, walletId;
            if (ctx.State.Accounts.FindWalletByAddress(address) is { } wallet)
            {
                (accountId, walletId) = (wallet.AccountId, wallet.Id);
            }
            else
            {
                var opened = AdminAccountsEndpoints.OpenAccount(
                    ctx, "polymarket " + address, options.Tier, defaults.StartingBalance, AccountDirectory.NewSecret(), address);
                (accountId, walletId) = (opened.AccountId, opened.WalletId);
            }

            var credential = new PolyCredential(PolyKeyStore.NewApiKey(), PolyKeyStore.NewSecret(), PolyKeyStore.NewPassphrase(), address, nonce, accountId, walletId);
            ctx.Record(new PolyKeyCreated(credential.ApiKey, credential.Secret, credential.Passphrase, address, nonce, accountId, walletId, ctx.Now));
            return credential;
        });
        return created is null
            ? throw new ApiException(400, "API_KEY_EXISTS", "Could not create api key")
            : KeyReply(created);
    }

    private static IResult DeriveApiKey(HttpContext http, HostState state, TimeProvider time, PolyTradingOptions options)
    {
        var (address, nonce) = L1(http, state, time, options);
        return state.PolyKeys.FindByIdentity(address, nonce) is { } credential
            ? KeyReply(credential)
            : throw new ApiException(400, "API_KEY_NOT_FOUND", "Could not derive api key!");
    }

    private static IResult KeyReply(PolyCredential c) =>
        JsonReply.Json(new PolymarketApiKeyReply(c.ApiKey, c.Secret, c.Passphrase), PolyJson.Default.PolymarketApiKeyReply);

    private static async Task<IResult> DeleteApiKey(HttpContext http, EngineHost host)
    {
        var credential = PolyHeaders.Credential(http);
        await host.WriteAsync(ctx =>
        {
            ctx.Record(new PolyKeyDeleted(credential.ApiKey));
            return true;
        });
        return JsonReply.Json("OK", PolyJson.Default.String);
    }

    // ---- placing -----------------------------------------------------------------------------------------------------

    /// <summary>One order of a request after the edge checks: an intent to place, or a failure in Polymarket's words.</summary>
    private sealed record Prepared(OrderIntent? Intent, PolyFailure? Failure);

    /// <summary>A rejection on the Polymarket surface.</summary>
    private sealed record PolyFailure(int Status, string Code, string Message);

    private sealed record TokenFacts(bool NegRisk, int Tick, int BaseFee);

    private static async Task<IResult> PostOrder(HttpContext http, EngineHost host, PolyTradingOptions options, OrderFaults faults)
    {
        var credential = PolyHeaders.Credential(http);
        using var document = Parse(await RequestBytes.ReadAsync(http));
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root)
        {
            return new PolyError(400, "INVALID_ORDER_PAYLOAD", "Invalid order payload");
        }

        var results = await PlaceAll(http, host, options, faults, credential, [root]);
        var (reply, failure) = results[0];
        return failure is null
            ? JsonReply.Json(reply!, PolyJson.Default.PolymarketOrderReply)
            : new PolyError(failure.Status, failure.Code, failure.Message);
    }

    private static async Task<IResult> PostOrders(HttpContext http, EngineHost host, PolyTradingOptions options, OrderFaults faults)
    {
        var credential = PolyHeaders.Credential(http);
        using var document = Parse(await RequestBytes.ReadAsync(http));
        if (document?.RootElement is not { ValueKind: JsonValueKind.Array } root)
        {
            return new PolyError(400, "INVALID_ORDER_PAYLOAD", "Invalid order payload");
        }

        var count = root.GetArrayLength();
        if (count > BatchLimit)
        {
            return new PolyError(400, "BATCH_LIMIT_EXCEEDED", $"Too many orders in payload: {count}, max allowed: {BatchLimit}");
        }

        var results = await PlaceAll(http, host, options, faults, credential, [.. root.EnumerateArray()]);
        IReadOnlyList<PolymarketOrderReply> replies = [.. results.Select(r => r.Reply ?? OrderRender.PolymarketFailure(r.Failure!.Message))];
        return JsonReply.Json(replies, PolyJson.Default.IReadOnlyListPolymarketOrderReply);
    }

    private static JsonDocument? Parse(byte[] bytes)
    {
        try
        {
            return bytes.Length == 0 ? null : JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<(PolymarketOrderReply? Reply, PolyFailure? Failure)[]> PlaceAll(
        HttpContext http, EngineHost host, PolyTradingOptions options, OrderFaults faults, PolyCredential credential, JsonElement[] entries)
    {
        var tokens = entries
            .Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("order", out var o) && o.ValueKind == JsonValueKind.Object
                && o.TryGetProperty("tokenId", out var t) ? (t.ValueKind == JsonValueKind.String ? t.GetString() : t.GetRawText()) : null)
            .ToArray();
        var facts = await host.ReadAsync(state =>
        {
            var map = new Dictionary<string, TokenFacts>(StringComparer.Ordinal);
            foreach (var token in tokens)
            {
                if (token is not null && state.Markets.TryGetToken(token, out var listed, out _) && state.Engine.GetMarket(listed.MarketId) is { } info)
                {
                    map[token] = new TokenFacts(info.Parameters.NegRisk, info.TickSize, PublicLookup.BaseFee(info));
                }
            }

            return map;
        });

        // Signature recovery is the costly part, so it runs here on the request thread, not on the engine thread.
        var prepared = new Prepared[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            prepared[i] = Prepare(entries[i], tokens[i], facts, credential, options);
        }

        var actor = new OrderActor(credential.AccountId, credential.WalletId);
        var requestId = RequestIdMiddleware.Get(http);
        var log = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PolyTradingEndpoints));
        return await host.WriteAsync(ctx =>
        {
            var results = new (PolymarketOrderReply?, PolyFailure?)[prepared.Length];
            for (var i = 0; i < prepared.Length; i++)
            {
                if (prepared[i].Intent is not { } intent)
                {
                    results[i] = (null, prepared[i].Failure);
                    continue;
                }

                if (ctx.State.Orders.ContainsPublicId(intent.PublicId!))
                {
                    results[i] = (null, new PolyFailure(400, "INVALID_ORDER_DUPLICATED", $"order {intent.PublicId} is invalid. Duplicated."));
                    continue;
                }

                try
                {
                    ctx.Record(new PolyOrderOwned(ctx.State.Engine.LastSequence + 1, credential.ApiKey));
                    var placed = OrderEntry.Place(ctx, actor, intent, Reply, faults);
                    results[i] = placed.Failure is { } f
                        ? (null, new PolyFailure(f.Status >= 500 ? f.Status : 400, f.Code, f.PolymarketMessage))
                        : (placed.Order, null);
                }
                catch (Exception ex) when (ex is not EngineUnavailableException)
                {
                    log.LogError(ex, "Polymarket order {Index} failed inside the engine operation (request {RequestId}).", i, requestId);
                    results[i] = (null, new PolyFailure(500, "EXECUTION_ERROR", "could not insert order"));
                }
            }

            return results;
        });
    }

    private static Prepared Prepare(JsonElement entry, string? token, Dictionary<string, TokenFacts> facts, PolyCredential credential, PolyTradingOptions options)
    {
        static Prepared Fail(string code, string message) => new(null, new PolyFailure(400, code, message));

        if (PolySignedOrder.TryParse(entry) is not { } signed)
        {
            return Fail("INVALID_ORDER_PAYLOAD", "Invalid order payload");
        }

        if ((options.Versions == PolyOrderVersions.V2 && signed.Version == 1) || (options.Versions == PolyOrderVersions.V1 && signed.Version == 2))
        {
            return Fail("ORDER_VERSION_MISMATCH", "order_version_mismatch");
        }

        if (!string.Equals(signed.Owner, credential.ApiKey, StringComparison.OrdinalIgnoreCase))
        {
            return Fail("ORDER_OWNER_MISMATCH", "the order owner has to be the owner of the API KEY");
        }

        if (!EthereumAddress.AreEqual(signed.Signer, credential.Address))
        {
            return Fail("ORDER_SIGNER_MISMATCH", "the order signer address has to be the address of the API KEY");
        }

        OrderIntent intent;
        try
        {
            intent = OrderParsers.ParsePolymarket(entry);
        }
        catch (ApiException)
        {
            return Fail("INVALID_ORDER_PAYLOAD", "Invalid order payload");
        }

        if (token is null || !facts.TryGetValue(token, out var market))
        {
            return Fail("MARKET_NOT_FOUND", "market not found");
        }

        // EOA orders must be funded by their signer; proxy and safe makers are trusted as the signer's funder. POLY_1271's
        // nested ERC-7739 signature is not verified here, so such orders fail as unverifiable.
        var hash = signed.SignatureType == PolySignatureType.Poly1271
            || (signed.SignatureType == PolySignatureType.Eoa && !EthereumAddress.AreEqual(signed.Maker, signed.Signer))
            ? null
            : signed.VerifiedHash(market.NegRisk);
        if (hash is null)
        {
            return Fail("INVALID_SIGNATURE", "invalid signature");
        }

        if (signed.Version == 1 && (signed.FeeRateBps > 1000 || (market.BaseFee > 0 && signed.FeeRateBps != market.BaseFee)))
        {
            return Fail("INVALID_FEE_RATE", $"invalid fee rate ({signed.FeeRateBps}), current market's taker fee: {market.BaseFee}");
        }

        var immediate = intent.TimeInForce is TimeInForce.Fok or TimeInForce.Fak;
        if (PolyPrecision.Check(signed.MakerAmount, signed.TakerAmount, signed.IsBuy, immediate, market.Tick, intent.Price) is { } precision)
        {
            return Fail("INVALID_ORDER_AMOUNTS", precision);
        }

        return new Prepared(intent with { PublicId = hash }, null);
    }

    /// <summary>Polymarket's placement reply, with a synthetic settlement transaction per trade.</summary>
    internal static PolymarketOrderReply Reply(HostState state, OrderRecord order)
    {
        var reply = OrderRender.Polymarket(state, order);
        var tradeIds = order.Fills.Select(f => f.TradeId).Distinct().ToArray();
        return reply with { TransactionsHashes = [.. tradeIds.Select(TransactionHash)] };
    }

    /// <summary>The synthetic settlement transaction hash of an engine trade (nothing settles on chain).</summary>
    public static string TransactionHash(long engineTradeId) =>
        "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("polysim/tx/" + engineTradeId.ToString(CultureInfo.InvariantCulture))));

    // ---- cancelling --------------------------------------------------------------------------------------------------

    private static async Task<IResult> CancelOrder(HttpContext http, EngineHost host)
    {
        var credential = PolyHeaders.Credential(http);
        using var document = Parse(await RequestBytes.ReadAsync(http));
        string? id = null;
        if (document?.RootElement is { ValueKind: JsonValueKind.Object } root)
        {
            foreach (var name in new[] { "orderID", "orderId" })
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                {
                    id = text;
                    break;
                }
            }
        }

        if (id is null)
        {
            return new PolyError(400, "INVALID_ORDER_ID", "Invalid orderID");
        }

        return await Cancel(host, ctx => OrderEntry.CancelMany(ctx, Actor(credential), [id]));
    }

    private static async Task<IResult> CancelOrders(HttpContext http, EngineHost host)
    {
        var credential = PolyHeaders.Credential(http);
        using var document = Parse(await RequestBytes.ReadAsync(http));
        if (document?.RootElement is not { ValueKind: JsonValueKind.Array } root
            || root.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String || e.GetString()!.Length == 0))
        {
            return new PolyError(400, "INVALID_ORDER_ID", "Invalid orderID");
        }

        if (root.GetArrayLength() > OrdersEndpoints.CancelBatchLimit)
        {
            return new PolyError(400, "BATCH_LIMIT_EXCEEDED", $"Too many orders in payload, max allowed: {OrdersEndpoints.CancelBatchLimit}");
        }

        List<string> ids = [.. root.EnumerateArray().Select(e => e.GetString()!)];
        return await Cancel(host, ctx => OrderEntry.CancelMany(ctx, Actor(credential), ids));
    }

    private static Task<IResult> CancelAll(HttpContext http, EngineHost host)
    {
        var credential = PolyHeaders.Credential(http);
        return Cancel(host, ctx => OrderEntry.CancelWallet(ctx, Actor(credential)));
    }

    private static async Task<IResult> CancelMarketOrders(HttpContext http, EngineHost host)
    {
        var credential = PolyHeaders.Credential(http);
        var market = http.Request.Query["market"].ToString();
        var asset = http.Request.Query["asset_id"].ToString();
        using var document = Parse(await RequestBytes.ReadAsync(http));
        if (document?.RootElement is { ValueKind: JsonValueKind.Object } root)
        {
            market = root.TryGetProperty("market", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : market;
            asset = root.TryGetProperty("asset_id", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : asset;
        }

        return await Cancel(host, ctx =>
        {
            var markets = ctx.State.Markets;
            MarketListed? listed = null;
            Outcome? outcome = null;
            if (asset.Length > 0)
            {
                if (!markets.TryGetToken(asset, out var byToken, out var tokenOutcome))
                {
                    return Nothing();
                }

                (listed, outcome) = (byToken, tokenOutcome);
            }

            if (market.Length > 0)
            {
                var byCondition = markets.ByCondition(market);
                if (byCondition is null || (listed is not null && listed.MarketId != byCondition.MarketId))
                {
                    return Nothing();
                }

                listed = byCondition;
            }

            return listed is null ? Nothing() : OrderEntry.CancelWallet(ctx, Actor(credential), listed.MarketId, outcome);
        });
    }

    private static CancelReply Nothing() => new([], new Dictionary<string, string>());

    private static async Task<IResult> Cancel(EngineHost host, Func<EngineHost.WriteContext, CancelReply> operation)
    {
        var reply = await host.WriteAsync(operation);
        return JsonReply.Json(reply, PolyJson.Default.CancelReply);
    }

    private static OrderActor Actor(PolyCredential credential) => new(credential.AccountId, credential.WalletId);

    // ---- reading -----------------------------------------------------------------------------------------------------

    private static async Task<IResult> GetOrder(HttpContext http, EngineHost host, string orderId)
    {
        var credential = PolyHeaders.Credential(http);
        var view = await host.ReadAsync(state =>
            OrderEntry.FindOwned(state, Actor(credential), orderId) is { } order ? OpenOrder(state, order) : null);
        return view is null
            ? new PolyError(404, "ORDER_NOT_FOUND", "order not found")
            : JsonReply.Json(view, PolyJson.Default.PolymarketOpenOrder);
    }

    private static async Task<IResult> GetOrders(HttpContext http, EngineHost host)
    {
        var credential = PolyHeaders.Credential(http);
        if (!TryOffset(http, out var offset))
        {
            return new PolyError(400, "INVALID_CURSOR", "invalid next_cursor");
        }

        var id = http.Request.Query["id"].ToString();
        var market = http.Request.Query["market"].ToString();
        var asset = http.Request.Query["asset_id"].ToString();
        var page = await host.ReadAsync(state =>
        {
            var matching = new List<OrderRecord>();
            if (offset >= 0)
            {
                foreach (var order in state.Orders.ListWallet(credential.WalletId, filter: new OrderFilter(OpenOnly: true)))
                {
                    if ((id.Length > 0 && !string.Equals(order.PublicId, id, StringComparison.OrdinalIgnoreCase)))
                    {
                        continue;
                    }

                    var listed = state.Markets.ById(order.Market);
                    if ((market.Length > 0 && !string.Equals(listed?.ConditionId, market, StringComparison.OrdinalIgnoreCase))
                        || (asset.Length > 0 && (listed is null || MarketDirectory.TokenId(listed, order.Outcome) != asset)))
                    {
                        continue;
                    }

                    matching.Add(order);
                }
            }

            var slice = offset < 0 ? [] : matching.Skip((int)Math.Min(offset, int.MaxValue)).Take(PageSize).ToList();
            var next = offset >= 0 && offset + slice.Count < matching.Count ? Cursor(offset + slice.Count) : EndCursor;
            return new PolymarketOrderPage(PageSize, slice.Count, next, [.. slice.Select(o => OpenOrder(state, o))]);
        });
        return JsonReply.Json(page, PolyJson.Default.PolymarketOrderPage);
    }

    private static async Task<IResult> GetTrades(HttpContext http, EngineHost host, IdentityClock clock)
    {
        var credential = PolyHeaders.Credential(http);
        if (!TryOffset(http, out var offset))
        {
            return new PolyError(400, "INVALID_CURSOR", "invalid next_cursor");
        }

        var query = http.Request.Query;
        var id = query["id"].ToString();
        var market = query["market"].ToString();
        var asset = query["asset_id"].ToString();
        long? before = long.TryParse(query["before"], NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : null;
        long? after = long.TryParse(query["after"], NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : null;
        var now = clock.NowMs;
        var page = await host.ReadAsync(state =>
        {
            var rows = new List<PolymarketTrade>();
            var trades = state.PolyTrades.TradesOf(credential.WalletId);
            for (var i = trades.End - 1; i >= trades.First && offset >= 0; i--)
            {
                ref readonly var trade = ref trades[i];
                if (state.Markets.ById(trade.Market) is not { } listed)
                {
                    continue;
                }

                var seconds = trade.Timestamp / 1000;
                var takerToken = MarketDirectory.TokenId(listed, trade.Outcome);
                var makerToken = MarketDirectory.TokenId(listed, trade.OtherOutcome);
                if ((id.Length > 0 && !string.Equals(PublicIds.Trade(trade.TradeId), id, StringComparison.OrdinalIgnoreCase))
                    || (market.Length > 0 && !string.Equals(listed.ConditionId, market, StringComparison.OrdinalIgnoreCase))
                    || (asset.Length > 0 && asset != takerToken && asset != makerToken)
                    || (before is { } bs && seconds >= bs)
                    || (after is { } afs && seconds <= afs))
                {
                    continue;
                }

                rows.Add(Trade(state, trade, listed, credential, now));
            }

            var slice = offset < 0 ? [] : rows.Skip((int)Math.Min(offset, int.MaxValue)).Take(PageSize).ToList();
            var next = offset >= 0 && offset + slice.Count < rows.Count ? Cursor(offset + slice.Count) : EndCursor;
            return new PolymarketTradePage(PageSize, slice.Count, next, slice);
        });
        return JsonReply.Json(page, PolyJson.Default.PolymarketTradePage);
    }

    private static PolymarketTrade Trade(HostState state, in EngineEvent trade, MarketListed listed, PolyCredential requester, long nowMs)
    {
        var info = state.Engine.GetMarket(listed.MarketId);
        var fee = info is { } i ? PublicLookup.BaseFee(i).ToString(CultureInfo.InvariantCulture) : "0";
        var takerOrder = state.Orders.Find(trade.TakerOrderId);
        var makerOrder = state.Orders.Find(trade.MakerOrderId);
        var takerWallet = state.Accounts.FindWallet(trade.TakerAccount);
        var makerWallet = state.Accounts.FindWallet(trade.MakerAccount);
        var makerOwner = state.PolyKeys.OwnerOf(trade.MakerOrderId, makerWallet?.AccountId ?? -1);
        var takerOwner = state.PolyKeys.OwnerOf(trade.TakerOrderId, takerWallet?.AccountId ?? -1);
        var isTaker = trade.TakerAccount == requester.WalletId;
        var confirmed = nowMs - trade.Timestamp >= ConfirmationMs;
        var matchTime = (trade.Timestamp / 1000).ToString(CultureInfo.InvariantCulture);
        var lastUpdate = confirmed ? ((trade.Timestamp + ConfirmationMs) / 1000).ToString(CultureInfo.InvariantCulture) : matchTime;
        var maker = new PolymarketMakerOrder(
            makerOrder?.PublicId ?? PublicIds.Order(trade.MakerOrderId),
            makerOwner,
            makerWallet?.Address ?? string.Empty,
            Money.FormatUsdc(trade.Size),
            Money.FormatPrice(trade.MakerPrice),
            fee,
            MarketDirectory.TokenId(listed, trade.OtherOutcome),
            trade.OtherOutcome == Outcome.Yes ? "Yes" : "No",
            trade.OtherSide == Side.Buy ? "BUY" : "SELL");
        return new PolymarketTrade(
            PublicIds.Trade(trade.TradeId),
            takerOrder?.PublicId ?? PublicIds.Order(trade.TakerOrderId),
            listed.ConditionId,
            MarketDirectory.TokenId(listed, trade.Outcome),
            trade.Side == Side.Buy ? "BUY" : "SELL",
            Money.FormatUsdc(trade.Size),
            fee,
            Money.FormatPrice(trade.TakerPrice),
            confirmed ? "CONFIRMED" : "MATCHED",
            matchTime,
            lastUpdate,
            trade.Outcome == Outcome.Yes ? "Yes" : "No",
            0,
            isTaker ? takerOwner : requester.ApiKey,
            takerWallet?.Address ?? string.Empty,
            TransactionHash(trade.TradeId),
            isTaker ? "TAKER" : "MAKER",
            [maker]);
    }

    private static PolymarketOpenOrder OpenOrder(HostState state, OrderRecord order)
    {
        var listed = state.Markets.ById(order.Market);
        var status = order.Status switch
        {
            OrderStatus.Open or OrderStatus.PartiallyFilled => "LIVE",
            OrderStatus.Filled => "MATCHED",
            _ when order.CancelReason == CancelReason.MarketResolved => "CANCELED_MARKET_RESOLVED",
            _ => "CANCELED",
        };
        var originalSize = order.Budget > 0 && !order.IsFinished ? order.Quantity : Math.Max(order.Quantity, order.Filled);
        return new PolymarketOpenOrder(
            order.PublicId,
            status,
            state.PolyKeys.OwnerOf(order.EngineId, order.AccountId),
            state.Accounts.FindWallet(order.WalletId)?.Address ?? string.Empty,
            listed?.ConditionId ?? string.Empty,
            listed is null ? order.TokenId : MarketDirectory.TokenId(listed, order.Outcome),
            order.Side == Side.Buy ? "BUY" : "SELL",
            Money.FormatUsdc(originalSize),
            Money.FormatUsdc(order.Filled),
            Money.FormatPrice(order.Price),
            [.. order.Fills.Select(f => PublicIds.Trade(f.TradeId)).Distinct()],
            order.Outcome == Outcome.Yes ? "Yes" : "No",
            order.CreatedAtMs / 1000,
            (order.ExpirationMs / 1000).ToString(CultureInfo.InvariantCulture),
            OrderRender.TimeInForceText(order.TimeInForce));
    }

    private static async Task<IResult> GetBalanceAllowance(HttpContext http, EngineHost host)
    {
        var credential = PolyHeaders.Credential(http);
        var query = http.Request.Query;
        var assetType = query["asset_type"].ToString().ToUpperInvariant();
        var signatureType = query["signature_type"].ToString();
        if (signatureType.Length > 0 && signatureType is not ("0" or "1" or "2" or "3"))
        {
            return new PolyError(400, "INVALID_SIGNATURE_TYPE", "Invalid signature_type");
        }

        if (assetType is not ("COLLATERAL" or "CONDITIONAL"))
        {
            return new PolyError(400, "INVALID_ASSET_TYPE", "Invalid asset type");
        }

        var token = query["token_id"].ToString();
        var balance = await host.ReadAsync(state =>
        {
            if (assetType == "COLLATERAL")
            {
                return (long?)state.Engine.GetBalance(credential.WalletId).Total;
            }

            return state.Markets.TryGetToken(token, out var listed, out var outcome)
                ? state.Engine.GetPosition(credential.WalletId, listed.MarketId, outcome).Total
                : null;
        });
        if (balance is null)
        {
            return new PolyError(400, "INVALID_TOKEN_ID", "Invalid token id");
        }

        var allowances = new Dictionary<string, string>
        {
            [PolyContracts.V1Exchange] = MaxAllowance,
            [PolyContracts.V1NegRiskExchange] = MaxAllowance,
            [PolyContracts.V2Exchange] = MaxAllowance,
            [PolyContracts.V2NegRiskExchange] = MaxAllowance,
            [PolyContracts.V3Exchange] = MaxAllowance,
            [PolyContracts.NegRiskAdapter] = MaxAllowance,
        };
        return JsonReply.Json(
            new PolymarketBalanceAllowance(balance.Value.ToString(CultureInfo.InvariantCulture), MaxAllowance, allowances),
            PolyJson.Default.PolymarketBalanceAllowance);
    }

    private static async Task<IResult> OrdersScoring(HttpContext http)
    {
        using var document = Parse(await RequestBytes.ReadAsync(http));
        var reply = new Dictionary<string, bool>();
        var root = document?.RootElement;
        if (root is { ValueKind: JsonValueKind.String } text && Parse(Encoding.UTF8.GetBytes(text.GetString()!)) is { } inner)
        {
            using (inner)
            {
                Collect(inner.RootElement, reply);
            }
        }
        else if (root is { } element)
        {
            Collect(element, reply);
        }

        return JsonReply.Json(reply, PolyJson.Default.DictionaryStringBoolean);
    }

    private static void Collect(JsonElement element, Dictionary<string, bool> reply)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var id in element.EnumerateArray())
        {
            if (id.ValueKind == JsonValueKind.String)
            {
                reply[id.GetString()!] = false;
            }
        }
    }

    // ---- paging ------------------------------------------------------------------------------------------------------

    /// <summary>The cursor of an offset: base64 of its decimal text ("MA==" is 0).</summary>
    public static string Cursor(long offset) => Convert.ToBase64String(Encoding.ASCII.GetBytes(offset.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Reads <c>next_cursor</c>: absent → 0, <c>LTE=</c> → -1 (past the end), else the base64 offset.</summary>
    private static bool TryOffset(HttpContext http, out long offset)
    {
        var cursor = http.Request.Query["next_cursor"].ToString();
        offset = 0;
        if (cursor.Length == 0)
        {
            return true;
        }

        if (!PolyHmac.TryDecodeBase64Any(cursor, out var bytes))
        {
            return false;
        }

        var text = Encoding.ASCII.GetString(bytes);
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out offset) && offset >= -1;
    }

    private static IResult EmptyPage(string? unused = null)
    {
        _ = unused;
        return JsonReply.Json(new PolymarketEmptyPage(PageSize, 0, EndCursor, []), PolyJson.Default.PolymarketEmptyPage);
    }

    private static IResult EmptyList(string unused)
    {
        _ = unused;
        return JsonReply.Json<IReadOnlyList<string>>([], PolyJson.Default.IReadOnlyListString);
    }

    /// <summary>A Polymarket rejection, returned (not thrown) so idempotency stores and replays it.</summary>
    private sealed class PolyError(int status, string code, string message) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => ErrorWriter.WriteAsync(httpContext, status, code, message);
    }
}
