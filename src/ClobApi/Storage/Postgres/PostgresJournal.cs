using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Polysim.ClobApi.Journal;

namespace Polysim.ClobApi.Storage.Postgres;

/// <summary>The journal in PostgreSQL: each group commit is one row of <c>journal</c> holding the batch's records
/// (<see cref="JournalBatch"/>), inserted by one prepared statement, so a batch is either wholly durable or absent.</summary>
/// <remarks>
/// Positions are assigned here, from 1 without gaps; a row's <c>position</c> is its first record's and <c>count</c> says
/// how many follow, so the next row starts at <c>position + count</c>. The primary key turns a double write of a position
/// (two servers on one database) into a failed commit rather than a fork. A batch holding a checkpoint also writes its
/// <c>snapshots</c> row, in the same transaction. After each successful commit <see cref="Committed"/> is raised with the
/// last durable position, so the projection writer can follow without sitting on the request path.
/// </remarks>
public sealed class PostgresJournal : IRecoverableJournal
{
    private const string InsertSql = "INSERT INTO journal (position, count, payload) VALUES ($1, $2, $3)";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;
    private int _records;
    private NpgsqlParameter<long> _first = new();
    private NpgsqlParameter<int> _count = new();
    private NpgsqlParameter<ReadOnlyMemory<byte>> _payloads = new();
    private NpgsqlCommand? _insert;
    // The batch's first checkpoint record: its index among the batch's records and its payload's offset in the buffer.
    private int _checkpoint = -1;
    private int _checkpointOffset;
    private byte[] _buffer = new byte[64 * 1024];
    private int _used;
    private long _nextPosition = 1;
    private bool _migrated;
    private NpgsqlConnection? _connection;
    private volatile bool _available = true;

    /// <summary>Creates the journal on <paramref name="connectionString"/>; nothing is opened before <see cref="Replay"/>.</summary>
    /// <param name="connectionString">The database.</param>
    /// <param name="tailBytes">Payload bytes of committed batches kept in memory for the projection writer (<see cref="Tail"/>).</param>
    public PostgresJournal(string connectionString, long tailBytes = CommittedTail.DefaultCapacityBytes)
    {
        _connectionString = connectionString;
        _dataSource = NpgsqlDataSource.Create(connectionString);
        Tail = new CommittedTail(tailBytes);
    }

