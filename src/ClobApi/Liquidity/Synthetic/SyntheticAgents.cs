using Polysim.ClobApi.Api;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.Synthetic;

/// <summary>One synthetic agent: an account, its own random stream, and what it does when its clock fires.</summary>
internal abstract class SyntheticAgent(SyntheticMarket owner, int account, Prng rng, int priority)
{
    protected SyntheticMarket Owner { get; } = owner;

    protected int Account { get; } = account;

    protected Prng Rng { get; } = rng;

    protected int Priority { get; } = priority;

    /// <summary>Mean time between wakes, ms.</summary>
    protected abstract double PeriodMs { get; }

    /// <summary>First wake at U(0, period) from the agent's own stream, so agents do not all fire at the origin.</summary>
    public void Start(long originMs) => Owner.Schedule(this, originMs + (long)(Rng.NextDouble() * PeriodMs), Priority);

    public abstract void Wake(IMarketVenue venue, long nowMs, long arg);

    /// <summary>Schedules the next Poisson wake (exponential wait, at least 1 ms).</summary>
    protected void ScheduleNextPoisson(long nowMs) => Owner.Schedule(this, nowMs + Wait(Rng.Exponential(PeriodMs)), Priority);

    protected static long Wait(double ms) => Math.Max(1, (long)Math.Round(ms));

    protected static long WholeShares(double shares, long minimumSize) =>
        Math.Max((long)Math.Round(shares), (minimumSize + Units.AmountScale - 1) / Units.AmountScale);

    protected static bool IsActive(IMarketVenue venue, int market, out MarketInfo info)
    {
        var found = venue.Engine.GetMarket(market);
        info = found.GetValueOrDefault();
        return found is { Status: MarketStatus.Active };
    }
}

/// <summary>Noise takers: side 50/50, lognormal size, a marketable FAK at the touch ± <see cref="NoiseAgentConfig.AggressionTicks"/>.</summary>
internal sealed class NoiseAgent(SyntheticMarket owner, NoiseAgentConfig config, Prng rng)
    : SyntheticAgent(owner, SystemAccounts.NoiseTakers, rng, SyntheticMarket.PriorityNoise)
{
    protected override double PeriodMs => 60_000.0 / config.Rate;

    public override void Wake(IMarketVenue venue, long nowMs, long arg)
    {
        ScheduleNextPoisson(nowMs);
        var buy = Rng.NextBool();
        var size = Rng.LogNormal(config.SizeMedian, config.SizeSigma);
        if (!IsActive(venue, Owner.MarketId, out var info))
        {
            return;
        }

        var tick = info.TickSize;
        var shares = WholeShares(size, info.Parameters.MinimumSize);
        if (buy && info.BestAsk < Units.PriceScale)
        {
            Owner.Take(venue, Account, tick, true, info.BestAsk + (config.AggressionTicks * tick), shares);
        }
        else if (!buy && info.BestBid > 0)
        {
            Owner.Take(venue, Account, tick, false, info.BestBid - (config.AggressionTicks * tick), shares);
        }
    }
}

/// <summary>Informed takers: they see the true fair probability and take when the touch is at least e ticks off it.</summary>
internal sealed class InformedAgent(SyntheticMarket owner, InformedAgentConfig config, Prng rng)
    : SyntheticAgent(owner, SystemAccounts.InformedTakers, rng, SyntheticMarket.PriorityInformed)
{
    protected override double PeriodMs => 60_000.0 / config.Rate;

    public override void Wake(IMarketVenue venue, long nowMs, long arg)
    {
        ScheduleNextPoisson(nowMs);
        var size = Rng.LogNormal(config.SizeMedian, config.SizeSigma);
        if (!IsActive(venue, Owner.MarketId, out var info))
        {
            return;
        }

        var tick = info.TickSize;
        var fair = Owner.FairProbability * Units.PriceScale / tick;
        var shares = WholeShares(size, info.Parameters.MinimumSize);
        if (info.BestAsk < Units.PriceScale && fair - ((double)info.BestAsk / tick) >= config.EdgeTicks)
        {
            Owner.Take(venue, Account, tick, true, (int)Math.Floor(fair - config.EdgeTicks) * tick, shares);
        }
        else if (info.BestBid > 0 && ((double)info.BestBid / tick) - fair >= config.EdgeTicks)
        {
            Owner.Take(venue, Account, tick, false, (int)Math.Ceiling(fair + config.EdgeTicks) * tick, shares);
        }
    }
}

