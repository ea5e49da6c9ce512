namespace Polysim.ClobApi.Liquidity.Synthetic;

/// <summary>The Avellaneda–Stoikov (2008) market-making formulas, and their tick form for a probability market.</summary>
/// <remarks>
/// Reservation price <c>r = s − q·γ·σ²·τ</c>, optimal total spread <c>γσ²τ + (2/γ)·ln(1 + γ/k)</c>, with a rolling horizon τ
/// in place of the time to the end of trading (a prediction market resolves days away). On a probability the price
/// volatility is <c>σ_p = p(1−p)·σ_b</c> because dp = S'(x)·dx.
/// </remarks>
public static class AvellanedaStoikov
{
    /// <summary>The reservation (indifference) price <c>s − q·γ·σ²·τ</c>.</summary>
    public static double ReservationPrice(double mid, double inventory, double gamma, double sigma, double tau) =>
        mid - (inventory * gamma * sigma * sigma * tau);

    /// <summary>The optimal total spread around the reservation price <c>γσ²τ + (2/γ)·ln(1 + γ/k)</c>.</summary>
    public static double TotalSpread(double gamma, double sigma, double tau, double k) =>
        (gamma * sigma * sigma * tau) + (2.0 / gamma * Math.Log(1.0 + (gamma / k)));

    /// <summary>Inventory skew in ticks per 100 shares, <c>κ = 100·γ·σ_p²·τ / tick</c>, with σ_p = p(1−p)·σ_b.</summary>
    /// <param name="p">Fair probability.</param>
    /// <param name="sigmaB">Logit volatility per √hour.</param>
    /// <param name="gamma">Risk aversion per (dollar·share).</param>
    /// <param name="tauHours">Rolling horizon, hours.</param>
    /// <param name="tick">Tick as a probability (0.01).</param>
    public static double SkewTicksPer100(double p, double sigmaB, double gamma, double tauHours, double tick)
    {
        var sigmaP = p * (1 - p) * sigmaB;
        return 100.0 * gamma * sigmaP * sigmaP * tauHours / tick;
    }

    /// <summary>The tick form used by the house market makers: best bid and ask, in ticks, around fair value <paramref name="fairTicks"/>.</summary>
    /// <param name="fairTicks">Observed fair value in ticks (0.5 at a 0.01 tick is 50).</param>
    /// <param name="inventoryShares">Signed inventory q (YES minus NO shares).</param>
    /// <param name="halfTicks">Half-spread h in ticks.</param>
    /// <param name="skewPer100">κ, ticks the reservation price moves per 100 shares of inventory.</param>
    /// <returns><c>bid = floor(r − h)</c>, <c>ask = ceil(r + h)</c> with <c>r = f − κ·q/100</c>, and ask &gt; bid.</returns>
    public static (long Bid, long Ask) QuoteTicks(double fairTicks, double inventoryShares, double halfTicks, double skewPer100)
    {
        var r = fairTicks - (skewPer100 * inventoryShares / 100.0);
        var bid = (long)Math.Floor(r - halfTicks);
        var ask = (long)Math.Ceiling(r + halfTicks);
        if (ask <= bid)
        {
            ask = bid + 1;
        }

        return (bid, ask);
    }
}
