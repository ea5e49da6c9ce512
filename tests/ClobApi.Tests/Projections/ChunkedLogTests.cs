using System.Runtime.CompilerServices;
using CsCheck;
using Polysim.ClobApi.Projections;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Projections;

/// <summary>The chunked log behind the fill, trade and price projections, against a plain list with an offset.</summary>
[Trait("Mode", "Embedded")]
public sealed class ChunkedLogTests
{
    private static readonly Gen<(int Op, int Amount)> Step = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 3_000]);

    [Fact]
    public void Random_appends_and_drops_read_back_exactly_what_a_list_with_an_offset_holds()
    {
        var pcg = new PCG(11, 20_261_123);
        for (var run = 0; run < 200; run++)
        {
            var log = new ChunkedLog<long>();
            var reference = new List<long>();
            long first = 0;
            long next = 0;
            for (var step = 0; step < 60; step++)
            {
                var (op, amount) = Step.Generate(pcg, null, out _);
                if (op < 6)
                {
                    for (var i = 0; i < amount; i++)
                    {
                        log.Add(next);
                        reference.Add(next++);
                    }
                }
                else if (op < 9)
                {
                    var drop = Math.Min(amount, reference.Count);
                    log.DropBefore(first + drop);
                    reference.RemoveRange(0, drop);
                    first += drop;
                }
                else
                {
                    // Keep a capacity through the capped append, as the projections do.
                    var capacity = Math.Max(1, amount);
                    log.Add(next, capacity);
                    reference.Add(next++);
                    var excess = Math.Max(0, reference.Count - capacity);
                    reference.RemoveRange(0, excess);
                    first += excess;
                }

                Assert.Equal(first, log.First);
                Assert.Equal(first + reference.Count, log.End);
                Assert.Equal(reference.Count, log.Count);
                Assert.Equal(reference, log);
                if (reference.Count > 0)
                {
                    Assert.Equal(reference[0], log[log.First]);
                    Assert.Equal(reference[^1], log[log.End - 1]);
                }
            }
        }
    }

    [Fact]
    public void Positions_outside_the_kept_range_are_refused()
    {
        var log = new ChunkedLog<int>();
        for (var i = 0; i < 10; i++)
        {
            log.Add(i);
        }

        log.DropBefore(4);
        Assert.Throws<ArgumentOutOfRangeException>(() => log[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => log[10]);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.DropBefore(11));
        Assert.Equal(4, log[4]);
        log.DropBefore(2);
        Assert.Equal(4, log.First);
    }

    [Fact]
    public void Chunks_stay_under_the_large_object_heap_threshold_even_for_the_widest_item()
    {
        // The whole point: an array of 85,000 bytes or more goes to the large-object heap and is collected only with gen 2.
        var events = new ChunkedLog<EngineEvent>();
        Assert.True(events.ChunkLength * Unsafe.SizeOf<EngineEvent>() < 85_000, $"{events.ChunkLength} × {Unsafe.SizeOf<EngineEvent>()} bytes");
        Assert.True(events.ChunkLength >= 64);
        var longs = new ChunkedLog<long>();
        Assert.Equal(8_192, longs.ChunkLength);
    }

    [Fact]
    public void A_log_that_appends_and_drops_at_the_same_pace_stops_allocating()
    {
        var log = new ChunkedLog<long>();
        for (var i = 0; i < 100_000; i++)
        {
            log.Add(i, 20_000);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            log.Add(i, 20_000);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(20_000, log.Count);
    }

    [Fact]
    public void Dropped_items_that_hold_references_are_cleared_for_the_collector()
    {
        var log = new ChunkedLog<object>();
        var weak = Fill(log);
        log.DropBefore(log.End);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.False(weak.TryGetTarget(out _));
        Assert.Empty(log);

        [MethodImpl(MethodImplOptions.NoInlining)]
        static WeakReference<object> Fill(ChunkedLog<object> log)
        {
            var item = new object();
            for (var i = 0; i < 3 * log.ChunkLength; i++)
            {
                log.Add(item);
            }

            return new WeakReference<object>(item);
        }
    }
}
