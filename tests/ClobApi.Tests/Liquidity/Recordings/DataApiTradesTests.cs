using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Recordings;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Liquidity.Recordings;

[Trait("Mode", "Embedded")]
public sealed class DataApiTradesTests
{
    private const string Market = "0x57373f395332d0c8be1ab99acd941a216594a9007320343213949fd7d8a49b24";
    private const string UpToken = "48331043336612883890938759509493159234755048973500640148014422747788308965732";
    private const string DownToken = "92071830247158429266517632633283963577030982596600419669075490843953894242121";

    // Rows shaped like GET https://data-api.polymarket.com/trades?market=… (newest first): prices are floats derived from
    // on-chain amounts, timestamps Unix seconds, outcomeIndex 0/1 (999 = not applicable on some rows).
    private static string Row(string wallet, string side, string asset, string size, string price, long ts, string outcome, int index, string tx, string market = Market) =>
        $$"""
        {"proxyWallet":"{{wallet}}","side":"{{side}}","asset":"{{asset}}","conditionId":"{{market}}","size":{{size}},"price":{{price}},
         "timestamp":{{ts}},"title":"Bitcoin Up or Down - March 20, 11AM ET","slug":"bitcoin-up-or-down-march-20-2026-11am-et",
         "icon":"https://polymarket-upload.s3.us-east-2.amazonaws.com/BTC+fullsize.png","eventSlug":"bitcoin-up-or-down-march-20-2026-11am-et",
         "outcome":"{{outcome}}","outcomeIndex":{{index}},"name":"","pseudonym":"","bio":"","profileImage":"","profileImageOptimized":"",
         "transactionHash":"{{tx}}"}
        """;

    private static readonly string Page1 = "[" + string.Join(",",
        Row("0x569f366e7087d8cc66d8ec55cdefd5577dd30056", "BUY", DownToken, "32.155171", "0.5799999944021446", 1_774_020_191, "Down", 1, "0x09a4"),
        Row("0x204f72f35326db932158cba6adff0b9a1da95e14", "SELL", UpToken, "21", "0.42", 1_774_020_190, "Up", 0, "0x1111"),
        Row("0x204f72f35326db932158cba6adff0b9a1da95e14", "BUY", UpToken, "5", "0.41", 1_774_020_190, "Up", 999, "0x2222"),
        Row("0x0000000000000000000000000000000000000001", "BUY", UpToken, "5", "0.5", 1_774_020_180, "Up", 0, "0x3333", market: "0x01")) + "]";

    private static readonly string Page2 = "{\"data\":[" + string.Join(",",
        Row("0x204f72f35326db932158cba6adff0b9a1da95e14", "BUY", UpToken, "5", "0.41", 1_774_020_190, "Up", 999, "0x2222"),
        Row("0x569f366e7087d8cc66d8ec55cdefd5577dd30056", "BUY", UpToken, "10", "0.12345", 1_774_020_150, "Up", 0, "0x4444"),
        Row("0x569f366e7087d8cc66d8ec55cdefd5577dd30056", "SELL", UpToken, "7.5", "0.40", 1_774_020_100, "Up", 0, "0x5555")) + "]}";

    [Fact]
    public void Data_API_pages_become_YES_trades_oldest_first_with_float_noise_snapped_and_off_grid_prices_refused()
    {
        var stats = new DataApiTradeStats();

        var trades = DataApiTrades.Parse([Page1, Page2], Market, UpToken, stats);

        Assert.All(trades, t => Assert.Equal(ReplayEventKind.Trade, t.Kind));
        Assert.Equal(
            [
                (1_774_020_100_000_000_000L, Side.Sell, 4_000, 7_500_000L, "0x5555"),
                (1_774_020_190_000_000_000L, Side.Buy, 4_100, 5_000_000L, "0x2222"),
                (1_774_020_190_000_000_000L, Side.Sell, 4_200, 21_000_000L, "0x1111"),
                (1_774_020_191_000_000_000L, Side.Sell, 4_200, 32_155_171L, "0x09a4"), // BUY Down @0.58 = SELL Up @0.42
            ],
            trades.Select(t => (t.TsNs, t.Side, t.Price, t.Size, t.TxHash!)));
        Assert.Equal([0L, 1, 2, 3], trades.Select(t => t.Seq));
        Assert.Equal(7, stats.Rows);
        Assert.Equal(1, stats.OtherMarkets);
        Assert.Equal(1, stats.Duplicates);
        Assert.Equal(1, stats.Snapped);
        Assert.Equal(1, stats.Rejected); // 0.12345 is not float noise around a tick
    }

    [Fact]
    public void Without_the_token_ids_the_outcome_index_and_then_the_outcome_name_decide_YES_or_NO()
    {
        var page = "[" + string.Join(",",
            Row("0x1", "BUY", DownToken, "10", "0.3", 1_774_020_000, "No", 1, "0xa"),
            Row("0x1", "BUY", UpToken, "10", "0.3", 1_774_020_001, "Yes", 999, "0xb"),
            Row("0x1", "BUY", UpToken, "10", "0.3", 1_774_020_002, "Over", 999, "0xc")) + "]";
        var stats = new DataApiTradeStats();

        var trades = DataApiTrades.Parse([page], Market, yesTokenId: null, stats);

        Assert.Equal([(Side.Sell, 7_000, Outcome.No), (Side.Buy, 3_000, Outcome.Yes)], trades.Select(t => (t.Side, t.Price, t.Outcome)));
        Assert.Equal(1, stats.Rejected);
    }
}
