using Polysim.ClobApi.Api;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.Synthetic;

/// <summary>Seeded synthetic agents trading one market around a hidden fair probability (issue #7 §1, research §1).</summary>
/// <remarks>
/// <para>Pure and deterministic: every agent draws from its own <see cref="Prng"/> stream (master seed + stable stream id),
/// wakes come off one queue ordered by (time, priority, insertion), and time only arrives through <see cref="Advance"/>.
/// The same scenario, seed and command interleaving give the same commands on the same runtime and platform.</para>
/// <para>Agents are ordinary participants on the reserved <see cref="SystemAccounts"/>, which every synthetic market
/// shares: each instance tracks its own orders, and cancels only in its own market. They need cash only: selling YES
/// they do not hold is a BUY NO at 1 − p (an ask at p in the YES book), and they sell what they do hold.</para>
/// <para>A harness that wants each command stamped with its wake time steps wake by wake:
/// <c>while (s.NextWakeMs &lt;= end) { venue.SetTime(s.NextWakeMs); s.Advance(venue, s.NextWakeMs); }</c>. The host may
/// instead call <see cref="Advance"/> with its clock; due wakes then run in order, stamped with the host's time.</para>
/// </remarks>
public sealed class SyntheticMarket : ILiquiditySource
{
    /// <summary>Cash an agent account is topped up to (10 M USDC, well below <see cref="Units.MaxAmount"/>).</summary>
    public const long FundAmount = 10_000_000 * Units.AmountScale;

    /// <summary>Available cash below which an agent account is topped up to <see cref="FundAmount"/>.</summary>
    public const long LowWaterMark = 1_000_000 * Units.AmountScale;

    internal const int PriorityMarketMaker = 0;
    internal const int PriorityZiCancel = 1;
    internal const int PriorityZi = 2;
    internal const int PriorityInformed = 3;
    internal const int PriorityNoise = 4;

    // Stable stream ids: adding an agent type later must not shift the streams of the others.
    internal const ulong StreamFair = 1;
    internal const ulong StreamNoise = 2;
    internal const ulong StreamInformed = 3;
    internal const ulong StreamZi = 4;
    internal const ulong StreamMarketMaker = 16;

    private readonly PriorityQueue<(SyntheticAgent Agent, long Arg), WakeKey> _queue = new(WakeKeyComparer.Instance);
    private readonly List<SyntheticAgent> _agents = [];
    private long _insertions;
    private bool _started;
    private bool _stopped;

    /// <summary>Creates the flow of one market under <paramref name="seed"/> (the scenario's own seed is ignored).</summary>
    public SyntheticMarket(int marketId, SyntheticScenario scenario, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        MarketId = marketId;
        Scenario = scenario;
        Seed = seed;
        Fair = new FairTrack(new FairProcess(scenario.Fair, scenario.P0, Prng.ForStream(seed, StreamFair)), scenario.Fair.StepS, scenario.P0);
        if (scenario.Agent<NoiseAgentConfig>() is { Rate: > 0 } noise)
        {
            _agents.Add(new NoiseAgent(this, noise, Prng.ForStream(seed, StreamNoise)));
        }

        if (scenario.Agent<InformedAgentConfig>() is { Rate: > 0 } informed)
        {
            _agents.Add(new InformedAgent(this, informed, Prng.ForStream(seed, StreamInformed)));
        }

        if (scenario.Agent<ZiAgentConfig>() is { Rate: > 0 } zi)
        {
            _agents.Add(new ZiAgent(this, zi, Prng.ForStream(seed, StreamZi)));
        }

        if (scenario.HouseMarketMakers && scenario.Agent<MarketMakerConfig>() is { } mm)
        {
            int[] accounts = [SystemAccounts.HouseMarketMaker, SystemAccounts.SecondHouseMarketMaker];
            for (var k = 0; k < Math.Min(mm.Count, accounts.Length); k++)
            {
                _agents.Add(new MarketMakerAgent(this, mm, accounts[k], Prng.ForStream(seed, StreamMarketMaker + (ulong)k)));
            }
        }
    }

