using System.Buffers;
using System.Buffers.Binary;

namespace Polysim.ClobApi.Projections;

/// <summary>The 32 bytes behind a public order id ("0x" + 64 hex digits), as a value the GC has nothing to trace in.</summary>
/// <remarks>Kept instead of the 66-character string so that a kept order costs the collector no object of its own; the
/// string is rendered when a reply needs it, always in lowercase.</remarks>
/// <param name="A">Bytes 0–7, big-endian.</param>
/// <param name="B">Bytes 8–15, big-endian.</param>
/// <param name="C">Bytes 16–23, big-endian.</param>
/// <param name="D">Bytes 24–31, big-endian.</param>
public readonly record struct OrderKey(ulong A, ulong B, ulong C, ulong D)
{
    /// <summary>Characters of the text form.</summary>
    public const int TextLength = 66;

    /// <summary>The key of 32 bytes.</summary>
    public static OrderKey FromBytes(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64BigEndian(bytes),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));

    /// <summary>Parses "0x" + 64 hex digits in either case; anything else is not an order id.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out OrderKey key)
    {
        key = default;
        if (text.Length != TextLength || text[0] != '0' || (text[1] | 0x20) != 'x')
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[32];
        if (Convert.FromHexString(text[2..], bytes, out _, out var written) != OperationStatus.Done || written != 32)
        {
            return false;
        }

        key = FromBytes(bytes);
        return true;
    }

    /// <summary>Writes the 32 bytes.</summary>
    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt64BigEndian(bytes, A);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], D);
    }

    /// <summary>"0x" + 64 lowercase hex digits.</summary>
    public override string ToString() =>
        string.Create(TextLength, this, static (chars, key) =>
        {
            Span<byte> bytes = stackalloc byte[32];
            key.Write(bytes);
            chars[0] = '0';
            chars[1] = 'x';
            Convert.TryToHexStringLower(bytes, chars[2..], out _);
        });
}
