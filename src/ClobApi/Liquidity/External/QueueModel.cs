namespace Polysim.ClobApi.Liquidity.External;

/// <summary>Families of queue-position models (research §4.1, after hftbacktest's <c>RiskAdverseQueueModel</c> and <c>ProbQueueModel</c>).</summary>
public enum QueueModelKind : byte
{
    /// <summary>Every unexplained decrease happened behind the order: the queue ahead only shrinks to the new level size.</summary>
    RiskAdverse = 0,

    /// <summary>p = back^n / (back^n + front^n).</summary>
    Power,

    /// <summary>p = ln(1+back) / (ln(1+back) + ln(1+front)).</summary>
    Log,

    /// <summary>p = back^n / (back+front)^n.</summary>
    Power2,

    /// <summary>p = ln(1+back) / ln(1+back+front).</summary>
    Log2,

    /// <summary>p = 1 − (front / (front+back))^n.</summary>
    Power3,
}

/// <summary>How an external depth decrease that no print explains is split between the queue ahead of an internal order and the queue behind it.</summary>
/// <param name="Kind">The model family.</param>
/// <param name="N">Exponent of the power families (ignored by the others).</param>
/// <remarks>
/// <c>ProbBehind(front, back)</c> is the probability that a cancel happened behind the order; sizes enter in shares
/// (the log families are not scale-free, and hftbacktest feeds them lot counts of similar magnitude).
/// </remarks>
public readonly record struct QueueModel(QueueModelKind Kind, double N = 2)
{
    /// <summary>hftbacktest's risk-averse model: the queue ahead only ever shrinks to the new level size.</summary>
    public static QueueModel RiskAdverse => new(QueueModelKind.RiskAdverse);

    /// <summary><see cref="QueueModelKind.Power"/> with exponent <paramref name="n"/> (1 = identity, 2 = square).</summary>
    public static QueueModel Power(double n) => new(QueueModelKind.Power, n);

    /// <summary><see cref="QueueModelKind.Log"/>.</summary>
    public static QueueModel Log => new(QueueModelKind.Log);

    /// <summary><see cref="QueueModelKind.Power2"/> with exponent <paramref name="n"/>.</summary>
    public static QueueModel Power2(double n) => new(QueueModelKind.Power2, n);

    /// <summary><see cref="QueueModelKind.Log2"/>.</summary>
    public static QueueModel Log2 => new(QueueModelKind.Log2);

    /// <summary><see cref="QueueModelKind.Power3"/> with exponent <paramref name="n"/>.</summary>
    public static QueueModel Power3(double n) => new(QueueModelKind.Power3, n);

    /// <summary>Reads a model written as in the research notes: <c>RiskAdverse</c>, <c>Power(2)</c>, <c>Log</c>,
    /// <c>Power2(2)</c>, <c>Log2</c>, <c>Power3(3)</c> (case-insensitive; a power family without an exponent takes 2).</summary>
    public static bool TryParse(string? text, out QueueModel model)
    {
        model = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var open = s.IndexOf('(', StringComparison.Ordinal);
        var name = open < 0 ? s : s[..open].Trim();
        double n = 2;
        if (open >= 0)
        {
            if (!s.EndsWith(')') || !double.TryParse(s[(open + 1)..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out n) || !(n > 0))
            {
                return false;
            }
        }

        if (!Enum.TryParse<QueueModelKind>(name, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(name, out _))
        {
            return false;
        }

        if (open >= 0 && kind is not (QueueModelKind.Power or QueueModelKind.Power2 or QueueModelKind.Power3))
        {
            return false;
        }

        model = new QueueModel(kind, n);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        QueueModelKind.Power or QueueModelKind.Power2 or QueueModelKind.Power3 =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Kind}({N})"),
        _ => Kind.ToString(),
    };

    /// <summary>Probability that a decrease happened behind an order with <paramref name="front"/> shares ahead and <paramref name="back"/> behind.</summary>
    public double ProbBehind(double front, double back)
    {
        front = Math.Max(0, front);
        back = Math.Max(0, back);
        if (front + back <= 0)
        {
            return 1;
        }

        switch (Kind)
        {
            case QueueModelKind.RiskAdverse:
                return 1;
            case QueueModelKind.Power:
                {
                    var b = Math.Pow(back, N);
                    var f = Math.Pow(front, N);
                    return b + f <= 0 ? 1 : b / (b + f);
                }

            case QueueModelKind.Log:
                {
                    var b = Math.Log(1 + back);
                    var f = Math.Log(1 + front);
                    return b + f <= 0 ? 1 : b / (b + f);
                }

            case QueueModelKind.Power2:
                return Math.Pow(back, N) / Math.Pow(back + front, N);
            case QueueModelKind.Log2:
                return Math.Log(1 + back) / Math.Log(1 + back + front);
            case QueueModelKind.Power3:
                return 1 - Math.Pow(front / (front + back), N);
            default:
                return 1;
        }
    }

    /// <summary>hftbacktest's update of one order's queue ahead after an unexplained decrease of <paramref name="decrease"/>.</summary>
    /// <returns><c>min(front − (1−p)·decrease + min(back − p·decrease, 0), front + back − decrease)</c>, never below zero.</returns>
    public double AdvanceFront(double front, double back, double decrease)
    {
        if (decrease <= 0)
        {
            return front;
        }

        var p = ProbBehind(front, back);
        var next = front - ((1 - p) * decrease) + Math.Min(back - (p * decrease), 0);
        return Math.Max(0, Math.Min(next, front + back - decrease));
    }

    /// <summary>Splits an unexplained decrease of <paramref name="decrease"/> micro-shares over the external segments of one
    /// price level (<paramref name="segments"/>: external size before the first internal order, between each pair, and
    /// after the last); writes the amount taken from each segment into <paramref name="cuts"/>.</summary>
    /// <remarks>
    /// With one internal order this is exactly <see cref="AdvanceFront"/>. With several, each internal order i gets its
    /// own estimate of how much of the decrease happened ahead of it, <c>a_i = (1 − p(front_i, back_i))·decrease</c>
    /// bounded like hftbacktest's overflow rule; because p falls as the queue ahead grows, the a_i rise along the queue, and
    /// segment j loses <c>a_(j+1) − a_j</c>. The cuts add up to the decrease (at most the level's external total) and never
    /// exceed a segment.
    /// </remarks>
    public void Distribute(ReadOnlySpan<long> segments, long decrease, Span<long> cuts)
    {
        var k = segments.Length - 1;
        long total = 0;
        foreach (var s in segments)
        {
            total += s;
        }

        decrease = Math.Clamp(decrease, 0, total);
        cuts.Clear();
        if (decrease == 0)
        {
            return;
        }

        // a_i for the boundary before segment i (i = 1..k); a_0 = 0 and a_(k+1) = decrease.
        long previous = 0;
        long front = 0;
        for (var i = 1; i <= k + 1; i++)
        {
            long ahead;
            if (i == k + 1)
            {
                ahead = decrease;
            }
            else
            {
                front += segments[i - 1];
                var back = total - front;
                var p = ProbBehind(front / (double)Shares.Scale, back / (double)Shares.Scale);
                var estimate = (long)Math.Round((1 - p) * decrease, MidpointRounding.AwayFromZero);
                var atLeast = Math.Max(0, decrease - back);
                ahead = Math.Clamp(estimate, atLeast, Math.Min(front, decrease));
                ahead = Math.Max(ahead, previous);
            }

            cuts[i - 1] = ahead - previous;
            previous = ahead;
        }

        // Rounding and the monotone fix can push a cut past its segment; carry the excess toward the front, then back.
        long carry = 0;
        for (var j = k; j >= 0; j--)
        {
            cuts[j] += carry;
            carry = Math.Max(0, cuts[j] - segments[j]);
            cuts[j] -= carry;
        }

        for (var j = 0; j <= k && carry > 0; j++)
        {
            var room = segments[j] - cuts[j];
            var take = Math.Min(room, carry);
            cuts[j] += take;
            carry -= take;
        }
    }
}

/// <summary>Share arithmetic shared by the external-liquidity code.</summary>
internal static class Shares
{
    /// <summary>Micro-shares per share.</summary>
    public const long Scale = MatchingEngine.Units.AmountScale;
}
