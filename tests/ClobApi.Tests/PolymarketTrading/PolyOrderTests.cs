using System.Net;
using System.Text.Json;
using Polysim.ClobApi.Polymarket.Crypto;
using Polysim.ClobApi.Polymarket.Trading;
using Polysim.ClobApi.Tests.Orders;

namespace Polysim.ClobApi.Tests.PolymarketTrading;

public sealed class PolyOrderTests(PolyServer fixture) : IClassFixture<PolyServer>
{
    private const string ResearchToken = "71321045679252212594626385532706912750332728571942532289631379312455583992563";

    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task The_published_V2_order_vector_is_accepted_and_its_hash_is_the_order_id()
    {
        // polymarket-clob-v2.md §3.6/§3.7: Hardhat key #0, BUY 100 @ 0.50, signed for the V2 exchange on chain 137.
        await using var server = await TestServer.StartAsync(PolyKit.Settings());
        await server.ListAsync(yesToken: ResearchToken);
        using var trader = await server.TraderAsync(PolyKit.HardhatKey);
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", trader.Address);
        var body = "{\"deferExec\":false,\"postOnly\":false,\"order\":{\"salt\":479249096354,\"maker\":\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\"," +
            "\"signer\":\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\",\"tokenId\":\"" + ResearchToken + "\",\"makerAmount\":\"50000000\"," +
            "\"takerAmount\":\"100000000\",\"side\":\"BUY\",\"signatureType\":0,\"timestamp\":\"1780449126930\",\"expiration\":\"0\"," +
            "\"metadata\":\"0x0000000000000000000000000000000000000000000000000000000000000000\"," +
            "\"builder\":\"0x0000000000000000000000000000000000000000000000000000000000000000\"," +
            "\"signature\":\"0x8c17aa200623998b635420c2b415b807060cbce2c04142aa1e527a24205206c40d0437c40e81ad4265e399c202b6e8a7d55194c4aa887c7293b0ab8724e757641c\"}," +
            "\"owner\":\"" + trader.Creds.Key + "\",\"orderType\":\"GTC\"}";

        var reply = await trader.PlaceAsync(body);

        Assert.Equal(["success", "errorMsg", "orderID", "status", "makingAmount", "takingAmount", "transactionsHashes", "tradeIDs"],
            reply.EnumerateObject().Select(p => p.Name));
        Assert.True(reply.GetProperty("success").GetBoolean());
        Assert.Equal("0xc667cca204efe1d9cf376d775e52199f5f32be7e2fddee5d6da31e7d95f98094", reply.Str("orderID"));
        Assert.Equal("live", reply.Str("status"));
        var order = await trader.OkAsync(HttpMethod.Get, "/data/order/0xc667cca204efe1d9cf376d775e52199f5f32be7e2fddee5d6da31e7d95f98094");
        Assert.Equal("0.5", order.Str("price"));
        Assert.Equal("100", order.Str("original_size"));
        Assert.Equal("BUY", order.Str("side"));
        Assert.Equal(ResearchToken, order.Str("asset_id"));
    }

