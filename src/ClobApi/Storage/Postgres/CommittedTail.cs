using System.Buffers;
using Polysim.ClobApi.Journal;

namespace Polysim.ClobApi.Storage.Postgres;

/// <summary>Copies of the journal batches committed most recently, kept until the projection writer has applied them, so
/// the writer follows the journal from memory instead of reading back from PostgreSQL what was just written.</summary>
/// <remarks>
/// <para>Only committed batches enter (the journal adds one after PostgreSQL acknowledged it), so what the writer reads here
/// is byte for byte what the table holds. The tail is an optimisation, never the source of truth: when it is full the
/// journal simply stops adding, and the writer, finding the position it needs missing, reads that stretch from the table
/// as before.</para>
/// <para>One producer (the engine thread, through the journal) and one consumer (the writer). The producer never removes
/// a batch, so the consumer may read a batch outside the lock; the consumer releases batches it has passed.</para>
/// </remarks>
public sealed class CommittedTail
{
    /// <summary>Bytes of payload kept at most unless configured otherwise.</summary>
    public const int DefaultCapacityBytes = 16 * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly Queue<Batch> _batches = new();
    private readonly long _capacityBytes;
    private long _bytes;

    /// <summary>Creates a tail holding at most <paramref name="capacityBytes"/> of payload (0 keeps nothing).</summary>
    public CommittedTail(long capacityBytes = DefaultCapacityBytes) => _capacityBytes = Math.Max(0, capacityBytes);

    /// <summary>Batches held now (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _batches.Count;
            }
        }
    }

    /// <summary>Keeps a copy of a committed batch of <paramref name="count"/> records, the first at position
    /// <paramref name="first"/>, framed as in a journal row (<see cref="JournalBatch"/>).</summary>
    /// <returns>False when the tail was full and the batch was not kept.</returns>
    public bool Add(long first, int count, ReadOnlySpan<byte> payloads)
    {
        if (count == 0)
        {
            return true;
        }

        lock (_lock)
        {
            if (_bytes + payloads.Length > _capacityBytes)
            {
                return false;
            }

            _bytes += payloads.Length;
        }

        // Rented: at ~1,000 commits a second, fresh arrays would add about a kilobyte of garbage to every request.
        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, payloads.Length));
        var meta = ArrayPool<int>.Shared.Rent(count * 3);
        payloads.CopyTo(bytes);
        var reader = JournalBatch.Read(payloads, count);
        var at = 0;
        for (var i = 0; reader.Next(out var type, out var record); i++)
        {
            at += JournalBatch.HeaderBytes;
            meta[3 * i] = (int)type;
            meta[(3 * i) + 1] = at;
            meta[(3 * i) + 2] = record.Length;
            at += record.Length;
        }

        var batch = new Batch(first, count, bytes, payloads.Length, meta);
        lock (_lock)
        {
            _batches.Enqueue(batch);
        }

        return true;
    }

    /// <summary>Hands records from position <paramref name="from"/> on, at most <paramref name="max"/>, to <paramref name="apply"/>,
    /// as long as they are held here without a gap, and releases every batch that ends before <paramref name="from"/>.</summary>
    /// <returns>How many records were handed over (0 when <paramref name="from"/> is not held: read it from the table).</returns>
    public int Read<TState>(long from, int max, TState state, RecordReader<TState> apply)
    {
        var done = 0;
        var next = from;
        while (done < max)
        {
            Batch? batch = null;
            lock (_lock)
            {
                while (_batches.TryPeek(out var head) && head.First + head.Count <= next)
                {
                    Release(_batches.Dequeue());
                }

                // Batches enter in position order, so once the passed ones are gone the oldest holds `next` or none does.
                if (_batches.TryPeek(out var oldest) && oldest.First <= next)
                {
                    batch = oldest;
                }
            }

            if (batch is null)
            {
                break;
            }

            for (var i = (int)(next - batch.First); i < batch.Count && done < max; i++)
            {
                var start = batch.Meta[(3 * i) + 1];
                apply(state, next, (JournalRecordType)batch.Meta[3 * i], batch.Bytes.AsSpan(start, batch.Meta[(3 * i) + 2]));
                next++;
                done++;
            }
        }

        return done;
    }

    private void Release(Batch batch)
    {
        _bytes -= batch.Length;
        ArrayPool<byte>.Shared.Return(batch.Bytes);
        ArrayPool<int>.Shared.Return(batch.Meta);
    }

    /// <summary>Receives one record of the tail.</summary>
    public delegate void RecordReader<in TState>(TState state, long position, JournalRecordType type, ReadOnlySpan<byte> payload);

    private sealed record Batch(long First, int Count, byte[] Bytes, int Length, int[] Meta);
}
