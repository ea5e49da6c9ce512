using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

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
/// half-written last frame; replay stops at the first frame that is short, zero-length or fails its checksum, so the torn
/// record is never replayed and new records follow the last intact one.
/// <para>
/// The file is kept written with zeros a few megabytes ahead of the last record (a background thread extends it and syncs
/// the new size once). A commit then overwrites blocks that already exist inside the file's size, so <c>fdatasync</c>
/// makes it durable without writing the inode (size, times) on every batch, which <c>fsync</c> of a growing file does.
/// A zero length ends the records, so the zero tail reads as "nothing more"; a clean stop cuts it off again, so a stopped
/// journal is byte for byte the plain sequence of frames older versions wrote, and they read this one unchanged.
/// </para>
/// </remarks>
public sealed class FileJournal : IJournal
{
    private const int HeaderSize = 8;
    private const int MaxRecordSize = 16 << 20;

    /// <summary>Zeros written and synced at a time while extending (see <see cref="ExtendIfLow"/>).</summary>
    private const int ExtensionStep = 64 * 1024;

    /// <summary>Zeros written ahead of the last record per extension, unless the constructor says otherwise.</summary>
    public const int DefaultPreallocationBytes = 4 << 20;

    private readonly string _path;
    private readonly MemoryStream _pending = new();
    private readonly long _preallocation;
    private SafeFileHandle? _file;
    private long _position;
    private long _zeroedEnd;
    private Task<long>? _extension;
    private bool _dataSync = OperatingSystem.IsLinux();

    /// <summary>Opens (or creates) <c>journal.bin</c> in <paramref name="dataDirectory"/>.</summary>
    /// <param name="dataDirectory">Where the journal lives.</param>
    /// <param name="preallocationBytes">Zeros kept written ahead of the last record; 0 appends to the file's end.</param>
    public FileJournal(string dataDirectory, long preallocationBytes = DefaultPreallocationBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(preallocationBytes);
        Directory.CreateDirectory(dataDirectory);
        _path = Path.Combine(dataDirectory, "journal.bin");
        _preallocation = preallocationBytes;
    }

    /// <summary>Bytes of intact records found by <see cref="Replay"/>.</summary>
    public long ReplayedBytes { get; private set; }

    /// <summary>Bytes of a torn or corrupt tail that <see cref="Replay"/> discarded (a tail of only zeros is preallocated
    /// space, not a tear, and counts 0).</summary>
    public long DiscardedBytes { get; private set; }

    /// <summary>Where the next record goes: the end of the last intact (or committed) record.</summary>
    public long Position => _position;

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

        var tail = data.AsSpan(offset);
        var onlyZeros = !tail.ContainsAnyExcept((byte)0);
        ReplayedBytes = offset;
        DiscardedBytes = onlyZeros ? 0 : tail.Length;
        CollectExtension(wait: true);
        _file?.Dispose();
        _file = File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (onlyZeros)
        {
            // Preallocated space left by a crash (a clean stop cuts it off): still zeros, so records can go straight in.
            _zeroedEnd = data.Length;
        }
        else
        {
            // The torn bytes go before anything new is written, so a shorter record never leaves a fragment of them behind it.
            RandomAccess.SetLength(_file, offset);
            RandomAccess.FlushToDisk(_file);
            _zeroedEnd = offset;
        }

        _position = offset;
        ExtendIfLow();
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
        var end = _position + _pending.Length;
        if (end > _zeroedEnd && _extension is not null)
        {
            // The extension writes zeros from the old end on; records must not land there before it is done.
            CollectExtension(wait: true);
        }

        RandomAccess.Write(file, _pending.GetBuffer().AsSpan(0, (int)_pending.Length), _position);
        SyncData(file);
        _position = end;
        _pending.SetLength(0);
        ExtendIfLow();
    }

    /// <summary>Closes the file; after a clean run the zero tail is cut off, leaving exactly the records.</summary>
    public void Dispose()
    {
        if (_file is { } file)
        {
            try
            {
                CollectExtension(wait: true);
                if (RandomAccess.GetLength(file) > _position)
                {
                    RandomAccess.SetLength(file, _position);
                    RandomAccess.FlushToDisk(file);
                }
            }
            catch (IOException)
            {
                // The zero tail is harmless: replay reads it as the end of the records.
            }

            file.Dispose();
            _file = null;
        }

        _pending.Dispose();
    }

    /// <summary>Starts writing the next stretch of zeros once less than half a stretch is left ahead of the last record.</summary>
    private void ExtendIfLow()
    {
        CollectExtension(wait: false);
        if (_preallocation == 0 || _extension is not null || _zeroedEnd - _position >= _preallocation / 2)
        {
            return;
        }

        var file = _file!;
        var from = Math.Max(_zeroedEnd, _position);
        var to = from + _preallocation;
        _extension = Task.Factory.StartNew(
            () =>
            {
                // In small synced steps: dirty zero pages would be written out by the engine's next fdatasync (it syncs the
                // whole file), so one 4 MB stretch made every commit meanwhile wait for 4 MB of zeros (a 5–10 ms stall
                // every few seconds under load). A step's own sync also makes the new size and blocks durable, so commits
                // into them change no metadata.
                var zeros = new byte[Math.Min(ExtensionStep, _preallocation)];
                for (var at = from; at < to; at += zeros.Length)
                {
                    RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, to - at)), at);
                    RandomAccess.FlushToDisk(file);
                }

                return to;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private void CollectExtension(bool wait)
    {
        if (_extension is not { } extension || (!wait && !extension.IsCompleted))
        {
            return;
        }

        _extension = null;
        try
        {
            _zeroedEnd = extension.GetAwaiter().GetResult();
        }
        catch (IOException)
        {
            // Out of space for the zeros is not yet out of space for records: commits append past the end instead (still
            // durable, fdatasync syncs a size change) and the next commit tries again.
        }
    }

    /// <summary>Makes the written records durable: fdatasync on Linux (no inode write when the size is unchanged), else fsync.</summary>
    private void SyncData(SafeFileHandle file)
    {
        if (_dataSync)
        {
            if (FDataSync(file) == 0)
            {
                return;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINVAL)
            {
                throw new IOException($"fdatasync of {_path} failed (errno {errno}).");
            }

            // A file system without fdatasync: fsync from now on.
            _dataSync = false;
        }

        RandomAccess.FlushToDisk(file);
    }

    private const int EINVAL = 22;

    // DllImport rather than LibraryImport: the generator needs AllowUnsafeBlocks for the whole project, and one blittable
    // call with a SafeHandle marshals the same either way.
    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FDataSync(SafeFileHandle fd);
}
