using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Capture;
using Polysim.ClobApi.Liquidity.Mirror;
using Polysim.ClobApi.Liquidity.Recordings;
using Polysim.ClobApi.Tests.Feeds;
using Polysim.ClobApi.Tests.Orders;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Liquidity.Mirror;

/// <summary>The capture format on its own: lines written, read back, gaps on reconnects.</summary>
[Trait("Mode", "Embedded")]
public sealed class CaptureFormatTests
{
    private const string Condition = "0x" + "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";

    [Fact]
    public void Frames_are_embedded_verbatim_and_read_back_with_a_gap_once_per_outage()
    {
        var pair = new MirrorTokenPair(string.Empty, "101", "102");
        using var stream = new MemoryStream();
        using (var writer = new CaptureWriter(stream, leaveOpen: true))
        {
            writer.WriteMeta(0, 1_000, CaptureMeta.Subscribe, ["101", "102"], [pair]);
            writer.WriteFrame(0, 2_000, Encoding.UTF8.GetBytes($$"""[{"event_type":"book","asset_id":"101","market":"{{Condition}}","bids":[{"price":"0.4","size":"10"}],"asks":[{"price":"0.6","size":"3"}],"timestamp":"5"}]"""));
            writer.WriteFrame(0, 3_000, "PONG"u8);
            writer.WriteMeta(0, 4_000, CaptureMeta.Disconnect, reason: "closed by server");
            writer.WriteMeta(0, 5_000, CaptureMeta.Reconnect, ["101", "102"], [pair]);
            writer.WriteFrame(0, 6_000, Encoding.UTF8.GetBytes($$"""{"event_type":"price_change","market":"{{Condition}}","timestamp":"7","price_changes":[{"asset_id":"102","price":"0.55","size":"4","side":"BUY"}]}"""));
            Assert.Equal(6, writer.Lines);
        }

        var text = Encoding.UTF8.GetString(stream.ToArray());
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.Contains("\"frame\":[{\"event_type\":\"book\",\"asset_id\":\"101\"", lines[1], StringComparison.Ordinal);
        Assert.Equal("""{"recv_ns":3000,"conn":0,"text":"PONG"}""", lines[2]);

        var reader = new CaptureReader();
        var events = reader.Read(new StringReader(text)).ToList();

        Assert.Equal([ReplayEventKind.Snapshot, ReplayEventKind.Gap, ReplayEventKind.Level], events.Select(e => e.Kind));
        Assert.Equal((Condition, 4_000L, "disconnect: closed by server"), (events[1].ConditionId, events[1].TsNs, events[1].Reason));
        // The NO bid at 0.55 is a YES ask at 0.45, learnt from the subscribe line's pairs.
        Assert.Equal((Side.Sell, 4500, 4_000_000L), (events[2].Side, events[2].Price, events[2].Size));
        Assert.Equal(0, reader.BadLines);
    }

    [Fact]
    public void The_capture_command_refuses_incomplete_arguments()
    {
        var error = new StringWriter();

        Assert.Null(CaptureCommand.Parse(["--url", "http://x/ws/market", "--assets", "1,2", "--out", "f"], error));
        Assert.Null(CaptureCommand.Parse(["--url", "ws://x/ws/market", "--out", "f"], error));
        Assert.Null(CaptureCommand.Parse(["--url", "ws://x/ws/market", "--assets", "1,2", "--out", "f", "--seconds", "-1"], error));
        var ok = CaptureCommand.Parse(["--url", "ws://x/ws/market", "--assets", "1, 2", "--out", "f", "--seconds", "2.5"], error);
        Assert.Equal(["1", "2"], ok!.Assets);
        Assert.Equal(2.5, ok.Seconds);
    }
}

/// <summary>The capture command against a real Polysim server's own market channel.</summary>
public sealed class CaptureServerTests
{
    [Fact]
    public async Task A_capture_of_Polysims_own_market_channel_rebuilds_the_same_book_as_REST_book()
    {
        await using var server = await TestServer.StartAsync(FeedKit.Settings());
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        await server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 4000, 10);
        await server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 4500, 20);
        await server.PlaceAsync(trader.WalletId, market, Outcome.No, Side.Buy, 4000, 7);
        var file = Path.Combine(Path.GetTempPath(), "polysim-capture-" + Guid.NewGuid().ToString("n") + ".ndjson");
        try
        {
            var args = CaptureCommand.Parse(
                ["--url", server.Ws("/ws/market").ToString(), "--assets", $"{market.YesToken},{market.NoToken}", "--out", file],
                TextWriter.Null)!;
            using var stop = new CancellationTokenSource();
            var capture = CaptureCommand.CaptureAsync(args, stop.Token);

            // Changes while recording: a new bid, a NO buy at 0.55 that trades against the 0.45 YES bid, a NO bid that rests as a YES ask.
            await WaitForLinesAsync(file, 2);
            await server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 4200, 5);
            var taker = await server.TraderAsync();
            await server.PlaceAsync(taker.WalletId, market, Outcome.No, Side.Buy, 5500, 6);
            await server.PlaceAsync(trader.WalletId, market, Outcome.No, Side.Buy, 3000, 9);
            using var http = server.Client();
            var parser = new PolymarketMarketFrames([new MirrorTokenPair(market.ConditionId, market.YesToken, market.NoToken)]);
            var expected = parser.ParseBook(await http.GetFromJsonAsync<JsonElement>($"/book?token_id={market.YesToken}"), 0)!;
            var (book, events) = (new ShadowBook(), new List<ReplayEvent>());
            for (var i = 0; i < 200 && !(book.Bids().SequenceEqual(expected.Bids) && book.Asks().SequenceEqual(expected.Asks) && events.Exists(e => e.Kind == ReplayEventKind.Trade)); i++)
            {
                await Task.Delay(25);
                (book, events) = ReadBack(file, market.ConditionId);
            }

            await stop.CancelAsync();
            var result = await capture;
            (book, events) = ReadBack(file, market.ConditionId);

            // The server coalesces a subscriber's backlog into one array frame, so the changes may arrive in one frame after the dump.
            Assert.True(result.Frames >= 2, $"{result.Frames} frames");
            Assert.Contains(events, e => e.Kind == ReplayEventKind.Trade);
            Assert.Equal(expected.Bids, book.Bids());
            Assert.Equal(expected.Asks, book.Asks());
            Assert.NotEmpty(book.Bids());
            Assert.NotEmpty(book.Asks());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static (ShadowBook Book, List<ReplayEvent> Events) ReadBack(string file, string condition)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var book = new ShadowBook();
        var events = new CaptureReader().Read(reader).ToList();
        events.Where(e => e.ConditionId == condition).ToList().ForEach(e => book.Apply(e));
        return (book, events);
    }

    private static async Task WaitForLinesAsync(string file, int lines)
    {
        for (var i = 0; i < 200; i++)
        {
            if (File.Exists(file))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                var text = await reader.ReadToEndAsync();
                if (text.Count(c => c == '\n') >= lines)
                {
                    return;
                }
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"fewer than {lines} lines captured");
    }
}
