using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Recordings;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Liquidity.Recordings;

[Trait("Mode", "Embedded")]
public sealed class ShadowBookTests
{
    private const string Market = "0xabc";

    private static ReplayEvent Snapshot(long ts, (int, long)[] bids, (int, long)[] asks) =>
        new() { TsNs = ts, ConditionId = Market, Kind = ReplayEventKind.Snapshot, Bids = bids, Asks = asks };

    private static ReplayEvent Level(long ts, Side side, int price, long size) =>
        new() { TsNs = ts, ConditionId = Market, Kind = ReplayEventKind.Level, Side = side, Price = price, Size = size };

    [Fact]
    public void Levels_before_the_first_snapshot_are_ignored_and_the_book_stays_empty()
    {
        var book = new ShadowBook();

        Assert.False(book.Apply(Level(1, Side.Buy, 4_000, 5)));

        Assert.Equal(BookFreshness.Empty, book.Freshness);
        Assert.Equal(1, book.Counters.IgnoredLevels);
        Assert.Equal(0, book.BidLevelCount);
    }

    [Fact]
    public void Level_updates_set_aggregate_sizes_and_track_the_best_prices()
    {
        var book = new ShadowBook();
        book.Apply(Snapshot(0, [(4_800, 10), (4_700, 20)], [(5_000, 7)]));

        book.Apply(Level(1, Side.Buy, 4_900, 3));   // new best bid
        book.Apply(Level(2, Side.Buy, 4_900, 0));   // removed again: best falls back
        book.Apply(Level(3, Side.Sell, 5_000, 0));  // last ask removed: no ask
        book.Apply(Level(4, Side.Buy, 4_700, 25));  // new aggregate, not a delta

        Assert.Equal(4_800, book.BestBid);
        Assert.Equal(ShadowBook.PriceSlots, book.BestAsk);
        Assert.Equal(25, book.Displayed(Side.Buy, 4_700));
        Assert.Equal([(4_800, 10L), (4_700, 25L)], book.Bids());
        Assert.Empty(book.Asks());
        Assert.Null(book.Check(4_800, 10_000)); // an empty ask side is reported as 1
    }

    [Fact]
    public void Disagreeing_best_prices_and_crossed_books_count_as_mismatches()
    {
        var book = new ShadowBook();
        book.Apply(Snapshot(0, [(4_800, 10)], [(5_000, 7)]));

        Assert.NotNull(book.Check(4_900, 5_000));
        Assert.NotNull(book.Check(4_800, 5_100));
        book.Apply(Level(1, Side.Buy, 5_000, 1));
        var crossed = book.Check(null, null);

        Assert.Contains("crossed", crossed, StringComparison.Ordinal);
        Assert.Equal(3, book.Counters.Mismatches);
        Assert.Equal(3, book.Counters.Checks);
    }

    [Fact]
    public void A_gap_makes_the_book_stale_until_the_next_snapshot_and_stale_time_is_counted()
    {
        var book = new ShadowBook();
        book.Apply(Snapshot(0, [(4_800, 10)], [(5_000, 7)]));

        book.Apply(new ReplayEvent { TsNs = 1_000_000_000, ConditionId = Market, Kind = ReplayEventKind.Gap, Reason = "test" });
        Assert.False(book.Apply(Level(2_000_000_000, Side.Buy, 4_900, 1)));
        Assert.Equal(BookFreshness.Stale, book.Freshness);
        Assert.Equal(1.0, book.StaleSeconds, precision: 9);
        book.Apply(Snapshot(4_500_000_000, [(4_700, 1)], [(5_100, 1)]));

        Assert.Equal(BookFreshness.Fresh, book.Freshness);
        Assert.Equal(3.5, book.StaleSeconds, precision: 9);
        Assert.Equal(4_700, book.BestBid);
        Assert.Equal(1, book.Counters.Gaps);
    }
}
