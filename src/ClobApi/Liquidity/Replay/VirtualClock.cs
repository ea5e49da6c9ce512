namespace Polysim.ClobApi.Liquidity.Replay;

/// <summary>How a <see cref="VirtualClock"/> turns host time into data time.</summary>
public enum ReplayClockMode : byte
{
    /// <summary>Data time moves with host time (speed 1).</summary>
    RealTime = 0,

    /// <summary>Data time moves <see cref="VirtualClock.Speed"/> times as fast as host time.</summary>
    Scaled,

    /// <summary>Data time moves only when told to: by a step of time or of events, or a run to a time.</summary>
    Stepped,

    /// <summary>As fast as possible: every event is due at once (up to a run-until limit).</summary>
    Max,
}

/// <summary>The replay clock: maps host time (Unix ms) to data time (Unix ns), <c>t_virt = t_data0 + (t_wall − t_wall0) · speed</c>.</summary>
/// <remarks>
/// <para>Pure: it never reads a clock; every method that depends on "now" takes the host time it is given (the
/// <c>nowMs</c> a liquidity source's <c>Advance</c> receives, or <see cref="WallMs(TimeProvider)"/>). Pausing, resuming and
/// changing speed re-anchor the mapping at the current data time, so data time never jumps and never runs backwards.</para>
/// <para>Speed is held as an integer number of millionths: a millisecond of host time is then exactly
/// <c>speed × 10⁶</c> nanoseconds × 10⁻⁶ = <c>SpeedPpm</c> nanoseconds of data time, with no floating point in the mapping,
/// so the same host times always give the same data times.</para>
/// </remarks>
public sealed class VirtualClock
{
    /// <summary>Data nanoseconds per host millisecond at speed 1.</summary>
    public const long NanosPerMs = 1_000_000;

    /// <summary>Largest speed accepted for <see cref="ReplayClockMode.Scaled"/> (beyond it, use <see cref="ReplayClockMode.Max"/>).</summary>
    public const double MaxSpeed = 1_000_000;

    private ReplayClockMode _mode;
    private long _speedPpm;
    private long _anchorWallMs;
    private long _anchorDataNs;
    private long _frozenDataNs;
    private long _reachedNs = long.MinValue;
    private bool _paused = true;

    private VirtualClock(ReplayClockMode mode, long speedPpm)
    {
        _mode = mode;
        _speedPpm = speedPpm;
    }

    /// <summary>A clock whose data time moves with host time.</summary>
    public static VirtualClock RealTime() => new(ReplayClockMode.RealTime, 1_000_000);

    /// <summary>A clock whose data time moves <paramref name="speed"/> times as fast as host time (0 &lt; speed ≤ <see cref="MaxSpeed"/>).</summary>
    public static VirtualClock Scaled(double speed) => new(ReplayClockMode.Scaled, ToPpm(speed));

    /// <summary>A clock that moves only by steps and runs-until.</summary>
    public static VirtualClock Stepped() => new(ReplayClockMode.Stepped, 0);

    /// <summary>A clock under which every event is due at once ("max" speed).</summary>
    public static VirtualClock AsFastAsPossible() => new(ReplayClockMode.Max, 0);

