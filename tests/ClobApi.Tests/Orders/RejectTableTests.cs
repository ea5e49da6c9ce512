using Polysim.ClobApi.Api.Orders;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Orders;

public sealed class RejectTableTests
{
    public static TheoryData<RejectCode> Rejections()
    {
        var data = new TheoryData<RejectCode>();
        foreach (var code in Enum.GetValues<RejectCode>().Where(c => c != RejectCode.None))
        {
            data.Add(code);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Every_reject_code_has_an_entry_with_a_status_a_code_and_both_messages(RejectCode code)
    {
        var entry = RejectTable.For(code);

        Assert.Equal(code, entry.Code);
        Assert.Contains(entry.Status, new[] { 400, 404, 409, 422, 500 });
        Assert.Matches("^[A-Z_]+$", entry.PolysimCode);
        Assert.False(string.IsNullOrWhiteSpace(entry.NativeMessage(new RejectContext())));
        Assert.False(string.IsNullOrWhiteSpace(entry.PolymarketMessage(new RejectContext())));
    }

    [Fact]
    public void The_table_has_one_entry_per_rejection_and_none_for_acceptance()
    {
        Assert.Equal(Enum.GetValues<RejectCode>().Length - 1, RejectTable.All.Count);
        Assert.False(RejectTable.Contains(RejectCode.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => RejectTable.For(RejectCode.None));
    }

    [Theory]
    [InlineData(RejectCode.InsufficientBalance, 400, "INSUFFICIENT_BALANCE", "not enough balance / allowance")]
    [InlineData(RejectCode.InsufficientPosition, 400, "INSUFFICIENT_POSITION", "not enough balance / allowance")]
    [InlineData(RejectCode.InvalidQuantity, 400, "INVALID_QUANTITY", "Invalid order payload")]
    [InlineData(RejectCode.FokNotFilled, 400, "FOK_ORDER_NOT_FILLED_ERROR", "order couldn't be fully filled. FOK orders are fully filled or killed.")]
    [InlineData(RejectCode.FakNoMatch, 400, "FOK_ORDER_NOT_FILLED_ERROR", "no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.")]
    [InlineData(RejectCode.InvalidTickSize, 400, "INVALID_ORDER_MIN_TICK_SIZE", "order 0xabc is invalid. Price (0.345) breaks minimum tick size rule: 0.01")]
    [InlineData(RejectCode.BelowMinimumSize, 400, "INVALID_ORDER_MIN_SIZE", "order 0xabc is invalid. Size (1.08) lower than the minimum: 5")]
    [InlineData(RejectCode.BelowMinimumNotional, 400, "INVALID_ORDER_MIN_SIZE", "invalid amount for a marketable BUY order ($0.5), min size: $1")]
    [InlineData(RejectCode.InvalidExpiration, 400, "INVALID_ORDER_EXPIRATION", "invalid expiration")]
    [InlineData(RejectCode.PostOnlyWouldCross, 400, "INVALID_POST_ONLY_ORDER", "invalid post-only order: order crosses book")]
    [InlineData(RejectCode.PostOnlyInvalidTimeInForce, 400, "INVALID_POST_ONLY_ORDER_TYPE", "invalid post-only order: only GTC and GTD order types are allowed")]
    [InlineData(RejectCode.MarketClosed, 400, "MARKET_CLOSED", "the market is not yet ready to process new orders")]
    [InlineData(RejectCode.MarketNotFound, 404, "MARKET_NOT_FOUND", "market not found")]
    [InlineData(RejectCode.OrderNotFound, 404, "ORDER_NOT_FOUND", "order not found")]
    [InlineData(RejectCode.NotOrderOwner, 404, "ORDER_NOT_FOUND", "order not found")]
    [InlineData(RejectCode.DuplicateOrderId, 400, "INVALID_ORDER_DUPLICATED", "order 0xabc is invalid. Duplicated.")]
    [InlineData(RejectCode.SequenceOutOfOrder, 500, "EXECUTION_ERROR", "could not insert order")]
    public void Entries_carry_the_seed_code_and_Polymarkets_exact_string(RejectCode code, int status, string polysimCode, string polymarket)
    {
        var context = new RejectContext { OrderId = "0xabc", Price = "0.345", TickSize = "0.01", Size = "1.08", MinimumSize = "5", Notional = "0.5" };

        var entry = RejectTable.For(code);

        Assert.Equal(status, entry.Status);
        Assert.Equal(polysimCode, entry.PolysimCode);
        Assert.Equal(polymarket, entry.PolymarketMessage(context));
    }
}
