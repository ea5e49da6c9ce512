using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Units and validation: what an order must look like before the engine looks at the book.</summary>
public sealed class ValidationScenarios
{
    [Fact]
    public void A_price_off_the_tick_grid_is_rejected_with_InvalidTickSize()
    {
        var ex = new Exchange(); // tick 0.01
        ex.Open(Alice, 100 * Usdc);

        ex.ExpectRejected(RejectCode.InvalidTickSize, ex.Buy(Alice, Yes, 3_450, 10 * Share), "0.345 is not a multiple of 0.01");
        ex.ExpectRejected(RejectCode.InvalidTickSize, ex.Sell(Alice, No, 5_001, 10 * Share), "0.5001 is off the grid for a SELL NO too");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Alice), "a rejected order reserves nothing");
        ex.ExpectAccepted(ex.Buy(Alice, Yes, 3_400, 10 * Share), "0.34 is on the 0.01 grid");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-100)]
    [InlineData(10_000)]
    [InlineData(10_100)]
    public void A_price_outside_one_tick_to_one_minus_one_tick_is_rejected_with_InvalidPrice(int price)
    {
        var ex = new Exchange(); // tick 0.01: valid prices are 0.01 .. 0.99
        ex.Open(Alice, 100 * Usdc);

        ex.ExpectRejected(RejectCode.InvalidPrice, ex.Buy(Alice, Yes, price, 10 * Share), $"price {price} is outside [0.01, 0.99]");
    }

    [Fact]
    public void The_extreme_prices_one_tick_and_one_minus_one_tick_are_accepted()
    {
        var ex = new Exchange(new MarketParameters(TickSize: 1_000)); // tick 0.1: prices 0.1 .. 0.9
        ex.Open(Alice, 100 * Usdc);

        ex.ExpectAccepted(ex.Buy(Alice, Yes, 1_000, 10 * Share), "0.1 = tick is the lowest price");
        ex.ExpectAccepted(ex.Buy(Alice, No, 1_000, 10 * Share), "0.1 on NO rests as a YES ask at 0.9 = 1 − tick");
        ex.ExpectRejected(RejectCode.InvalidTickSize, ex.Buy(Alice, Yes, 500, 10 * Share), "0.05 is off the 0.1 grid");
        ex.Expect(1_000, ex.Info().BestBid, "YES bid 0.1");
        ex.Expect(9_000, ex.Info().BestAsk, "YES ask 0.9 from the mirrored NO bid");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(Units.MaxAmount + 1)]
    public void A_size_of_zero_or_less_or_above_the_maximum_is_rejected_with_InvalidQuantity(long size)
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);

        ex.ExpectRejected(RejectCode.InvalidQuantity, ex.Buy(Alice, Yes, 4_000, size), $"size {size}");
        ex.ExpectRejected(RejectCode.InvalidQuantity, ex.BuyWithBudget(Alice, Yes, 4_000, size), $"budget {size}");
    }

    [Fact]
    public void An_order_on_an_unknown_market_is_rejected_with_MarketNotFound()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);

        ex.ExpectRejected(RejectCode.MarketNotFound, ex.Buy(Alice, Yes, 4_000, 10 * Share, market: 7), "market 7 was never created");
    }

    [Fact]
    public void An_order_from_an_unknown_account_or_from_the_fee_account_is_rejected_with_AccountNotFound()
    {
        var ex = new Exchange();

        ex.ExpectRejected(RejectCode.AccountNotFound, ex.Buy(42, Yes, 4_000, 10 * Share), "account 42 is not registered");
        ex.ExpectAccepted(ex.Deposit(Fees, 100 * Usdc), "the fee account is registered automatically");
        ex.ExpectRejected(RejectCode.AccountNotFound, ex.Buy(Fees, Yes, 4_000, 10 * Share), "the fee account cannot trade");
    }

    [Fact]
    public void A_closed_market_rejects_new_orders_with_MarketClosed_but_still_accepts_cancels()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        var resting = ex.Buy(Alice, Yes, 4_000, 10 * Share); // reserves 10 × 0.40 = 4.00

        ex.ExpectAccepted(ex.SetStatus(MarketStatus.Closed), "operator closes the market");
        ex.Expect(MarketStatus.Closed, ex.Info().Status, "status");
        ex.ExpectRejected(RejectCode.MarketClosed, ex.Buy(Alice, Yes, 3_000, 10 * Share), "no new orders on a closed market");
        ex.ExpectTrue(ex.IsOpen(resting.OrderId), "closing does not remove resting orders");

        ex.ExpectAccepted(ex.Cancel(Alice, resting.OrderId), "cancels are still allowed");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Alice), "the 4.00 reservation is released");

        ex.ExpectAccepted(ex.SetStatus(MarketStatus.Active), "operator reopens");
        ex.ExpectAccepted(ex.Buy(Alice, Yes, 3_000, 10 * Share), "an active market takes orders again");
    }

    [Fact]
    public void An_order_id_that_is_already_open_is_rejected_with_DuplicateOrderId_until_that_order_is_gone()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.ExpectAccepted(ex.Buy(Alice, Yes, 4_000, 10 * Share, orderId: 77), "first use of id 77");

        ex.ExpectRejected(RejectCode.DuplicateOrderId, ex.Buy(Alice, No, 3_000, 10 * Share, orderId: 77), "same account, id 77 open");
        ex.ExpectRejected(RejectCode.DuplicateOrderId, ex.Buy(Bob, Yes, 3_000, 10 * Share, orderId: 77), "ids are unique across accounts");

        ex.ExpectAccepted(ex.Cancel(Alice, 77), "cancel frees the id");
        ex.ExpectAccepted(ex.Buy(Bob, Yes, 3_000, 10 * Share, orderId: 77), "an id is only taken while its order is open");
    }

    [Fact]
    public void A_SELL_sized_as_a_budget_is_rejected_with_BudgetOnlyForBuy()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        var sellWithBudget = Command.Place(0, 0, Alice, MainMarket, 5, Yes, Side.Sell, 4_000, 10 * Usdc) with { IsBudget = true };

        ex.ExpectRejected(RejectCode.BudgetOnlyForBuy, ex.Apply(sellWithBudget), "a budget (makerAmount in USDC) only makes sense for a BUY");
    }

    [Fact]
    public void An_outcome_other_than_YES_or_NO_is_rejected_with_InvalidOutcome()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);

        ex.ExpectRejected(RejectCode.InvalidOutcome, ex.Buy(Alice, (Outcome)2, 4_000, 10 * Share), "a binary market has two tokens");
    }

    [Fact]
    public void Checks_run_in_the_documented_order_so_the_first_failing_rule_names_the_code()
    {
        var ex = new Exchange();
        ex.Open(Alice, 1 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Bob, Yes, 10 * Share);
        ex.Sell(Bob, Yes, 6_000, 10 * Share); // best YES ask 0.60

        ex.ExpectRejected(RejectCode.AccountNotFound, ex.Buy(42, Yes, 4_000, 10 * Share, market: 7), "account before market");
        ex.ExpectRejected(RejectCode.InvalidQuantity, ex.Buy(Alice, Yes, 3_450, 0), "quantity before tick");
        ex.ExpectRejected(RejectCode.BudgetOnlyForBuy, ex.Apply(Command.Place(0, 0, Alice, MainMarket, 500, Yes, Side.Sell, 3_450, 10 * Share) with { IsBudget = true }), "budget side before tick");
        ex.ExpectRejected(RejectCode.InvalidTickSize, ex.Buy(Alice, Yes, 3_450, 10 * Share, TimeInForce.Fok, postOnly: true), "tick before post-only TIF");
        ex.ExpectRejected(RejectCode.PostOnlyInvalidTimeInForce, ex.Buy(Alice, Yes, 3_400, 10 * Share, TimeInForce.Fak, postOnly: true, expiration: ex.Now + 1), "post-only TIF before expiration");
        ex.ExpectRejected(RejectCode.InvalidExpiration, ex.Buy(Alice, Yes, 3_400, 1 * Share, TimeInForce.Gtd, expiration: ex.Now + 1), "expiration before minimum size");
        ex.ExpectRejected(RejectCode.BelowMinimumSize, ex.Buy(Alice, Yes, 3_400, 1 * Share), "minimum size before funds (1 share × 0.34 is affordable anyway)");
        ex.ExpectRejected(RejectCode.BelowMinimumNotional, ex.Buy(Alice, Yes, 6_000, 1 * Share, TimeInForce.Fak, postOnly: false), "minimum notional (1 × 0.60 < $1) before funds");
        ex.ExpectRejected(RejectCode.PostOnlyWouldCross, ex.Buy(Alice, Yes, 6_000, 10 * Share, postOnly: true), "post-only cross before funds (10 × 0.60 = 6.00 > 1.00 available)");
        ex.ExpectRejected(RejectCode.InsufficientBalance, ex.Buy(Alice, Yes, 6_000, 10 * Share, TimeInForce.Fok), "funds before FOK fillability");
    }
}