    /// <summary>The host time of a <see cref="TimeProvider"/> in Unix milliseconds.</summary>
    public static long WallMs(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>The current mode.</summary>
    public ReplayClockMode Mode => _mode;

    /// <summary>Data seconds per host second: 1 in real time, the factor when scaled, 0 when stepped, +∞ at max.</summary>
    public double Speed => _mode switch
    {
        ReplayClockMode.Stepped => 0,
        ReplayClockMode.Max => double.PositiveInfinity,
        _ => _speedPpm / 1_000_000.0,
    };

    /// <summary>Data nanoseconds per host millisecond (speed in millionths); 0 when stepped or at max.</summary>
    public long SpeedPpm => _mode is ReplayClockMode.RealTime or ReplayClockMode.Scaled ? _speedPpm : 0;

    /// <summary>Whether <see cref="Start"/> has been called.</summary>
    public bool IsStarted { get; private set; }

    /// <summary>Whether data time stands still (paused, or stepped between steps).</summary>
    public bool IsPaused => !IsStarted || _paused || _mode == ReplayClockMode.Stepped;

    /// <summary>Data time (Unix ns) the clock started at.</summary>
    public long StartDataNs { get; private set; }

    /// <summary>Host time (Unix ms) the clock started at.</summary>
    public long StartWallMs { get; private set; }

    /// <summary>Data time (Unix ns) the clock stops at, set by <see cref="RunUntil"/>; null when none.</summary>
    public long? LimitNs { get; private set; }

    /// <summary>Starts data time at <paramref name="dataStartNs"/> at host time <paramref name="wallMs"/>; running unless stepped.</summary>
    public void Start(long dataStartNs, long wallMs)
    {
        IsStarted = true;
        StartDataNs = dataStartNs;
        StartWallMs = wallMs;
        _anchorDataNs = _frozenDataNs = dataStartNs;
        _anchorWallMs = wallMs;
        _reachedNs = dataStartNs;
        _paused = false;
        LimitNs = null;
    }

    /// <summary>Data time (Unix ns) at host time <paramref name="wallMs"/>; <see cref="long.MaxValue"/> while running at max speed without a limit.</summary>
    public long DataNowNs(long wallMs)
    {
        if (!IsStarted)
        {
            return long.MinValue;
        }

        if (IsPaused)
        {
            return _frozenDataNs;
        }

        long raw;
        if (_mode == ReplayClockMode.Max)
        {
            raw = long.MaxValue;
        }
        else
        {
            var elapsed = Math.Max(0, wallMs - _anchorWallMs);
            var advanced = (Int128)elapsed * _speedPpm;
            raw = advanced >= long.MaxValue - _anchorDataNs ? long.MaxValue : _anchorDataNs + (long)advanced;
        }

        return LimitNs is { } limit ? Math.Min(raw, limit) : raw;
    }

    /// <summary>Data time at the host time of <paramref name="time"/>.</summary>
    public long DataNowNs(TimeProvider time) => DataNowNs(WallMs(time));

    /// <summary>The earliest host time (Unix ms) at which data time reaches <paramref name="dataNs"/> if the clock keeps running.</summary>
    /// <returns><see cref="long.MaxValue"/> while paused or stepped (host time alone never gets there); the anchor time at max speed.</returns>
    public long WallMsAt(long dataNs)
    {
        if (IsPaused)
        {
            return dataNs <= _frozenDataNs ? long.MinValue : long.MaxValue;
        }

        if (_mode == ReplayClockMode.Max || dataNs <= _anchorDataNs)
        {
            return _anchorWallMs;
        }

        var distance = (Int128)dataNs - _anchorDataNs;
        var ms = (distance + _speedPpm - 1) / _speedPpm;
        return ms >= long.MaxValue - _anchorWallMs ? long.MaxValue : _anchorWallMs + (long)ms;
    }

    /// <summary>Whether a <see cref="RunUntil"/> limit is set and data time has reached it at <paramref name="wallMs"/>.</summary>
    public bool LimitReached(long wallMs) => LimitNs is { } limit && DataNowNs(wallMs) >= limit;

    /// <summary>Pauses exactly at the <see cref="RunUntil"/> limit once everything up to it has been delivered.</summary>
    public void StopAtLimit()
    {
        if (LimitNs is { } limit)
        {
            _frozenDataNs = limit;
            _paused = true;
            LimitNs = null;
        }
    }

    /// <summary>Freezes data time where it is at <paramref name="wallMs"/> (and clears any limit, which it has then served).</summary>
    public void Pause(long wallMs)
    {
        RequireStarted();
        if (!IsPaused)
        {
            _frozenDataNs = Current(wallMs);
            _paused = true;
        }

        LimitNs = null;
    }

    /// <summary>Lets data time run again from where it stands (no effect in stepped mode, which only steps).</summary>
    public void Resume(long wallMs)
    {
        RequireStarted();
        if (_mode == ReplayClockMode.Stepped || !_paused)
        {
            return;
        }

        Anchor(Math.Max(_frozenDataNs, _reachedNs), wallMs);
        _paused = false;
    }

    /// <summary>Switches mode and speed at host time <paramref name="wallMs"/>, keeping data time continuous and the paused state.</summary>
    /// <param name="mode">The new mode.</param>
    /// <param name="speed">The factor for <see cref="ReplayClockMode.Scaled"/>; ignored otherwise.</param>
    /// <param name="wallMs">Host time now.</param>
    public void SetRate(ReplayClockMode mode, double speed, long wallMs)
    {
        var ppm = mode switch
        {
            ReplayClockMode.RealTime => 1_000_000,
            ReplayClockMode.Scaled => ToPpm(speed),
            _ => 0,
        };
        if (!IsStarted)
        {
            _mode = mode;
            _speedPpm = ppm;
            return;
        }

        var wasPaused = _paused || _mode == ReplayClockMode.Stepped;
        var now = Current(wallMs);
        _mode = mode;
        _speedPpm = ppm;
        _frozenDataNs = now;
        Anchor(now, wallMs);
        _paused = wasPaused;
    }

    /// <summary>Pauses, then moves data time forward by <paramref name="deltaNs"/> from where it stands.</summary>
    public void StepBy(long deltaNs, long wallMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deltaNs);
        Pause(wallMs);
        var from = Math.Max(_frozenDataNs, _reachedNs);
        _frozenDataNs = deltaNs >= long.MaxValue - from ? long.MaxValue : from + deltaNs;
    }

