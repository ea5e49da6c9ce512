namespace Polysim.ClobApi.Liquidity.External;

/// <summary>How internal consumption of displayed external liquidity is forgotten (research §4.3).</summary>
public enum ConsumptionLedgerMode : byte
{
    /// <summary>On an update D → D′ the available size becomes min(D′, available + max(0, D′ − D)): only growth is re-displayed; reset on a snapshot or after the TTL.</summary>
    Sticky = 0,

    /// <summary>Nautilus' rule: any update of the level forgets what was consumed (optimistic: a +1 update restores everything).</summary>
    ResetOnUpdate,
}

/// <summary>The bookkeeping of one external price level, in YES terms: what the feed shows, what prints have already
/// taken from it, and what internal participants consumed.</summary>
/// <remarks>
/// Pure integer arithmetic on micro-shares and nanosecond timestamps; the engine orders of the external participant at
/// the level always add up to <see cref="Available"/>.
/// </remarks>
public struct LevelLedger
{
    /// <summary>Size the external feed shows (last update or snapshot).</summary>
    public long Displayed;

    /// <summary>Print volume already taken off the level that the feed has not yet shown as a decrease.</summary>
    public long PrintExplained;

    /// <summary>When <see cref="PrintExplained"/> was last raised (ns).</summary>
    public long PrintExplainedNs;

    /// <summary>Displayed size internal participants took (shadow and crossing fills) and that is not re-displayed.</summary>
    public long Consumed;

    /// <summary>When <see cref="Consumed"/> was last raised (ns); the TTL counts from here.</summary>
    public long ConsumedNs;

    /// <summary>Decrease already applied to the queue that no print has explained yet (a print arriving after its depth update).</summary>
    public long UnpairedDecrease;

    /// <summary>When <see cref="UnpairedDecrease"/> was last raised (ns).</summary>
    public long UnpairedDecreaseNs;

    /// <summary>Size of the level as the external book stands after the prints seen.</summary>
    public readonly long Effective => Math.Max(0, Displayed - PrintExplained);

    /// <summary>What the external participant may display: the effective size minus what internal participants consumed.</summary>
    public readonly long Available => Math.Max(0, Displayed - PrintExplained - Consumed);

    /// <summary>A snapshot: the level is exactly <paramref name="size"/> and nothing is consumed or pending.</summary>
    public void Reset(long size) => this = new LevelLedger { Displayed = size };

    /// <summary>Forgets print explanations and unpaired decreases older than the pairing window, and consumption older than the TTL.</summary>
    public void Expire(long nowNs, long windowNs, long ttlNs)
    {
        if (PrintExplained != 0 && nowNs - PrintExplainedNs > windowNs)
        {
            PrintExplained = 0;
        }

        if (UnpairedDecrease != 0 && nowNs - UnpairedDecreaseNs > windowNs)
        {
            UnpairedDecrease = 0;
        }

        if (Consumed != 0 && ttlNs > 0 && nowNs - ConsumedNs >= ttlNs)
        {
            Consumed = 0;
        }
    }

    /// <summary>The feed set the level to <paramref name="size"/>.</summary>
    /// <remarks>
    /// A decrease first uses up print volume waiting for it (so a print followed by its depth update advances the queue
    /// once); the rest is recorded as unpaired, for a print that may still come inside the window. Then the ledger rule:
    /// sticky consumption shrinks only when the effective size falls below what is left of it.
    /// </remarks>
    public void OnUpdate(long size, long nowNs, ConsumptionLedgerMode mode)
    {
        var before = Effective;
        var decrease = Displayed - size;
        if (decrease > 0)
        {
            var explained = Math.Min(PrintExplained, decrease);
            PrintExplained -= explained;
            var unexplained = decrease - explained;
            if (unexplained > 0)
            {
                UnpairedDecrease += unexplained;
                UnpairedDecreaseNs = nowNs;
            }
        }

        Displayed = size;
        var after = Effective;
        if (mode == ConsumptionLedgerMode.ResetOnUpdate)
        {
            Consumed = 0;
        }
        else if (after < before)
        {
            Consumed = Math.Max(0, Consumed - (before - after));
        }

        Consumed = Math.Min(Consumed, after);
    }

    /// <summary>A print of <paramref name="size"/> at this level; returns the volume that passes through the queue
    /// (the part neither paired with an earlier depth decrease nor matched by what internal participants consumed).</summary>
    /// <remarks>The real book loses the print's whole size; what internal participants already consumed was the front of
    /// that queue, so the print explains it first.</remarks>
    public long OnPrint(long size, long nowNs, long windowNs)
    {
        var paired = 0L;
        if (UnpairedDecrease > 0 && nowNs - UnpairedDecreaseNs <= windowNs)
        {
            paired = Math.Min(size, UnpairedDecrease);
            UnpairedDecrease -= paired;
        }

        var effective = size - paired;
        if (effective <= 0)
        {
            return 0;
        }

        var budget = Math.Max(0, effective - Consumed);
        Consumed = Math.Max(0, Consumed - effective);
        PrintExplained += effective;
        PrintExplainedNs = nowNs;
        return budget;
    }

    /// <summary>A print through a worse price proves this level was swept: nothing of it stays displayed until the feed says otherwise.</summary>
    public void Sweep(long nowNs)
    {
        PrintExplained = Math.Max(PrintExplained, Displayed - Consumed);
        PrintExplainedNs = nowNs;
    }

    /// <summary>Internal participants took <paramref name="size"/> of the displayed liquidity.</summary>
    public void OnConsumed(long size, long nowNs)
    {
        Consumed += size;
        ConsumedNs = nowNs;
    }
}