    [Fact]
    public void The_wire_parser_reproduces_the_published_V1_and_V2_order_hashes()
    {
        // V1 §4.1: chain 137, verifying contract 0x…01, salt 1, maker = signer 0x1111…, tokenId 101, BUY 1 → 2, nonce 2.
        var v1 = JsonDocument.Parse("{\"order\":{\"salt\":1,\"maker\":\"0x1111111111111111111111111111111111111111\",\"signer\":\"0x1111111111111111111111111111111111111111\"," +
            "\"taker\":\"0x0000000000000000000000000000000000000000\",\"tokenId\":\"101\",\"makerAmount\":\"1000000\",\"takerAmount\":\"2000000\",\"side\":\"BUY\"," +
            "\"expiration\":\"0\",\"nonce\":\"2\",\"feeRateBps\":\"0\",\"signatureType\":0,\"signature\":\"0x\"},\"owner\":\"k\"}").RootElement;
        var parsedV1 = PolySignedOrder.TryParse(v1)!;
        Assert.Equal(1, parsedV1.Version);
        var domain = Eip712Domain.Exchange("1", 137, "0x0000000000000000000000000000000000000001");
        Assert.Equal("0xeb162c6cc7aa28ad096a7c40fb9556d41fa1730d71103ba7103589ae1f18d942", Hex.ToHex(domain.Digest(parsedV1.StructHash)));

        var v2 = JsonDocument.Parse("{\"order\":{\"salt\":479249096354,\"maker\":\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\",\"signer\":\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\"," +
            "\"tokenId\":\"" + ResearchToken + "\",\"makerAmount\":\"50000000\",\"takerAmount\":\"100000000\",\"side\":\"BUY\",\"signatureType\":0," +
            "\"timestamp\":\"1780449126930\",\"expiration\":\"0\",\"metadata\":\"" + OrderV2.ZeroBytes32 + "\",\"builder\":\"" + OrderV2.ZeroBytes32 + "\",\"signature\":\"0x\"}}").RootElement;
        var parsedV2 = PolySignedOrder.TryParse(v2)!;
        Assert.Equal(2, parsedV2.Version);
        Assert.Equal("0x72ba330ff45f56ca287d5bc96f0c1b3f8987b81a65f76baea172280ebfde50bc", Hex.ToHex(parsedV2.StructHash));
        Assert.Equal("0xb0828609dee64ef3ae651f224d671f36fe4429f7eb18411f506aba38a04b8e08",
            Hex.ToHex(Eip712Domain.Exchange("2", 137, PolyContracts.V2NegRiskExchange).Digest(parsedV2.StructHash)));
        Assert.Equal("0x120c747e8bbb294b804187dd6108d118eaf823063b87bd2552db050da076e6f7",
            Hex.ToHex(Eip712Domain.Exchange("3", 137, PolyContracts.V3Exchange).Digest(parsedV2.StructHash)));
    }

    [Fact]
    public async Task A_V1_order_is_verified_against_the_V1_exchange_and_rests_under_its_hash()
    {
        var market = await _server.ListAsync();
        using var trader = await _server.TraderAsync();

        var reply = await trader.PlaceAsync(trader.V1Order(market.YesToken, "BUY", 34_000_000, 100_000_000));

        Assert.Equal(trader.LastHash, reply.Str("orderID"));
        Assert.Equal("live", reply.Str("status"));
        Assert.Equal(string.Empty, reply.Str("makingAmount"));
    }

    [Fact]
    public async Task A_V3_signed_order_is_accepted_under_the_V3_exchange()
    {
        var market = await _server.ListAsync();
        using var trader = await _server.TraderAsync();

        var reply = await trader.PlaceAsync(trader.V2Order(market.YesToken, "BUY", 5_000_000, 10_000_000, verifyingContract: PolyContracts.V3Exchange, version: "3"));

        Assert.Equal(trader.LastHash, reply.Str("orderID"));
    }

    [Fact]
    public async Task Orders_are_verified_against_the_neg_risk_exchange_exactly_when_the_market_is_neg_risk()
    {
        var normal = await _server.ListAsync();
        var negRisk = await _server.ListAsync(negRisk: true);
        using var trader = await _server.TraderAsync();

        await trader.AssertRejectedAsync(trader.V2Order(normal.YesToken, "BUY", 5_000_000, 10_000_000, negRisk: true), "invalid signature");
        await trader.AssertRejectedAsync(trader.V2Order(negRisk.YesToken, "BUY", 5_000_000, 10_000_000, negRisk: false), "invalid signature");
        await trader.AssertRejectedAsync(trader.V1Order(negRisk.YesToken, "BUY", 5_000_000, 10_000_000, negRisk: false), "invalid signature");
        var reply = await trader.PlaceAsync(trader.V2Order(negRisk.YesToken, "BUY", 5_000_000, 10_000_000, negRisk: true));
        Assert.Equal(trader.LastHash, reply.Str("orderID"));
        reply = await trader.PlaceAsync(trader.V1Order(negRisk.YesToken, "BUY", 5_000_000, 10_000_000, negRisk: true));
        Assert.Equal(trader.LastHash, reply.Str("orderID"));
    }

