using Polysim.MatchingEngine;
using MatchType = Polysim.MatchingEngine.MatchType;

namespace Polysim.ClobApi.Projections;

/// <summary>Trades, price history and position cost basis: the source of market history and account P&amp;L routes.</summary>
/// <remarks>
/// Built on the engine thread from each command's events; rebuilt identically by journal replay. Cost basis is the
/// average-cost method in exact micro-USDC: a BUY adds the cash it paid (taker fees paid in shares raise the average),
/// a SELL removes the sold fraction of the cost and realizes the cash it received (net of a taker fee) minus that cost,
/// and a resolution realizes $1 a winning share and nothing for a losing one.
/// </remarks>
public sealed class TradeHistory
{
    /// <summary>Fills kept per wallet; older ones are dropped (their P&amp;L stays in the cost basis).</summary>
    public const int MaxFillsPerWallet = 50_000;

    /// <summary>Fills kept per system wallet (house market makers and synthetic agents trade without end).</summary>
    public const int MaxFillsPerSystemWallet = 5_000;

    /// <summary>Trade prints kept per market for the price history.</summary>
    public const int MaxPricePointsPerMarket = 1_000_000;

    private readonly Dictionary<int, ChunkedLog<PricePoint>> _prices = [];
    private readonly Dictionary<int, LastTrade> _lastTrade = [];
    private readonly Dictionary<int, Outcome> _winners = [];
    private readonly Dictionary<int, FillLog> _fills = [];
    private readonly Dictionary<(int Wallet, int Market, Outcome Outcome), CostBasis> _basis = [];

