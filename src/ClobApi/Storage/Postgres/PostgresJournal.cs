using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Polysim.ClobApi.Journal;

namespace Polysim.ClobApi.Storage.Postgres;

/// <summary>The journal in PostgreSQL: each group commit is one binary COPY of the batch's records into <c>journal</c>,
/// which PostgreSQL applies atomically, so a batch is either wholly durable or absent.</summary>
/// <remarks>
/// Positions are assigned here, from 1 without gaps; the primary key turns a double write of a position (two servers on one
/// database) into a failed commit rather than a fork. A batch holding a checkpoint also writes its <c>snapshots</c> row, in
/// the same transaction. After each successful commit <see cref="Committed"/> is raised with the last durable position, so
/// the projection writer can follow without sitting on the request path.
/// </remarks>
public sealed class PostgresJournal : IRecoverableJournal
{
    private const string CopyCommand = "COPY journal (position, type, payload) FROM STDIN (FORMAT BINARY)";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;
    private readonly List<(JournalRecordType Type, int Offset, int Length)> _pending = [];
    private byte[] _buffer = new byte[64 * 1024];
    private int _used;
    private long _nextPosition = 1;
    private bool _migrated;
    private NpgsqlConnection? _connection;
    private volatile bool _available = true;

    /// <summary>Creates the journal on <paramref name="connectionString"/>; nothing is opened before <see cref="Replay"/>.</summary>
    public PostgresJournal(string connectionString)
    {
        _connectionString = connectionString;
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>Raised on the committing thread with the last durable journal position.</summary>
    public event Action<long>? Committed;

    /// <inheritdoc />
    public bool IsAvailable => _available;

    /// <summary>Records read by the last <see cref="Replay"/>.</summary>
    public long ReplayedRecords { get; private set; }

    /// <summary>The last durable position (0 when the journal is empty).</summary>
    public long LastPosition => _nextPosition - 1;

    /// <summary>Applies the EF Core migrations (creating the schema on an empty database).</summary>
    public static void Migrate(string connectionString)
    {
        // Unpooled: a pooled connection left over from before a database restart would fail the first statement.
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        using var db = new PolysimDb(PolysimDbOptions.Build(unpooled));
        db.Database.Migrate();
    }

    /// <inheritdoc />
    public void Replay(Action<JournalRecordType, ReadOnlySpan<byte>> apply)
    {
        _pending.Clear();
        _used = 0;
        try
        {
            if (!_migrated)
            {
                Migrate(_connectionString);
                _migrated = true;
            }

            CloseConnection();
            long last = 0;
            long records = 0;
            using (var connection = _dataSource.OpenConnection())
            using (var command = new NpgsqlCommand("SELECT position, type, payload FROM journal ORDER BY position", connection))
            using (var reader = command.ExecuteReader(System.Data.CommandBehavior.SequentialAccess))
            {
                while (reader.Read())
                {
                    var position = reader.GetInt64(0);
                    if (position != last + 1)
                    {
                        throw new InvalidDataException($"The journal has a gap: position {position} follows {last}.");
                    }

                    var type = (JournalRecordType)reader.GetInt16(1);
                    var payload = reader.GetFieldValue<byte[]>(2);
                    apply(type, payload);
                    last = position;
                    records++;
                }
            }

            _nextPosition = last + 1;
            ReplayedRecords = records;
            _available = true;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            _available = false;
            _dataSource.Clear();
            throw new IOException("PostgreSQL is unreachable; the journal cannot be read.", ex);
        }
    }

    /// <inheritdoc />
    public void Append(JournalRecordType type, ReadOnlySpan<byte> payload)
    {
        if (_buffer.Length - _used < payload.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _used + payload.Length));
        }

        payload.CopyTo(_buffer.AsSpan(_used));
        _pending.Add((type, _used, payload.Length));
        _used += payload.Length;
    }

    /// <inheritdoc />
    /// <exception cref="IOException">PostgreSQL refused or could not be reached; none of the batch was written.</exception>
    public void Commit()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        try
        {
            var connection = _connection ??= _dataSource.OpenConnection();
            var checkpoint = _pending.FindIndex(p => p.Type == JournalRecordType.Checkpoint);
            using var transaction = checkpoint >= 0 ? connection.BeginTransaction() : null;
            using (var importer = connection.BeginBinaryImport(CopyCommand))
            {
                var position = _nextPosition;
                foreach (var (type, offset, length) in _pending)
                {
                    importer.StartRow();
                    importer.Write(position++, NpgsqlDbType.Bigint);
                    importer.Write((short)type, NpgsqlDbType.Smallint);
                    importer.Write(new ReadOnlyMemory<byte>(_buffer, offset, length), NpgsqlDbType.Bytea);
                }

                importer.Complete();
            }

            if (transaction is not null)
            {
                var (_, offset, _) = _pending[checkpoint];
                using var insert = new NpgsqlCommand(
                    "INSERT INTO snapshots (position, engine_sequence, state_hash, taken_at) VALUES ($1, $2, $3, now())", connection, transaction);
                insert.Parameters.Add(new NpgsqlParameter { Value = _nextPosition + checkpoint });
                insert.Parameters.Add(new NpgsqlParameter { Value = BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(offset)) });
                insert.Parameters.Add(new NpgsqlParameter { Value = BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(offset + 8)) });
                insert.ExecuteNonQuery();
                transaction.Commit();
            }

            _nextPosition += _pending.Count;
            _available = true;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            // The COPY (or its transaction) did not complete, so PostgreSQL kept nothing of the batch.
            CloseConnection();
            _dataSource.Clear();
            _available = false;
            throw new IOException("PostgreSQL did not accept the journal batch.", ex);
        }
        finally
        {
            _pending.Clear();
            _used = 0;
        }

        Committed?.Invoke(_nextPosition - 1);
    }

    private void CloseConnection()
    {
        try
        {
            _connection?.Dispose();
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
        }

        _connection = null;
    }

    private static bool IsStoreFailure(Exception ex) =>
        ex is NpgsqlException or IOException or SocketException or TimeoutException or InvalidOperationException or ObjectDisposedException;

    /// <inheritdoc />
    public void Dispose()
    {
        CloseConnection();
        _dataSource.Dispose();
    }
}
