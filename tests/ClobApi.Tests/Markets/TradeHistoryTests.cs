using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Projections;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Markets;

/// <summary>The trade projection on its own: commands applied to a <see cref="HostState"/> without a server.</summary>
public sealed class TradeHistoryTests
{
    private const long Share = 1_000_000;
    private readonly HostState _state = new();
    private long _sequence;

    private EngineOutcome Apply(Command command) =>
        _state.ApplyCommand(command with { Sequence = ++_sequence, Timestamp = 1_700_000_000_000 + _sequence });

    private void Setup(MarketParameters parameters, params int[] wallets)
    {
        Apply(Command.CreateMarket(0, 0, 1, parameters));
        foreach (var wallet in wallets)
        {
            Apply(Command.RegisterAccount(0, 0, wallet));
            Apply(Command.Deposit(0, 0, wallet, 1_000_000 * Share));
        }
    }

    private void Place(int wallet, Outcome outcome, Side side, int price, long shares, TimeInForce tif = TimeInForce.Gtc)
    {
        var result = Apply(Command.Place(0, 0, wallet, 1, _sequence + 1, outcome, side, price, shares, tif));
        Assert.True(result.Accepted, result.Code.ToString());
    }

    [Fact]
    public void A_taker_fee_paid_in_shares_raises_the_average_entry_price()
    {
        // Polymarket's crypto curve: rate 0.072, exponent 1.
        Setup(new MarketParameters(TickSize: 100, TakerFeeRate: 720, TakerFeeExponentHalves: 2), 10, 11);
        Place(10, Outcome.No, Side.Buy, 5_000, 100 * Share);
        Place(11, Outcome.Yes, Side.Buy, 5_000, 100 * Share, TimeInForce.Fak);
        var basis = _state.Trades.BasisOf(11, 1, Outcome.Yes)!;
        var held = _state.Engine.GetPosition(11, 1, Outcome.Yes).Total;
        Assert.True(held < 100 * Share, "the fee should have been taken in shares");
        Assert.Equal(held, basis.Shares);
        Assert.Equal(50 * Share, basis.Cost);
        var fill = _state.Trades.FillsOf(11)[0];
        Assert.True(fill.FeeInShares);
        Assert.Equal(100 * Share - held, fill.Fee);
        Assert.Equal(100 * Share, _state.Trades.BasisOf(10, 1, Outcome.No)!.Shares);
    }

    [Fact]
    public void Selling_everything_realizes_all_of_the_cost_and_leaves_no_residue()
    {
        Setup(new MarketParameters(TickSize: 1), 10, 11, 12);
        Place(10, Outcome.No, Side.Buy, 6_667, 6 * Share);
        Place(11, Outcome.Yes, Side.Buy, 3_333, 6 * Share, TimeInForce.Fak);
        Place(12, Outcome.Yes, Side.Buy, 5_000, 5 * Share);
        Place(12, Outcome.Yes, Side.Buy, 4_000, 5 * Share);
        Place(11, Outcome.Yes, Side.Sell, 4_000, 6 * Share, TimeInForce.Fak);
        var basis = _state.Trades.BasisOf(11, 1, Outcome.Yes)!;
        Assert.Equal(0, basis.Shares);
        Assert.Equal(0, basis.Cost);
        // Paid 6 × 0.3333 = 1.9998; received 5 × 0.50 + 1 × 0.40 = 2.9.
        Assert.Equal(900_200, basis.RealizedPnl);
        var fills = _state.Trades.FillsOf(11);
        Assert.Equal(833_500, fills[1].RealizedPnl);
        Assert.Equal(66_700, fills[2].RealizedPnl);
    }

    [Fact]
    public void A_wallets_fill_log_keeps_the_newest_fills_at_stable_positions()
    {
        Setup(new MarketParameters(TickSize: 100), 10);
        var trades = (TradeHistory.MaxFillsPerWallet / 2) + 1;
        for (var i = 0; i < trades; i++)
        {
            // A self-trade (self-trade prevention is off, as on Polymarket): two fills for the same wallet.
            Place(10, Outcome.No, Side.Buy, 5_000, 5 * Share);
            Place(10, Outcome.Yes, Side.Buy, 5_000, 5 * Share, TimeInForce.Fak);
        }

        var log = _state.Trades.FillsOf(10);
        Assert.Equal(2L * trades, log.End);
        Assert.True(log.First > 0);
        Assert.True(log.End - log.First <= TradeHistory.MaxFillsPerWallet);
        Assert.Equal(trades, log[log.End - 1].TradeId);
        Assert.Equal(log[log.First].TradeId, (log.First / 2) + 1);
    }
}
