using System.Globalization;
using System.Text;
using Polysim.ClobApi.Liquidity.Recordings;

namespace Polysim.ClobApi.Tests.Liquidity.Recordings;

/// <summary>
/// A seeded random book for one market, rendered as PMXT v1 and v2 rows for both tokens exactly as the archive reports
/// them (the NO token's rows mirror the YES token's), with the true YES book kept at every step to compare against.
/// </summary>
internal sealed class PmxtFixture
{
    public const string Market = "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1";
    public const string YesToken = "53135072462907880191400140706440867753044989936304433583131786753949599718775";
    public const string NoToken = "60869871469376321574904667328762911501870754872924453995477779862968218702336";
    public const string OtherMarket = "0x0000000000000000000000000000000000000000000000000000000000000001";

    private ulong _state;
    private long _tx;

    public PmxtFixture(ulong seed) => _state = seed;

    /// <summary>True YES book: price (1e-4) → micro-shares.</summary>
    public SortedDictionary<int, long> Bids { get; } = [];

    public SortedDictionary<int, long> Asks { get; } = [];

    public List<PmxtV1Row> V1 { get; } = [];

    public List<PmxtV2Row> V2 { get; } = [];

    /// <summary>Snapshot times (ms) written so far.</summary>
    public List<long> SnapshotTimes { get; } = [];

    /// <summary>The true book after every event time (ms), for checks at any point.</summary>
    public List<(long TsMs, (int, long)[] Bids, (int, long)[] Asks)> History { get; } = [];

    public int Tick { get; private set; } = 100;

    public static long HourMs(DateTimeOffset hour) => hour.ToUnixTimeMilliseconds();

    /// <summary>One hour of activity: snapshots at minutes 7, 27 and 47; level changes (sometimes two in one message) and trades every ~400 ms; other markets' rows interleaved.</summary>
    public void GenerateHour(DateTimeOffset hour, bool withTickChange = false)
    {
        var start = HourMs(hour);
        if (Bids.Count == 0)
        {
            Seed();
        }

        var snapshotAt = new[] { 7, 27, 47 }.Select(m => start + (m * 60_000L)).ToList();
        var tickAt = withTickChange ? start + (40 * 60_000L) : -1;
        for (var t = start + Next(400); t < start + 3_600_000; t += 1 + Next(800))
        {
            if (snapshotAt.Count > 0 && t >= snapshotAt[0])
            {
                WriteSnapshot(snapshotAt[0]);
                snapshotAt.RemoveAt(0);
                continue;
            }

            if (tickAt > 0 && t >= tickAt)
            {
                WriteTickChange(t);
                tickAt = -1;
                continue;
            }

            var roll = Next(100);
            if (roll < 8)
            {
                WriteTrade(t);
            }
            else if (roll < 12)
            {
                WriteOtherMarket(t);
            }
            else
            {
                WriteChanges(t, roll < 30 ? 2 : 1);
            }

            History.Add((t, Bids.Reverse().Select(kv => (kv.Key, kv.Value)).ToArray(), Asks.Select(kv => (kv.Key, kv.Value)).ToArray()));
        }
    }

    private void Seed()
    {
        for (var i = 0; i < 8; i++)
        {
            Bids[4_800 - (i * 100)] = Size();
            Asks[5_000 + (i * 100)] = Size();
        }
    }

    private long Size() => (1 + Next(50_000)) * 10_000; // 0.01 .. 500 shares, on a 0.01 grid

    private long Next(long bound)
    {
        _state += 0x9E3779B97F4A7C15;
        var z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        z ^= z >> 31;
        return (long)(z % (ulong)bound);
    }

    private int BestBid => Bids.Count == 0 ? 0 : Bids.Keys.Max();

    private int BestAsk => Asks.Count == 0 ? 10_000 : Asks.Keys.Min();