    /// <summary>Runs to data time <paramref name="dataNs"/> and stops there exactly: at speed when real-time or scaled, at once when stepped or at max.</summary>
    /// <remarks>A time at or before the current data time only pauses.</remarks>
    public void RunUntil(long dataNs, long wallMs)
    {
        RequireStarted();
        var now = Math.Max(Current(wallMs), _reachedNs);
        if (dataNs <= now)
        {
            Pause(wallMs);
            return;
        }

        if (_mode == ReplayClockMode.Stepped)
        {
            _frozenDataNs = dataNs;
            LimitNs = null;
            return;
        }

        _frozenDataNs = now;
        Anchor(now, wallMs);
        _paused = false;
        LimitNs = dataNs;
    }

    /// <summary>Tells the clock that an event of data time <paramref name="dataNs"/> has been delivered (by a step of events, or at max speed).</summary>
    /// <remarks>Where a pause or a resume continues from: never before what has already been delivered.</remarks>
    public void Reached(long dataNs) => _reachedNs = Math.Max(_reachedNs, dataNs);

    /// <summary>The furthest data time delivered or passed: what a position report shows.</summary>
    public long PositionNs(long wallMs)
    {
        if (!IsStarted)
        {
            return long.MinValue;
        }

        return Math.Max(Current(wallMs), _reachedNs);
    }

    /// <summary>Where data time stands for pausing and re-anchoring: at max speed, what has been delivered.</summary>
    private long Current(long wallMs) =>
        !IsPaused && _mode == ReplayClockMode.Max ? _reachedNs : DataNowNs(wallMs);

    private void Anchor(long dataNs, long wallMs)
    {
        _anchorDataNs = dataNs;
        _anchorWallMs = wallMs;
    }

    private void RequireStarted()
    {
        if (!IsStarted)
        {
            throw new InvalidOperationException("The replay clock has not been started.");
        }
    }

    private static long ToPpm(double speed)
    {
        if (!double.IsFinite(speed) || speed <= 0 || speed > MaxSpeed)
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, $"A replay speed is above 0 and at most {MaxSpeed}.");
        }

        return Math.Max(1, (long)Math.Round(speed * 1_000_000));
    }
}
