using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Polysim.ClobApi.Hosting;

/// <summary>Compact binary form of <see cref="OrderSubmitted"/>, the one host record written for every order.</summary>
/// <remarks>
/// Every other host record stays JSON. A JSON record starts with <c>{</c> (or whitespace), never with
/// <see cref="Format"/>, so <see cref="HostRecord.Deserialize"/> tells the two apart by the first byte and journals
/// written before this format still replay. Layout after the format byte, little-endian: order id (8), account id (4),
/// wallet id (4), created at (8), then client order id, token id, order type and public id, each a varint of
/// (UTF-8 length + 1, 0 for null) followed by its bytes.
/// </remarks>
internal static class OrderSubmittedCodec
{
    /// <summary>First byte of a binary <see cref="OrderSubmitted"/> record, version 1.</summary>
    public const byte Format = 0x01;

    private const int FixedSize = 1 + 8 + 4 + 4 + 8;

    /// <summary>Appends the binary record to <paramref name="output"/>.</summary>
    public static void Write(OrderSubmitted record, IBufferWriter<byte> output)
    {
        var size = FixedSize + Size(record.ClientOrderId) + Size(record.TokenId) + Size(record.OrderType) + Size(record.PublicId);
        var span = output.GetSpan(size);
        span[0] = Format;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], record.OrderId);
        BinaryPrimitives.WriteInt32LittleEndian(span[9..], record.AccountId);
        BinaryPrimitives.WriteInt32LittleEndian(span[13..], record.WalletId);
        BinaryPrimitives.WriteInt64LittleEndian(span[17..], record.CreatedAtMs);
        var at = FixedSize;
        at += WriteString(span[at..], record.ClientOrderId);
        at += WriteString(span[at..], record.TokenId);
        at += WriteString(span[at..], record.OrderType);
        at += WriteString(span[at..], record.PublicId);
        output.Advance(at);
    }

    /// <summary>The binary record as a new array.</summary>
    public static byte[] Encode(OrderSubmitted record)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        Write(record, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a record written by <see cref="Write"/>.</summary>
    public static OrderSubmitted Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < FixedSize || bytes[0] != Format)
        {
            throw new InvalidDataException("Not a binary order_submitted record.");
        }

        var orderId = BinaryPrimitives.ReadInt64LittleEndian(bytes[1..]);
        var accountId = BinaryPrimitives.ReadInt32LittleEndian(bytes[9..]);
        var walletId = BinaryPrimitives.ReadInt32LittleEndian(bytes[13..]);
        var createdAtMs = BinaryPrimitives.ReadInt64LittleEndian(bytes[17..]);
        var rest = bytes[FixedSize..];
        var clientOrderId = ReadString(ref rest);
        var tokenId = ReadString(ref rest) ?? throw new InvalidDataException("An order_submitted record has no token id.");
        var orderType = ReadString(ref rest) switch
        {
            // The two values every order carries: shared instances instead of a string per replayed order.
            "limit" => "limit",
            "market" => "market",
            null => throw new InvalidDataException("An order_submitted record has no order type."),
            var other => other,
        };
        var publicId = ReadString(ref rest);
        if (!rest.IsEmpty)
        {
            throw new InvalidDataException("An order_submitted record has trailing bytes.");
        }

        return new OrderSubmitted(orderId, accountId, walletId, clientOrderId, tokenId, orderType, createdAtMs, publicId);
    }

    private static int Size(string? value) => value is null ? 1 : 5 + Encoding.UTF8.GetMaxByteCount(value.Length);

    private static int WriteString(Span<byte> span, string? value)
    {
        if (value is null)
        {
            span[0] = 0;
            return 1;
        }

        // Length after the prefix is unknown until encoded: reserve the widest prefix, encode, then move the bytes back.
        var length = Encoding.UTF8.GetBytes(value, span[5..]);
        var prefix = WriteVarint(span, (uint)length + 1);
        span.Slice(5, length).CopyTo(span[prefix..]);
        return prefix + length;
    }

    private static int WriteVarint(Span<byte> span, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        return i;
    }

    private static string? ReadString(ref ReadOnlySpan<byte> span)
    {
        uint value = 0;
        var shift = 0;
        var i = 0;
        while (true)
        {
            if (i >= span.Length || shift > 28)
            {
                throw new InvalidDataException("A truncated order_submitted record.");
            }

            var b = span[i++];
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }

            shift += 7;
        }

        span = span[i..];
        if (value == 0)
        {
            return null;
        }

        var length = (int)(value - 1);
        if (length > span.Length)
        {
            throw new InvalidDataException("A truncated order_submitted record.");
        }

        var text = Encoding.UTF8.GetString(span[..length]);
        span = span[length..];
        return text;
    }
}