    private void WriteChanges(long t, int count)
    {
        var yes = new List<PmxtV2Row>();
        var no = new List<PmxtV2Row>();
        for (var k = 0; k < count; k++)
        {
            // A new size at an existing level, a new level behind or inside the spread, or a level removed.
            var bid = Next(2) == 0;
            var book = bid ? Bids : Asks;
            int price;
            long size;
            var action = Next(10);
            if (action < 3 && book.Count > 2)
            {
                price = book.Keys.ElementAt((int)Next(book.Count));
                size = 0;
            }
            else if (action < 7 && book.Count > 0)
            {
                price = book.Keys.ElementAt((int)Next(book.Count));
                size = Size();
            }
            else
            {
                var best = bid ? BestBid : BestAsk;
                var other = bid ? BestAsk : BestBid;
                var offset = (int)(Next(5) - 1) * Tick;
                price = bid ? best + offset : best - offset;
                if (bid ? price >= other || price <= 0 : price <= other || price >= 10_000)
                {
                    price = bid ? best - Tick : best + Tick;
                }

                if (price is <= 0 or >= 10_000)
                {
                    continue;
                }

                size = Size();
            }

            if (size == 0)
            {
                book.Remove(price);
            }
            else
            {
                book[price] = size;
            }

            var side = bid ? "BUY" : "SELL";
            yes.Add(new PmxtV2Row(t + 3, t, Market, "price_change", YesToken)
            {
                Price = P(price),
                Size = S(size),
                Side = side,
                BestBid = P(BestBid),
                BestAsk = P(BestAsk),
            });
            no.Add(new PmxtV2Row(t + 3, t, Market, "price_change", NoToken)
            {
                Price = P(10_000 - price),
                Size = S(size),
                Side = bid ? "SELL" : "BUY",
                BestBid = P(10_000 - BestAsk),
                BestAsk = P(10_000 - BestBid),
            });
            V1.Add(V1Change(t, YesToken, "YES", price, size, bid ? (k % 2 == 0 ? "BUY" : "buy") : "SELL", BestBid, BestAsk));
            V1.Add(V1Change(t, NoToken, "NO", 10_000 - price, size, bid ? "SELL" : "buy", 10_000 - BestAsk, 10_000 - BestBid));
        }

        // The message's best prices hold after its last change; earlier rows of the batch carry them too, as the feed does.
        for (var k = 0; k < yes.Count; k++)
        {
            yes[k] = yes[k] with { BestBid = P(BestBid), BestAsk = P(BestAsk) };
            no[k] = no[k] with { BestBid = P(10_000 - BestAsk), BestAsk = P(10_000 - BestBid) };
        }

        // The archive interleaves the two tokens in either order.
        if (Next(2) == 0)
        {
            V2.AddRange(yes);
            V2.AddRange(no);
        }
        else
        {
            V2.AddRange(no);
            V2.AddRange(yes);
        }
    }

    public void WriteSnapshot(long t)
    {
        SnapshotTimes.Add(t);
        var yesBids = Bids.Select(kv => (kv.Key, kv.Value)).ToList();              // ascending = worst first for bids
        var yesAsks = Asks.Reverse().Select(kv => (kv.Key, kv.Value)).ToList();    // descending = worst first for asks
        var noBids = Asks.Reverse().Select(kv => (10_000 - kv.Key, kv.Value)).ToList();
        var noAsks = Bids.Select(kv => (10_000 - kv.Key, kv.Value)).ToList();
        V2.Add(new PmxtV2Row(t + 2, t, Market, "book", YesToken) { Bids = Levels(yesBids), Asks = Levels(yesAsks) });
        V2.Add(new PmxtV2Row(t + 2, t, Market, "book", NoToken) { Bids = Levels(noBids), Asks = Levels(noAsks) });
        V1.Add(V1Snapshot(t, YesToken, "YES", yesBids, yesAsks, BestBid, BestAsk));
        V1.Add(V1Snapshot(t, NoToken, "NO", noBids, noAsks, 10_000 - BestAsk, 10_000 - BestBid));
        History.Add((t, Bids.Reverse().Select(kv => (kv.Key, kv.Value)).ToArray(), Asks.Select(kv => (kv.Key, kv.Value)).ToArray()));
    }

