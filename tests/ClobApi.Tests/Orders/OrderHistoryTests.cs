using Polysim.ClobApi.Api.Orders;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Projections;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Orders;

public sealed class OrderHistoryTests
{
    private const long Ts = 1_767_225_600_000;
    private const int Wallet = 1_000;
    private const int Account = 7;
    private const long Share = Units.AmountScale;

    private static (HostState State, Func<Command, EngineOutcome> Apply) NewState()
    {
        var state = new HostState(new EngineOptions { FeeAccount = 0 });
        long sequence = 0;
        EngineOutcome Apply(Command c) => state.ApplyCommand(c with { Sequence = ++sequence, Timestamp = Ts });
        Apply(Command.CreateMarket(0, 0, 1, new MarketParameters(100)));
        Apply(Command.RegisterAccount(0, 0, Wallet));
        Apply(Command.Deposit(0, 0, Wallet, 1_000_000 * Share));
        return (state, Apply);
    }

    private static long Place(HostState state, Func<Command, EngineOutcome> apply, string? clientId, int price = 1_000, long shares = 5 * Share)
    {
        var id = state.Engine.LastSequence + 1;
        state.ApplyRecord(new OrderSubmitted(id, Account, Wallet, clientId, "123", "limit", Ts));
        apply(Command.Place(0, 0, Wallet, 1, id, Outcome.Yes, Side.Buy, price, shares));
        return id;
    }

    [Fact]
    public void Each_wallet_keeps_its_newest_finished_orders_and_forgets_the_oldest_with_their_client_order_ids()
    {
        var (state, apply) = NewState();
        var first = Place(state, apply, "c-0");
        apply(Command.Cancel(0, 0, Wallet, first));
        for (var i = 1; i <= OrderHistory.MaxFinishedPerWallet; i++)
        {
            apply(Command.Cancel(0, 0, Wallet, Place(state, apply, "c-" + i)));
        }

        var open = Place(state, apply, "still-open");

        Assert.Equal(OrderHistory.MaxFinishedPerWallet + 1, state.Orders.Count);
        Assert.Null(state.Orders.Find(first));
        Assert.Null(state.Orders.FindByClientOrderId(Account, "c-0"));
        Assert.NotNull(state.Orders.FindByClientOrderId(Account, "c-1"));
        Assert.Equal(OrderStatus.Open, state.Orders.Find(open)!.Status);
        Assert.Equal(open, state.Orders.ListWallet(Wallet).First().EngineId);
        Assert.Equal(OrderHistory.MaxFinishedPerWallet + 1, state.Orders.CountWallet(Wallet));
    }

    [Fact]
    public void Forgetting_if_finished_drops_a_cancelled_order_with_its_ids_and_leaves_an_open_one()
    {
        var (state, apply) = NewState();
        var cancelled = Place(state, apply, "gone");
        apply(Command.Cancel(0, 0, Wallet, cancelled));
        var open = Place(state, apply, "kept");
        var publicId = state.Orders.Find(cancelled)!.PublicId;

        state.Orders.ForgetIfFinished(cancelled);
        state.Orders.ForgetIfFinished(open);
        state.Orders.ForgetIfFinished(999_999);

        Assert.Null(state.Orders.Find(cancelled));
        Assert.Null(state.Orders.FindByPublicId(publicId));
        Assert.Null(state.Orders.FindByClientOrderId(Account, "gone"));
        Assert.Equal(OrderStatus.Open, state.Orders.Find(open)!.Status);
        Assert.Equal([open], state.Orders.ListWallet(Wallet).Select(o => o.EngineId));
    }

    [Fact]
    public void Metadata_of_a_rejected_or_abandoned_placement_is_dropped()
    {
        var (state, apply) = NewState();

        var rejected = Place(state, apply, "too-big", shares: 90_000_000 * Share);
        state.ApplyRecord(new OrderSubmitted(state.Engine.LastSequence + 1, Account, Wallet, "abandoned", "123", "limit", Ts));
        apply(Command.AdvanceTime(0, 0));
        var bare = state.Engine.LastSequence + 1;
        apply(Command.Place(0, 0, Wallet, 1, bare, Outcome.Yes, Side.Buy, 1_000, 5 * Share));

        Assert.Null(state.Orders.Find(rejected));
        Assert.Null(state.Orders.FindByClientOrderId(Account, "too-big"));
        Assert.Null(state.Orders.FindByClientOrderId(Account, "abandoned"));
        var order = state.Orders.Find(bare)!;
        Assert.Null(order.ClientOrderId);
        Assert.Equal(-1, order.AccountId);
        Assert.Equal(string.Empty, order.TokenId);
    }

    [Fact]
    public void Fills_are_capped_per_order_while_the_totals_count_every_fill()
    {
        var (state, apply) = NewState();
        apply(Command.RegisterAccount(0, 0, Wallet + 1));
        apply(Command.Deposit(0, 0, Wallet + 1, 1_000_000 * Share));
        var maker = Place(state, apply, "big-bid", price: 5_000, shares: 2_000 * Share);
        for (var i = 0; i < OrderHistory.MaxFillsPerOrder + 10; i++)
        {
            var id = state.Engine.LastSequence + 1;
            apply(Command.Place(0, 0, Wallet + 1, 1, id, Outcome.No, Side.Buy, 5_000, 2 * Share, TimeInForce.Fak));
        }

        var order = state.Orders.Find(maker)!;
        Assert.Equal(OrderHistory.MaxFillsPerOrder, order.Fills.Count);
        Assert.Equal(OrderHistory.MaxFillsPerOrder + 10, order.FillCount);
        Assert.Equal((OrderHistory.MaxFillsPerOrder + 10) * 2 * Share, order.Filled);
        Assert.Equal(OrderStatus.PartiallyFilled, order.Status);
    }

