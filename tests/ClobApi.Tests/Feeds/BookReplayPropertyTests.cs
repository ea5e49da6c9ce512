using System.Net.Http.Json;
using System.Text.Json;
using Polysim.ClobApi.Tests.Orders;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Feeds;

public sealed class BookReplayPropertyTests(FeedServerFixture fixture) : IClassFixture<FeedServerFixture>
{
    private TestServer Server => fixture.Server;

    /// <summary>One token's book as a client rebuilds it from the feed.</summary>
    private sealed class LocalBook
    {
        public SortedDictionary<string, string> Bids { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, string> Asks { get; } = new(StringComparer.Ordinal);

        public void Replace(JsonElement book)
        {
            Bids.Clear();
            Asks.Clear();
            foreach (var level in book.GetProperty("bids").EnumerateArray())
            {
                Bids[level.S("price")] = level.S("size");
            }

            foreach (var level in book.GetProperty("asks").EnumerateArray())
            {
                Asks[level.S("price")] = level.S("size");
            }
        }

        public void Apply(JsonElement change)
        {
            var side = change.S("side") == "BUY" ? Bids : Asks;
            if (change.S("size") == "0")
            {
                Assert.True(side.Remove(change.S("price")), $"removed a level the client never had: {change}");
            }
            else
            {
                side[change.S("price")] = change.S("size");
            }
        }

        public string Render() =>
            "bids " + string.Join(' ', Bids.OrderBy(l => decimal.Parse(l.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(l => $"{l.Key}x{l.Value}")) +
            " | asks " + string.Join(' ', Asks.OrderByDescending(l => decimal.Parse(l.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(l => $"{l.Key}x{l.Value}"));
    }

    private static string RenderRest(JsonElement book) =>
        "bids " + string.Join(' ', book.GetProperty("bids").EnumerateArray().Select(l => $"{l.S("price")}x{l.S("size")}")) +
        " | asks " + string.Join(' ', book.GetProperty("asks").EnumerateArray().Select(l => $"{l.S("price")}x{l.S("size")}"));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(2026)]
    public async Task Applying_the_book_snapshot_and_every_price_change_reproduces_the_REST_book_after_random_order_flow(int seed)
    {
        var random = new Random(seed);
        var market = await Server.ListMarketAsync();
        var traders = new[] { await Server.TraderAsync("1000000"), await Server.TraderAsync("1000000"), await Server.TraderAsync("1000000") };

        // Some resting orders before anyone subscribes, so the snapshot matters.
        for (var i = 0; i < 10; i++)
        {
            await Server.PlaceAsync(traders[i % 3].WalletId, market, i % 2 == 0 ? Outcome.Yes : Outcome.No, Side.Buy, 3000 + (random.Next(10) * 100), 5 + random.Next(10));
        }

        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        var books = new Dictionary<string, LocalBook> { [market.YesToken] = new(), [market.NoToken] = new() };
        var seqs = new Dictionary<string, long>();
        foreach (var book in await ws.SubscribeMarketAsync(false, market.YesToken, market.NoToken))
        {
            books[book.S("asset_id")].Replace(book);
            seqs[book.S("asset_id")] = book.GetProperty("seq").GetInt64();
        }

        var open = new List<(int Wallet, long Id)>();
        for (var step = 0; step < 250; step++)
        {
            var trader = traders[random.Next(traders.Length)];
            if (open.Count > 0 && random.Next(4) == 0)
            {
                var victim = open[random.Next(open.Count)];
                open.Remove(victim);
                await Server.CancelAsync(victim.Wallet, victim.Id);
                continue;
            }

            var outcome = random.Next(2) == 0 ? Outcome.Yes : Outcome.No;
            var id = await Server.PlaceAsync(trader.WalletId, market, outcome, Side.Buy, 2500 + (random.Next(26) * 100), 5 + random.Next(30));
            if (id != 0)
            {
                open.Add((trader.WalletId, id));
            }
        }

        using var http = Server.Client();
        var deadline = Environment.TickCount64 + 10_000;
        while (true)
        {
            foreach (var e in await ws.DrainAsync())
            {
                switch (e.Type())
                {
                    case "book":
                        Assert.Equal(++seqs[e.S("asset_id")], e.GetProperty("seq").GetInt64());
                        books[e.S("asset_id")].Replace(e);
                        break;
                    case "price_change":
                        foreach (var change in e.GetProperty("price_changes").EnumerateArray())
                        {
                            Assert.Equal(++seqs[change.S("asset_id")], change.GetProperty("seq").GetInt64());
                            books[change.S("asset_id")].Apply(change);
                        }

                        break;
                    case "last_trade_price":
                        Assert.Equal(++seqs[e.S("asset_id")], e.GetProperty("seq").GetInt64());
                        break;
                    default:
                        break;
                }
            }

            var yesRest = RenderRest(await http.GetFromJsonAsync<JsonElement>($"/book?token_id={market.YesToken}"));
            var noRest = RenderRest(await http.GetFromJsonAsync<JsonElement>($"/book?token_id={market.NoToken}"));
            if ((yesRest, noRest) == (books[market.YesToken].Render(), books[market.NoToken].Render()) || Environment.TickCount64 > deadline)
            {
                Assert.Equal(yesRest, books[market.YesToken].Render());
                Assert.Equal(noRest, books[market.NoToken].Render());
                Assert.NotEqual("bids  | asks ", yesRest);
                break;
            }
        }
    }
}
