using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>The ledger: what accepting an order reserves, what cancelling releases, no naked shorts, withdrawals.</summary>
public sealed class LedgerScenarios
{
    [Fact]
    public void Accepting_a_BUY_reserves_the_ceiling_of_size_times_limit()
    {
        var ex = new Exchange(FineTick);
        ex.Open(Alice, 10 * Usdc);

        var alice = ex.Buy(Alice, Yes, 3_333, 5_000_001);

        // ceil(5_000_001 × 3333 / 1e4) = ceil(1_666_500.3333) = 1_666_501.
        ex.Expect(1_666_501L, ex.Order(alice.OrderId).Reserved, "the order holds the rounded-up notional");
        ex.Expect(new Balance(10 * Usdc - 1_666_501, 1_666_501), ex.Cash(Alice), "moved from available to reserved");
    }

    [Fact]
    public void Accepting_a_SELL_reserves_its_shares()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);

        var alice = ex.Sell(Alice, Yes, 7_000, 6 * Share);

        ex.Expect(6 * Share, ex.Order(alice.OrderId).Reserved, "6 shares held");
        ex.Expect(new Balance(4 * Share, 6 * Share), ex.Held(Alice, Yes), "10 − 6 available");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Alice), "a SELL reserves no cash");
    }

    [Fact]
    public void A_BUY_the_available_cash_cannot_cover_is_rejected_with_InsufficientBalance()
    {
        var ex = new Exchange();
        ex.Open(Alice, 3_999_999);

        ex.ExpectRejected(RejectCode.InsufficientBalance, ex.Buy(Alice, Yes, 4_000, 10 * Share), "10 × 0.40 = 4.00 > 3.999999");
        ex.ExpectAccepted(ex.Deposit(Alice, 1), "one more micro-USDC");
        ex.ExpectAccepted(ex.Buy(Alice, Yes, 4_000, 10 * Share), "4.00 available now");
        ex.ExpectRejected(RejectCode.InsufficientBalance, ex.Buy(Alice, Yes, 1_000, 5 * Share), "reserved cash cannot back a second order");
    }

    [Fact]
    public void Selling_shares_that_are_not_held_is_rejected_with_InsufficientPosition()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);

        ex.ExpectRejected(RejectCode.InsufficientPosition, ex.Sell(Alice, Yes, 6_000, 5 * Share), "no naked shorts");
        ex.GiveShares(Alice, No, 10 * Share);
        ex.ExpectRejected(RejectCode.InsufficientPosition, ex.Sell(Alice, Yes, 6_000, 5 * Share), "NO shares do not back a YES sale");
        ex.ExpectRejected(RejectCode.InsufficientPosition, ex.Sell(Alice, No, 6_000, 11 * Share), "11 > 10 held");
        ex.ExpectAccepted(ex.Sell(Alice, No, 6_000, 10 * Share), "all 10 held");
    }

    [Fact]
    public void Shares_reserved_by_an_open_SELL_cannot_be_sold_again()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        var first = ex.Sell(Alice, Yes, 7_000, 6 * Share);

        ex.ExpectRejected(RejectCode.InsufficientPosition, ex.Sell(Alice, Yes, 8_000, 5 * Share), "only 10 − 6 = 4 available");
        ex.ExpectAccepted(ex.Cancel(Alice, first.OrderId), "free the 6");
        ex.ExpectAccepted(ex.Sell(Alice, Yes, 8_000, 5 * Share), "now 10 available");
    }

    [Fact]
    public void Cancelling_releases_exactly_what_the_order_still_reserves()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        var bob = ex.Buy(Bob, Yes, 4_000, 10 * Share); // reserves 4.00
        ex.Sell(Alice, Yes, 4_000, 4 * Share, TimeInForce.Fak); // Bob pays 4 × 0.40 = 1.60
        ex.Expect(2_400_000L, ex.Order(bob.OrderId).Reserved, "6 × 0.40 = 2.40 left for the remainder");

        var cancel = ex.Cancel(Bob, bob.OrderId);

        ex.Expect(6 * Share, cancel.Of(EventKind.OrderCancelled).Single().Remaining, "6 shares cancelled");
        ex.Expect(new Balance(98_400_000, 0), ex.Cash(Bob), "100 − 1.60 paid; the 2.40 is back");
        ex.Expect(new Balance(4 * Share, 0), ex.Held(Bob, Yes), "he keeps what he bought");
    }

    [Fact]
    public void Cancelling_a_partly_filled_SELL_releases_the_unsold_shares()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        var alice = ex.Sell(Alice, Yes, 4_000, 10 * Share);
        ex.Buy(Bob, Yes, 4_000, 3 * Share, TimeInForce.Fak);

        ex.Cancel(Alice, alice.OrderId);

        ex.Expect(new Balance(7 * Share, 0), ex.Held(Alice, Yes), "10 − 3 sold = 7 back to available");
        ex.Expect(new Balance(101_200_000, 0), ex.Cash(Alice), "3 × 0.40 = 1.20 received");
    }

    [Fact]
    public void Withdraw_takes_only_available_cash()
    {
        var ex = new Exchange();
        ex.Open(Alice, 10 * Usdc);
        ex.Buy(Alice, Yes, 4_000, 10 * Share); // 4.00 reserved, 6.00 available

        ex.ExpectRejected(RejectCode.InsufficientBalance, ex.Withdraw(Alice, 6_000_001), "reserved cash cannot be withdrawn");
        ex.ExpectAccepted(ex.Withdraw(Alice, 6 * Usdc), "all the available cash");
        ex.Expect(new Balance(0, 4 * Usdc), ex.Cash(Alice), "the reservation is untouched");
        ex.Expect(6 * Usdc, ex.Engine.TotalWithdrawn, "recorded");
        ex.ExpectRejected(RejectCode.InvalidQuantity, ex.Withdraw(Alice, 0), "amounts are positive");
        ex.ExpectRejected(RejectCode.AccountNotFound, ex.Withdraw(42, 1), "unknown account");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_deposit_must_be_positive_and_go_to_a_registered_account()
    {
        var ex = new Exchange();
        ex.Open(Alice, 0);

        ex.ExpectRejected(RejectCode.InvalidQuantity, ex.Deposit(Alice, 0), "zero");
        ex.ExpectRejected(RejectCode.InvalidQuantity, ex.Deposit(Alice, -5), "negative");
        ex.ExpectRejected(RejectCode.AccountNotFound, ex.Deposit(42, 5), "unknown account");
        ex.ExpectAccepted(ex.Deposit(Alice, 5), "5 micro-USDC");
        ex.Expect(new Balance(5, 0), ex.Cash(Alice), "credited");
    }

    [Fact]
    public void Money_is_conserved_and_supplies_equal_collateral_through_mint_trade_merge_and_withdrawal()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);

        ex.Buy(Alice, Yes, 4_500, 20 * Share);
        ex.Buy(Bob, No, 5_500, 20 * Share); // MINT 20
        ex.ExpectMoneyConserved();
        ex.Sell(Alice, Yes, 6_000, 10 * Share);
        ex.Buy(Carol, Yes, 6_000, 4 * Share, TimeInForce.Fak); // NORMAL 4
        ex.ExpectMoneyConserved();
        ex.Sell(Bob, No, 4_000, 10 * Share); // YES bid 0.60 meets Alice's ask 0.60: MERGE 6
        ex.ExpectMoneyConserved();
        ex.Expect(14 * Usdc, ex.Info().Collateral, "20 minted − 6 merged");
        ex.Withdraw(Carol, 50 * Usdc);
        ex.ExpectMoneyConserved();
    }
}
