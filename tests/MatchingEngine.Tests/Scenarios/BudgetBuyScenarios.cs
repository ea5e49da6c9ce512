using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>A BUY sized as a USDC budget (Polymarket's makerAmount): spend the budget, receive every share it buys.</summary>
public sealed class BudgetBuyScenarios
{
    [Fact]
    public void A_budget_BUY_receives_every_share_its_budget_buys_at_the_makers_price()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        var alice = ex.Sell(Alice, Yes, 9_800, 10 * Share);

        // Polymarket's example: $4.95 at a 0.99 limit against an ask at 0.98.
        var bob = ex.BuyWithBudget(Bob, Yes, 9_900, 4_950_000, TimeInForce.Fak);

        var trade = bob.Trades.Single();
        // floor(4.95e6 × 1e4 / 9800) = floor(5_051_020.408) = 5_051_020 micro-shares.
        ex.Expect(5_051_020L, trade.Size, "all the shares $4.95 buys at 0.98, not 4.95 / 0.99 = 5");
        // Bob pays ceil(5_051_020 × 9800 / 1e4) = ceil(4_949_999.6) = 4_950_000.
        ex.Expect(4_950_000L, trade.Amount, "the taker pays at most its budget");
        // Alice receives floor(4_949_999.6) = 4_949_999.
        ex.Expect(4_949_999L, trade.OtherAmount, "the maker receives the floor");
        ex.Expect(new Balance(5_051_020, 0), ex.Held(Bob, Yes), "Bob's shares");
        ex.Expect(new Balance(95_050_000, 0), ex.Cash(Bob), "100 − 4.95; nothing left reserved");
        ex.Expect(new Balance(1, 0), ex.Cash(Fees), "4_950_000 − 4_949_999 = 1 micro-USDC of rounding");
        // The 0.0004 micro-USDC left over cannot buy a micro-share at 0.99, so the order is complete.
        ex.Expect(0, bob.Of(EventKind.OrderCancelled).Count, "no FAK remainder to cancel");
        ex.Expect(10 * Share - 5_051_020, ex.Order(alice.OrderId).Remaining, "Alice keeps 4_948_980");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_budget_BUY_walks_several_levels_each_at_the_makers_price()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Carol, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 5_000, 5 * Share);
        ex.Sell(Carol, Yes, 6_000, 10 * Share);

        var bob = ex.BuyWithBudget(Bob, Yes, 6_000, 4 * Usdc); // FOK

        ex.ExpectAccepted(bob, "$4 is spent completely within 0.60");
        ex.Expect(5 * Share, bob.Trades[0].Size, "5 × 0.50 = 2.50 first");
        ex.Expect(2_500_000L, bob.Trades[1].Size, "the remaining 1.50 buys 1.50 / 0.60 = 2.5 shares");
        ex.Expect(new Balance(7_500_000, 0), ex.Held(Bob, Yes), "7.5 shares for $4");
        ex.Expect(new Balance(96 * Usdc, 0), ex.Cash(Bob), "exactly the budget spent");
    }

    [Fact]
    public void A_budget_FOK_that_the_book_cannot_absorb_is_rejected_with_no_effect()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 9_800, 5 * Share);
        var before = ex.Snapshot();

        var bob = ex.BuyWithBudget(Bob, Yes, 9_900, 10 * Usdc);

        // 5 shares cost 4.90; the other 5.10 would still buy 5.10 / 0.99 = 5.15 shares at the limit.
        ex.ExpectRejected(RejectCode.FokNotFilled, bob, "$10 cannot be spent within 0.99");
        ex.Expect(before, ex.Snapshot(), "no effect");
    }

    [Fact]
    public void A_budget_FAK_spends_what_the_book_offers_and_cancels_the_rest()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 9_800, 5 * Share);

        var bob = ex.BuyWithBudget(Bob, Yes, 9_900, 10 * Usdc, TimeInForce.Fak);

        ex.Expect(5 * Share, bob.Trades.Single().Size, "the 5 on offer");
        ex.Expect(4_900_000L, bob.Trades.Single().Amount, "5 × 0.98 = 4.90");
        var cancelled = bob.Of(EventKind.OrderCancelled).Single();
        ex.Expect(CancelReason.FakRemainder, cancelled.Reason, "remainder killed");
        // (10e6 × 1e4 − 5e6 × 9800) / 9900 = 5.1e10 / 9900 = 5_151_515.15 → 5_151_515 shares at the limit.
        ex.Expect(5_151_515L, cancelled.Remaining, "the unspent budget in shares at 0.99");
        ex.Expect(new Balance(95_100_000, 0), ex.Cash(Bob), "only the 4.90 spent");
    }

    [Fact]
    public void A_resting_budget_GTC_converts_its_budget_into_shares_at_its_limit()
    {
        var ex = new Exchange();
        ex.Open(Bob, 100 * Usdc);

        var bob = ex.BuyWithBudget(Bob, Yes, 4_000, 10 * Usdc, TimeInForce.Gtc);

        var order = ex.Order(bob.OrderId);
        ex.Expect(25 * Share, order.Remaining, "$10 / 0.40 = 25 shares");
        ex.Expect(25 * Share, order.Original, "sized in shares from now on");
        ex.Expect(10 * Usdc, order.Reserved, "25 × 0.40 = 10.00 reserved");
        ex.Expect(25 * Share, bob.Of(EventKind.OrderRested).Single().Remaining, "rests 25 shares");
        ex.Expect(new Balance(90 * Usdc, 10 * Usdc), ex.Cash(Bob), "the budget is held");
    }

    [Fact]
    public void A_budget_GTC_that_partly_fills_rests_its_unspent_budget_as_shares_at_its_limit()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 3_800, 5 * Share);

        var bob = ex.BuyWithBudget(Bob, Yes, 4_000, 10 * Usdc, TimeInForce.Gtc);

        ex.Expect(1_900_000L, bob.Trades.Single().Amount, "5 × 0.38 = 1.90");
        var order = ex.Order(bob.OrderId);
        // floor((10e6 × 1e4 − 5e6 × 3800) / 4000) = floor(8.1e10 / 4000) = 20_250_000.
        ex.Expect(20_250_000L, order.Remaining, "the unspent 8.10 buys 20.25 shares at 0.40");
        ex.Expect(25_250_000L, order.Original, "filled 5 + resting 20.25");
        ex.Expect(8_100_000L, order.Reserved, "20.25 × 0.40 = 8.10 still held");
        ex.Expect(new Balance(90 * Usdc, 8_100_000), ex.Cash(Bob), "100 − 1.90 paid − 8.10 held");
    }

    [Fact]
    public void A_budget_that_does_not_divide_evenly_rests_the_whole_shares_it_covers_and_is_charged_the_ceiling()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 40 * Share);

        var bob = ex.BuyWithBudget(Bob, Yes, 3_000, 10 * Usdc, TimeInForce.Gtc);
        // floor(1e11 / 3000) = 33_333_333 micro-shares; reserve ceil(33_333_333 × 0.30) = ceil(9_999_999.9) = 10_000_000.
        ex.Expect(33_333_333L, ex.Order(bob.OrderId).Remaining, "whole micro-shares only");
        ex.Expect(new Balance(90 * Usdc, 10 * Usdc), ex.Cash(Bob), "reservation rounded up");

        var alice = ex.Sell(Alice, Yes, 3_000, 33_333_333, TimeInForce.Fak);

        ex.Expect(10 * Usdc, alice.Trades.Single().OtherAmount, "Bob (maker) pays ceil(9_999_999.9) = 10_000_000");
        ex.Expect(9_999_999L, alice.Trades.Single().Amount, "Alice (taker) receives floor = 9_999_999");
        ex.Expect(new Balance(90 * Usdc, 0), ex.Cash(Bob), "nothing left reserved");
        ex.Expect(new Balance(1, 0), ex.Cash(Fees), "the 0.1 micro-USDC rounding, rounded, goes to the fee account");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_budget_GTC_is_held_to_the_minimum_size_in_shares_at_its_limit()
    {
        var ex = new Exchange(); // minimum 5 shares
        ex.Open(Bob, 100 * Usdc);

        ex.ExpectRejected(
            RejectCode.BelowMinimumSize, ex.BuyWithBudget(Bob, Yes, 4_000, 1_990_000, TimeInForce.Gtc),
            "$1.99 / 0.40 = 4.975 shares < 5");
        ex.ExpectAccepted(ex.BuyWithBudget(Bob, Yes, 4_000, 2 * Usdc, TimeInForce.Gtc), "$2.00 / 0.40 = 5 shares");
    }
}