    /// <summary>The batches committed most recently, for the projection writer to follow without reading them back.</summary>
    public CommittedTail Tail { get; }

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
        _records = 0;
        _checkpoint = -1;
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
            using (var command = new NpgsqlCommand("SELECT position, count, payload FROM journal ORDER BY position", connection))
            using (var reader = command.ExecuteReader(System.Data.CommandBehavior.SequentialAccess))
            {
                while (reader.Read())
                {
                    var position = reader.GetInt64(0);
                    if (position != last + 1)
                    {
                        throw new InvalidDataException($"The journal has a gap: position {position} follows {last}.");
                    }

                    var count = reader.GetInt32(1);
                    var row = JournalBatch.Read(reader.GetFieldValue<byte[]>(2), count);
                    while (row.Next(out var type, out var payload))
                    {
                        apply(type, payload);
                    }

                    last = position + count - 1;
                    records += count;
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
        var framed = JournalBatch.HeaderBytes + payload.Length;
        if (_buffer.Length - _used < framed)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _used + framed));
        }

        JournalBatch.WriteHeader(_buffer.AsSpan(_used), type, payload.Length);
        _used += JournalBatch.HeaderBytes;
        payload.CopyTo(_buffer.AsSpan(_used));
        if (type == JournalRecordType.Checkpoint && _checkpoint < 0)
        {
            _checkpoint = _records;
            _checkpointOffset = _used;
        }

        _records++;
        _used += payload.Length;
    }

    /// <inheritdoc />
    /// <exception cref="IOException">PostgreSQL refused or could not be reached; none of the batch was written.</exception>
    public void Commit()
    {
        if (_records == 0)
        {
            return;
        }

        try
        {
            try
            {
                Write();
            }
            catch (Exception ex) when (IsStoreFailure(ex) && ex is not PostgresException)
            {
                // The connection failed, not the statement: most often one PostgreSQL closed while it sat idle (a restart
                // between two writes), which fails the first statement sent on it. Once more on a new connection; since
                // positions are this writer's alone, a duplicate key there means the first attempt did commit and only
                // its reply was lost.
                CloseConnection();
                _dataSource.Clear();
                try
                {
                    Write();
                }
                catch (PostgresException pg) when (pg.SqlState == PostgresErrorCodes.UniqueViolation && pg.ConstraintName == "PK_journal")
                {
                }
            }

            Tail.Add(_nextPosition, _records, _buffer.AsSpan(0, _used));
            _nextPosition += _records;
            _available = true;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            // The statement (or its transaction) did not complete, so PostgreSQL kept nothing of the batch.
            CloseConnection();
            _dataSource.Clear();
            _available = false;
            throw new IOException("PostgreSQL did not accept the journal batch.", ex);
        }
        finally
        {
            _records = 0;
            _checkpoint = -1;
            _used = 0;
        }

        Committed?.Invoke(_nextPosition - 1);
    }

    private void Write()
    {
        var insert = _insert ??= PrepareInsert(_connection = _dataSource.OpenConnection());
        _first.TypedValue = _nextPosition;
        _count.TypedValue = _records;
        _payloads.TypedValue = new ReadOnlyMemory<byte>(_buffer, 0, _used);
        if (_checkpoint < 0)
        {
            // One statement in autocommit: atomic on its own, and a single round trip to the server.
            insert.ExecuteNonQuery();
        }
        else
        {
            CommitWithSnapshot(_connection!);
        }
    }

    /// <summary>A batch holding a checkpoint also writes its <c>snapshots</c> row; both statements go as one batch, which
    /// PostgreSQL runs as one implicit transaction (rare: clean stops only, so it is not prepared).</summary>
    private void CommitWithSnapshot(NpgsqlConnection connection)
    {
        var offset = _checkpointOffset;
        using var batch = new NpgsqlBatch(connection);
        var journal = new NpgsqlBatchCommand(InsertSql);
        journal.Parameters.Add(new NpgsqlParameter<long>("", _nextPosition));
        journal.Parameters.Add(new NpgsqlParameter<int>("", _records));
        journal.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("", NpgsqlDbType.Bytea) { TypedValue = new ReadOnlyMemory<byte>(_buffer, 0, _used) });
        batch.BatchCommands.Add(journal);
        var snapshot = new NpgsqlBatchCommand("INSERT INTO snapshots (position, engine_sequence, state_hash, taken_at) VALUES ($1, $2, $3, now())");
        snapshot.Parameters.Add(new NpgsqlParameter<long>("", _nextPosition + _checkpoint));
        snapshot.Parameters.Add(new NpgsqlParameter<long>("", BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(offset))));
        snapshot.Parameters.Add(new NpgsqlParameter<long>("", BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(offset + 8))));
        batch.BatchCommands.Add(snapshot);
        batch.ExecuteNonQuery();
    }

    /// <summary>The batch insert, prepared once per connection: each commit then sends only Bind/Execute/Sync, and the
    /// payload parameter points at the reused buffer.</summary>
    private NpgsqlCommand PrepareInsert(NpgsqlConnection connection)
    {
        var command = new NpgsqlCommand(InsertSql, connection);
        _first = new NpgsqlParameter<long>("", NpgsqlDbType.Bigint);
        _count = new NpgsqlParameter<int>("", NpgsqlDbType.Integer);
        _payloads = new NpgsqlParameter<ReadOnlyMemory<byte>>("", NpgsqlDbType.Bytea);
        command.Parameters.Add(_first);
        command.Parameters.Add(_count);
        command.Parameters.Add(_payloads);
        command.Prepare();
        return command;
    }

    private void CloseConnection()
    {
        try
        {
            _insert?.Dispose();
            _connection?.Dispose();
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
        }

        _insert = null;
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
