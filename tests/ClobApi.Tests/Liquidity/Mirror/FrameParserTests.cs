using System.Text;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Mirror;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Liquidity.Mirror;

/// <summary>Market-channel frames (shapes as captured from Polymarket) to canonical YES-terms events.</summary>
[Trait("Mode", "Embedded")]
public sealed class FrameParserTests
{
    private const string Condition = "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917";
    private const string Yes = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
    private const string No = "52114319501245678901234567890123456789012345678901234567890123456789";

    private static PolymarketMarketFrames Parser() => new([new MirrorTokenPair(Condition, Yes, No)]);

    private static List<ReplayEvent> Parse(string json, PolymarketMarketFrames? parser = null) =>
        (parser ?? Parser()).Parse(Encoding.UTF8.GetBytes(json), 42);

    [Fact]
    public void A_YES_book_becomes_a_snapshot_best_first_with_exact_integers()
    {
        var e = Assert.Single(Parse($$"""
            {"market":"{{Condition}}","asset_id":"{{Yes}}","timestamp":"1786604072222","hash":"ed47eb91f3c7985fac1cb18cb7c19535eddd3c0a",
             "bids":[{"price":"0.01","size":"3149725.72"},{"price":"0.06","size":"219685.67"},{"price":"0.07","size":"182528.55"}],
             "asks":[{"price":"0.99","size":"156606.14"},{"price":"0.9","size":"13150"},{"price":"0.08","size":"228198.28"}],
             "tick_size":"0.01","event_type":"book","last_trade_price":"0.920"}
            """));

        Assert.Equal(ReplayEventKind.Snapshot, e.Kind);
        Assert.Equal((Condition, Yes, 1786604072222L * 1_000_000), (e.ConditionId, e.TokenId, e.TsNs));
        Assert.Equal([(700, 182_528_550_000L), (600, 219_685_670_000L), (100, 3_149_725_720_000L)], e.Bids);
        Assert.Equal([(800, 228_198_280_000L), (9000, 13_150_000_000L), (9900, 156_606_140_000L)], e.Asks);
    }

    [Fact]
    public void A_NO_book_is_mirrored_NO_bids_become_YES_asks_at_one_minus_q()
    {
        var e = Assert.Single(Parse($$"""
            {"event_type":"book","asset_id":"{{No}}","market":"{{Condition}}","bids":[{"price":".38","size":"10"},{"price":".40","size":"5"}],
             "asks":[{"price":".61","size":"7.5"}],"timestamp":"123456789000","hash":"0x0"}
            """));

        Assert.Equal(No, e.TokenId);
        Assert.Equal([(3900, 7_500_000L)], e.Bids);
        Assert.Equal([(6000, 5_000_000L), (6200, 10_000_000L)], e.Asks);
    }