    /// <summary>Creates the flow of one market under the scenario's own seed.</summary>
    public SyntheticMarket(int marketId, SyntheticScenario scenario)
        : this(marketId, scenario, scenario?.Seed ?? throw new ArgumentNullException(nameof(scenario)))
    {
    }

    /// <summary>The reserved accounts the agents trade on (house makers 1 and 2, noise, informed, background).</summary>
    public static IReadOnlyList<int> AgentAccounts { get; } =
    [
        SystemAccounts.HouseMarketMaker,
        SystemAccounts.SecondHouseMarketMaker,
        SystemAccounts.NoiseTakers,
        SystemAccounts.InformedTakers,
        SystemAccounts.BackgroundLiquidity,
    ];

    /// <inheritdoc />
    public int MarketId { get; }

    /// <summary>The scenario run.</summary>
    public SyntheticScenario Scenario { get; }

    /// <summary>The master seed.</summary>
    public ulong Seed { get; }

    /// <inheritdoc />
    /// <remarks>0 before the first <see cref="Advance"/> (start at once), <see cref="long.MaxValue"/> once stopped.</remarks>
    public long NextWakeMs => _stopped ? long.MaxValue : !_started ? 0 : _queue.TryPeek(out _, out var key) ? key.TimeMs : long.MaxValue;

    /// <summary>Virtual time the flow started at (Unix ms); valid once started.</summary>
    public long OriginMs { get; private set; }

    /// <summary>The hidden fair probability at the last wake processed.</summary>
    public double FairProbability => Fair.Current;

    /// <summary>Whether <see cref="Withdraw"/> ran or the market resolved: the flow does nothing more.</summary>
    public bool Stopped => _stopped;

    /// <summary>Wakes processed so far.</summary>
    public long Wakes { get; private set; }

    /// <summary>Commands sent to the venue so far (orders, cancels, account top-ups).</summary>
    public long CommandsSent { get; private set; }

    /// <summary>Commands the engine refused (a healthy run has none; the journal records them all the same).</summary>
    public long Rejections { get; private set; }

    /// <summary>The last refusal's code.</summary>
    public RejectCode LastRejection { get; private set; }

    internal FairTrack Fair { get; }

    /// <summary>Registers the agent accounts that are missing and tops up any whose available cash is below <see cref="LowWaterMark"/>.</summary>
    /// <remarks>Idempotent; sends nothing when every account exists and is funded.</remarks>
    /// <returns>Commands sent.</returns>
    public static int EnsureAccounts(IMarketVenue venue)
    {
        ArgumentNullException.ThrowIfNull(venue);
        var sent = 0;
        foreach (var account in AgentAccounts)
        {
            if (!venue.Engine.HasAccount(account))
            {
                venue.Apply(Command.RegisterAccount(0, 0, account));
                sent++;
            }

            var available = venue.Engine.GetBalance(account).Available;
            if (available < LowWaterMark)
            {
                venue.Apply(Command.Deposit(0, 0, account, FundAmount - available));
                sent++;
            }
        }

        return sent;
    }

