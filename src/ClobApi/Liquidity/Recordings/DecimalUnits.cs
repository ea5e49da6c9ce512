namespace Polysim.ClobApi.Liquidity.Recordings;

/// <summary>Exact conversion of recorded decimal strings ("0.047", "2228.02", "1e-05") into integer engine units.</summary>
/// <remarks>
/// Recordings carry prices and sizes as shortest-form decimal text (Python's float repr), so exponent notation occurs.
/// Going through <see cref="double"/> would round "0.29" to 2899.999…; the digits are scaled as integers instead, and a
/// value with more precision than the grid (a price with five decimals) is refused rather than rounded.
/// </remarks>
public static class DecimalUnits
{
    /// <summary>Price grid: 1e-4 (engine price units).</summary>
    public const int PriceDecimals = 4;

    /// <summary>Size grid: 1e-6 (micro-shares).</summary>
    public const int SizeDecimals = 6;

    /// <summary>Parses a non-negative decimal into units of 10^-<paramref name="decimals"/>; false when malformed, negative, off the grid or too large.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, int decimals, out long units)
    {
        units = 0;
        text = text.Trim();
        if (text.IsEmpty)
        {
            return false;
        }

        var i = 0;
        if (text[0] == '+')
        {
            i++;
        }

        // Mantissa digits as one integer (leading zeros skipped, at most 18 significant digits), and how many came after the point.
        long mantissa = 0;
        var significant = 0;
        var fractionDigits = 0;
        var anyDigit = false;
        var seenPoint = false;
        var droppedNonZero = false;
        var droppedDigits = 0;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                if (seenPoint)
                {
                    return false;
                }

                seenPoint = true;
                continue;
            }

            if (c is < '0' or > '9')
            {
                break;
            }

            anyDigit = true;
            if (mantissa == 0 && c == '0')
            {
                if (seenPoint)
                {
                    fractionDigits++;
                }

                continue;
            }

            if (significant >= 18)
            {
                // Beyond long precision: only zeros may follow, and they only scale the value.
                droppedNonZero |= c != '0';
                if (!seenPoint)
                {
                    droppedDigits++;
                }

                continue;
            }

            mantissa = (mantissa * 10) + (c - '0');
            significant++;
            if (seenPoint)
            {
                fractionDigits++;
            }
        }

        if (!anyDigit || droppedNonZero)
        {
            return false;
        }

        var exponent = 0;
        if (i < text.Length)
        {
            if (text[i] is not ('e' or 'E') || ++i >= text.Length)
            {
                return false;
            }

            var negative = false;
            if (text[i] is '+' or '-')
            {
                negative = text[i] == '-';
                i++;
            }

            if (i >= text.Length)
            {
                return false;
            }

            for (; i < text.Length; i++)
            {
                var c = text[i];
                if (c is < '0' or > '9' || exponent > 100)
                {
                    return false;
                }

                exponent = (exponent * 10) + (c - '0');
            }

            exponent = negative ? -exponent : exponent;
        }

        // value = mantissa · 10^(exponent + droppedDigits − fractionDigits); units = value · 10^decimals.
        var shift = exponent + droppedDigits - fractionDigits + decimals;
        if (mantissa == 0)
        {
            return true;
        }

        while (shift < 0)
        {
            if (mantissa % 10 != 0)
            {
                return false;
            }

            mantissa /= 10;
            shift++;
        }

        for (; shift > 0; shift--)
        {
            if (mantissa > long.MaxValue / 10)
            {
                return false;
            }

            mantissa *= 10;
        }

        units = mantissa;
        return true;
    }

    /// <summary>Converts a decimal (Parquet decimal column) into units of 10^-<paramref name="decimals"/>; false when negative, off the grid or too large.</summary>
    public static bool TryConvert(decimal value, int decimals, out long units)
    {
        units = 0;
        if (value < 0)
        {
            return false;
        }

        var scaled = value;
        for (var k = 0; k < decimals; k++)
        {
            scaled *= 10;
        }

        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue)
        {
            return false;
        }

        units = (long)scaled;
        return true;
    }

    /// <summary>Parses a price into 1e-4 units; false when off the grid or outside [0, 1].</summary>
    public static bool TryParsePrice(ReadOnlySpan<char> text, out int price)
    {
        price = 0;
        if (!TryParse(text, PriceDecimals, out var units) || units > 10_000)
        {
            return false;
        }

        price = (int)units;
        return true;
    }

    /// <summary>Parses a size into micro-shares; false when off the 1e-6 grid or malformed.</summary>
    public static bool TryParseSize(ReadOnlySpan<char> text, out long size) => TryParse(text, SizeDecimals, out size);

    /// <summary>Parses Unix seconds with a fraction ("1776154972.2491374") into nanoseconds, truncating below 1 ns.</summary>
    public static bool TryParseSecondsToNs(ReadOnlySpan<char> text, out long ns)
    {
        ns = 0;
        text = text.Trim();
        var point = text.IndexOf('.');
        var whole = point < 0 ? text : text[..point];
        if (whole.IsEmpty || !long.TryParse(whole, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || seconds > long.MaxValue / 1_000_000_000)
        {
            return false;
        }

        long fraction = 0;
        if (point >= 0)
        {
            var digits = text[(point + 1)..];
            for (var k = 0; k < 9; k++)
            {
                var d = k < digits.Length ? digits[k] : '0';
                if (d is < '0' or > '9')
                {
                    return false;
                }

                fraction = (fraction * 10) + (d - '0');
            }

            foreach (var d in digits.Length > 9 ? digits[9..] : [])
            {
                if (d is < '0' or > '9')
                {
                    return false;
                }
            }
        }

        ns = (seconds * 1_000_000_000) + fraction;
        return true;
    }
}
