using System.Text.Json;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Capture;
using Polysim.ClobApi.Liquidity.Mirror;
using Polysim.ClobApi.Liquidity.Recordings;

namespace Polysim.ClobApi.Tests.Liquidity.Mirror;

/// <summary>Research §5 test 17: the live mirror against a local fake of Gamma, the CLOB and the market WebSocket (no network).</summary>
[Trait("Mode", "Embedded")]
public sealed class LiveMirrorTests
{
    private const string ConditionA = "0x311d0c4b6671ab54af4970c06fcf58662516f5168997bdda209ec3db5aa6b0c1";
    private const string YesA = "76043073756653678226373981964075571318267289248134717369284518995922789326425";
    private const string NoA = "31690934263385727664202099278545688007799199447969475608906331829650099442770";
    private const string ConditionClosed = "0x647fe16b6b42c32554fe6c4a4e9f06c22547acd5a109cbe0de6c9bae43ec09a8";
    private const long Share = 1_000_000;

    private static async Task<FakePolymarket> FakeAsync()
    {
        var fake = await FakePolymarket.StartAsync();
        fake.AddMarket(ConditionA, YesA, NoA, "Will NVDA close above 240?");
        fake.AddMarket(ConditionClosed, "82555365063909823996695225073951686953962263586871703887873293639797300021122",
            "114864044085275704824767724161446505770691378478296635109394628126577576954599", "Bitcoin above 64k?", closed: true);
        fake.SetLevel(YesA, bid: true, 6100, 120 * Share);
        fake.SetLevel(YesA, bid: true, 6050, 40 * Share);
        fake.SetLevel(YesA, bid: false, 6300, 75_500_000);
        return fake;
    }

