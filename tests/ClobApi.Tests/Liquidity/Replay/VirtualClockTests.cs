using Polysim.ClobApi.Liquidity.Replay;
using static Polysim.ClobApi.Tests.Liquidity.Replay.ReplayKit;

namespace Polysim.ClobApi.Tests.Liquidity.Replay;

/// <summary>The clock's mapping from host time to data time, on its own.</summary>
[Trait("Mode", "Embedded")]
public sealed class VirtualClockTests
{
    [Fact]
    public void Data_time_is_the_start_plus_elapsed_host_time_times_the_speed()
    {
        var clock = VirtualClock.Scaled(2.5);
        clock.Start(DataStartNs, WallStartMs);

        Assert.Equal(DataStartNs, clock.DataNowNs(WallStartMs));
        Assert.Equal(DataStartNs + (2_500 * Ms), clock.DataNowNs(WallStartMs + 1_000));
        Assert.Equal(DataStartNs + (2_500 * 3_600 * Ms), clock.DataNowNs(WallStartMs + 3_600_000));
        Assert.Equal(DataStartNs, clock.DataNowNs(WallStartMs - 5_000)); // host time before the start does not run it backwards
        Assert.Equal(2_500_000, clock.SpeedPpm);
    }

    [Fact]
    public void The_host_time_an_instant_falls_due_is_the_first_millisecond_at_which_data_time_reaches_it()
    {
        var clock = VirtualClock.Scaled(3);
        clock.Start(DataStartNs, WallStartMs);
        var target = DataStartNs + (1_000 * Ms) + 1; // just past 1 s of data: 333.33… ms of host time

        var wake = clock.WallMsAt(target);

        Assert.Equal(WallStartMs + 334, wake);
        Assert.True(clock.DataNowNs(wake) >= target);
        Assert.True(clock.DataNowNs(wake - 1) < target);
    }

    [Fact]
    public void Pausing_freezes_data_time_and_resuming_re_anchors_it()
    {
        var clock = VirtualClock.Scaled(10);
        clock.Start(DataStartNs, WallStartMs);
        clock.Pause(WallStartMs + 100); // 1 s of data

        Assert.True(clock.IsPaused);
        Assert.Equal(DataStartNs + Second, clock.DataNowNs(WallStartMs + 50_000));
        Assert.Equal(long.MaxValue, clock.WallMsAt(DataStartNs + (2 * Second)));

        clock.Resume(WallStartMs + 50_000);
        Assert.Equal(DataStartNs + (2 * Second), clock.DataNowNs(WallStartMs + 50_100));
    }

    [Fact]
    public void Speeds_outside_the_accepted_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VirtualClock.Scaled(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => VirtualClock.Scaled(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => VirtualClock.Scaled(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => VirtualClock.Scaled(VirtualClock.MaxSpeed * 2));
        Assert.Throws<InvalidOperationException>(() => VirtualClock.RealTime().Pause(WallStartMs));
    }

    [Fact]
    public void Run_until_limits_data_time_and_stop_at_limit_freezes_it_there()
    {
        var clock = VirtualClock.RealTime();
        clock.Start(DataStartNs, WallStartMs);
        clock.RunUntil(DataStartNs + (3 * Second), WallStartMs);

        Assert.Equal(DataStartNs + (3 * Second), clock.DataNowNs(WallStartMs + 10_000));
        Assert.True(clock.LimitReached(WallStartMs + 3_000));
        Assert.False(clock.LimitReached(WallStartMs + 2_999));
        clock.StopAtLimit();

        Assert.True(clock.IsPaused);
        Assert.Null(clock.LimitNs);
        Assert.Equal(DataStartNs + (3 * Second), clock.PositionNs(WallStartMs + 60_000));
    }
}