    /// <summary>Starts the flow at <paramref name="originMs"/>: every agent's first wake is drawn in [origin, origin + its period).</summary>
    /// <remarks>Called by the first <see cref="Advance"/> if not before; a harness calls it to fix the origin.</remarks>
    public void Start(long originMs)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        OriginMs = originMs;
        Fair.Start(originMs);
        foreach (var agent in _agents)
        {
            agent.Start(originMs);
        }
    }

    /// <inheritdoc />
    public void Advance(IMarketVenue venue, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(venue);
        if (_stopped)
        {
            return;
        }

        if (!_started)
        {
            Start(nowMs);
        }

        var funded = false;
        while (_queue.TryPeek(out var wake, out var key) && key.TimeMs <= nowMs)
        {
            _queue.Dequeue();
            if (venue.Engine.GetMarket(MarketId) is not { } market || market.Status == MarketStatus.Resolved)
            {
                Stop();
                return;
            }

            if (!funded)
            {
                CommandsSent += EnsureAccounts(venue);
                funded = true;
            }

            Fair.AdvanceTo(key.TimeMs);
            Wakes++;
            wake.Agent.Wake(venue, key.TimeMs, wake.Arg);
        }
    }

    /// <inheritdoc />
    /// <remarks>Cancels, per agent account, every order it has in this market (one command per account that has any), then stops.</remarks>
    public void Withdraw(IMarketVenue venue)
    {
        ArgumentNullException.ThrowIfNull(venue);
        foreach (var account in AgentAccounts)
        {
            if (!venue.Engine.HasAccount(account))
            {
                continue;
            }

            var any = false;
            foreach (var order in venue.Engine.GetOpenOrders(account))
            {
                any |= order.Market == MarketId;
            }

            if (any)
            {
                Send(venue, Command.CancelMarket(0, 0, account, MarketId));
            }
        }

        Stop();
    }

    internal void Schedule(SyntheticAgent agent, long timeMs, int priority, long arg = 0) =>
        _queue.Enqueue((agent, arg), new WakeKey(timeMs, priority, _insertions++));

    internal RejectCode Send(IMarketVenue venue, Command command)
    {
        CommandsSent++;
        var code = venue.Apply(command);
        if (code != RejectCode.None)
        {
            Rejections++;
            LastRejection = code;
        }

        return code;
    }

    /// <summary>Places an order; returns its id, or 0 when refused.</summary>
    internal long Place(IMarketVenue venue, int account, Outcome outcome, Side side, int ownPrice, long shares, TimeInForce tif)
    {
        var id = venue.NextOrderId;
        var code = Send(venue, Command.Place(0, 0, account, MarketId, id, outcome, side, ownPrice, shares, tif));
        return code == RejectCode.None ? id : 0;
    }

    /// <summary>Cancels one order if it is still open and belongs to <paramref name="account"/> in this market.</summary>
    internal void CancelIfOpen(IMarketVenue venue, int account, long orderId)
    {
        if (venue.Engine.TryGetOrder(orderId, out var order) && order.Account == account && order.Market == MarketId)
        {
            Send(venue, Command.Cancel(0, 0, account, orderId));
        }
    }

    /// <summary>Takes liquidity in YES terms with a FAK up to <paramref name="bookLimit"/>, selling held tokens before buying the complement.</summary>
    /// <param name="venue">The venue.</param>
    /// <param name="account">The acting account.</param>
    /// <param name="tick">The market's current tick.</param>
    /// <param name="buyYes">True to lift asks (go long YES), false to hit bids.</param>
    /// <param name="bookLimit">Worst YES price accepted.</param>
    /// <param name="wholeShares">Shares wanted.</param>
    internal void Take(IMarketVenue venue, int account, int tick, bool buyYes, int bookLimit, long wholeShares)
    {
        bookLimit = Math.Clamp(bookLimit, tick, Units.PriceScale - tick);
        var held = venue.Engine.GetPosition(account, MarketId, buyYes ? Outcome.No : Outcome.Yes).Available;
        if (held >= Units.AmountScale)
        {
            // Selling what is held has no $1 minimum and keeps the account from piling up YES/NO pairs.
            var shares = Math.Min(held / Units.AmountScale, wholeShares) * Units.AmountScale;
            var outcome = buyYes ? Outcome.No : Outcome.Yes;
            var price = buyYes ? Units.PriceScale - bookLimit : bookLimit;
            Place(venue, account, outcome, Side.Sell, price, shares, TimeInForce.Fak);
            return;
        }

        var own = buyYes ? bookLimit : Units.PriceScale - bookLimit;
        var minimumForDollar = (Units.PriceScale + own - 1) / own; // a marketable BUY must be worth $1 at its limit
        var buy = Math.Max(wholeShares, minimumForDollar) * Units.AmountScale;
        Place(venue, account, buyYes ? Outcome.Yes : Outcome.No, Side.Buy, own, buy, TimeInForce.Fak);
    }

    /// <summary>Rests a GTC order at YES price <paramref name="bookPrice"/>: a bid (BUY YES, or SELL NO when held) or an ask (SELL YES when held, else BUY NO).</summary>
    /// <returns>The order id, or 0 when refused.</returns>
    internal long Rest(IMarketVenue venue, int account, bool bid, int bookPrice, long shares)
    {
        var complement = venue.Engine.GetPosition(account, MarketId, bid ? Outcome.No : Outcome.Yes).Available;
        if (complement >= shares)
        {
            return bid
                ? Place(venue, account, Outcome.No, Side.Sell, Units.PriceScale - bookPrice, shares, TimeInForce.Gtc)
                : Place(venue, account, Outcome.Yes, Side.Sell, bookPrice, shares, TimeInForce.Gtc);
        }

        return bid
            ? Place(venue, account, Outcome.Yes, Side.Buy, bookPrice, shares, TimeInForce.Gtc)
            : Place(venue, account, Outcome.No, Side.Buy, Units.PriceScale - bookPrice, shares, TimeInForce.Gtc);
    }

    /// <summary>Signed inventory of an account in this market, shares: YES minus NO, reserved included.</summary>
    internal double Inventory(IMarketVenue venue, int account)
    {
        var yes = venue.Engine.GetPosition(account, MarketId, Outcome.Yes).Total;
        var no = venue.Engine.GetPosition(account, MarketId, Outcome.No).Total;
        return (double)(yes - no) / Units.AmountScale;
    }

    private void Stop()
    {
        _stopped = true;
        _queue.Clear();
    }

    private readonly record struct WakeKey(long TimeMs, int Priority, long Seq);

    private sealed class WakeKeyComparer : IComparer<WakeKey>
    {
        public static readonly WakeKeyComparer Instance = new();

        public int Compare(WakeKey x, WakeKey y)
        {
            var c = x.TimeMs.CompareTo(y.TimeMs);
            if (c != 0)
            {
                return c;
            }

            c = x.Priority.CompareTo(y.Priority);
            return c != 0 ? c : x.Seq.CompareTo(y.Seq);
        }
    }
}

