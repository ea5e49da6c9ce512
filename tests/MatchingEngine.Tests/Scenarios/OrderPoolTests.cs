namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>How the engine's order pool grows.</summary>
public class OrderPoolTests
{
    [Fact]
    public void A_chunk_of_the_order_pool_stays_under_the_large_object_threshold()
    {
        // An array of 85,000 bytes or more lands on the large-object heap, which only a gen-2 collection compacts.
        var bytes = System.Runtime.CompilerServices.Unsafe.SizeOf<OrderSlot>() << Engine.OrderChunkShift;
        Assert.True(bytes < 85_000, $"{bytes} bytes a chunk");
        Assert.True(bytes > 85_000 / 4, $"{bytes} bytes a chunk: more chunks than needed");
    }

    [Fact]
    public void Orders_spread_over_many_chunks_keep_their_state_and_priority()
    {
        // Start from one chunk's worth and rest several chunks' worth on one level, then cancel every other one.
        var engine = new Engine(new EngineOptions { InitialOrderCapacity = 16 });
        Assert.Equal(RejectCode.None, engine.Apply(Command.CreateMarket(1, 1, 1, new MarketParameters(100))));
        Assert.Equal(RejectCode.None, engine.Apply(Command.RegisterAccount(2, 1, 7)));
        Assert.Equal(RejectCode.None, engine.Apply(Command.Deposit(3, 1, 7, 1_000_000_000_000)));
        var orders = 5 << Engine.OrderChunkShift;
        long sequence = 3;
        for (var i = 1; i <= orders; i++)
        {
            Assert.Equal(RejectCode.None, engine.Apply(Command.Place(++sequence, 1, 7, 1, i, Outcome.Yes, Side.Buy, 5_000, 5_000_000)));
        }

        for (var i = 1; i <= orders; i += 2)
        {
            Assert.Equal(RejectCode.None, engine.Apply(Command.Cancel(++sequence, 1, 7, i)));
        }

        Assert.Equal(orders / 2, engine.OpenOrderCount);
        Assert.Equal(orders / 2, engine.GetOpenOrders(7).Count);
        var level = engine.GetOrdersAt(1, bid: true, bookPrice: 5_000);
        Assert.Equal(Enumerable.Range(1, orders / 2).Select(i => 2L * i), level.Select(o => o.Id));
        Assert.All(level, o => Assert.Equal(5_000_000, o.Remaining));
    }
}