/// <summary>Background zero-intelligence liquidity: rests at floor(f) − G or ceil(f) + G ticks, never crossing, cancelled after an exponential lifetime.</summary>
internal sealed class ZiAgent(SyntheticMarket owner, ZiAgentConfig config, Prng rng)
    : SyntheticAgent(owner, SystemAccounts.BackgroundLiquidity, rng, SyntheticMarket.PriorityZi)
{
    protected override double PeriodMs => 60_000.0 / config.Rate;

    public override void Wake(IMarketVenue venue, long nowMs, long arg)
    {
        if (arg != 0)
        {
            // The order's lifetime is over (it may have filled meanwhile: then there is nothing to send).
            Owner.CancelIfOpen(venue, Account, arg);
            return;
        }

        ScheduleNextPoisson(nowMs);
        var bid = Rng.NextBool();
        var depth = (long)Math.Floor(Rng.Exponential(config.DepthMeanTicks));
        var size = Rng.LogNormal(config.SizeMedian, config.SizeSigma);
        var lifetime = Rng.Exponential(config.LifetimeMeanS * 1000.0);
        if (!IsActive(venue, Owner.MarketId, out var info))
        {
            return;
        }

        var tick = info.TickSize;
        var fair = Owner.FairProbability * Units.PriceScale / tick;
        var ticks = bid ? (long)Math.Floor(fair) - depth : (long)Math.Ceiling(fair) + depth;
        var price = ticks * tick;
        if (price < tick || price > Units.PriceScale - tick)
        {
            return;
        }

        // An order that would cross is dropped: background liquidity must not tighten the spread by taking.
        if (bid ? price >= info.BestAsk : price <= info.BestBid)
        {
            return;
        }

        var shares = WholeShares(size, info.Parameters.MinimumSize) * Units.AmountScale;
        var id = Owner.Rest(venue, Account, bid, (int)price, shares);
        if (id != 0)
        {
            Owner.Schedule(this, nowMs + Wait(lifetime), SyntheticMarket.PriorityZiCancel, id);
        }
    }
}

/// <summary>A house market maker: Avellaneda–Stoikov in ticks around a lagged, noisy fair value, a ladder of L levels × S shares.</summary>
/// <remarks>Only levels whose target price or size changed are cancelled and replaced, which keeps the command volume (and the
/// journal) proportional to how much the quote moves rather than to the refresh rate.</remarks>
internal sealed class MarketMakerAgent(SyntheticMarket owner, MarketMakerConfig config, int account, Prng rng)
    : SyntheticAgent(owner, account, rng, SyntheticMarket.PriorityMarketMaker)
{
    private readonly List<(long Id, bool Bid)> _orders = [];

    protected override double PeriodMs => config.RefreshS * 1000.0;

    public override void Wake(IMarketVenue venue, long nowMs, long arg)
    {
        Owner.Schedule(this, nowMs + Wait(PeriodMs * Rng.Uniform(0.5, 1.5)), Priority);
        var noise = Rng.Normal() * config.NoiseTicks;
        if (!IsActive(venue, Owner.MarketId, out var info))
        {
            return;
        }

        var tick = info.TickSize;
        var observed = Owner.Fair.At(nowMs - (long)Math.Round(config.LagS * 1000.0));
        var fairTicks = (observed * Units.PriceScale / tick) + noise;
        var q = Owner.Inventory(venue, Account);
        var (bidTicks, askTicks) = AvellanedaStoikov.QuoteTicks(fairTicks, q, config.HalfTicks, config.SkewPer100);
        var size = Math.Max((long)Math.Round(config.Size) * Units.AmountScale, info.Parameters.MinimumSize);
        var levels = Math.Clamp(config.Levels, 0, 64);

        // Target prices per side, best first; 0 marks a level that is off the price grid or not quoted.
        Span<int> bids = stackalloc int[levels];
        Span<int> asks = stackalloc int[levels];
        for (var i = 0; i < levels; i++)
        {
            var b = (bidTicks - i) * tick;
            var a = (askTicks + i) * tick;
            bids[i] = q < config.QMax && b >= tick && b <= Units.PriceScale - tick ? (int)b : 0;
            asks[i] = q > -config.QMax && a >= tick && a <= Units.PriceScale - tick ? (int)a : 0;
        }

        // Keep orders already at a target price with the full size; cancel the rest. A kept level's target is zeroed.
        for (var j = 0; j < _orders.Count; j++)
        {
            var (id, isBid) = _orders[j];
            if (!venue.Engine.TryGetOrder(id, out var order) || order.Account != Account || order.Market != Owner.MarketId)
            {
                _orders.RemoveAt(j--);
                continue;
            }

            var targets = isBid ? bids : asks;
            var at = order.Remaining == size ? targets.IndexOf(order.BookPrice) : -1;
            if (at >= 0)
            {
                targets[at] = 0;
                continue;
            }

            Owner.Send(venue, Command.Cancel(0, 0, Account, id));
            _orders.RemoveAt(j--);
        }

        // Place what is missing. A level that would cross is placed (and takes) only when the quotes it takes are at least h
        // ticks through the maker's own fair estimate: stale orders left behind by a jump get cleared, but inventory skew
        // alone never makes a maker dump onto the background liquidity.
        var minimum = Units.MinMarketableBuyNotional * Units.PriceScale;
        info = venue.Engine.GetMarket(Owner.MarketId)!.Value;
        for (var i = 0; i < levels; i++)
        {
            var p = bids[i];
            if (p != 0 && (p < info.BestAsk || ((double)p / tick <= fairTicks - config.HalfTicks && size * p >= minimum)))
            {
                Track(Owner.Rest(venue, Account, true, p, size), true);
            }
        }

        info = venue.Engine.GetMarket(Owner.MarketId)!.Value;
        for (var i = 0; i < levels; i++)
        {
            var p = asks[i];
            if (p != 0 && (p > info.BestBid || ((double)p / tick >= fairTicks + config.HalfTicks && size * (Units.PriceScale - p) >= minimum)))
            {
                Track(Owner.Rest(venue, Account, false, p, size), false);
            }
        }
    }

    private void Track(long id, bool bid)
    {
        if (id != 0)
        {
            _orders.Add((id, bid));
        }
    }
}
