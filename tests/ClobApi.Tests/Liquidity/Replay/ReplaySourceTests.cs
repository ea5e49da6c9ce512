using System.Globalization;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Replay;
using Xunit.Abstractions;
using static Polysim.ClobApi.Tests.Liquidity.Replay.ReplayKit;

namespace Polysim.ClobApi.Tests.Liquidity.Replay;

/// <summary>The replay source on its virtual clock: timing, pause, steps, run-until, stepped and max modes, ordering at one timestamp.</summary>
[Trait("Mode", "Embedded")]
public sealed class ReplaySourceTests(ITestOutputHelper output)
{
    [Fact]
    public void Sixty_seconds_of_data_at_speed_10_take_six_seconds_of_host_time()
    {
        // Research §5 test 9: wall-time / data-time = 0.1 ± 5 %, under a FakeTimeProvider polled every 10 ms.
        var time = NewTime();
        var venue = NewVenue();
        var clock = VirtualClock.Scaled(10);
        var sink = new RecordingSink { DataNow = () => clock.DataNowNs(time) };
        var events = Every(50 * Ms, 1_201); // 0 … 60 s of data
        using var source = new ReplaySource(1, events, clock, sink);
        source.Start(time.Now());

        var polls = 0;
        while (source.State != ReplayState.Finished)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            source.Advance(venue, time.Now());
            Assert.True(++polls < 100_000, "the replay never finished");
        }

