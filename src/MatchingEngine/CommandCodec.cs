using System.Buffers.Binary;

namespace Polysim.MatchingEngine;

/// <summary>A fixed-size little-endian binary form of <see cref="Command"/>, for journals and snapshots.</summary>
/// <remarks>Every field is written, so decode(encode(c)) == c; the leading version byte lets the layout evolve.</remarks>
public static class CommandCodec
{
    /// <summary>Bytes of one encoded command.</summary>
    public const int Size = 96;

    private const byte Version = 1;

    /// <summary>Writes <paramref name="command"/> into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public static void Encode(in Command command, Span<byte> destination)
    {
        var d = destination[..Size];
        d.Clear();
        d[0] = Version;
        d[1] = (byte)command.Kind;
        d[2] = (byte)command.Outcome;
        d[3] = command.HasOutcome ? (byte)1 : (byte)0;
        d[4] = (byte)command.Side;
        d[5] = (byte)command.TimeInForce;
        d[6] = command.PostOnly ? (byte)1 : (byte)0;
        d[7] = command.IsBudget ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(d[8..], command.Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(d[16..], command.Timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(d[24..], command.Account);
        BinaryPrimitives.WriteInt32LittleEndian(d[28..], command.Market);
        BinaryPrimitives.WriteInt64LittleEndian(d[32..], command.OrderId);
        BinaryPrimitives.WriteInt32LittleEndian(d[40..], command.Price);
        BinaryPrimitives.WriteInt64LittleEndian(d[44..], command.Quantity);
        BinaryPrimitives.WriteInt64LittleEndian(d[52..], command.Expiration);
        BinaryPrimitives.WriteInt64LittleEndian(d[60..], command.Amount);
        var p = command.MarketParameters;
        BinaryPrimitives.WriteInt32LittleEndian(d[68..], p.TickSize);
        BinaryPrimitives.WriteInt64LittleEndian(d[72..], p.MinimumSize);
        BinaryPrimitives.WriteInt32LittleEndian(d[80..], p.TakerFeeRate);
        BinaryPrimitives.WriteInt32LittleEndian(d[84..], p.TakerFeeExponentHalves);
        d[88] = p.NegRisk ? (byte)1 : (byte)0;
        d[89] = p.AutoTickSize ? (byte)1 : (byte)0;
        d[90] = (byte)command.Status;
        d[91] = (byte)command.SelfTradePrevention;
    }

    /// <summary>Reads a command written by <see cref="Encode"/>; false when the bytes are not one.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, out Command command)
    {
        command = default;
        if (source.Length < Size || source[0] != Version)
        {
            return false;
        }

        var s = source[..Size];
        command = new Command
        {
            Kind = (CommandKind)s[1],
            Outcome = (Outcome)s[2],
            HasOutcome = s[3] != 0,
            Side = (Side)s[4],
            TimeInForce = (TimeInForce)s[5],
            PostOnly = s[6] != 0,
            IsBudget = s[7] != 0,
            Sequence = BinaryPrimitives.ReadInt64LittleEndian(s[8..]),
            Timestamp = BinaryPrimitives.ReadInt64LittleEndian(s[16..]),
            Account = BinaryPrimitives.ReadInt32LittleEndian(s[24..]),
            Market = BinaryPrimitives.ReadInt32LittleEndian(s[28..]),
            OrderId = BinaryPrimitives.ReadInt64LittleEndian(s[32..]),
            Price = BinaryPrimitives.ReadInt32LittleEndian(s[40..]),
            Quantity = BinaryPrimitives.ReadInt64LittleEndian(s[44..]),
            Expiration = BinaryPrimitives.ReadInt64LittleEndian(s[52..]),
            Amount = BinaryPrimitives.ReadInt64LittleEndian(s[60..]),
            MarketParameters = new MarketParameters(
                TickSize: BinaryPrimitives.ReadInt32LittleEndian(s[68..]),
                MinimumSize: BinaryPrimitives.ReadInt64LittleEndian(s[72..]),
                NegRisk: s[88] != 0,
                TakerFeeRate: BinaryPrimitives.ReadInt32LittleEndian(s[80..]),
                TakerFeeExponentHalves: BinaryPrimitives.ReadInt32LittleEndian(s[84..]),
                AutoTickSize: s[89] != 0),
            Status = (MarketStatus)s[90],
            SelfTradePrevention = (SelfTradePrevention)s[91],
        };
        return true;
    }
}
