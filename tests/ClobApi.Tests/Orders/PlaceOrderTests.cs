using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Polysim.ClobApi.Tests.Orders;

public sealed partial class PlaceOrderTests(OrdersServer fixture) : IClassFixture<OrdersServer>
{
    private readonly TestServer _server = fixture.Server;

    [GeneratedRegex("^0x[0-9a-f]{64}$")]
    private static partial Regex OrderIdShape();

    [Fact]
    public async Task A_limit_order_rests_and_answers_the_native_order_object_with_decimals_as_strings()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new
        {
            token_id = market.YesToken,
            side = "BUY",
            quantity = "10",
            price = "0.45",
            client_order_id = "first-order",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await response.JsonAsync();
        var order = body.RootElement;
        Assert.Matches(OrderIdShape(), order.Str("order_id"));
        Assert.Equal("first-order", order.Str("client_order_id"));
        Assert.Equal("OPEN", order.Str("status"));
        Assert.Equal(market.ConditionId, order.Str("market_id"));
        Assert.Equal(market.YesToken, order.Str("token_id"));
        Assert.Equal("Yes", order.Str("outcome"));
        Assert.Equal("BUY", order.Str("side"));
        Assert.Equal("limit", order.Str("order_type"));
        Assert.Equal("0.45", order.Str("price"));
        Assert.Equal("10", order.Str("quantity"));
        Assert.Equal("0", order.Str("filled_quantity"));
        Assert.Equal("10", order.Str("remaining_quantity"));
        Assert.Equal(JsonValueKind.Null, order.GetProperty("avg_fill_price").ValueKind);
        Assert.Equal("GTC", order.Str("time_in_force"));
        Assert.False(order.GetProperty("post_only").GetBoolean());
        Assert.Equal(JsonValueKind.Null, order.GetProperty("expiration").ValueKind);
        Assert.True(DateTimeOffset.TryParse(order.Str("created_at"), out _));
        Assert.Empty(order.GetProperty("fills").EnumerateArray());
        Assert.False(order.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task Numbers_may_be_JSON_numbers_and_market_id_with_outcome_names_the_token()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var order = await client.PlaceAsync(new { market_id = market.ConditionId, outcome = "no", side = "buy", quantity = 12.5, price = 0.3 });

        Assert.Equal(market.NoToken, order.Str("token_id"));
        Assert.Equal("No", order.Str("outcome"));
        Assert.Equal("12.5", order.Str("quantity"));
        Assert.Equal("0.3", order.Str("price"));
    }

    [Fact]
    public async Task A_crossing_order_fills_and_both_orders_report_their_fills_and_average_price()
    {
        var market = await _server.ListMarketAsync();
        var maker = await _server.TraderAsync();
        var taker = await _server.TraderAsync();
        using var makerClient = _server.KeyClient(maker.ApiKey);
        using var takerClient = _server.KeyClient(taker.ApiKey);
        var low = await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "10", price = "0.6" });
        var high = await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "10", price = "0.55" });

        // BUY YES @0.45 meets the NO bids: 10 at YES 0.40 (NO 0.60) then 5 at YES 0.45 (NO 0.55) — two MINT fills.
        var taken = await takerClient.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "15", price = "0.45" });

        Assert.Equal("FILLED", taken.Str("status"));
        Assert.Equal("15", taken.Str("filled_quantity"));
        Assert.Equal("0.416667", taken.Str("avg_fill_price"));
        var fills = taken.GetProperty("fills").EnumerateArray().ToArray();
        Assert.Equal(2, fills.Length);
        Assert.All(fills, f => Assert.Equal("taker", f.Str("role")));
        Assert.All(fills, f => Assert.Equal("MINT", f.Str("match_type")));
        Assert.Equal(["0.4", "0.45"], fills.Select(f => f.Str("price")));
        Assert.Equal(["10", "5"], fills.Select(f => f.Str("size")));
        Assert.Equal(2, taken.GetProperty("fill_count").GetInt32());

        var lowAfter = await makerClient.GetOrderAsync(low.Str("order_id"));
        Assert.Equal("FILLED", lowAfter.Str("status"));
        Assert.Equal("maker", lowAfter.GetProperty("fills")[0].Str("role"));
        Assert.Equal("0.6", lowAfter.GetProperty("fills")[0].Str("price"));
        var highAfter = await makerClient.GetOrderAsync(high.Str("order_id"));
        Assert.Equal("PARTIALLY_FILLED", highAfter.Str("status"));
        Assert.Equal("5", highAfter.Str("filled_quantity"));
        Assert.Equal("5", highAfter.Str("remaining_quantity"));
        Assert.Equal(fills[1].Str("trade_id"), highAfter.GetProperty("fills")[0].Str("trade_id"));
    }

    [Fact]
    public async Task A_market_BUY_sized_by_amount_spends_its_USDC_budget_as_a_FOK()
    {
        var market = await _server.ListMarketAsync();
        var maker = await _server.TraderAsync();
        var taker = await _server.TraderAsync();
        using var makerClient = _server.KeyClient(maker.ApiKey);
        using var takerClient = _server.KeyClient(taker.ApiKey);
        await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "100", price = "0.6" });

        var bought = await takerClient.PlaceAsync(new { token_id = market.YesToken, side = "BUY", order_type = "market", amount = "10", price = "0.5" });

        Assert.Equal("market", bought.Str("order_type"));
        Assert.Equal("FOK", bought.Str("time_in_force"));
        Assert.Equal("FILLED", bought.Str("status"));
        Assert.Equal("10", bought.Str("amount"));
        Assert.Equal("25", bought.Str("filled_quantity"));
        Assert.Equal("25", bought.Str("quantity"));
        Assert.Equal("0.4", bought.Str("avg_fill_price"));
    }

    [Fact]
    public async Task A_market_order_without_a_price_answers_400_PRICE_REQUIRED()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", order_type = "market", amount = "5" });

        await response.AssertErrorAsync(400, "PRICE_REQUIRED");
    }

    [Fact]
    public async Task A_FOK_that_cannot_fill_completely_answers_400_FOK_ORDER_NOT_FILLED_ERROR_and_changes_nothing()
    {
        var market = await _server.ListMarketAsync();
        var maker = await _server.TraderAsync();
        var taker = await _server.TraderAsync();
        using var makerClient = _server.KeyClient(maker.ApiKey);
        using var takerClient = _server.KeyClient(taker.ApiKey);
        var resting = await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "5", price = "0.6" });

        var response = await takerClient.SendJsonAsync(HttpMethod.Post, "/v1/orders",
            new { token_id = market.YesToken, side = "BUY", order_type = "market", quantity = "10", price = "0.4" });

        await response.AssertErrorAsync(400, "FOK_ORDER_NOT_FILLED_ERROR");
        Assert.Equal("OPEN", (await makerClient.GetOrderAsync(resting.Str("order_id"))).Str("status"));
        using var list = await (await takerClient.GetAsync("/v1/orders")).JsonAsync();
        Assert.Empty(list.RootElement.GetProperty("orders").EnumerateArray());
    }

    [Fact]
    public async Task A_FAK_that_matches_nothing_answers_400_FOK_ORDER_NOT_FILLED_ERROR()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders",
            new { token_id = market.YesToken, side = "BUY", order_type = "market", time_in_force = "FAK", quantity = "10", price = "0.4" });

        var message = await response.AssertErrorAsync(400, "FOK_ORDER_NOT_FILLED_ERROR");
        Assert.Contains("FAK", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_FAK_fills_what_it_can_and_its_remainder_is_cancelled()
    {
        var market = await _server.ListMarketAsync();
        var maker = await _server.TraderAsync();
        var taker = await _server.TraderAsync();
        using var makerClient = _server.KeyClient(maker.ApiKey);
        using var takerClient = _server.KeyClient(taker.ApiKey);
        await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "6", price = "0.6" });

        var order = await takerClient.PlaceAsync(new { token_id = market.YesToken, side = "BUY", time_in_force = "IOC", quantity = "10", price = "0.4" });

        Assert.Equal("FAK", order.Str("time_in_force"));
        Assert.Equal("CANCELLED", order.Str("status"));
        Assert.Equal("fak_remainder", order.Str("cancel_reason"));
        Assert.Equal("6", order.Str("filled_quantity"));
        Assert.Equal("0", order.Str("remaining_quantity"));
    }

    [Fact]
    public async Task A_BUY_costing_more_than_the_balance_answers_400_INSUFFICIENT_BALANCE()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync(balance: "12.5");
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "50", price = "0.5" });

        var message = await response.AssertErrorAsync(400, "INSUFFICIENT_BALANCE");
        Assert.Contains("$12.5", message, StringComparison.Ordinal);
        Assert.Contains("$25", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_SELL_without_shares_answers_400_INSUFFICIENT_POSITION()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.NoToken, side = "SELL", quantity = "100", price = "0.51" });

        await response.AssertErrorAsync(400, "INSUFFICIENT_POSITION");
    }

    [Fact]
    public async Task A_SELL_backed_by_shares_rests()
    {
        var market = await _server.ListMarketAsync();
        var seller = await _server.TraderAsync();
        var other = await _server.TraderAsync();
        await _server.MintAsync(market, seller, other, "20");
        using var client = _server.KeyClient(seller.ApiKey);

        var order = await client.PlaceAsync(new { token_id = market.YesToken, side = "SELL", quantity = "20", price = "0.7" });

        Assert.Equal("OPEN", order.Str("status"));
        Assert.Equal("SELL", order.Str("side"));
    }

    [Fact]
    public async Task A_zero_quantity_answers_400_INVALID_QUANTITY_and_a_negative_one_422_VALIDATION_FAILED()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var zero = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "0", price = "0.5" });
        var negative = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "-1", price = "0.5" });

        await zero.AssertErrorAsync(400, "INVALID_QUANTITY");
        await negative.AssertErrorAsync(422, "VALIDATION_FAILED");
    }

    [Theory]
    [InlineData("0.505")]
    [InlineData("0.12345")]
    public async Task A_price_off_the_tick_grid_answers_400_INVALID_ORDER_MIN_TICK_SIZE(string price)
    {
        var market = await _server.ListMarketAsync(tick: 100);
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "10", price });

        var message = await response.AssertErrorAsync(400, "INVALID_ORDER_MIN_TICK_SIZE");
        Assert.Contains(price, message, StringComparison.Ordinal);
        Assert.Contains("0.01", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resting_order_below_the_minimum_size_answers_400_INVALID_ORDER_MIN_SIZE()
    {
        var market = await _server.ListMarketAsync(minimumShares: 5);
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "1.08", price = "0.5" });

        var message = await response.AssertErrorAsync(400, "INVALID_ORDER_MIN_SIZE");
        Assert.Contains("1.08", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_marketable_BUY_worth_less_than_one_dollar_answers_400_INVALID_ORDER_MIN_SIZE()
    {
        var market = await _server.ListMarketAsync();
        var maker = await _server.TraderAsync();
        var taker = await _server.TraderAsync();
        using var makerClient = _server.KeyClient(maker.ApiKey);
        using var takerClient = _server.KeyClient(taker.ApiKey);
        await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "10", price = "0.5" });

        var response = await takerClient.SendJsonAsync(HttpMethod.Post, "/v1/orders",
            new { token_id = market.YesToken, side = "BUY", order_type = "market", amount = "0.5", price = "0.5" });

        var message = await response.AssertErrorAsync(400, "INVALID_ORDER_MIN_SIZE");
        Assert.Contains("$0.5", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_GTD_expiring_within_a_minute_or_an_expiration_on_a_GTC_answers_400_INVALID_ORDER_EXPIRATION()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var soon = DateTimeOffset.UtcNow.AddSeconds(10).ToUnixTimeSeconds();

        var tooSoon = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders",
            new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.5", time_in_force = "GTD", expiration = soon });
        var onGtc = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders",
            new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.5", expiration = soon + 3600 });
        var missing = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders",
            new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.5", time_in_force = "GTD" });

        await tooSoon.AssertErrorAsync(400, "INVALID_ORDER_EXPIRATION");
        await onGtc.AssertErrorAsync(400, "INVALID_ORDER_EXPIRATION");
        await missing.AssertErrorAsync(400, "INVALID_ORDER_EXPIRATION");
    }

    [Fact]
    public async Task A_GTD_order_rests_with_its_expiration_in_seconds_and_expires_when_the_clock_passes_it()
    {
        await using var server = await OrdersKit.StartAsync();
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        using var client = server.KeyClient(trader.ApiKey);
        var expiration = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();

        var order = await client.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.5", time_in_force = "GTD", expiration = expiration.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal("GTD", order.Str("time_in_force"));
        Assert.Equal(expiration, order.GetProperty("expiration").GetInt64());
        Assert.Equal("OPEN", order.Str("status"));

        await server.AdvanceClockAsync(TimeSpan.FromMinutes(10));
        var status = string.Empty;
        for (var i = 0; i < 100 && status != "EXPIRED"; i++)
        {
            await Task.Delay(50);
            status = (await client.GetOrderAsync(order.Str("order_id"))).Str("status");
        }

        Assert.Equal("EXPIRED", status);
        Assert.Equal("expired", (await client.GetOrderAsync(order.Str("order_id"))).Str("cancel_reason"));
    }

    [Fact]
    public async Task A_post_only_order_that_would_cross_answers_400_INVALID_POST_ONLY_ORDER()
    {
        var market = await _server.ListMarketAsync();
        var maker = await _server.TraderAsync();
        var taker = await _server.TraderAsync();
        using var makerClient = _server.KeyClient(maker.ApiKey);
        using var takerClient = _server.KeyClient(taker.ApiKey);
        await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "10", price = "0.6" });

        var crossing = await takerClient.SendJsonAsync(HttpMethod.Post, "/v1/orders",
            new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.45", post_only = true });
        var resting = await takerClient.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.35", post_only = "true" });

        await crossing.AssertErrorAsync(400, "INVALID_POST_ONLY_ORDER");
        Assert.True(resting.GetProperty("post_only").GetBoolean());
    }

    [Fact]
    public async Task Post_only_with_FOK_answers_400_INVALID_POST_ONLY_ORDER_TYPE()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders",
            new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.45", time_in_force = "FOK", post_only = true });

        await response.AssertErrorAsync(400, "INVALID_POST_ONLY_ORDER_TYPE");
    }

    [Fact]
    public async Task An_unknown_token_or_market_answers_404_MARKET_NOT_FOUND()
    {
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var byToken = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = "123456789", side = "BUY", quantity = "10", price = "0.5" });
        var byMarket = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders",
            new { market_id = "0x" + new string('a', 64), outcome = "Yes", side = "BUY", quantity = "10", price = "0.5" });

        await byToken.AssertErrorAsync(404, "MARKET_NOT_FOUND");
        await byMarket.AssertErrorAsync(404, "MARKET_NOT_FOUND");
    }

    [Fact]
    public async Task An_order_on_a_closed_market_answers_400_MARKET_CLOSED()
    {
        var market = await _server.ListMarketAsync();
        await _server.CloseMarketAsync(market);
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.5" });

        await response.AssertErrorAsync(400, "MARKET_CLOSED");
    }

    public static TheoryData<string> SchemaViolations() => new()
    {
        """{"side":"BUY","quantity":"10","price":"0.5"}""",
        """{"token_id":"TOKEN","quantity":"10","price":"0.5"}""",
        """{"token_id":"TOKEN","side":"HOLD","quantity":"10","price":"0.5"}""",
        """{"token_id":"TOKEN","side":"BUY","price":"0.5"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","price":"1"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","price":"0"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","price":"abc"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","price":"5e-1"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"1.0000001","price":"0.5"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":true,"price":"0.5"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","amount":"5","order_type":"market","price":"0.5"}""",
        """{"token_id":"TOKEN","side":"BUY","amount":"5","order_type":"limit","price":"0.5"}""",
        """{"token_id":"TOKEN","side":"SELL","amount":"5","order_type":"market","price":"0.5"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","price":"0.5","time_in_force":"DAY"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","price":"0.5","order_type":"stop"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","price":"0.5","order_type":"market","time_in_force":"GTC"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","price":"0.5","post_only":"maybe"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","price":"0.5","expiration":"soon"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","price":"0.5","client_order_id":"has space"}""",
        """{"token_id":"TOKEN","side":"BUY","quantity":"10","price":"0.5","client_order_id":42}""",
        """{"market_id":"MARKET","side":"BUY","quantity":"10","price":"0.5"}""",
        """{"market_id":"MARKET","outcome":"Maybe","side":"BUY","quantity":"10","price":"0.5"}""",
        """{"token_id":"not-digits","side":"BUY","quantity":"10","price":"0.5"}""",
        """[1,2""",
        """ """,
        """ "just a string" """,
    };

    [Theory]
    [MemberData(nameof(SchemaViolations))]
    public async Task A_schema_violation_answers_422_VALIDATION_FAILED(string template)
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var body = template.Replace("TOKEN", market.YesToken, StringComparison.Ordinal).Replace("MARKET", market.ConditionId, StringComparison.Ordinal);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", body);

        await response.AssertErrorAsync(422, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task A_token_that_contradicts_the_market_and_outcome_given_answers_422_VALIDATION_FAILED()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders",
            new { token_id = market.YesToken, market_id = market.ConditionId, outcome = "No", side = "BUY", quantity = "10", price = "0.5" });

        await response.AssertErrorAsync(422, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task A_key_without_the_trade_permission_answers_403_INSUFFICIENT_PERMISSION()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        var readOnly = await _server.IssueKeyAsync(trader.AccountId, Polysim.Accounts.KeyPermissions.Read);
        using var client = _server.KeyClient(readOnly);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.5" });

        await response.AssertErrorAsync(403, "INSUFFICIENT_PERMISSION");
    }

    [Fact]
    public async Task Without_an_API_key_the_order_routes_answer_401_MISSING_API_KEY()
    {
        using var client = _server.Client();

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = "1", side = "BUY", quantity = "10", price = "0.5" });

        await response.AssertErrorAsync(401, "MISSING_API_KEY");
    }
}