        var wallMs = time.Now() - WallStartMs;
        var dataMs = (events[^1].TsNs - events[0].TsNs) / Ms;
        var ratio = (double)wallMs / dataMs;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"data {dataMs} ms replayed in {wallMs} ms of host time: wall/data = {ratio:F4} ({polls} polls)"));
        Assert.InRange(ratio, 0.095, 0.105);
        Assert.Equal(events, sink.Events);

        // Never early, and at most one poll (10 ms of host time = 100 ms of data) late.
        for (var i = 0; i < events.Count; i++)
        {
            Assert.InRange(sink.DataTimes[i] - events[i].TsNs, 0, 100 * Ms);
        }
    }

    [Fact]
    public void Driven_by_its_wake_up_times_a_speed_10_replay_delivers_each_event_exactly_when_due()
    {
        var time = NewTime();
        var venue = NewVenue();
        var clock = VirtualClock.Scaled(10);
        var sink = new RecordingSink { DataNow = () => clock.DataNowNs(time) };
        var events = Every(50 * Ms, 1_201);
        using var source = new ReplaySource(1, events, clock, sink);
        source.Start(time.Now());

        var advances = source.RunWhileRunning(time, venue);

        Assert.Equal(ReplayState.Finished, source.State);
        Assert.Equal(6_000, time.Now() - WallStartMs); // 60 s of data / 10, to the millisecond
        Assert.Equal(events.Select(e => e.TsNs), sink.DataTimes); // each delivered the moment it fell due
        Assert.Equal(1_201, advances); // one wake-up per timestamp (the first is due at the start)
    }

    [Fact]
    public void Pausing_stops_delivery_and_resuming_continues_from_the_same_data_time()
    {
        var time = NewTime();
        var venue = NewVenue();
        var sink = new RecordingSink();
        using var source = new ReplaySource(1, Every(Second, 10), VirtualClock.RealTime(), sink);
        source.Start(time.Now());
        time.Advance(TimeSpan.FromMilliseconds(2_500));
        source.Advance(venue, time.Now());
        Assert.Equal(3, sink.Events.Count); // 0, 1 and 2 s

        source.Pause(time.Now());
        time.Advance(TimeSpan.FromHours(1));
        source.Advance(venue, time.Now());

        Assert.Equal(3, sink.Events.Count);
        Assert.Equal(ReplayState.Paused, source.State);
        Assert.Equal(long.MaxValue, source.NextWakeMs);
        Assert.Equal(DataStartNs + (2_500 * Ms), source.Position.DataTimeNs);

        source.Resume(time.Now());
        time.Advance(TimeSpan.FromMilliseconds(499));
        source.Advance(venue, time.Now());
        Assert.Equal(3, sink.Events.Count); // data time 2.999 s
        time.Advance(TimeSpan.FromMilliseconds(1));
        source.Advance(venue, time.Now());
        Assert.Equal(4, sink.Events.Count); // 3 s, half a second of host time after resuming
    }

    [Fact]
    public void Stepping_n_events_delivers_exactly_n_even_inside_one_timestamp()
    {
        var time = NewTime();
        var venue = NewVenue();
        var sink = new RecordingSink();
        List<ReplayEvent> events =
        [
            Event(DataStartNs, seq: 0),
            Event(DataStartNs + Second, seq: 1),
            Event(DataStartNs + Second, seq: 2),
            Event(DataStartNs + Second, seq: 3),
            Event(DataStartNs + (5 * Second), seq: 4),
        ];
        using var source = new ReplaySource(1, events, VirtualClock.Scaled(100), sink);
        source.Start(time.Now());
        source.StepEvents(2, time.Now());
        source.RunWhileRunning(time, venue);

        Assert.Equal([0L, 1L], sink.Events.Select(e => e.Seq));
        Assert.Equal(ReplayState.Paused, source.State);
        Assert.Equal(DataStartNs + Second, source.Position.DataTimeNs);

        source.StepEvents(2, time.Now());
        source.Advance(venue, time.Now());

        Assert.Equal([0L, 1L, 2L, 3L], sink.Events.Select(e => e.Seq));
        Assert.Equal(ReplayState.Paused, source.State);
        time.Advance(TimeSpan.FromHours(1));
        source.Advance(venue, time.Now());
        Assert.Equal(4, sink.Events.Count); // paused: host time alone delivers nothing
    }

    [Theory]
    [InlineData(ReplayClockMode.RealTime)]
    [InlineData(ReplayClockMode.Scaled)]
    [InlineData(ReplayClockMode.Stepped)]
    [InlineData(ReplayClockMode.Max)]
    public void Run_until_stops_exactly_at_its_time_in_every_mode(ReplayClockMode mode)
    {
        var time = NewTime();
        var venue = NewVenue();
        var sink = new RecordingSink();
        var clock = mode switch
        {
            ReplayClockMode.RealTime => VirtualClock.RealTime(),
            ReplayClockMode.Scaled => VirtualClock.Scaled(7.5),
            ReplayClockMode.Stepped => VirtualClock.Stepped(),
            _ => VirtualClock.AsFastAsPossible(),
        };
        using var source = new ReplaySource(1, Every(Second, 11), clock, sink, new ReplaySourceOptions { MaxEventsPerAdvance = 2 });
        source.Start(time.Now());

        source.RunUntil(DataStartNs + (4_500 * Ms), time.Now());
        source.RunWhileRunning(time, venue);

        Assert.Equal([0L, 1L, 2L, 3L, 4L], sink.Events.Select(e => e.Seq));
        Assert.Equal(ReplayState.Paused, source.State);
        Assert.Equal(DataStartNs + (4_500 * Ms), source.Position.DataTimeNs);

        // A time that is an event's own: that event is included, the next is not.
        source.RunUntil(DataStartNs + (7 * Second), time.Now());
        source.RunWhileRunning(time, venue);

        Assert.Equal(8, sink.Events.Count);
        Assert.Equal(DataStartNs + (7 * Second), source.Position.DataTimeNs);
        time.Advance(TimeSpan.FromHours(1));
        source.Advance(venue, time.Now());
        Assert.Equal(8, sink.Events.Count);
        Assert.Equal(new ReplayPosition(DataStartNs + (7 * Second), 8, 3, DataStartNs + (7 * Second)), source.Position);
    }

    [Fact]
    public void A_stepped_clock_moves_only_by_steps_of_time_or_events()
    {
        var time = NewTime();
        var venue = NewVenue();
        var sink = new RecordingSink();
        using var source = new ReplaySource(1, Every(Second, 10), VirtualClock.Stepped(), sink);
        source.Start(time.Now());
        Assert.Equal(ReplayState.Running, source.State); // the event at the start time is due at once
        source.Advance(venue, time.Now());
        Assert.Single(sink.Events);

        time.Advance(TimeSpan.FromDays(1));
        source.Advance(venue, time.Now());
        Assert.Single(sink.Events);
        Assert.Equal(ReplayState.Paused, source.State);

        source.StepTime(2_500 * Ms, time.Now());
        source.Advance(venue, time.Now());
        Assert.Equal(3, sink.Events.Count); // 1 and 2 s
        Assert.Equal(DataStartNs + (2_500 * Ms), source.Position.DataTimeNs);

        source.StepEvents(3, time.Now());
        source.Advance(venue, time.Now());
        Assert.Equal(6, sink.Events.Count); // 3, 4 and 5 s
        Assert.Equal(DataStartNs + (5 * Second), source.Position.DataTimeNs);

        source.Resume(time.Now()); // stepped mode only steps
        time.Advance(TimeSpan.FromDays(1));
        source.Advance(venue, time.Now());
        Assert.Equal(6, sink.Events.Count);
    }

    [Fact]
    public void At_one_timestamp_trades_go_before_depth_changes_and_otherwise_source_order_holds()
    {
        var time = NewTime();
        var venue = NewVenue();
        var sink = new RecordingSink();
        var t = DataStartNs;
        List<ReplayEvent> events =
        [
            Event(t, ReplayEventKind.Snapshot, 0),
            Event(t + Second, ReplayEventKind.Level, 1),
            Event(t + Second, ReplayEventKind.Level, 2),
            Event(t + Second, ReplayEventKind.Trade, 3),
            Event(t + Second, ReplayEventKind.Level, 4),
            Event(t + Second, ReplayEventKind.Trade, 5),
            Event(t + Second, ReplayEventKind.Gap, 6), // a fixed point: nothing moves across it
            Event(t + Second, ReplayEventKind.Snapshot, 7),
            Event(t + Second, ReplayEventKind.Trade, 8),
            Event(t + (2 * Second), ReplayEventKind.Level, 9),
            Event(t + (2 * Second), ReplayEventKind.Trade, 10),
        ];
        using var source = new ReplaySource(1, events, VirtualClock.AsFastAsPossible(), sink);
        source.Start(time.Now());

        source.RunWhileRunning(time, venue);

        Assert.Equal([0L, 3L, 5L, 1L, 2L, 4L, 6L, 8L, 7L, 10L, 9L], sink.Events.Select(e => e.Seq));
        Assert.Equal(4, source.TradesMovedAheadOfDepth);
        Assert.Equal(ReplayState.Finished, source.State);
    }

    [Fact]
    public void At_max_speed_a_long_recording_is_delivered_in_bounded_batches_and_asks_to_be_woken_at_once()
    {
        var time = NewTime();
        var venue = NewVenue();
        var sink = new RecordingSink();
        using var source = new ReplaySource(1, Every(Ms, 1_000), VirtualClock.AsFastAsPossible(), sink, new ReplaySourceOptions { MaxEventsPerAdvance = 100 });
        source.Start(time.Now());

        source.Advance(venue, time.Now());
        Assert.Equal(100, sink.Events.Count);
        Assert.Equal(time.Now(), source.NextWakeMs);

        var advances = source.RunWhileRunning(time, venue);

        Assert.Equal(9, advances);
        Assert.Equal(1_000, sink.Events.Count);
        Assert.Equal(WallStartMs, time.Now()); // no host time passed
        Assert.Equal(long.MaxValue, source.NextWakeMs);
    }

    [Fact]
    public void Position_counts_what_was_consumed_and_what_remains_when_the_length_is_known()
    {
        var time = NewTime();
        var venue = NewVenue();
        using var known = new ReplaySource(1, Every(Second, 5), VirtualClock.RealTime(), new RecordingSink());
        using var lazy = new ReplaySource(1, Lazy(5), VirtualClock.RealTime(), new RecordingSink());
        Assert.Equal((ReplayState.Idle, new ReplayPosition(0, 0, 5, 0)), (known.State, known.Position));
        known.Start(time.Now());
        lazy.Start(time.Now());

        time.Advance(TimeSpan.FromMilliseconds(1_200));
        known.Advance(venue, time.Now());
        lazy.Advance(venue, time.Now());

        Assert.Equal(new ReplayPosition(DataStartNs + (1_200 * Ms), 2, 3, DataStartNs + Second), known.Position);
        Assert.Equal(new ReplayPosition(DataStartNs + (1_200 * Ms), 2, null, DataStartNs + Second), lazy.Position);

        static IEnumerable<ReplayEvent> Lazy(int count)
        {
            foreach (var e in Every(Second, count))
            {
                yield return e;
            }
        }
    }

    [Fact]
    public void Changing_speed_mid_run_keeps_data_time_continuous()
    {
        var time = NewTime();
        var venue = NewVenue();
        var sink = new RecordingSink();
        using var source = new ReplaySource(1, Every(Second, 100), VirtualClock.RealTime(), sink);
        source.Start(time.Now());
        time.Advance(TimeSpan.FromSeconds(10));
        source.Advance(venue, time.Now());
        Assert.Equal(11, sink.Events.Count);

        source.SetRate(ReplayClockMode.Scaled, 4, time.Now());
        Assert.Equal(DataStartNs + (10 * Second), source.Position.DataTimeNs);
        time.Advance(TimeSpan.FromSeconds(5));
        source.Advance(venue, time.Now());

        Assert.Equal(DataStartNs + (30 * Second), source.Position.DataTimeNs); // 10 s + 5 s × 4
        Assert.Equal(31, sink.Events.Count);
    }

    [Fact]
    public void Freshness_is_the_sinks_and_withdrawing_withdraws_the_sink_and_pauses()
    {
        var time = NewTime();
        var venue = NewVenue();
        var sink = new RecordingSink { Freshness = BookFreshness.Stale };
        using var source = new ReplaySource(1, Every(Second, 10), VirtualClock.RealTime(), sink);
        source.Start(time.Now());
        Assert.Equal(BookFreshness.Stale, source.Freshness);
        sink.Freshness = BookFreshness.Fresh;
        Assert.Equal(BookFreshness.Fresh, source.Freshness);

        source.Withdraw(venue);
        time.Advance(TimeSpan.FromSeconds(5));
        source.Advance(venue, time.Now());

        Assert.Equal(1, sink.Withdrawals);
        Assert.Equal(ReplayState.Paused, source.State);
        Assert.Single(sink.Events); // only the event due at the start
    }

    [Fact]
    public void Before_it_starts_a_replay_delivers_nothing_and_never_wakes()
    {
        var time = NewTime();
        var sink = new RecordingSink();
        using var source = new ReplaySource(1, Every(Second, 3), VirtualClock.RealTime(), sink);

        time.Advance(TimeSpan.FromHours(1));
        source.Advance(NewVenue(), time.Now());

        Assert.Empty(sink.Events);
        Assert.Equal((ReplayState.Idle, long.MaxValue), (source.State, source.NextWakeMs));
    }
}
