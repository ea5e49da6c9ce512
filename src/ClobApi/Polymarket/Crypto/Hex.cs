namespace Polysim.ClobApi.Polymarket.Crypto;

/// <summary>0x-prefixed hexadecimal as Ethereum tooling writes it.</summary>
public static class Hex
{
    /// <summary>Lower-case <c>0x…</c> text of <paramref name="bytes"/> (the form Polymarket returns order ids in).</summary>
    public static string ToHex(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>Decodes <c>0x</c>-prefixed hex of any case; with <paramref name="expectedLength"/> the byte count must match.</summary>
    public static bool TryDecode(string? text, out byte[] bytes, int expectedLength = -1)
    {
        bytes = [];
        if (text is null || text.Length < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
        {
            return false;
        }

        var digits = text.AsSpan(2);
        if (digits.Length % 2 != 0 || (expectedLength >= 0 && digits.Length != expectedLength * 2))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        bytes = Convert.FromHexString(digits);
        return true;
    }

    /// <summary>Decodes <c>0x</c>-prefixed hex or throws <see cref="FormatException"/>.</summary>
    public static byte[] Decode(string text, int expectedLength = -1) =>
        TryDecode(text, out var bytes, expectedLength)
            ? bytes
            : throw new FormatException($"'{text}' is not 0x-prefixed hex" + (expectedLength >= 0 ? $" of {expectedLength} bytes." : "."));
}