    [Fact]
    public async Task An_order_signed_by_another_key_or_owned_by_another_API_key_is_rejected_with_Polymarkets_messages()
    {
        var market = await _server.ListAsync();
        using var trader = await _server.TraderAsync();
        using var stranger = await _server.TraderAsync();

        await trader.AssertRejectedAsync(
            trader.V2Order(market.YesToken, "BUY", 5_000_000, 10_000_000, owner: stranger.Creds.Key),
            "the order owner has to be the owner of the API KEY");
        await trader.AssertRejectedAsync(
            stranger.V2Order(market.YesToken, "BUY", 5_000_000, 10_000_000, owner: trader.Creds.Key),
            "the order signer address has to be the address of the API KEY");
        var good = trader.V2Order(market.YesToken, "BUY", 5_000_000, 10_000_000);
        var tampered = good.Replace("\"makerAmount\":\"5000000\"", "\"makerAmount\":\"6000000\"", StringComparison.Ordinal);
        Assert.NotEqual(good, tampered);
        await trader.AssertRejectedAsync(tampered, "invalid signature");
    }

    [Fact]
    public async Task A_strict_V2_venue_answers_order_version_mismatch_to_V1_orders_and_a_V1_venue_to_V2_orders()
    {
        await using var strict = await TestServer.StartAsync(PolyKit.Settings(("Polysim:OrderVersions", "v2")));
        var market = await strict.ListAsync();
        using var trader = await strict.TraderAsync();
        await trader.AssertRejectedAsync(trader.V1Order(market.YesToken, "BUY", 5_000_000, 10_000_000), "order_version_mismatch");
        await trader.PlaceAsync(trader.V2Order(market.YesToken, "BUY", 5_000_000, 10_000_000));
        using (var client = strict.Client())
        {
            Assert.Equal("{\"version\":2}", await client.GetStringAsync("/version"));
        }

        await using var legacy = await TestServer.StartAsync(PolyKit.Settings(("Polysim:OrderVersions", "v1")));
        var old = await legacy.ListAsync();
        using var v1Trader = await legacy.TraderAsync();
        await v1Trader.AssertRejectedAsync(v1Trader.V2Order(old.YesToken, "BUY", 5_000_000, 10_000_000), "order_version_mismatch");
        await v1Trader.PlaceAsync(v1Trader.V1Order(old.YesToken, "BUY", 5_000_000, 10_000_000));
        using var legacyClient = legacy.Client();
        Assert.Equal("{\"version\":1}", await legacyClient.GetStringAsync("/version"));
    }

    [Theory]
    [InlineData("BUY", "GTC", 5_000_010L, 10_000_000L, "invalid amounts, the buy orders maker amount supports a max accuracy of 4 decimals, taker amount a max of 2 decimals")]
    [InlineData("BUY", "GTC", 5_000_000L, 10_001_000L, "invalid amounts, the buy orders maker amount supports a max accuracy of 4 decimals, taker amount a max of 2 decimals")]
    [InlineData("BUY", "FOK", 5_001_000L, 10_000_000L, "invalid amounts, the market buy orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals")]
    [InlineData("SELL", "GTC", 10_001_000L, 5_000_000L, "invalid amounts, the sell orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals")]
    [InlineData("BUY", "GTC", 4_330_000L, 19_690_000L, "invalid amounts, the maker amount for a $0.22 order of size 19.69 should be '4.3318' but the value submited is '4.33'. Please check if you are using the latest version of the 'clob-client' library")]
    public async Task Amounts_finer_than_the_exchange_accepts_are_rejected_with_Polymarkets_precision_messages(
        string side, string type, long maker, long taker, string message)
    {
        var market = await _server.ListAsync();
        using var trader = await _server.TraderAsync();

        await trader.AssertRejectedAsync(trader.V2Order(market.YesToken, side, maker, taker, type), message);
    }

