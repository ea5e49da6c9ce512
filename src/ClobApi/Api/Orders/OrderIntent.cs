using System.Globalization;
using System.Text.Json;
using Polysim.ClobApi.Http;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api.Orders;

/// <summary>An order as the client asked for it, parsed and schema-checked at the edge, before any market is looked up.</summary>
/// <remarks>Everything that needs state (which market a token is, tick, funds) is judged on the engine thread.</remarks>
internal sealed record OrderIntent
{
    /// <summary>Token id, when the client named one.</summary>
    public string? TokenId { get; init; }

    /// <summary>Condition id, when the client named the market.</summary>
    public string? ConditionId { get; init; }

    /// <summary>Outcome named with <see cref="ConditionId"/>.</summary>
    public Outcome? Outcome { get; init; }

    public Side Side { get; init; }

    /// <summary>Own-token limit price in 1e-4 (meaningless when <see cref="PriceBeyondScale"/>).</summary>
    public int Price { get; init; }

    /// <summary>The price has more decimals than 0.0001: off every tick grid.</summary>
    public bool PriceBeyondScale { get; init; }

    /// <summary>The price as the client wrote it (for messages).</summary>
    public string PriceText { get; init; } = string.Empty;

    /// <summary>Micro-shares, or micro-USDC when <see cref="IsBudget"/>.</summary>
    public long Quantity { get; init; }

    /// <summary>A BUY sized as a USDC amount.</summary>
    public bool IsBudget { get; init; }

    public TimeInForce TimeInForce { get; init; }

    public bool PostOnly { get; init; }

    /// <summary>GTD expiration in Unix seconds; 0 for none.</summary>
    public long ExpirationSeconds { get; init; }

    public string? ClientOrderId { get; init; }

    /// <summary>"limit" or "market".</summary>
    public string OrderType { get; init; } = "limit";

    /// <summary>The order's public id when the client fixes it (a signed Polymarket order's EIP-712 hash), else null.</summary>
    public string? PublicId { get; init; }
}

/// <summary>Parsers of the three order bodies into <see cref="OrderIntent"/>; every problem is thrown in the error contract.</summary>
internal static class OrderParsers
{
    /// <summary>Longest client order id.</summary>
    public const int MaxClientOrderIdLength = 128;

    /// <summary>Largest expiration accepted (the end of year 9999, Unix seconds).</summary>
    private const long MaxExpirationSeconds = 253_402_300_799;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>Parses a JSON body; an empty or malformed one throws <paramref name="malformed"/>.</summary>
    public static JsonDocument ParseDocument(byte[] body, Func<string, ApiException> malformed)
    {
        if (body.Length == 0)
        {
            throw malformed("The request body is empty; send a JSON body.");
        }

        try
        {
            return JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException)
        {
            throw malformed("The request body is not valid JSON.");
        }
    }

    /// <summary>422 VALIDATION_FAILED for schema problems of the native bodies.</summary>
    public static ApiException Invalid(string message, string? field = null) => ApiException.Validation(message, field);

    /// <summary>400 INVALID_ORDER_PAYLOAD: the Polymarket body is not a usable order.</summary>
    public static ApiException InvalidPayload(string detail) =>
        new(400, "INVALID_ORDER_PAYLOAD", "Invalid order payload", new Dictionary<string, string> { ["reason"] = detail });

    // ---- native object: POST /v1/orders, batch entries, flat POST /v1/order ---------------------------------------------

    /// <summary>Parses the native order object.</summary>
    public static OrderIntent ParseNative(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("An order must be a JSON object.");
        }

        var (tokenId, conditionId, outcome) = ParseInstrument(body);
        var side = ParseSide(Get(body, "side"), "side");
        var amountElement = Get(body, "amount");
        var quantityElement = Get(body, "quantity");
        var orderType = Get(body, "order_type") is { } typeElement
            ? EnumText(typeElement, "order_type", ["limit", "market"])
            : amountElement is null ? "limit" : "market";
        var market = orderType == "market";
        var tif = Get(body, "time_in_force") is { } tifElement
            ? ParseTimeInForce(EnumText(tifElement, "time_in_force", ["GTC", "GTD", "FOK", "FAK", "IOC"]))
            : market ? TimeInForce.Fok : TimeInForce.Gtc;
        if (market && tif is TimeInForce.Gtc or TimeInForce.Gtd)
        {
            throw Invalid("A market order is FOK (the default) or FAK; use order_type limit to rest an order.", "time_in_force");
        }