    /// <summary>Observes one applied command and its events.</summary>
    public void Observe(in Command command, RejectCode code, ReadOnlySpan<EngineEvent> events)
    {
        _ = command;
        if (code != RejectCode.None)
        {
            // A refused command changes nothing (a FOK that cannot fill has no effect at all).
            return;
        }

        foreach (ref readonly var e in events)
        {
            switch (e.Kind)
            {
                case EventKind.Trade:
                    OnTrade(e);
                    break;
                case EventKind.MarketResolved:
                    OnResolved(e.Market, e.Outcome);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Every trade print of a market in order: time and YES price.</summary>
    public IReadOnlyCollection<PricePoint> PriceHistory(int market) =>
        _prices.TryGetValue(market, out var list) ? list : [];

    /// <summary>The market's last trade, if any.</summary>
    public LastTrade? LastTradeOf(int market) => _lastTrade.TryGetValue(market, out var t) ? t : null;

    /// <summary>The winning outcome of a resolved market.</summary>
    public Outcome? WinnerOf(int market) => _winners.TryGetValue(market, out var w) ? w : null;

    /// <summary>A wallet's fills, oldest first (the newest <see cref="MaxFillsPerWallet"/> of them).</summary>
    public FillLog FillsOf(int wallet) => _fills.TryGetValue(wallet, out var log) ? log : FillLog.Empty;

    /// <summary>The cost basis of a wallet's holding of one token, if it ever traded it.</summary>
    public CostBasis? BasisOf(int wallet, int market, Outcome outcome) =>
        _basis.TryGetValue((wallet, market, outcome), out var b) ? b : null;

    private void OnTrade(in EngineEvent e)
    {
        var yesPrice = e.Outcome == Outcome.Yes ? e.TakerPrice : Units.PriceScale - e.TakerPrice;
        // The taker's side expressed on the YES token: selling NO is buying YES and vice versa.
        var yesSide = e.Outcome == Outcome.Yes ? e.Side : Flip(e.Side);
        if (!_prices.TryGetValue(e.Market, out var points))
        {
            points = new ChunkedLog<PricePoint>();
            _prices[e.Market] = points;
        }

        points.Add(new PricePoint(e.Timestamp, yesPrice), MaxPricePointsPerMarket);
        _lastTrade[e.Market] = new LastTrade(e.Timestamp, yesPrice, yesSide);

        var takerShares = e.Side == Side.Buy && e.FeeInShares ? e.Size - e.Fee : e.Size;
        var takerRealized = Settle(e.TakerAccount, e.Market, e.Outcome, e.Side, takerShares, e.Amount);
        var makerRealized = Settle(e.MakerAccount, e.Market, e.OtherOutcome, e.OtherSide, e.Size, e.OtherAmount);
        AddFill(e.TakerAccount, new Fill(
            e.TradeId, e.Timestamp, e.TakerOrderId, e.Market, e.Outcome, e.Side, e.TakerPrice, e.Size, e.Amount, e.Fee,
            e.FeeInShares, IsTaker: true, e.MatchType, takerRealized));
        AddFill(e.MakerAccount, new Fill(
            e.TradeId, e.Timestamp, e.MakerOrderId, e.Market, e.OtherOutcome, e.OtherSide, e.MakerPrice, e.Size, e.OtherAmount, 0,
            FeeInShares: false, IsTaker: false, e.MatchType, makerRealized));
    }

    private long Settle(int wallet, int market, Outcome outcome, Side side, long shares, long cash)
    {
        var key = (wallet, market, outcome);
        if (!_basis.TryGetValue(key, out var basis))
        {
            basis = new CostBasis();
            _basis[key] = basis;
        }

        if (side == Side.Buy)
        {
            basis.Shares += shares;
            basis.Cost += cash;
            return 0;
        }

        var cost = CostOf(basis, shares);
        var realized = cash - cost;
        basis.Shares = Math.Max(0, basis.Shares - shares);
        basis.Cost -= cost;
        basis.RealizedPnl += realized;
        return realized;
    }

    /// <summary>The share of the cost carried by <paramref name="shares"/> of the holding; all of it when they are all sold.</summary>
    private static long CostOf(CostBasis basis, long shares)
    {
        if (basis.Shares <= 0)
        {
            return 0;
        }

        return shares >= basis.Shares ? basis.Cost : (long)((Int128)basis.Cost * shares / basis.Shares);
    }

    private void OnResolved(int market, Outcome winner)
    {
        _winners[market] = winner;
        foreach (var (key, basis) in _basis)
        {
            if (key.Market != market || basis.Shares == 0)
            {
                continue;
            }

            var payout = key.Outcome == winner ? basis.Shares : 0;
            basis.RealizedPnl += payout - basis.Cost;
            basis.Shares = 0;
            basis.Cost = 0;
        }
    }

    private void AddFill(int wallet, Fill fill)
    {
        if (!_fills.TryGetValue(wallet, out var log))
        {
            log = new FillLog();
            _fills[wallet] = log;
        }

        log.Add(fill, wallet < Api.SystemAccounts.FirstUserWallet ? MaxFillsPerSystemWallet : MaxFillsPerWallet);
    }

    private static Side Flip(Side side) => side == Side.Buy ? Side.Sell : Side.Buy;
}

/// <summary>One trade print.</summary>
/// <param name="TimestampMs">Unix ms.</param>
/// <param name="YesPrice">YES price in 1e-4 units.</param>
public readonly record struct PricePoint(long TimestampMs, int YesPrice);

/// <summary>A market's last trade.</summary>
/// <param name="TimestampMs">Unix ms.</param>
/// <param name="YesPrice">YES price in 1e-4 units.</param>
/// <param name="YesSide">The taker's side expressed on the YES token.</param>
public readonly record struct LastTrade(long TimestampMs, int YesPrice, Side YesSide);

/// <summary>One wallet's side of one trade.</summary>
/// <param name="TradeId">Engine trade number.</param>
/// <param name="TimestampMs">Unix ms.</param>
/// <param name="OrderId">The wallet's engine order id.</param>
/// <param name="Market">Engine market id.</param>
/// <param name="Outcome">Token traded.</param>
/// <param name="Side">The wallet's side on that token.</param>
/// <param name="Price">Own-token price, 1e-4 units.</param>
/// <param name="Size">Micro-shares matched.</param>
/// <param name="Cash">Micro-USDC paid (BUY) or received net of fee (SELL).</param>
/// <param name="Fee">Taker fee: micro-shares when <paramref name="FeeInShares"/>, else micro-USDC; 0 for a maker.</param>
/// <param name="FeeInShares">Whether the fee was taken in shares.</param>
/// <param name="IsTaker">Taker or maker.</param>
/// <param name="MatchType">NORMAL, MINT or MERGE.</param>
/// <param name="RealizedPnl">Micro-USDC realized by this fill (SELLs only).</param>
/// <remarks>A value: a wallet's log holds them inline, no object per fill for the GC to carry into gen 2.</remarks>
public readonly record struct Fill(
    long TradeId, long TimestampMs, long OrderId, int Market, Outcome Outcome, Side Side, int Price, long Size, long Cash, long Fee,
    bool FeeInShares, bool IsTaker, MatchType MatchType, long RealizedPnl);

/// <summary>One wallet's fills in order, addressed by absolute position (0 = its first fill ever) so that dropping the oldest never shifts a cursor.</summary>
public sealed class FillLog
{
    private readonly ChunkedLog<Fill> _items = new();

    /// <summary>A log with no fills.</summary>
    public static FillLog Empty { get; } = new();

    /// <summary>Absolute position of the oldest fill still kept.</summary>
    public long First => _items.First;

    /// <summary>Absolute position after the newest fill (fills ever recorded).</summary>
    public long End => _items.End;

    /// <summary>The fill at an absolute position in [<see cref="First"/>, <see cref="End"/>).</summary>
    public Fill this[long position] => _items[position];

    internal void Add(Fill fill, int capacity) => _items.Add(fill, capacity);
}

/// <summary>Average-cost basis of one wallet's holding of one token, in micro-units.</summary>
public sealed class CostBasis
{
    /// <summary>Shares held according to the trades seen (available + reserved in the engine).</summary>
    public long Shares { get; internal set; }

    /// <summary>Micro-USDC paid for the shares still held.</summary>
    public long Cost { get; internal set; }

    /// <summary>Micro-USDC realized by sales and resolution.</summary>
    public long RealizedPnl { get; internal set; }
}