    [Fact]
    public async Task Tick_minimum_size_duplicate_and_balance_rejections_quote_the_order_hash()
    {
        var market = await _server.ListAsync();
        using var trader = await _server.TraderAsync();

        var small = trader.V2Order(market.YesToken, "BUY", 500_000, 1_000_000);
        await trader.AssertRejectedAsync(small, $"order {trader.LastHash} is invalid. Size (1) lower than the minimum: 5");
        var offTick = trader.V2Order(market.YesToken, "BUY", 3_450_000, 10_000_000);
        await trader.AssertRejectedAsync(offTick, $"order {trader.LastHash} is invalid. Price (0.345) breaks minimum tick size rule: 0.01");
        var once = trader.V2Order(market.YesToken, "BUY", 5_000_000, 10_000_000);
        await trader.PlaceAsync(once);
        await trader.AssertRejectedAsync(once, $"order {trader.LastHash} is invalid. Duplicated.");
        await trader.AssertRejectedAsync(trader.V2Order(market.YesToken, "SELL", 10_000_000, 5_000_000), "not enough balance / allowance");
        await trader.AssertRejectedAsync(trader.V2Order(market.YesToken, "BUY", 12_000_000_000, 20_000_000_000), "not enough balance / allowance");
        await trader.AssertRejectedAsync("{\"order\":{}}", "Invalid order payload");
    }

    [Fact]
    public async Task A_fee_rate_that_differs_from_a_fee_markets_base_fee_is_rejected()
    {
        var market = await _server.ListAsync();
        using var trader = await _server.TraderAsync();

        await trader.AssertRejectedAsync(trader.V1Order(market.YesToken, "BUY", 5_000_000, 10_000_000, feeRateBps: 1500), "invalid fee rate (1500), current market's taker fee: 0");
    }

    [Fact]
    public async Task A_MINT_match_reports_hashes_and_trade_ids_and_both_sides_see_the_trade_with_exact_balances()
    {
        var market = await _server.ListAsync();
        using var maker = await _server.TraderAsync();
        using var taker = await _server.TraderAsync();

        var resting = await maker.PlaceAsync(maker.V2Order(market.YesToken, "BUY", 6_000_000, 10_000_000));
        var makerOrderId = resting.Str("orderID");
        var matched = await taker.PlaceAsync(taker.V1Order(market.NoToken, "BUY", 4_000_000, 10_000_000));

        Assert.Equal("matched", matched.Str("status"));
        Assert.Equal("4", matched.Str("makingAmount"));
        Assert.Equal("10", matched.Str("takingAmount"));
        var tradeId = Assert.Single(matched.GetProperty("tradeIDs").EnumerateArray()).GetString()!;
        var txHash = Assert.Single(matched.GetProperty("transactionsHashes").EnumerateArray()).GetString()!;
        Assert.Matches("^0x[0-9a-f]{64}$", txHash);

        var takerTrades = await taker.OkAsync(HttpMethod.Get, "/data/trades?id=" + tradeId);
        var row = Assert.Single(takerTrades.GetProperty("data").EnumerateArray());
        Assert.Equal(tradeId, row.Str("id"));
        Assert.Equal("TAKER", row.Str("trader_side"));
        Assert.Equal(matched.Str("orderID"), row.Str("taker_order_id"));
        Assert.Equal(market.NoToken, row.Str("asset_id"));
        Assert.Equal("BUY", row.Str("side"));
        Assert.Equal("10", row.Str("size"));
        Assert.Equal("0.4", row.Str("price"));
        Assert.Equal("MATCHED", row.Str("status"));
        Assert.Equal(txHash, row.Str("transaction_hash"));
        Assert.Equal(taker.Creds.Key, row.Str("owner"));
        var makerRow = Assert.Single(row.GetProperty("maker_orders").EnumerateArray());
        Assert.Equal(makerOrderId, makerRow.Str("order_id"));
        Assert.Equal(maker.Creds.Key, makerRow.Str("owner"));
        Assert.Equal(maker.Address, makerRow.Str("maker_address"));
        Assert.Equal("0.6", makerRow.Str("price"));
        Assert.Equal(market.YesToken, makerRow.Str("asset_id"));
        Assert.Equal("10", makerRow.Str("matched_amount"));

        var makerTrades = await maker.OkAsync(HttpMethod.Get, "/data/trades");
        var seen = Assert.Single(makerTrades.GetProperty("data").EnumerateArray());
        Assert.Equal(tradeId, seen.Str("id"));
        Assert.Equal("MAKER", seen.Str("trader_side"));
        Assert.Equal("LTE=", makerTrades.Str("next_cursor"));

        Assert.Equal("9994000000", (await maker.OkAsync(HttpMethod.Get, "/balance-allowance?asset_type=COLLATERAL")).Str("balance"));
        Assert.Equal("9996000000", (await taker.OkAsync(HttpMethod.Get, "/balance-allowance?asset_type=COLLATERAL")).Str("balance"));
        Assert.Equal("10000000", (await maker.OkAsync(HttpMethod.Get, $"/balance-allowance?asset_type=CONDITIONAL&token_id={market.YesToken}")).Str("balance"));
        Assert.Equal("10000000", (await taker.OkAsync(HttpMethod.Get, $"/balance-allowance?asset_type=CONDITIONAL&token_id={market.NoToken}")).Str("balance"));
        var filled = await maker.OkAsync(HttpMethod.Get, "/data/order/" + makerOrderId);
        Assert.Equal("MATCHED", filled.Str("status"));
        Assert.Equal("10", filled.Str("size_matched"));
        Assert.Equal(tradeId, Assert.Single(filled.GetProperty("associate_trades").EnumerateArray()).GetString());

        await Task.Delay(TimeSpan.FromMilliseconds(PolyTradingEndpoints.ConfirmationMs + 300));
        var later = await taker.OkAsync(HttpMethod.Get, "/data/trades?id=" + tradeId);
        Assert.Equal("CONFIRMED", Assert.Single(later.GetProperty("data").EnumerateArray()).Str("status"));
    }