        var (price, beyond, priceText) = ParsePrice(Get(body, "price"), "price", market || tif is TimeInForce.Fok or TimeInForce.Fak);
        long quantity;
        var budget = false;
        if (amountElement is { } amount)
        {
            if (quantityElement is not null)
            {
                throw Invalid("Give either quantity (shares) or amount (USDC), not both.", "amount");
            }

            if (!market || side != Side.Buy)
            {
                throw Invalid("amount (USDC to spend) is for market BUY orders only; size other orders with quantity.", "amount");
            }

            quantity = Money.ParseUsdc(amount, "amount", allowZero: true);
            budget = true;
        }
        else
        {
            quantity = quantityElement is { } q
                ? Money.ParseShares(q, "quantity", allowZero: true)
                : throw Invalid("quantity is required (or amount, for a market BUY).", "quantity");
        }

        return new OrderIntent
        {
            TokenId = tokenId,
            ConditionId = conditionId,
            Outcome = outcome,
            Side = side,
            Price = price,
            PriceBeyondScale = beyond,
            PriceText = priceText,
            Quantity = quantity,
            IsBudget = budget,
            TimeInForce = tif,
            PostOnly = ParseBool(Get(body, "post_only"), "post_only"),
            ExpirationSeconds = ParseExpiration(Get(body, "expiration"), "expiration", Invalid),
            ClientOrderId = ParseClientOrderId(Get(body, "client_order_id")),
            OrderType = orderType,
        };
    }

    // ---- flat legacy body: POST /v1/clob/order -------------------------------------------------------------------------

    /// <summary>Parses <c>{token_id, side, size, price, order_type, client_order_id}</c>; IOC is refused.</summary>
    public static OrderIntent ParseClob(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("The order must be a JSON object.");
        }

        var tokenId = Get(body, "token_id") is { } token
            ? TokenText(token) ?? throw Invalid("token_id must be a uint256 decimal string.", "token_id")
            : throw Invalid("token_id is required.", "token_id");
        var side = ParseSide(Get(body, "side"), "side");
        var typeText = Get(body, "order_type") is { } typeElement
            ? EnumText(typeElement, "order_type", ["GTC", "GTD", "FOK", "FAK", "IOC"])
            : "GTC";
        if (typeText == "IOC")
        {
            throw new ApiException(400, "UNSUPPORTED_ORDER_TYPE",
                "order_type IOC is not supported on /v1/clob/order: use GTC to rest the order, FOK to fill it completely or not at all, or FAK to fill what is available now.");
        }

        var tif = ParseTimeInForce(typeText);
        var (price, beyond, priceText) = ParsePrice(Get(body, "price"), "price", tif is TimeInForce.Fok or TimeInForce.Fak);
        var size = Get(body, "size") is { } sizeElement
            ? Money.ParseShares(sizeElement, "size", allowZero: true)
            : throw Invalid("size is required.", "size");
        return new OrderIntent
        {
            TokenId = tokenId,
            Side = side,
            Price = price,
            PriceBeyondScale = beyond,
            PriceText = priceText,
            Quantity = size,
            TimeInForce = tif,
            PostOnly = ParseBool(Get(body, "post_only"), "post_only"),
            ExpirationSeconds = ParseExpiration(Get(body, "expiration"), "expiration", Invalid),
            ClientOrderId = ParseClientOrderId(Get(body, "client_order_id")),
            OrderType = "limit",
        };
    }

    // ---- Polymarket body: POST /v1/order, entries of the array form of POST /v1/orders ----------------------------------

    /// <summary>Whether a JSON object is Polymarket's order body (it has an <c>order</c> member).</summary>
    public static bool IsPolymarketBody(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("order", out _);

    /// <summary>Parses <c>{order: {tokenId, makerAmount, takerAmount, side, …}, owner, orderType, postOnly}</c> (research §4.3).</summary>
    /// <remarks>
    /// price = makerAmount / takerAmount for a BUY and takerAmount / makerAmount for a SELL, rounded to the nearest 0.0001
    /// (a market order's amounts are rounded by the SDK, so the quotient is within a hair of the intended price). Size: a
    /// FOK/FAK BUY spends makerAmount USDC (the engine's budget BUY); any other BUY is takerAmount shares; a SELL is
    /// makerAmount shares.
    /// </remarks>
    public static OrderIntent ParsePolymarket(JsonElement body)
    {
        if (!IsPolymarketBody(body) || body.GetProperty("order") is not { ValueKind: JsonValueKind.Object } order)
        {
            throw InvalidPayload("order must be an object.");
        }

        var tokenId = Get(order, "tokenId") is { } token
            ? TokenText(token) ?? throw InvalidPayload("tokenId must be a uint256 decimal.")
            : throw InvalidPayload("order.tokenId is required.");
        var side = Get(order, "side") switch
        {
            { ValueKind: JsonValueKind.String } s when string.Equals(s.GetString(), "BUY", StringComparison.OrdinalIgnoreCase) || s.GetString() == "0" => Side.Buy,
            { ValueKind: JsonValueKind.String } s when string.Equals(s.GetString(), "SELL", StringComparison.OrdinalIgnoreCase) || s.GetString() == "1" => Side.Sell,
            { ValueKind: JsonValueKind.Number } n when n.GetRawText() == "0" => Side.Buy,
            { ValueKind: JsonValueKind.Number } n when n.GetRawText() == "1" => Side.Sell,
            _ => throw InvalidPayload("order.side must be BUY or SELL."),
        };
        var maker = ParseRawAmount(Get(order, "makerAmount"), "makerAmount");
        var taker = ParseRawAmount(Get(order, "takerAmount"), "takerAmount");
        var typeText = Get(body, "orderType") switch
        {
            null => "GTC",
            { ValueKind: JsonValueKind.String } t => t.GetString()!.ToUpperInvariant(),
            _ => throw InvalidPayload("orderType must be GTC, GTD, FOK or FAK."),
        };
        if (typeText is not ("GTC" or "GTD" or "FOK" or "FAK"))
        {
            throw InvalidPayload("orderType must be GTC, GTD, FOK or FAK.");
        }

        var tif = ParseTimeInForce(typeText);
        var immediate = tif is TimeInForce.Fok or TimeInForce.Fak;
        Int128 numerator = side == Side.Buy ? maker : taker;
        Int128 denominator = side == Side.Buy ? taker : maker;
        var rounded = ((numerator * Units.PriceScale * 2) + denominator) / (denominator * 2);
        if (rounded <= 0 || rounded >= Units.PriceScale)
        {
            throw InvalidPayload("makerAmount and takerAmount imply a price outside (0, 1).");
        }

        var price = (int)rounded;

        var budget = side == Side.Buy && immediate;
        return new OrderIntent
        {
            TokenId = tokenId,
            Side = side,
            Price = price,
            PriceText = Money.FormatPrice(price),
            Quantity = side == Side.Buy ? (budget ? maker : taker) : maker,
            IsBudget = budget,
            TimeInForce = tif,
            PostOnly = Get(body, "postOnly") switch
            {
                null or { ValueKind: JsonValueKind.Null } => false,
                { ValueKind: JsonValueKind.True } => true,
                { ValueKind: JsonValueKind.False } => false,
                _ => throw InvalidPayload("postOnly must be a boolean."),
            },
            ExpirationSeconds = ParseExpiration(Get(order, "expiration"), "expiration", (m, _) => InvalidPayload(m)),
            OrderType = immediate ? "market" : "limit",
        };
    }

    // ---- pieces -----------------------------------------------------------------------------------------------------------

    /// <summary>A member, or null when absent or JSON null.</summary>
    public static JsonElement? Get(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static (string? TokenId, string? ConditionId, Outcome? Outcome) ParseInstrument(JsonElement body)
    {
        var tokenId = Get(body, "token_id") is { } token
            ? TokenText(token) ?? throw Invalid("token_id must be a uint256 decimal string.", "token_id")
            : null;
        var conditionId = Get(body, "market_id") is { } marketElement
            ? marketElement.ValueKind == JsonValueKind.String ? marketElement.GetString() : throw Invalid("market_id must be a string.", "market_id")
            : null;
        Outcome? outcome = Get(body, "outcome") is { } outcomeElement
            ? EnumText(outcomeElement, "outcome", ["yes", "no"]) == "yes" ? MatchingEngine.Outcome.Yes : MatchingEngine.Outcome.No
            : null;
        if (tokenId is null && (conditionId is null || outcome is null))
        {
            throw Invalid("Name the token: token_id, or market_id (condition id) with outcome (Yes or No).", tokenId is null && conditionId is not null ? "outcome" : "token_id");
        }

        return (tokenId, conditionId, outcome);
    }

    private static string? TokenText(JsonElement element)
    {
        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
        return text is { Length: > 0 and <= 80 } && text.All(char.IsAsciiDigit) ? text : null;
    }

    private static Side ParseSide(JsonElement? element, string field) =>
        element is null
            ? throw Invalid($"{field} is required (BUY or SELL).", field)
            : EnumText(element.Value, field, ["BUY", "SELL"]) == "BUY" ? Side.Buy : Side.Sell;

    /// <summary>A string member that must be one of <paramref name="allowed"/> (case-insensitive); returns the allowed spelling.</summary>
    private static string EnumText(JsonElement element, string field, string[] allowed)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            var text = element.GetString()!.Trim();
            foreach (var candidate in allowed)
            {
                if (string.Equals(candidate, text, StringComparison.OrdinalIgnoreCase))
                {
                    return candidate;
                }
            }
        }

        throw Invalid($"{field} must be one of {string.Join(", ", allowed)}.", field);
    }

    private static TimeInForce ParseTimeInForce(string text) => text switch
    {
        "GTD" => TimeInForce.Gtd,
        "FOK" => TimeInForce.Fok,
        "FAK" or "IOC" => TimeInForce.Fak,
        _ => TimeInForce.Gtc,
    };

    /// <summary>A price in (0, 1): its 1e-4 units, or "beyond scale" when it has more than 4 decimals.</summary>
    private static (int Price, bool BeyondScale, string Text) ParsePrice(JsonElement? element, string field, bool worstPrice)
    {
        if (element is not { } value)
        {
            throw worstPrice
                ? new ApiException(400, "PRICE_REQUIRED", "Market, FOK and FAK orders need a price: the worst price you accept (BUY: the most you pay, SELL: the least you take).")
                : Invalid("price is required for limit orders.", field);
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!.Trim(),
            JsonValueKind.Number => value.GetRawText(),
            _ => throw Invalid($"{field} must be a decimal number or string.", field),
        };
        if (!IsPlainDecimal(text))
        {
            throw Invalid($"{field} must be a decimal between 0 and 1; got '{text}'.", field);
        }

        if (Money.TryParseScaled(text, 4, out var price))
        {
            return price is > 0 and < Units.PriceScale
                ? ((int)price, false, text)
                : throw Invalid($"{field} must be between 0 and 1 (exclusive); got '{text}'.", field);
        }

        // More than four decimals: only valid in range; it can never sit on a tick.
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && d > 0m && d < 1m
            ? (0, true, text)
            : throw Invalid($"{field} must be between 0 and 1 (exclusive); got '{text}'.", field);
    }

    private static bool IsPlainDecimal(string text) =>
        text.Length is > 0 and <= 40
        && text.Count(c => c == '.') <= 1
        && text.Any(char.IsAsciiDigit)
        && text.All(c => c == '.' || char.IsAsciiDigit(c));

    private static bool ParseBool(JsonElement? element, string field) => element switch
    {
        null => false,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString(), out var b) => b,
        _ => throw Invalid($"{field} must be true or false.", field),
    };

    private static long ParseExpiration(JsonElement? element, string field, Func<string, string, ApiException> fail)
    {
        if (element is not { } value)
        {
            return 0;
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!.Trim(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return text is { Length: > 0 and <= 19 } && text.All(char.IsAsciiDigit)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= MaxExpirationSeconds
            ? seconds
            : throw fail($"{field} must be a Unix time in whole seconds.", field);
    }

    private static string? ParseClientOrderId(JsonElement? element)
    {
        if (element is not { } value)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return text is { Length: > 0 and <= MaxClientOrderIdLength } && text.All(c => c is >= '!' and <= '~')
            ? text
            : throw Invalid($"client_order_id must be 1 to {MaxClientOrderIdLength} printable ASCII characters without spaces.", "client_order_id");
    }

    private static long ParseRawAmount(JsonElement? element, string field)
    {
        var text = element switch
        {
            { ValueKind: JsonValueKind.String } s => s.GetString()!.Trim(),
            { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
            _ => throw InvalidPayload($"order.{field} is required: an integer amount in 6-decimal units."),
        };
        return text is { Length: > 0 and <= 19 } && text.All(char.IsAsciiDigit)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount is > 0 and <= Units.MaxAmount
            ? amount
            : throw InvalidPayload($"order.{field} must be a positive integer amount in 6-decimal units, at most {Units.MaxAmount}.");
    }
}