/// <summary>The fair process of one market on its fixed time grid, with a short history for lagged observations.</summary>
internal sealed class FairTrack
{
    private const int HistoryLength = 1024;
    private readonly FairProcess _process;
    private readonly long _stepMs;
    private readonly double _p0;
    private readonly double[] _history = new double[HistoryLength];
    private long _origin;
    private long _index;

    public FairTrack(FairProcess process, double stepS, double p0)
    {
        _process = process;
        _stepMs = Math.Max(1, (long)Math.Round(stepS * 1000));
        _p0 = p0;
        _history[0] = process.P;
    }

    public double Current => _history[_index % HistoryLength];

    public FairProcess Process => _process;

    public void Start(long originMs) => _origin = originMs;

    /// <summary>Steps the process to the last grid point at or before <paramref name="timeMs"/>.</summary>
    public void AdvanceTo(long timeMs)
    {
        var target = (timeMs - _origin) / _stepMs;
        while (_index < target)
        {
            _process.Step();
            _index++;
            _history[_index % HistoryLength] = _process.P;
        }
    }

    /// <summary>The fair probability at <paramref name="timeMs"/> (at most the current time; older than the history gives its oldest value).</summary>
    public double At(long timeMs)
    {
        if (timeMs < _origin)
        {
            return _p0;
        }

        var k = Math.Min((timeMs - _origin) / _stepMs, _index);
        k = Math.Max(k, _index - HistoryLength + 1);
        return _history[Math.Max(k, 0) % HistoryLength];
    }
}