    [Fact]
    public void Orders_spread_over_several_chunks_with_reused_slots_are_each_found_with_their_own_fields()
    {
        var (state, apply) = NewState();
        var count = OrderHistory.RowsPerChunk * 3;
        var placed = new List<(long Id, int Price, long Shares, string ClientId)>();
        for (var i = 0; i < count; i++)
        {
            var (price, shares) = (100 * (1 + (i % 98)), (5 + (i % 7)) * Share);
            placed.Add((Place(state, apply, $"a-{i}", price, shares), price, shares, $"a-{i}"));
        }

        // Free the slots of every other order, then place as many again: the new orders take the freed slots first.
        var forgotten = new List<(long Id, string PublicId, string ClientId)>();
        for (var i = 0; i < count; i += 2)
        {
            var (id, _, _, clientId) = placed[i];
            var outcome = apply(Command.Cancel(0, 0, Wallet, id));
            Assert.True(outcome.Accepted, $"{i} {id} {outcome.Code} {state.Orders.Find(id)?.Status}");
            forgotten.Add((id, state.Orders.Find(id)!.PublicId, clientId));
            state.Orders.ForgetIfFinished(id);
        }

        placed = [.. placed.Where((_, i) => i % 2 == 1)];
        for (var i = 0; i < count; i++)
        {
            var (price, shares) = (9_000 - (100 * (i % 80)), (8 + (i % 5)) * Share);
            placed.Add((Place(state, apply, $"b-{i}", price, shares), price, shares, $"b-{i}"));
        }

        Assert.Equal(placed.Count, state.Orders.Count);
        foreach (var (id, price, shares, clientId) in placed)
        {
            var order = state.Orders.Find(id)!;
            Assert.Equal((id, price, shares, clientId, OrderStatus.Open), (order.EngineId, order.Price, order.Quantity, order.ClientOrderId, order.Status));
            Assert.Equal(PublicIds.Order(id), order.PublicId);
            Assert.Equal(id, state.Orders.FindByPublicId(order.PublicId)!.EngineId);
            Assert.Equal(id, state.Orders.FindByPublicId(order.PublicId.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal))!.EngineId);
            Assert.Equal(id, state.Orders.FindByClientOrderId(Account, clientId)!.EngineId);
        }

        foreach (var (id, publicId, clientId) in forgotten)
        {
            Assert.Null(state.Orders.Find(id));
            Assert.Null(state.Orders.FindByPublicId(publicId));
            Assert.Null(state.Orders.FindByClientOrderId(Account, clientId));
        }
    }

    [Fact]
    public void A_chunk_of_order_rows_stays_under_the_large_object_threshold()
    {
        var bytes = OrderHistory.RowsPerChunk * System.Runtime.CompilerServices.Unsafe.SizeOf<OrderRow>();

        Assert.InRange(bytes, 40_000, 84_999);
    }

    [Theory]
    [InlineData("0x", false)]
    [InlineData("0x00", false)]
    [InlineData("1x0000000000000000000000000000000000000000000000000000000000000000", false)]
    [InlineData("0x000000000000000000000000000000000000000000000000000000000000000g", false)]
    [InlineData("0x00000000000000000000000000000000000000000000000000000000000000000", false)]
    [InlineData("0X00000000000000000000000000000000000000000000000000000000000000aB", true)]
    [InlineData("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", true)]
    public void An_order_key_parses_only_0x_and_64_hex_digits_and_prints_them_back_in_lowercase(string text, bool valid)
    {
        Assert.Equal(valid, OrderKey.TryParse(text, out var key));
        if (valid)
        {
            Assert.Equal("0x" + text[2..].ToLowerInvariant(), key.ToString());
        }
    }

    [Fact]
    public void Listing_a_wallet_with_a_filter_yields_only_the_matching_orders_newest_first()
    {
        var (state, apply) = NewState();
        var cancelled = Place(state, apply, null, price: 1_000);
        apply(Command.Cancel(0, 0, Wallet, cancelled));
        var low = Place(state, apply, null, price: 1_100);
        var high = Place(state, apply, null, price: 1_200);

        Assert.Equal([high, low], state.Orders.ListWallet(Wallet, filter: new OrderFilter(OpenOnly: true)).Select(o => o.EngineId));
        Assert.Equal([cancelled], state.Orders.ListWallet(Wallet, filter: new OrderFilter(Status: OrderStatus.Cancelled)).Select(o => o.EngineId));
        Assert.Equal([low], state.Orders.ListWallet(Wallet, before: high, filter: new OrderFilter(Side: Side.Buy, Market: 1, OpenOnly: true)).Select(o => o.EngineId));
        Assert.Empty(state.Orders.ListWallet(Wallet, filter: new OrderFilter(Side: Side.Sell)));
    }
}
