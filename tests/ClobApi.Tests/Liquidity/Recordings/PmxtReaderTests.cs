using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Recordings;
using Polysim.MatchingEngine;
using Xunit.Abstractions;

namespace Polysim.ClobApi.Tests.Liquidity.Recordings;

[Trait("Mode", "Embedded")]
public sealed class PmxtReaderTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset H0 = new(2026, 4, 14, 9, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("polysim-pmxt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes <paramref name="hours"/> hours of one seeded market in the given format, rows sorted by market as the archive is.</summary>
    private async Task<PmxtFixture> WriteHoursAsync(PmxtFormat format, int hours, bool noTokenOnly = false)
    {
        var fixture = new PmxtFixture(seed: 7);
        for (var h = 0; h < hours; h++)
        {
            var hour = H0.AddHours(h);
            fixture.V1.Clear();
            fixture.V2.Clear();
            fixture.GenerateHour(hour, withTickChange: h == 1);
            var path = Path.Combine(_dir, PmxtFile.HourFileName(hour));
            if (format == PmxtFormat.V1)
            {
                var rows = fixture.V1.Where(r => !noTokenOnly || !r.Data.Contains(PmxtFixture.YesToken, StringComparison.Ordinal)).OrderBy(r => r.MarketId, StringComparer.Ordinal).ToList();
                await PmxtWriter.WriteV1Async(path, rows, rowGroupSize: 500);
            }
            else
            {
                var rows = fixture.V2.Where(r => !noTokenOnly || r.AssetId != PmxtFixture.YesToken).OrderBy(r => r.Market, StringComparer.Ordinal).ToList();
                await PmxtWriter.WriteV2Async(path, rows, rowGroupSize: 500);
            }
        }

        return fixture;
    }

    private static void AssertBookEquals(PmxtFixture fixture, long atMs, ShadowBook book)
    {
        var truth = fixture.History.Last(h => h.TsMs <= atMs);
        Assert.Equal(BookFreshness.Fresh, book.Freshness);
        Assert.Equal(truth.Bids, book.Bids().Select(l => (l.Price, l.Size)).ToArray());
        Assert.Equal(truth.Asks, book.Asks().Select(l => (l.Price, l.Size)).ToArray());
    }

    private static ShadowBook Replay(IEnumerable<ReplayEvent> events, List<ReplayEvent>? kept = null)
    {
        var book = new ShadowBook();
        foreach (var e in events)
        {
            kept?.Add(e);
            book.Apply(e);
        }

        return book;
    }

    [Theory]
    [InlineData(PmxtFormat.V1)]
    [InlineData(PmxtFormat.V2)]
    public async Task Archive_hours_rebuild_into_the_true_book_with_zero_best_price_mismatches(PmxtFormat format)
    {
        var fixture = await WriteHoursAsync(format, hours: 2);
        var reader = new PmxtReader(_dir);
        var events = new List<ReplayEvent>();
        var book = Replay(reader.Read(new PmxtMarket(PmxtFixture.Market, PmxtFixture.YesToken)), events);

        var s = reader.Stats;
        output.WriteLine($"{format}: rows {s.RowsInFiles} in files, {s.RowsMatched} of the market; events {s.Events} (snapshots {s.Snapshots}, levels {s.Levels}, trades {s.Trades}, ticks {s.TickSizes}); checks {s.Checks}, mismatches {s.Mismatches}, gaps {s.Gaps}; NO rows dropped as mirrors {s.MirroredRowsDropped}, duplicate trades {s.DuplicateTrades}, skipped levels {s.SkippedLevels}");
        Assert.Equal(0, s.Mismatches);
        Assert.Equal(0, s.Gaps);
        Assert.Equal(0, s.RejectedRows);
        Assert.True(s.Checks > 1_000, $"only {s.Checks} best-price checks");
        Assert.All(s.Formats.Values, f => Assert.Equal(format, f));
        Assert.Equal(events.OrderBy(e => e.TsNs).ThenBy(e => e.Seq).Select(e => e.Seq), events.Select(e => e.Seq));
        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        AssertBookEquals(fixture, fixture.History[^1].TsMs, book);

        // Deltas before the first snapshot (minute 7) are skipped, everything later applies.
        Assert.Equal(ReplayEventKind.Snapshot, events.First(e => e.Kind != ReplayEventKind.Trade).Kind);
        Assert.True(s.SkippedLevels > 0);
        if (format == PmxtFormat.V2)
        {
            // Every print once (the NO copy dropped by transaction hash), the tick change once.
            Assert.Equal(s.Trades, s.DuplicateTrades);
            Assert.Equal(1, s.TickSizes);
            var tick = events.Single(e => e.Kind == ReplayEventKind.TickSize);
            Assert.Equal((10, 100L), (tick.Price, tick.Size));
        }
    }

    [Theory]
    [InlineData(PmxtFormat.V1)]
    [InlineData(PmxtFormat.V2)]
    public async Task A_NO_token_only_recording_is_mirrored_into_the_same_YES_book(PmxtFormat format)
    {
        var fixture = await WriteHoursAsync(format, hours: 1, noTokenOnly: true);
        var reader = new PmxtReader(_dir);
        var events = new List<ReplayEvent>();
        var book = Replay(reader.Read(new PmxtMarket(PmxtFixture.Market, PmxtFixture.YesToken)), events);

        output.WriteLine($"{format} NO only: levels {reader.Stats.Levels}, checks {reader.Stats.Checks}, mismatches {reader.Stats.Mismatches}");
        Assert.Equal(0, reader.Stats.Mismatches);
        Assert.Equal(0, reader.Stats.MirroredRowsDropped);
        AssertBookEquals(fixture, fixture.History[^1].TsMs, book);
        Assert.All(events.Where(e => e.Kind == ReplayEventKind.Level), e => Assert.Equal(PmxtFixture.NoToken, e.TokenId));
        if (format == PmxtFormat.V2)
        {
            // A NO print at q is the YES print at 1 − q with the side mirrored (prints need no snapshot); no duplicates exist to drop.
            var yesPrints = fixture.V2.Where(r => r.EventType == "last_trade_price" && r.AssetId == PmxtFixture.YesToken).ToList();
            var trades = events.Where(e => e.Kind == ReplayEventKind.Trade).ToList();
            Assert.Equal(yesPrints.Count, trades.Count);
            Assert.Equal(yesPrints.Select(r => ((int)(r.Price!.Value * 10_000), r.Side == "BUY" ? Side.Buy : Side.Sell)), trades.Select(e => (e.Price, e.Side)));
        }
    }

    [Fact]
    public async Task A_single_NO_level_update_becomes_the_opposite_YES_side_at_one_minus_the_price()
    {
        var t = H0.ToUnixTimeMilliseconds();
        var rows = new List<PmxtV2Row>
        {
            new(t, t, PmxtFixture.Market, "book", PmxtFixture.NoToken) { Bids = """[["0.3","10"],["0.31","5"]]""", Asks = """[["0.7","8"],["0.69","4"]]""" },
            new(t + 1, t + 1, PmxtFixture.Market, "price_change", PmxtFixture.NoToken) { Price = 0.32m, Size = 2.5m, Side = "BUY", BestBid = 0.32m, BestAsk = 0.69m },
        };
        await PmxtWriter.WriteV2Async(Path.Combine(_dir, PmxtFile.HourFileName(H0)), rows);

        var events = PmxtReader.Read(_dir, PmxtFixture.Market, H0, H0.AddHours(1), PmxtFixture.YesToken).ToList();

        var snapshot = events[0];
        Assert.Equal(ReplayEventKind.Snapshot, snapshot.Kind);
        Assert.Equal([(3_100, 4_000_000L), (3_000, 8_000_000L)], snapshot.Bids);   // NO asks 0.69, 0.70 → YES bids 0.31, 0.30
        Assert.Equal([(6_900, 5_000_000L), (7_000, 10_000_000L)], snapshot.Asks);  // NO bids 0.31, 0.30 → YES asks 0.69, 0.70
        var level = events[1];
        Assert.Equal((ReplayEventKind.Level, Side.Sell, 6_800, 2_500_000L), (level.Kind, level.Side, level.Price, level.Size));
        Assert.Equal(2, events.Count); // the reported NO best prices (0.32 / 0.69) agree with the mirrored book: no gap
    }

    [Fact]
    public async Task A_deleted_hour_is_a_gap_and_levels_are_skipped_until_the_next_snapshot()
    {
        var fixture = await WriteHoursAsync(PmxtFormat.V2, hours: 3);
        var complete = new PmxtReader(_dir);
        var completeEvents = complete.Read(new PmxtMarket(PmxtFixture.Market, PmxtFixture.YesToken)).ToList();
        File.Delete(Path.Combine(_dir, PmxtFile.HourFileName(H0.AddHours(1))));

        var reader = new PmxtReader(_dir);
        var events = new List<ReplayEvent>();
        var book = Replay(reader.Read(new PmxtMarket(PmxtFixture.Market, PmxtFixture.YesToken), H0, H0.AddHours(3)), events);

        var s = reader.Stats;
        var gap = Assert.Single(events, e => e.Kind == ReplayEventKind.Gap);
        Assert.Equal(H0.AddHours(1).ToUnixTimeMilliseconds() * 1_000_000, gap.TsNs);
        Assert.Contains("missing hour", gap.Reason, StringComparison.Ordinal);
        Assert.Equal([H0.AddHours(1)], s.MissingHours);

        // Nothing of the book moves between the gap and the first snapshot of the third hour (minute 7).
        var resume = H0.AddHours(2).AddMinutes(7).ToUnixTimeMilliseconds() * 1_000_000;
        Assert.DoesNotContain(events, e => e.Kind == ReplayEventKind.Level && e.TsNs > gap.TsNs && e.TsNs < resume);
        Assert.Contains(events, e => e.Kind == ReplayEventKind.Snapshot && e.TsNs == resume);
        var skippedInHour3 = completeEvents.Count(e => e.Kind == ReplayEventKind.Level && e.TsNs >= H0.AddHours(2).ToUnixTimeMilliseconds() * 1_000_000 && e.TsNs < resume);
        Assert.Equal((resume - gap.TsNs) / 1e9, s.StaleSeconds, precision: 6);
        Assert.Equal(0, s.Mismatches);
        AssertBookEquals(fixture, fixture.History[^1].TsMs, book);
        output.WriteLine($"gap at {DateTimeOffset.FromUnixTimeMilliseconds(gap.TsNs / 1_000_000):O} ({gap.Reason}); levels skipped in the next hour before its first snapshot: {skippedInHour3} (reader's skipped-level count, warm-up included: {s.SkippedLevels}); stale {s.StaleSeconds:F0} s; events {s.Events} vs {completeEvents.Count} complete");
        Assert.True(skippedInHour3 > 0);
    }

    [Fact]
    public async Task Reading_from_mid_hour_starts_with_the_book_rebuilt_from_the_hour_before()
    {
        var fixture = await WriteHoursAsync(PmxtFormat.V2, hours: 2);
        var from = H0.AddHours(1).AddMinutes(3); // before the hour's first snapshot at minute 7

        var events = PmxtReader.Read(_dir, PmxtFixture.Market, from, H0.AddHours(2), PmxtFixture.YesToken).ToList();

        var first = events[0];
        Assert.Equal(ReplayEventKind.Snapshot, first.Kind);
        Assert.Equal(from.ToUnixTimeMilliseconds() * 1_000_000, first.TsNs);
        var book = new ShadowBook();
        book.Apply(first);
        AssertBookEquals(fixture, from.ToUnixTimeMilliseconds() - 1, book);
        Assert.All(events, e => Assert.True(e.TsNs >= first.TsNs));
    }

    [Fact]
    public async Task Best_prices_that_disagree_with_the_rebuilt_book_emit_a_gap_until_the_next_snapshot()
    {
        var fixture = new PmxtFixture(seed: 11);
        fixture.GenerateHour(H0);
        var rows = fixture.V2.ToList();
        var firstSnapshotMs = fixture.SnapshotTimes[0];
        var victim = rows.FindIndex(r => r.EventType == "price_change" && r.AssetId == PmxtFixture.YesToken && r.TsMs > firstSnapshotMs + 60_000);
        rows[victim] = rows[victim] with { BestBid = rows[victim].BestBid - 0.05m, TsMs = rows[victim].TsMs };
        await PmxtWriter.WriteV2Async(Path.Combine(_dir, PmxtFile.HourFileName(H0)), rows);

        var reader = new PmxtReader(_dir);
        var events = reader.Read(new PmxtMarket(PmxtFixture.Market, PmxtFixture.YesToken), H0, H0.AddHours(1)).ToList();

        // The corrupted row may share its message with a second change; the check runs after the message's last change.
        var gap = Assert.Single(events, e => e.Kind == ReplayEventKind.Gap);
        Assert.Equal(rows[victim].TsMs * 1_000_000, gap.TsNs);
        Assert.Contains("best bid", gap.Reason, StringComparison.Ordinal);
        Assert.Equal(1, reader.Stats.Mismatches);
        var next = fixture.SnapshotTimes.First(t => t > rows[victim].TsMs) * 1_000_000;
        Assert.DoesNotContain(events, e => e.Kind == ReplayEventKind.Level && e.TsNs > gap.TsNs && e.TsNs < next);
        Assert.Equal((next - gap.TsNs) / 1e9, reader.Stats.StaleSeconds, precision: 6);
    }

    [Fact]
    public async Task A_price_off_the_grid_is_refused_and_declared_not_rounded()
    {
        var t = H0.ToUnixTimeMilliseconds();
        var snapshot = $$"""{"update_type":"book_snapshot","market_id":"{{PmxtFixture.Market}}","token_id":"{{PmxtFixture.YesToken}}","side":"YES","best_bid":"0.4","best_ask":"0.6","timestamp":{{t / 1000}}.0,"bids":[["0.4","10"]],"asks":[["0.6","10"]]}""";
        var offGrid = $$"""{"update_type":"price_change","market_id":"{{PmxtFixture.Market}}","token_id":"{{PmxtFixture.YesToken}}","side":"YES","best_bid":"0.41235","best_ask":"0.6","timestamp":{{(t / 1000) + 1}}.0,"change_price":"0.41235","change_size":"3","change_side":"BUY"}""";
        await PmxtWriter.WriteV1Async(Path.Combine(_dir, PmxtFile.HourFileName(H0)),
        [
            new(t, t, PmxtFixture.Market, "book_snapshot", snapshot),
            new(t + 1_000, t + 1_000, PmxtFixture.Market, "price_change", offGrid),
        ]);

        var reader = new PmxtReader(_dir);
        var events = reader.Read(new PmxtMarket(PmxtFixture.Market), H0, H0.AddHours(1)).ToList();

        Assert.Equal([ReplayEventKind.Snapshot, ReplayEventKind.Gap], events.Select(e => e.Kind));
        Assert.Contains("0.41235", events[1].Reason, StringComparison.Ordinal);
        Assert.Equal(1, reader.Stats.RejectedRows);
        Assert.DoesNotContain(events, e => e.Kind == ReplayEventKind.Level);
    }

    [Fact]
    public async Task V2_rows_without_a_YES_token_id_are_refused_with_an_explanation()
    {
        await WriteHoursAsync(PmxtFormat.V2, hours: 1);

        var error = Assert.Throws<InvalidDataException>(() => PmxtReader.Read(_dir, PmxtFixture.Market, H0, H0.AddHours(1)).ToList());

        Assert.Contains("YES token id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Archive_file_names_round_trip_through_their_hour()
    {
        var name = PmxtFile.HourFileName(new DateTimeOffset(2026, 4, 13, 19, 0, 0, TimeSpan.Zero));

        Assert.Equal("polymarket_orderbook_2026-04-13T19.parquet", name);
        Assert.True(PmxtFile.TryParseHourFileName("/data/2026/04/13/" + name, out var hour));
        Assert.Equal(new DateTimeOffset(2026, 4, 13, 19, 0, 0, TimeSpan.Zero), hour);
        Assert.False(PmxtFile.TryParseHourFileName("polymarket_orderbook_2026-04-13.parquet", out _));
    }
}
