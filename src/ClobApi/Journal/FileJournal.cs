using System.Buffers.Binary;
using System.IO.Hashing;

namespace Polysim.ClobApi.Journal;

/// <summary>Kinds of journal records.</summary>
public enum JournalRecordType : byte
{
    /// <summary>An engine <see cref="MatchingEngine.Command"/> in <see cref="MatchingEngine.CommandCodec"/> form.</summary>
    EngineCommand = 1,

    /// <summary>A change to host state (accounts, keys, market listings) as UTF-8 JSON.</summary>
    HostRecord = 2,

    /// <summary>Sequence number and engine state hash at a clean stop, checked on replay.</summary>
    Checkpoint = 3,
}

/// <summary>An append-only, durable log of everything that changes state, replayed at start.</summary>
public interface IJournal : IDisposable
{
    /// <summary>Calls <paramref name="apply"/> for every intact record in order; a torn or corrupt tail is discarded.</summary>
    void Replay(Action<JournalRecordType, ReadOnlySpan<byte>> apply);

    /// <summary>Buffers one record; nothing is durable until <see cref="Commit"/>.</summary>
    void Append(JournalRecordType type, ReadOnlySpan<byte> payload);

    /// <summary>Makes every buffered record durable (written and flushed to the device) before returning.</summary>
    void Commit();
}

/// <summary>The embedded journal: one file of length-prefixed, CRC-32-checked records in the data directory.</summary>
/// <remarks>
/// Frame: u32 length of (type + payload), u32 CRC-32 of (type + payload), u8 type, payload. A crash can leave a
/// half-written last frame; replay stops at the first frame that is short or fails its checksum and truncates the
/// file there, so the torn record is never replayed and new records follow the last intact one.
/// </remarks>
public sealed class FileJournal : IJournal
{
    private const int HeaderSize = 8;
    private const int MaxRecordSize = 16 << 20;

    private readonly string _path;
    private readonly MemoryStream _pending = new();
    private FileStream? _file;

    /// <summary>Opens (or creates) <c>journal.bin</c> in <paramref name="dataDirectory"/>.</summary>
    public FileJournal(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        _path = Path.Combine(dataDirectory, "journal.bin");
    }

    /// <summary>Bytes of intact records found by <see cref="Replay"/>.</summary>
    public long ReplayedBytes { get; private set; }

    /// <summary>Bytes of a torn or corrupt tail that <see cref="Replay"/> discarded.</summary>
    public long DiscardedBytes { get; private set; }

    /// <inheritdoc />
    public void Replay(Action<JournalRecordType, ReadOnlySpan<byte>> apply)
    {
        var data = File.Exists(_path) ? File.ReadAllBytes(_path) : [];
        var offset = 0;
        while (data.Length - offset >= HeaderSize)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(offset));
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset + 4));
            if (length < 1 || length > MaxRecordSize || data.Length - offset - HeaderSize < length)
            {
                break;
            }

            var body = data.AsSpan(offset + HeaderSize, length);
            if (Crc32.HashToUInt32(body) != crc)
            {
                break;
            }

            apply((JournalRecordType)body[0], body[1..]);
            offset += HeaderSize + length;
        }

        ReplayedBytes = offset;
        DiscardedBytes = data.Length - offset;
        _file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
        if (_file.Length != offset)
        {
            _file.SetLength(offset);
            _file.Flush(flushToDisk: true);
        }

        _file.Position = offset;
    }

    /// <inheritdoc />
    public void Append(JournalRecordType type, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[HeaderSize + 1];
        header[HeaderSize] = (byte)type;
        var crc = new Crc32();
        crc.Append(header[HeaderSize..]);
        crc.Append(payload);
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length + 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], crc.GetCurrentHashAsUInt32());
        _pending.Write(header);
        _pending.Write(payload);
    }

    /// <inheritdoc />
    public void Commit()
    {
        if (_pending.Length == 0)
        {
            return;
        }

        var file = _file ?? throw new InvalidOperationException("Replay the journal before appending to it.");
        file.Write(_pending.GetBuffer(), 0, (int)_pending.Length);
        file.Flush(flushToDisk: true);
        _pending.SetLength(0);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _file?.Dispose();
        _pending.Dispose();
    }
}