    private static MirrorOptions Options(FakePolymarket fake, string? recordTo = null) => new()
    {
        Enabled = true,
        Markets = [ConditionA, ConditionClosed],
        GammaUrl = fake.GammaUrl,
        ClobUrl = fake.ClobUrl,
        WsUrl = fake.WsUrl,
        RecordTo = recordTo,
        PingInterval = TimeSpan.FromMilliseconds(200),
        StallAfter = TimeSpan.FromSeconds(30),
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>Applies mirror events to <paramref name="book"/> until <paramref name="done"/> holds.</summary>
    private static async Task DrainUntilAsync(LiveMirror mirror, ShadowBook book, List<ReplayEvent> seen, Func<bool> done, int timeoutMs = 10_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        while (!done())
        {
            var e = await mirror.Events.ReadAsync(cts.Token);
            seen.Add(e);
            if (e.ConditionId == ConditionA)
            {
                book.Apply(e);
            }
        }
    }

    private static bool Same(ShadowBook book, FakePolymarket fake)
    {
        var (bids, asks) = fake.YesBook(YesA);
        return book.Freshness == BookFreshness.Fresh && book.Bids().SequenceEqual(bids) && book.Asks().SequenceEqual(asks);
    }

    [Fact]
    public async Task Discovery_parses_the_JSON_string_fields_sends_closed_false_and_keeps_only_open_order_book_markets()
    {
        await using var fake = await FakeAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await using var mirror = await LiveMirror.StartAsync(Options(fake), cts.Token);

        var market = Assert.Single(mirror.Markets);
        Assert.Equal(new MirrorMarketInfo(ConditionA, "Will NVDA close above 240?", "will-nvda-close-above-240", YesA, NoA, "Yes", 10, 5 * Share, false,
            new DateTimeOffset(2026, 12, 31, 12, 0, 0, TimeSpan.Zero)), market);
        var query = Assert.Single(fake.MarketsQueries);
        Assert.Contains("closed=false", query, StringComparison.Ordinal);
        Assert.Contains("condition_ids=" + ConditionA, query, StringComparison.Ordinal);
    }

    [Fact]
    public void Gamma_markets_closed_or_not_accepting_orders_or_without_a_book_are_not_mirrored()
    {
        static JsonElement M(string extra) => JsonDocument.Parse($$"""
            {"conditionId":"0x1","question":"q","clobTokenIds":"[\"1\", \"2\"]","outcomes":"[\"Up\", \"Down\"]","orderPriceMinTickSize":0.01,"orderMinSize":5,{{extra}}}
            """).RootElement;

        Assert.NotNull(GammaClient.ParseMarket(M("\"enableOrderBook\":true,\"acceptingOrders\":true,\"closed\":false")));
        Assert.Equal("Up", GammaClient.ParseMarket(M("\"enableOrderBook\":true,\"acceptingOrders\":true,\"closed\":false"))!.YesOutcome);
        Assert.Null(GammaClient.ParseMarket(M("\"enableOrderBook\":true,\"acceptingOrders\":true,\"closed\":true")));
        Assert.Null(GammaClient.ParseMarket(M("\"enableOrderBook\":true,\"acceptingOrders\":false,\"closed\":false")));
        Assert.Null(GammaClient.ParseMarket(M("\"enableOrderBook\":false,\"acceptingOrders\":true,\"closed\":false")));
    }

    [Fact]
    public async Task Search_finds_the_open_markets_of_the_matching_events()
    {
        await using var fake = await FakeAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await using var mirror = await LiveMirror.StartAsync(Options(fake) with { Markets = [], Search = "nvda" }, cts.Token);

        Assert.Equal([ConditionA], mirror.Markets.Select(m => m.ConditionId));
    }

    [Fact]
    public async Task Each_reconnect_emits_a_gap_and_exactly_one_REST_reseed_and_the_book_after_it_equals_the_fakes()
    {
        await using var fake = await FakeAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var record = Path.Combine(Path.GetTempPath(), "polysim-mirror-" + Guid.NewGuid().ToString("n") + ".ndjson");
        var book = new ShadowBook();
        var seen = new List<ReplayEvent>();
        try
        {
            await using (var mirror = await LiveMirror.StartAsync(Options(fake, record), cts.Token))
            {
                // Seeded over REST, then the WebSocket dump, then live changes.
                await DrainUntilAsync(mirror, book, seen, () => book.Counters.Snapshots >= 2 && Same(book, fake));
                fake.SetLevel(YesA, bid: true, 6200, 10 * Share);
                fake.Trade(YesA, 6300, 5 * Share, "BUY");
                await DrainUntilAsync(mirror, book, seen, () => seen.Exists(e => e.Kind == ReplayEventKind.Trade) && Same(book, fake));

                const int drops = 2;
                for (var i = 0; i < drops; i++)
                {
                    var gaps = i + 1;
                    fake.DropAll();
                    // While disconnected the book moves: only the reseed (or the re-subscribe dump) can show it.
                    fake.SetLevel(YesA, bid: false, 6300 + (10 * (i + 1)), (i + 3) * Share);
                    await DrainUntilAsync(mirror, book, seen, () => seen.Count(e => e.Kind == ReplayEventKind.Gap) == gaps);
                    Assert.Equal(BookFreshness.Stale, book.Freshness);
                    await DrainUntilAsync(mirror, book, seen, () => Same(book, fake) && mirror.Stats.Reseeds == i + 1 && fake.BooksPosts == i + 2);
                }

                var stats = mirror.Stats;
                Assert.Equal(drops, stats.Reconnects);
                Assert.Equal(drops, stats.Reseeds);
                Assert.Equal(1 + drops, fake.BooksPosts); // the initial seed plus one per reconnect
                Assert.Equal(drops, seen.Count(e => e.Kind == ReplayEventKind.Gap));
                Assert.Equal(0, stats.BadFrames);
                for (var wait = 0; wait < 100 && Volatile.Read(ref fake.Pings) == 0; wait++)
                {
                    await Task.Delay(50);
                }

                Assert.True(fake.Pings > 0, "the client pings every PingInterval");
            }

            // The recording reads back into the same gaps and the same final book.
            var replayed = new ShadowBook();
            var events = CaptureReader.ReadFile(record).ToList();
            events.Where(e => e.ConditionId == ConditionA).ToList().ForEach(e => replayed.Apply(e));
            Assert.Equal(2, events.Count(e => e.Kind == ReplayEventKind.Gap));
            Assert.Equal(book.Bids(), replayed.Bids());
            Assert.Equal(book.Asks(), replayed.Asks());
        }
        finally
        {
            File.Delete(record);
        }
    }

    [Fact]
    public async Task A_stalled_connection_that_still_answers_PING_is_detected_reconnected_and_reseeded()
    {
        await using var fake = await FakeAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var options = Options(fake) with { StallAfter = TimeSpan.FromMilliseconds(800), BusyFrames = 3, PingInterval = TimeSpan.FromMilliseconds(100) };
        var book = new ShadowBook();
        var seen = new List<ReplayEvent>();

        await using var mirror = await LiveMirror.StartAsync(options, cts.Token);
        await DrainUntilAsync(mirror, book, seen, () => book.Counters.Snapshots >= 2);
        for (var i = 0; i < 3; i++)
        {
            fake.SetLevel(YesA, bid: true, 5000 + i, Share);
        }

        await DrainUntilAsync(mirror, book, seen, () => Same(book, fake));
        fake.StallAll();
        fake.SetLevel(YesA, bid: true, 6100, 0); // withheld from the stalled connection
        var pongsBefore = fake.Pings;
        await DrainUntilAsync(mirror, book, seen, () => Same(book, fake) && mirror.Stats.Reseeds == 1);

        Assert.Equal(1, mirror.Stats.Stalls);
        Assert.Equal(1, mirror.Stats.Reconnects);
        Assert.Equal(2, fake.BooksPosts);
        var gap = Assert.Single(seen, e => e.Kind == ReplayEventKind.Gap);
        Assert.Contains("stall", gap.Reason, StringComparison.Ordinal);
        Assert.True(fake.Pings >= pongsBefore);
    }

    [Fact]
    public async Task Assets_are_sharded_at_most_200_per_connection()
    {
        var assets = Enumerable.Range(0, 450).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await using var stream = new MarketStream(new MarketStreamOptions { Url = new Uri("ws://127.0.0.1:1/ws/market") }, assets);

        Assert.Equal([200, 200, 50], stream.Shards.Select(s => s.Count));
        using var subscribe = JsonDocument.Parse(MarketStream.SubscribeMessage(stream.Shards[2], true));
        Assert.Equal("market", subscribe.RootElement.GetProperty("type").GetString());
        Assert.True(subscribe.RootElement.GetProperty("custom_feature_enabled").GetBoolean());
        Assert.Equal(50, subscribe.RootElement.GetProperty("assets_ids").GetArrayLength());
    }
}
