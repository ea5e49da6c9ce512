using System.Buffers.Binary;
using System.IO.Hashing;
using Polysim.ClobApi.Journal;

namespace Polysim.ClobApi.Tests.Journal;

/// <summary>The embedded journal file on its own: records survive a reopen, the zero tail written ahead of the last record
/// reads as "nothing more", and a tear anywhere in it is discarded, with new records following the last intact one.</summary>
[Trait("Mode", "Embedded")]
public sealed class FileJournalTests : IDisposable
{
    private const int Preallocation = 64 << 10;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "polysim-journal-" + Guid.NewGuid().ToString("n")[..12]);

    private string FilePath => Path.Combine(_dir, "journal.bin");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void A_journal_whose_tail_is_preallocated_zeros_replays_only_the_written_records()
    {
        var journal = Open();
        ReplayAll(journal);
        Write(journal, "one", "two");
        Write(journal, "three");
        var written = journal.Position;
        // What a kill -9 leaves: the file as the running journal had it, zeros and all (Dispose would cut them off).
        var crashed = File.ReadAllBytes(FilePath);
        journal.Dispose();
        File.WriteAllBytes(FilePath, crashed);
        Assert.True(crashed.Length > written, "the running journal keeps zeros written ahead of its last record");
        Assert.All(crashed[(int)written..], b => Assert.Equal(0, b));

        using var reopened = Open();
        Assert.Equal(["one", "two", "three"], ReplayAll(reopened));
        Assert.Equal(written, reopened.ReplayedBytes);
        Assert.Equal(0, reopened.DiscardedBytes);
    }

    [Fact]
    public void A_restart_appends_after_the_last_valid_record_not_at_the_end_of_the_file()
    {
        var journal = Open();
        ReplayAll(journal);
        Write(journal, "one");
        var crashed = File.ReadAllBytes(FilePath);
        journal.Dispose();
        File.WriteAllBytes(FilePath, crashed);

        var reopened = Open();
        ReplayAll(reopened);
        Write(reopened, "two");
        reopened.Dispose();
        var stopped = new FileInfo(FilePath).Length;

        // Had "two" gone to the end of the file, the zeros before it would end the records and it would be lost.
        using var again = Open();
        Assert.Equal(["one", "two"], ReplayAll(again));
        Assert.Equal(stopped, again.ReplayedBytes);
    }

    public static TheoryData<string> TornRecords() => new() { "bad checksum", "zeroed payload", "header fragment" };

    [Theory]
    [MemberData(nameof(TornRecords))]
    public void A_torn_record_inside_the_preallocated_region_is_discarded_and_the_next_record_takes_its_place(string kind)
    {
        var journal = Open();
        ReplayAll(journal);
        Write(journal, "one", "two");
        var intact = journal.Position;
        var crashed = File.ReadAllBytes(FilePath);
        journal.Dispose();
        // The crash hit mid-write: part of a longer frame reached the disk, the zeros after it are still zeros.
        var torn = TornFrame(kind, "a third record that is longer than the one written after the restart");
        torn.CopyTo(crashed, intact);
        File.WriteAllBytes(FilePath, crashed);

        var reopened = Open();
        Assert.Equal(["one", "two"], ReplayAll(reopened));
        Assert.Equal(intact, reopened.ReplayedBytes);
        Assert.True(reopened.DiscardedBytes >= torn.Length);
        Assert.All(File.ReadAllBytes(FilePath)[(int)intact..], b => Assert.Equal(0, b));
        Write(reopened, "3");
        reopened.Dispose();

        using var again = Open();
        Assert.Equal(["one", "two", "3"], ReplayAll(again));
        Assert.Equal(0, again.DiscardedBytes);
    }

    [Fact]
    public void A_clean_stop_leaves_exactly_the_records_as_the_journal_without_preallocation_writes_them()
    {
        var journal = Open();
        ReplayAll(journal);
        Write(journal, "one", "two");
        journal.Dispose();
        var plainDir = _dir + "-plain";
        try
        {
            using (var plain = new FileJournal(plainDir, preallocationBytes: 0))
            {
                ReplayAll(plain);
                Write(plain, "one", "two");
            }

            Assert.Equal(File.ReadAllBytes(Path.Combine(plainDir, "journal.bin")), File.ReadAllBytes(FilePath));
        }
        finally
        {
            Directory.Delete(plainDir, recursive: true);
        }
    }

    [Fact]
    public void A_journal_written_before_preallocation_replays_and_grows_unchanged()
    {
        // The format before the zero tail: frames back to back up to the end of the file.
        Directory.CreateDirectory(_dir);
        File.WriteAllBytes(FilePath, [.. Frame("old one"), .. Frame("old two")]);

        var journal = Open();
        Assert.Equal(["old one", "old two"], ReplayAll(journal));
        Write(journal, "new");
        journal.Dispose();

        using var again = Open();
        Assert.Equal(["old one", "old two", "new"], ReplayAll(again));
    }

    [Fact]
    public void Records_well_past_the_first_preallocated_stretch_survive_a_reopen()
    {
        var journal = Open();
        ReplayAll(journal);
        var expected = new List<string>();
        for (var batch = 0; batch < 200; batch++)
        {
            var records = Enumerable.Range(0, 10).Select(i => $"batch {batch} record {i} " + new string('x', 40)).ToArray();
            Write(journal, records);
            expected.AddRange(records);
        }

        Assert.True(journal.Position > 2 * Preallocation);
        var crashed = File.ReadAllBytes(FilePath);
        journal.Dispose();
        File.WriteAllBytes(FilePath, crashed);

        using var reopened = Open();
        Assert.Equal(expected, ReplayAll(reopened));
        Assert.Equal(0, reopened.DiscardedBytes);
    }

    private FileJournal Open() => new(_dir, Preallocation);

    private static List<string> ReplayAll(FileJournal journal)
    {
        var records = new List<string>();
        journal.Replay((type, payload) =>
        {
            Assert.Equal(JournalRecordType.HostRecord, type);
            records.Add(System.Text.Encoding.UTF8.GetString(payload));
        });
        return records;
    }

    private static void Write(FileJournal journal, params string[] records)
    {
        foreach (var record in records)
        {
            journal.Append(JournalRecordType.HostRecord, System.Text.Encoding.UTF8.GetBytes(record));
        }

        journal.Commit();
    }

    /// <summary>Frame: u32 length of (type + payload), u32 CRC-32 of (type + payload), u8 type, payload.</summary>
    private static byte[] Frame(string text)
    {
        var body = new byte[1 + System.Text.Encoding.UTF8.GetByteCount(text)];
        body[0] = (byte)JournalRecordType.HostRecord;
        System.Text.Encoding.UTF8.GetBytes(text, body.AsSpan(1));
        var frame = new byte[8 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Crc32.HashToUInt32(body));
        body.CopyTo(frame, 8);
        return frame;
    }

    private static byte[] TornFrame(string kind, string text)
    {
        var frame = Frame(text);
        switch (kind)
        {
            case "bad checksum":
                frame[^1] ^= 0x5A;
                return frame;
            case "zeroed payload":
                // The header's sector reached the disk, the payload's did not.
                Array.Clear(frame, 8, frame.Length - 8);
                return frame[..8];
            default:
                return frame[..3];
        }
    }
}