    [Fact]
    public async Task A_FOK_market_buy_that_cannot_fill_is_rejected_and_a_FAK_with_nothing_to_hit_too()
    {
        var market = await _server.ListAsync();
        using var trader = await _server.TraderAsync();

        await trader.AssertRejectedAsync(trader.V2Order(market.YesToken, "BUY", 10_000_000, 20_000_000, "FOK"),
            "order couldn't be fully filled. FOK orders are fully filled or killed.");
        await trader.AssertRejectedAsync(trader.V2Order(market.YesToken, "BUY", 10_000_000, 20_000_000, "FAK"),
            "no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.");
    }

    [Fact]
    public async Task A_batch_answers_one_reply_per_order_and_more_than_15_is_refused()
    {
        var market = await _server.ListAsync();
        using var trader = await _server.TraderAsync();
        var good = trader.V2Order(market.YesToken, "BUY", 5_000_000, 10_000_000);
        var goodHash = trader.LastHash;
        var bad = trader.V2Order(market.YesToken, "BUY", 500_000, 1_000_000);

        var replies = await trader.OkAsync(HttpMethod.Post, "/orders", $"[{good},{bad}]");

        var list = replies.EnumerateArray().ToList();
        Assert.Equal(2, list.Count);
        Assert.True(list[0].GetProperty("success").GetBoolean());
        Assert.Equal(goodHash, list[0].Str("orderID"));
        Assert.False(list[1].GetProperty("success").GetBoolean());
        Assert.StartsWith("order 0x", list[1].Str("errorMsg"), StringComparison.Ordinal);

        var sixteen = "[" + string.Join(',', Enumerable.Range(0, 16).Select(_ => trader.V2Order(market.YesToken, "BUY", 5_000_000, 10_000_000))) + "]";
        var response = await trader.L2Async(HttpMethod.Post, "/orders", sixteen);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = await response.JsonAsync();
        Assert.Equal("Too many orders in payload: 16, max allowed: 15", json.RootElement.Str("error"));
    }

