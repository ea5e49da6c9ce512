using Polysim.ClobApi.Journal;
using Polysim.ClobApi.Storage.Postgres;

namespace Polysim.ClobApi.Tests.Durability;

/// <summary>The in-memory copy of just-committed journal batches that the projection writer follows: it hands over records
/// only without gaps, from any position inside a batch, and never blocks the journal when it is full.</summary>
[Trait("Mode", "Embedded")]
public sealed class CommittedTailTests
{
    [Fact]
    public void Records_are_handed_over_in_position_order_across_batches_starting_inside_a_batch()
    {
        var tail = new CommittedTail();
        Add(tail, 1, "a", "bb", "ccc");
        Add(tail, 4, "dddd", "e");

        var seen = Read(tail, 2, 10);

        Assert.Equal(["2:bb", "3:ccc", "4:dddd", "5:e"], seen);
    }

    [Fact]
    public void A_read_stops_at_the_first_position_the_tail_does_not_hold()
    {
        var tail = new CommittedTail();
        Add(tail, 1, "a", "b");
        Add(tail, 5, "e");

        Assert.Equal(["1:a", "2:b"], Read(tail, 1, 10));
        Assert.Empty(Read(tail, 3, 10));
        Assert.Equal(["5:e"], Read(tail, 5, 10));
    }

    [Fact]
    public void A_read_takes_at_most_the_records_asked_for_and_the_next_read_goes_on_from_there()
    {
        var tail = new CommittedTail();
        Add(tail, 10, "a", "b", "c", "d");

        Assert.Equal(["10:a", "11:b", "12:c"], Read(tail, 10, 3));
        Assert.Equal(["13:d"], Read(tail, 13, 3));
    }

    [Fact]
    public void Batches_the_reader_has_passed_are_released_and_make_room_for_new_ones()
    {
        // Room for two framed three-byte records (6 bytes of frame each).
        var tail = new CommittedTail(capacityBytes: 2 * (JournalBatch.HeaderBytes + 3));
        Assert.True(Add(tail, 1, "aaa"));
        Assert.True(Add(tail, 2, "bbb"));

        // Full: the journal is never held up, the batch is simply not kept (the writer reads it from the table).
        Assert.False(Add(tail, 3, "c"));
        Assert.Equal(2, tail.Count);

        Assert.Equal(["1:aaa"], Read(tail, 1, 1));
        Assert.Equal(["2:bbb"], Read(tail, 2, 1));
        Assert.Empty(Read(tail, 3, 1));
        Assert.Equal(0, tail.Count);
        Assert.True(Add(tail, 4, "dd"));
        Assert.Equal(["4:dd"], Read(tail, 4, 5));
    }

    [Fact]
    public void A_tail_of_no_capacity_keeps_nothing()
    {
        var tail = new CommittedTail(capacityBytes: 0);

        Assert.False(Add(tail, 1, "a"));
        Assert.Empty(Read(tail, 1, 10));
    }

    [Fact]
    public void The_copies_do_not_change_when_the_journal_reuses_its_buffers()
    {
        var tail = new CommittedTail();
        var buffer = new byte[JournalBatch.HeaderBytes + 3];
        JournalBatch.WriteHeader(buffer, JournalRecordType.EngineCommand, 3);
        "xyz"u8.CopyTo(buffer.AsSpan(JournalBatch.HeaderBytes));
        tail.Add(7, 1, buffer);
        buffer.AsSpan().Fill((byte)'!');

        Assert.Equal(["7:xyz"], Read(tail, 7, 1));
    }

    private static bool Add(CommittedTail tail, long first, params string[] payloads)
    {
        var bytes = new List<byte>();
        foreach (var payload in payloads)
        {
            var header = new byte[JournalBatch.HeaderBytes];
            JournalBatch.WriteHeader(header, JournalRecordType.HostRecord, payload.Length);
            bytes.AddRange(header);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(payload));
        }

        return tail.Add(first, payloads.Length, bytes.ToArray());
    }

    private static List<string> Read(CommittedTail tail, long from, int max)
    {
        var seen = new List<string>();
        var read = tail.Read(from, max, seen, static (list, position, _, payload) =>
        {
            list.Add(position + ":" + System.Text.Encoding.ASCII.GetString(payload));
        });
        Assert.Equal(seen.Count, read);
        return seen;
    }
}
