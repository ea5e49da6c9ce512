using System.Numerics;

namespace Polysim.MatchingEngine;

/// <summary>Which prices of one book side hold orders; finds the next occupied price in a few word reads.</summary>
/// <remarks>Two levels: 157 words cover prices 0..10047, a 3-word summary marks the non-empty words.</remarks>
internal sealed class PriceBitset
{
    private const int WordCount = (Units.PriceScale + 63) / 64;
    private readonly ulong[] _words = new ulong[WordCount];
    private readonly ulong[] _summary = new ulong[(WordCount + 63) / 64];

    public void Set(int price)
    {
        var w = price >> 6;
        _words[w] |= 1UL << (price & 63);
        _summary[w >> 6] |= 1UL << (w & 63);
    }

    public void Clear(int price)
    {
        var w = price >> 6;
        _words[w] &= ~(1UL << (price & 63));
        if (_words[w] == 0)
        {
            _summary[w >> 6] &= ~(1UL << (w & 63));
        }
    }

    /// <summary>The lowest occupied price ≥ <paramref name="price"/>, or -1.</summary>
    public int NextAtOrAbove(int price)
    {
        if (price < 0)
        {
            price = 0;
        }

        var w = price >> 6;
        if (w >= WordCount)
        {
            return -1;
        }

        var bits = _words[w] & (~0UL << (price & 63));
        if (bits != 0)
        {
            return (w << 6) + BitOperations.TrailingZeroCount(bits);
        }

        var next = w + 1;
        if (next >= WordCount)
        {
            return -1;
        }

        var s = next >> 6;
        var summary = _summary[s] & (~0UL << (next & 63));
        while (true)
        {
            if (summary != 0)
            {
                var word = (s << 6) + BitOperations.TrailingZeroCount(summary);
                return (word << 6) + BitOperations.TrailingZeroCount(_words[word]);
            }

            if (++s >= _summary.Length)
            {
                return -1;
            }

            summary = _summary[s];
        }
    }

    /// <summary>The highest occupied price ≤ <paramref name="price"/>, or -1.</summary>
    public int PrevAtOrBelow(int price)
    {
        if (price < 0)
        {
            return -1;
        }

        var w = price >> 6;
        if (w >= WordCount)
        {
            w = WordCount - 1;
            price = (w << 6) + 63;
        }

        var bits = _words[w] & (~0UL >> (63 - (price & 63)));
        if (bits != 0)
        {
            return (w << 6) + 63 - BitOperations.LeadingZeroCount(bits);
        }

        var prev = w - 1;
        if (prev < 0)
        {
            return -1;
        }

        var s = prev >> 6;
        var summary = _summary[s] & (~0UL >> (63 - (prev & 63)));
        while (true)
        {
            if (summary != 0)
            {
                var word = (s << 6) + 63 - BitOperations.LeadingZeroCount(summary);
                return (word << 6) + 63 - BitOperations.LeadingZeroCount(_words[word]);
            }

            if (--s < 0)
            {
                return -1;
            }

            summary = _summary[s];
        }
    }
}