    private void WriteTrade(long t)
    {
        var buy = Next(2) == 0;
        var price = buy ? BestAsk : BestBid;
        if (price is <= 0 or >= 10_000)
        {
            return;
        }

        var size = (1 + Next(1_000)) * 1_000; // micro-shares on a 0.001 grid
        var hash = "0x" + (++_tx).ToString("x64", CultureInfo.InvariantCulture);
        V2.Add(new PmxtV2Row(t + 5, t, Market, "last_trade_price", YesToken) { Price = P(price), Size = S(size), Side = buy ? "BUY" : "SELL", FeeRateBps = 0, TransactionHash = hash });
        V2.Add(new PmxtV2Row(t + 5, t, Market, "last_trade_price", NoToken) { Price = P(10_000 - price), Size = S(size), Side = buy ? "SELL" : "BUY", FeeRateBps = 0, TransactionHash = hash });
    }

    private void WriteTickChange(long t)
    {
        V2.Add(new PmxtV2Row(t + 1, t, Market, "tick_size_change", YesToken) { OldTickSize = 0.01m, NewTickSize = 0.001m });
        V2.Add(new PmxtV2Row(t + 1, t, Market, "tick_size_change", NoToken) { OldTickSize = 0.01m, NewTickSize = 0.001m });
        Tick = 10;
    }

    private void WriteOtherMarket(long t)
    {
        V2.Add(new PmxtV2Row(t, t, OtherMarket, "price_change", "1") { Price = 0.5m, Size = 10m, Side = "BUY", BestBid = 0.5m, BestAsk = 0.6m });
        V1.Add(new PmxtV1Row(t, t, OtherMarket, "price_change",
            $$"""{"update_type":"price_change","market_id":"{{OtherMarket}}","token_id":"1","side":"YES","best_bid":"0.5","best_ask":"0.6","timestamp":{{Seconds(t)}},"change_price":"0.5","change_size":"10","change_side":"BUY"}"""));
    }

    private static PmxtV1Row V1Change(long t, string token, string outcome, int price, long size, string side, int bestBid, int bestAsk) =>
        new(t + 3, t, Market, "price_change",
            $$"""{"update_type":"price_change","market_id":"{{Market}}","token_id":"{{token}}","side":"{{outcome}}","best_bid":"{{Ps(bestBid)}}","best_ask":"{{Ps(bestAsk)}}","timestamp":{{Seconds(t)}},"change_price":"{{Ps(price)}}","change_size":"{{Ss(size)}}","change_side":"{{side}}"}""");

    private static PmxtV1Row V1Snapshot(long t, string token, string outcome, List<(int, long)> bids, List<(int, long)> asks, int bestBid, int bestAsk) =>
        new(t + 2, t, Market, "book_snapshot",
            $$"""{"update_type":"book_snapshot","market_id":"{{Market}}","token_id":"{{token}}","side":"{{outcome}}","best_bid":"{{Ps(bestBid)}}","best_ask":"{{Ps(bestAsk)}}","timestamp":{{Seconds(t)}},"bids":{{Levels(bids)}},"asks":{{Levels(asks)}}}""");

    /// <summary>Float seconds as the v1 payload writes them (sub-ms digits included).</summary>
    private static string Seconds(long ms) => (ms / 1000).ToString(CultureInfo.InvariantCulture) + "." + (ms % 1000).ToString("000", CultureInfo.InvariantCulture) + "1374";

    public static string Levels(IEnumerable<(int Price, long Size)> levels)
    {
        var sb = new StringBuilder("[");
        foreach (var (price, size) in levels)
        {
            sb.Append(sb.Length > 1 ? "," : "").Append("[\"").Append(Ps(price)).Append("\",\"").Append(Ss(size)).Append("\"]");
        }

        return sb.Append(']').ToString();
    }

    public static decimal P(int price) => price / 10_000m;

    public static decimal S(long size) => size / 1_000_000m;

    public static string Ps(int price) => P(price).ToString("0.####", CultureInfo.InvariantCulture);

    public static string Ss(long size) => S(size).ToString("0.######", CultureInfo.InvariantCulture);
}
