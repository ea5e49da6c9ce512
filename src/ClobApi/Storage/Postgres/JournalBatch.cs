using System.Buffers.Binary;
using Polysim.ClobApi.Journal;

namespace Polysim.ClobApi.Storage.Postgres;

/// <summary>The layout of one <c>journal</c> row's <c>payload</c>: the records of one group commit, each framed as its type
/// (int16) and length (int32), both big-endian, then its bytes.</summary>
/// <remarks>One row per commit instead of per record: a row's tuple header, line pointer, index entry and WAL record
/// header cost ~100 bytes, as much as a typical record, and PostgreSQL's work per commit then no longer grows with the
/// batch. Big-endian so that a migration can build the frame in SQL (<c>int2send</c>, <c>int4send</c>).</remarks>
public static class JournalBatch
{
    /// <summary>Bytes of framing before each record.</summary>
    public const int HeaderBytes = 6;

    /// <summary>Writes a record's frame header into <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, JournalRecordType type, int length)
    {
        BinaryPrimitives.WriteInt16BigEndian(destination, (short)type);
        BinaryPrimitives.WriteInt32BigEndian(destination[2..], length);
    }

    /// <summary>Reads the records of a row holding <paramref name="count"/> of them.</summary>
    public static Reader Read(ReadOnlySpan<byte> payload, int count) => new(payload, count);

    /// <summary>Walks a row's records in order; throws <see cref="InvalidDataException"/> when the row does not hold exactly
    /// the records its count says.</summary>
    public ref struct Reader
    {
        private ReadOnlySpan<byte> _rest;
        private int _left;

        internal Reader(ReadOnlySpan<byte> payload, int count)
        {
            if (count < 1)
            {
                throw new InvalidDataException($"A journal row must hold at least one record, not {count}.");
            }

            _rest = payload;
            _left = count;
        }

        /// <summary>The next record; false after the last, once the row is checked to end there.</summary>
        public bool Next(out JournalRecordType type, out ReadOnlySpan<byte> record)
        {
            if (_left == 0)
            {
                if (!_rest.IsEmpty)
                {
                    throw new InvalidDataException($"A journal row has {_rest.Length} bytes past its last record.");
                }

                type = default;
                record = default;
                return false;
            }

            if (_rest.Length < HeaderBytes)
            {
                throw new InvalidDataException("A journal row ends inside a record's frame.");
            }

            type = (JournalRecordType)BinaryPrimitives.ReadInt16BigEndian(_rest);
            var length = BinaryPrimitives.ReadInt32BigEndian(_rest[2..]);
            if (length < 0 || length > _rest.Length - HeaderBytes)
            {
                throw new InvalidDataException($"A journal record's length {length} runs past its row.");
            }

            record = _rest.Slice(HeaderBytes, length);
            _rest = _rest[(HeaderBytes + length)..];
            _left--;
            return true;
        }
    }
}