    [Fact]
    public void A_new_format_price_change_gives_one_level_per_entry_and_the_NO_entry_maps_to_the_same_YES_level()
    {
        var events = Parse($$"""
            {"event_type":"price_change","market":"{{Condition}}","timestamp":"1757908892351","price_changes":[
              {"asset_id":"{{Yes}}","price":"0.5","size":"200","side":"BUY","hash":"56621a","best_bid":"0.5","best_ask":"1"},
              {"asset_id":"{{No}}","price":"0.5","size":"200","side":"SELL","hash":"18957","best_bid":"0","best_ask":"0.5"}]}
            """);

        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal((ReplayEventKind.Level, Side.Buy, 5000, 200_000_000L), (e.Kind, e.Side, e.Price, e.Size)));
        Assert.Equal([Yes, No], events.Select(e => e.TokenId));
        Assert.Equal([1L, 2L], events.Select(e => e.Seq));
    }

    [Fact]
    public void An_old_format_price_change_on_the_NO_token_is_mirrored_and_size_zero_removes_the_level()
    {
        var events = Parse($$"""
            {"asset_id":"{{No}}","changes":[{"price":"0.4","side":"SELL","size":"3300"},{"price":"0.35","side":"BUY","size":"0"}],
             "event_type":"price_change","market":"{{Condition}}","timestamp":"1729084877448","hash":"3cd4"}
            """);

        // NO ask 0.40 = YES bid 0.60; NO bid 0.35 = YES ask 0.65.
        Assert.Equal([(Side.Buy, 6000, 3_300_000_000L), (Side.Sell, 6500, 0L)], events.Select(e => (e.Side, e.Price, e.Size)));
        Assert.All(events, e => Assert.Equal(1729084877448L * 1_000_000, e.TsNs));
    }

    [Fact]
    public void A_last_trade_price_is_a_trade_and_on_the_NO_token_a_buy_is_a_YES_sell_at_one_minus_p()
    {
        var yes = Assert.Single(Parse($$"""
            {"event_type":"last_trade_price","market":"{{Condition}}","asset_id":"{{Yes}}","fee_rate_bps":"0","price":"0.456","side":"BUY","size":"219.217767","timestamp":"1750428146322"}
            """));
        var no = Assert.Single(Parse($$"""
            {"event_type":"last_trade_price","market":"{{Condition}}","asset_id":"{{No}}","fee_rate_bps":"0","price":"0.544","side":"BUY","size":"219.217767",
             "timestamp":"1750428146322","transaction_hash":"0xabc123"}
            """));

        Assert.Equal((ReplayEventKind.Trade, Side.Buy, 4560, 219_217_767L, (string?)null), (yes.Kind, yes.Side, yes.Price, yes.Size, yes.TxHash));
        Assert.Equal((ReplayEventKind.Trade, Side.Sell, 4560, 219_217_767L, "0xabc123"), (no.Kind, no.Side, no.Price, no.Size, no.TxHash));
    }

    [Fact]
    public void A_tick_size_change_carries_the_new_tick_as_price_and_the_old_as_size()
    {
        var e = Assert.Single(Parse($$"""
            {"event_type":"tick_size_change","market":"{{Condition}}","asset_id":"{{Yes}}","new_tick_size":"0.001","old_tick_size":"0.01","timestamp":"1703875210000"}
            """));

        Assert.Equal((ReplayEventKind.TickSize, 10, 100L), (e.Kind, e.Price, e.Size));
    }

    [Theory]
    [InlineData(Yes, "Yes", Outcome.Yes)]
    [InlineData(No, "No", Outcome.No)]
    public void A_market_resolved_names_the_winner_by_its_asset(string winner, string label, Outcome expected)
    {
        var e = Assert.Single(Parse($$"""
            {"event_type":"market_resolved","id":"1031769","market":"{{Condition}}","assets_ids":["{{Yes}}","{{No}}"],
             "winning_asset_id":"{{winner}}","winning_outcome":"{{label}}","timestamp":"1766790415550","tags":["stocks"]}
            """));

        Assert.Equal((ReplayEventKind.Resolved, expected, Condition), (e.Kind, e.Outcome, e.ConditionId));
    }

    [Fact]
    public void An_array_frame_yields_every_event_and_best_bid_ask_and_new_market_are_counted_as_ignored()
    {
        var parser = Parser();
        var events = Parse($$"""
            [{"event_type":"book","asset_id":"{{Yes}}","market":"{{Condition}}","bids":[{"price":"0.48","size":"30"}],"asks":[{"price":"0.52","size":"25"}],"timestamp":"1"},
             {"event_type":"book","asset_id":"{{No}}","market":"{{Condition}}","bids":[{"price":"0.48","size":"25"}],"asks":[{"price":"0.52","size":"30"}],"timestamp":"1"},
             {"event_type":"best_bid_ask","market":"{{Condition}}","asset_id":"{{Yes}}","best_bid":"0.48","best_ask":"0.52","spread":"0.04","timestamp":"2"},
             {"event_type":"new_market","id":"1","market":"0xother","assets_ids":["1","2"],"outcomes":["Yes","No"],"timestamp":"2"}]
            """, parser);

        Assert.Equal(2, events.Count);
        // Both tokens' books are the same YES book.
        Assert.Equal(events[0].Bids, events[1].Bids);
        Assert.Equal(events[0].Asks, events[1].Asks);
        Assert.Equal(2, parser.Ignored);
    }

    [Fact]
    public void Events_on_tokens_of_other_markets_are_skipped_and_counted()
    {
        var parser = Parser();
        var events = Parse("""{"event_type":"last_trade_price","market":"0x1","asset_id":"999","price":"0.5","side":"BUY","size":"1","timestamp":"1"}""", parser);

        Assert.Empty(events);
        Assert.Equal(1, parser.UnknownToken);
    }

    [Theory]
    [InlineData("0.48", 4, 4800L)]
    [InlineData(".48", 4, 4800L)]
    [InlineData("0.920000", 4, 9200L)]
    [InlineData("25.0", 6, 25_000_000L)]
    [InlineData("219.217767", 6, 219_217_767L)]
    [InlineData("3149725.72", 6, 3_149_725_720_000L)]
    [InlineData("1e-3", 4, 10L)]
    public void Decimal_strings_become_exact_scaled_integers(string text, int decimals, long expected)
    {
        Assert.True(DecimalText.TryParseScaled(text, decimals, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("0.00005")]
    [InlineData("-0.5")]
    [InlineData("1e-5")]
    [InlineData("")]
    [InlineData("0.4.5")]
    public void Prices_finer_than_the_scale_or_malformed_are_refused_not_rounded(string text) =>
        Assert.False(DecimalText.TryParseScaled(text, 4, out _));
}