    [Fact]
    public async Task Cancel_routes_answer_canceled_and_not_canceled_and_accept_orderID_or_orderId()
    {
        var market = await _server.ListAsync();
        var other = await _server.ListAsync();
        using var trader = await _server.TraderAsync();
        async Task<string> Rest(TestMarket m)
        {
            var reply = await trader.PlaceAsync(trader.V2Order(m.YesToken, "BUY", 5_000_000, 10_000_000));
            return reply.Str("orderID");
        }

        var a = await Rest(market);
        var one = await trader.OkAsync(HttpMethod.Delete, "/order", PolyText.Json(new { orderID = a }));
        Assert.Equal(a, Assert.Single(one.GetProperty("canceled").EnumerateArray()).GetString());
        var again = await trader.OkAsync(HttpMethod.Delete, "/order", PolyText.Json(new { orderId = a }));
        Assert.Empty(again.GetProperty("canceled").EnumerateArray());
        Assert.Equal("order already canceled", again.GetProperty("not_canceled").Str(a));

        var b = await Rest(market);
        var c = await Rest(market);
        var many = await trader.OkAsync(HttpMethod.Delete, "/orders", PolyText.Json(new[] { b, c, "0xdead" }));
        Assert.Equal(new[] { b, c }, many.GetProperty("canceled").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("order not found", many.GetProperty("not_canceled").Str("0xdead"));

        var d = await Rest(market);
        var e = await Rest(other);
        var byMarket = await trader.OkAsync(HttpMethod.Delete, "/cancel-market-orders", PolyText.Json(new { market = market.ConditionId, asset_id = "" }));
        Assert.Equal(d, Assert.Single(byMarket.GetProperty("canceled").EnumerateArray()).GetString());
        var all = await trader.OkAsync(HttpMethod.Delete, "/cancel-all");
        Assert.Equal(e, Assert.Single(all.GetProperty("canceled").EnumerateArray()).GetString());
        var open = await trader.OkAsync(HttpMethod.Get, "/data/orders");
        Assert.Equal(0, open.GetProperty("count").GetInt32());
        Assert.Equal("CANCELED", (await trader.OkAsync(HttpMethod.Get, "/data/order/" + e)).Str("status"));
    }

    [Fact]
    public async Task Open_orders_page_by_base64_offsets_from_MA_to_LTE()
    {
        var market = await _server.ListAsync();
        using var trader = await _server.TraderAsync();
        var placed = new HashSet<string>();
        for (var batch = 0; batch < 7; batch++)
        {
            var bodies = Enumerable.Range(0, 15).Select(_ => trader.V2Order(market.YesToken, "BUY", 50_000, 5_000_000)).ToList();
            var replies = await trader.OkAsync(HttpMethod.Post, "/orders", "[" + string.Join(',', bodies) + "]");
            foreach (var reply in replies.EnumerateArray())
            {
                Assert.True(reply.GetProperty("success").GetBoolean(), reply.ToString());
                placed.Add(reply.Str("orderID"));
            }
        }

        var first = await trader.OkAsync(HttpMethod.Get, "/data/orders?next_cursor=MA==");
        Assert.Equal(100, first.GetProperty("count").GetInt32());
        Assert.Equal(PolyText.B64("100"), first.Str("next_cursor"));
        var second = await trader.OkAsync(HttpMethod.Get, "/data/orders?next_cursor=" + Uri.EscapeDataString(first.Str("next_cursor")));
        Assert.Equal(5, second.GetProperty("count").GetInt32());
        Assert.Equal("LTE=", second.Str("next_cursor"));
        var seen = first.GetProperty("data").EnumerateArray().Concat(second.GetProperty("data").EnumerateArray()).Select(o => o.Str("id")).ToHashSet();
        Assert.Equal(placed, seen);
        var sample = first.GetProperty("data")[0];
        Assert.Equal(["id", "status", "owner", "maker_address", "market", "asset_id", "side", "original_size", "size_matched", "price", "associate_trades", "outcome", "created_at", "expiration", "order_type"],
            sample.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Number, sample.GetProperty("created_at").ValueKind);
        Assert.Equal("0.01", sample.Str("price"));
        Assert.Equal("LIVE", sample.Str("status"));
        Assert.Equal(market.ConditionId, sample.Str("market"));
        Assert.Equal(trader.Address, sample.Str("maker_address"));
        var end = await trader.OkAsync(HttpMethod.Get, "/data/orders?next_cursor=LTE=");
        Assert.Equal(0, end.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_heartbeat_started_with_L2_headers_cancels_open_orders_when_it_lapses()
    {
        var market = await _server.ListAsync();
        using var trader = await _server.TraderAsync();
        var id = (await trader.PlaceAsync(trader.V2Order(market.YesToken, "BUY", 5_000_000, 10_000_000))).Str("orderID");

        var started = await trader.OkAsync(HttpMethod.Post, "/v1/heartbeats", "{\"heartbeat_id\":null}");
        Assert.False(string.IsNullOrEmpty(started.Str("heartbeat_id")));
        var renewed = await trader.OkAsync(HttpMethod.Post, "/v1/heartbeats", "{\"heartbeat_id\":\"\"}");
        Assert.False(string.IsNullOrEmpty(renewed.Str("heartbeat_id")));
        Assert.Equal("LIVE", (await trader.OkAsync(HttpMethod.Get, "/data/order/" + id)).Str("status"));

        await _server.AdvanceClockAsync(TimeSpan.FromSeconds(13));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string status;
        do
        {
            await Task.Delay(100);
            status = (await trader.OkAsync(HttpMethod.Get, "/data/order/" + id)).Str("status");
        }
        while (status == "LIVE" && DateTime.UtcNow < deadline);

        Assert.Equal("CANCELED", status);
    }

    [Fact]
    public async Task Posting_the_same_order_with_the_same_Idempotency_Key_replays_the_first_reply()
    {
        var market = await _server.ListAsync();
        using var trader = await _server.TraderAsync();
        var body = trader.V2Order(market.YesToken, "BUY", 5_000_000, 10_000_000);
        var key = Guid.NewGuid().ToString();

        var first = await trader.L2Async(HttpMethod.Post, "/order", body, h => { h["Idempotency-Key"] = key; return h; });
        var second = await trader.L2Async(HttpMethod.Post, "/order", body, h => { h["Idempotency-Key"] = key; return h; });

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.True(second.Headers.Contains("X-Idempotency-Replayed"));
    }

    [Fact]
    public async Task The_V2_only_and_reward_routes_answer_empty_shapes()
    {
        using var trader = await _server.TraderAsync();
        using var client = _server.Client();

        var pre = await trader.OkAsync(HttpMethod.Get, "/data/pre-migration-orders?next_cursor=MA==");
        Assert.Equal("LTE=", pre.Str("next_cursor"));
        Assert.Empty(pre.GetProperty("data").EnumerateArray());
        Assert.Equal("[]", await client.GetStringAsync("/markets/live-activity/0x01"));
        Assert.Equal("{\"builder_maker_fee_rate_bps\":0,\"builder_taker_fee_rate_bps\":0}", await client.GetStringAsync("/fees/builder-fees/abc"));
        using var builder = JsonDocument.Parse(await client.GetStringAsync("/builder/trades?builder_code=0x01"));
        Assert.Equal("LTE=", builder.RootElement.Str("next_cursor"));
        Assert.Equal("LTE=", (await trader.OkAsync(HttpMethod.Get, "/rewards/user?date=2026-01-01")).Str("next_cursor"));
        Assert.False((await trader.OkAsync(HttpMethod.Get, "/order-scoring?order_id=0x01")).GetProperty("scoring").GetBoolean());
        Assert.False((await trader.OkAsync(HttpMethod.Post, "/orders-scoring", "[\"0x01\"]")).GetProperty("0x01").GetBoolean());
        Assert.Empty((await trader.OkAsync(HttpMethod.Get, "/notifications?signature_type=0")).EnumerateArray());
    }
}
