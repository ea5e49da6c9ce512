using Npgsql;
using NpgsqlTypes;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Journal;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Storage.Postgres;

/// <summary>Keeps the query tables (accounts, wallets, API keys, orders, trades, positions, balance history) in step with the
/// journal, off the request path: woken after each journal commit, it reads the newly durable records back and applies them to
/// a shadow state of its own.</summary>
/// <remarks>
/// The engine is deterministic, so the shadow state fed the same records produces the same events the live engine did; the
/// projections are therefore a pure function of the journal, and <see cref="RebuildAsync"/> may drop them and replay from
/// position 0. Each pass writes its rows and its checkpoint in one transaction; if that fails the shadow is discarded and
/// rebuilt up to the last checkpoint, so a row is never written twice or skipped.
/// </remarks>
public sealed class ProjectionWriter : BackgroundService
{
    /// <summary>Name of this projection's row in <c>projection_checkpoints</c>.</summary>
    public const string CheckpointName = "query_tables";

    /// <summary>Journal records read per pass (and per projection transaction) unless configured otherwise.</summary>
    public const int DefaultRowsPerPass = 4_096;

    private readonly NpgsqlDataSource _dataSource;
    private readonly EngineOptions _engineOptions;
    private readonly ILogger<ProjectionWriter> _log;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _gate = new();
    private TaskCompletionSource<long>? _rebuild;
    private readonly int _rowsPerPass;
    private bool _truncated;
    private HostState? _shadow;
    private long _shadowPosition;
    private long _checkpoint;
    private long _journalTarget;

    /// <summary>Creates the writer on the journal's database.</summary>
    public ProjectionWriter(string connectionString, HostState live, PostgresJournal journal, ILogger<ProjectionWriter> log, int rowsPerPass = DefaultRowsPerPass)
    {
        _rowsPerPass = rowsPerPass > 0 ? rowsPerPass : DefaultRowsPerPass;
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _engineOptions = live.EngineOptions;
        _log = log;
        journal.Committed += Notify;
    }

    /// <summary>Last journal position reflected in the query tables.</summary>
    public long Checkpoint => Interlocked.Read(ref _checkpoint);

    /// <summary>Called after a journal commit: there is more to project, up to <paramref name="position"/>.</summary>
    public void Notify(long position)
    {
        if (position > Interlocked.Read(ref _journalTarget))
        {
            Interlocked.Exchange(ref _journalTarget, position);
        }

        Wake();
    }

    /// <summary>Empties the query tables and projects the whole journal again; completes with the position reached.</summary>
    public Task<long> RebuildAsync()
    {
        TaskCompletionSource<long> rebuild;
        lock (_gate)
        {
            rebuild = _rebuild ??= new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Wake();
        return rebuild.Task;
    }

    /// <summary>Waits until the query tables reflect the journal up to <paramref name="position"/>.</summary>
    public async Task WaitForAsync(long position, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Notify(position);
        while (Checkpoint < position)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Projections reached {Checkpoint}, not {position}.");
            }

            await Task.Delay(10);
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                TaskCompletionSource<long>? rebuild;
                lock (_gate)
                {
                    rebuild = _rebuild;
                }

                if (rebuild is not null && !_truncated)
                {
                    // Once per request: a rebuild of a long journal takes many passes, and each must build on the last.
                    await TruncateAsync(stoppingToken);
                    _truncated = true;
                    _shadow = null;
                }

                _shadow ??= await LoadShadowAsync(stoppingToken);
                var more = await PassAsync(stoppingToken);
                if (rebuild is not null && !more)
                {
                    lock (_gate)
                    {
                        _rebuild = null;
                    }

                    _truncated = false;
                    rebuild.TrySetResult(Checkpoint);
                }

                if (more)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                // The database went away mid-pass: the shadow may be ahead of what was written, so start it again.
                _log.LogWarning("Projection pass failed ({Message}); retrying.", ex.Message);
                _shadow = null;
                _dataSource.Clear();
                await Task.Delay(500, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }

            await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task TruncateAsync(CancellationToken cancel)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancel);
        await using var batch = new NpgsqlBatch(connection);
        Add(batch, "TRUNCATE accounts, wallets, api_keys, orders, trades, positions, balance_history");
        Add(batch, "DELETE FROM projection_checkpoints WHERE name = $1", CheckpointName);
        await batch.ExecuteNonQueryAsync(cancel);
        Interlocked.Exchange(ref _checkpoint, 0);
    }

    /// <summary>A shadow state that has applied the journal up to the last checkpoint, without writing anything.</summary>
    private async Task<HostState> LoadShadowAsync(CancellationToken cancel)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancel);
        await using (var read = new NpgsqlCommand("SELECT position FROM projection_checkpoints WHERE name = $1", connection))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = CheckpointName });
            var value = await read.ExecuteScalarAsync(cancel);
            Interlocked.Exchange(ref _checkpoint, value is long position ? position : 0);
        }

        var shadow = new HostState(_engineOptions);
        _shadowPosition = 0;
        await using var command = new NpgsqlCommand("SELECT position, type, payload FROM journal WHERE position <= $1 ORDER BY position", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Checkpoint });
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancel);
        while (await reader.ReadAsync(cancel))
        {
            _shadowPosition = reader.GetInt64(0);
            Apply(shadow, (JournalRecordType)reader.GetInt16(1), reader.GetFieldValue<byte[]>(2), null);
        }

        return shadow;
    }

    /// <summary>Projects the next run of durable records; true when there may be more right away.</summary>
    private async Task<bool> PassAsync(CancellationToken cancel)
    {
        var shadow = _shadow!;
        var changes = new Changes();
        var rows = 0;
        var last = _shadowPosition;
        await using var connection = await _dataSource.OpenConnectionAsync(cancel);
        await using (var command = new NpgsqlCommand(
            "SELECT position, type, payload FROM journal WHERE position > $1 ORDER BY position LIMIT $2", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = _shadowPosition });
            command.Parameters.Add(new NpgsqlParameter { Value = _rowsPerPass });
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancel);
            while (await reader.ReadAsync(cancel))
            {
                last = reader.GetInt64(0);
                Apply(shadow, (JournalRecordType)reader.GetInt16(1), reader.GetFieldValue<byte[]>(2), changes);
                rows++;
            }
        }

        if (rows == 0)
        {
            return false;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancel);
        await WriteAsync(connection, shadow, changes, last, cancel);
        await transaction.CommitAsync(cancel);
        _shadowPosition = last;
        Interlocked.Exchange(ref _checkpoint, last);
        return rows == _rowsPerPass;
    }

    private static void Apply(HostState shadow, JournalRecordType type, byte[] payload, Changes? changes)
    {
        switch (type)
        {
            case JournalRecordType.EngineCommand:
                if (!CommandCodec.TryDecode(payload, out var command))
                {
                    throw new InvalidDataException("A journal record is not an engine command.");
                }

                shadow.Apply(command);
                changes?.Observe(command, shadow.Engine.Events);
                break;
            case JournalRecordType.HostRecord:
                var record = HostRecord.Deserialize(payload);
                shadow.ApplyRecord(record);
                changes?.Observe(record);
                break;
            default:
                break;
        }
    }

    private static async Task WriteAsync(NpgsqlConnection connection, HostState shadow, Changes changes, long position, CancellationToken cancel)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var id in changes.Accounts)
        {
            if (shadow.Accounts.FindAccount(id) is { } a)
            {
                Add(batch,
                    "INSERT INTO accounts (account_id, name, tier, flagged, created_at_ms) VALUES ($1, $2, $3, $4, $5) " +
                    "ON CONFLICT (account_id) DO UPDATE SET name = excluded.name, tier = excluded.tier, flagged = excluded.flagged",
                    a.Id, a.Name, a.Tier.ToString(), a.Flagged, a.CreatedAtMs);
            }
        }

        foreach (var id in changes.Wallets)
        {
            if (shadow.Accounts.FindWallet(id) is { } w)
            {
                Add(batch,
                    "INSERT INTO wallets (wallet_id, account_id, name, address, created_at_ms) VALUES ($1, $2, $3, $4, $5) " +
                    "ON CONFLICT (wallet_id) DO UPDATE SET name = excluded.name, address = excluded.address",
                    w.Id, w.AccountId, w.Name, (object?)w.Address ?? DBNull.Value, w.CreatedAtMs);
            }
        }

        foreach (var id in changes.Keys)
        {
            if (shadow.Accounts.FindKey(id) is { } k)
            {
                Add(batch,
                    "INSERT INTO api_keys (key_id, account_id, name, prefix, secret_hash, permissions, active, revoked, expires_at_ms, " +
                    "retires_at_ms, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (key_id) DO UPDATE SET " +
                    "name = excluded.name, permissions = excluded.permissions, active = excluded.active, revoked = excluded.revoked, " +
                    "expires_at_ms = excluded.expires_at_ms, retires_at_ms = excluded.retires_at_ms",
                    k.Id, k.AccountId, k.Name, k.Prefix, k.SecretHash, k.Permissions.ToString(), k.Active, k.Revoked,
                    (object?)k.ExpiresAtMs ?? DBNull.Value, (object?)k.RetiresAtMs ?? DBNull.Value, k.CreatedAtMs);
            }
        }

        foreach (var id in changes.Orders)
        {
            if (shadow.Orders.Find(id) is { AccountId: >= 0 } o)
            {
                Add(batch,
                    "INSERT INTO orders (engine_order_id, public_id, account_id, wallet_id, market, token_id, client_order_id, side, outcome, " +
                    "price, quantity, time_in_force, status, filled, remaining, fees, created_at_ms, updated_at_ms) VALUES " +
                    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT (engine_order_id) DO UPDATE SET " +
                    "quantity = excluded.quantity, status = excluded.status, filled = excluded.filled, remaining = excluded.remaining, fees = excluded.fees, " +
                    "updated_at_ms = excluded.updated_at_ms",
                    o.EngineId, o.PublicId, o.AccountId, o.WalletId, o.Market, o.TokenId, (object?)o.ClientOrderId ?? DBNull.Value,
                    o.Side.ToString(), o.Outcome.ToString(), o.Price, o.Quantity, o.TimeInForce.ToString(), o.Status.ToString(),
                    o.Filled, o.Remaining, o.Fees, o.CreatedAtMs, o.UpdatedAtMs);
            }
        }

        foreach (var ((account, market, outcome), (available, reserved, sequence)) in changes.Positions)
        {
            Add(batch,
                "INSERT INTO positions (account_id, market, outcome, available, reserved, engine_sequence) VALUES ($1, $2, $3, $4, $5, $6) " +
                "ON CONFLICT (account_id, market, outcome) DO UPDATE SET available = excluded.available, reserved = excluded.reserved, " +
                "engine_sequence = excluded.engine_sequence",
                account, market, outcome.ToString(), available, reserved, sequence);
        }

        Add(batch,
            "INSERT INTO projection_checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            CheckpointName, position);
        await batch.ExecuteNonQueryAsync(cancel);

        if (changes.Trades.Count > 0)
        {
            await using var trades = await connection.BeginBinaryImportAsync(
                "COPY trades (trade_id, engine_sequence, timestamp_ms, market, match_type, taker_order_id, maker_order_id, taker_account, " +
                "maker_account, taker_outcome, maker_outcome, taker_side, maker_side, taker_price, maker_price, size, fee) FROM STDIN (FORMAT BINARY)", cancel);
            foreach (var t in changes.Trades)
            {
                await trades.StartRowAsync(cancel);
                await trades.WriteAsync(t.TradeId, NpgsqlDbType.Bigint, cancel);
                await trades.WriteAsync(t.EngineSequence, NpgsqlDbType.Bigint, cancel);
                await trades.WriteAsync(t.TimestampMs, NpgsqlDbType.Bigint, cancel);
                await trades.WriteAsync(t.Market, NpgsqlDbType.Integer, cancel);
                await trades.WriteAsync(t.MatchType, NpgsqlDbType.Text, cancel);
                await trades.WriteAsync(t.TakerOrderId, NpgsqlDbType.Bigint, cancel);
                await trades.WriteAsync(t.MakerOrderId, NpgsqlDbType.Bigint, cancel);
                await trades.WriteAsync(t.TakerAccount, NpgsqlDbType.Integer, cancel);
                await trades.WriteAsync(t.MakerAccount, NpgsqlDbType.Integer, cancel);
                await trades.WriteAsync(t.TakerOutcome, NpgsqlDbType.Text, cancel);
                await trades.WriteAsync(t.MakerOutcome, NpgsqlDbType.Text, cancel);
                await trades.WriteAsync(t.TakerSide, NpgsqlDbType.Text, cancel);
                await trades.WriteAsync(t.MakerSide, NpgsqlDbType.Text, cancel);
                await trades.WriteAsync(t.TakerPrice, NpgsqlDbType.Integer, cancel);
                await trades.WriteAsync(t.MakerPrice, NpgsqlDbType.Integer, cancel);
                await trades.WriteAsync(t.Size, NpgsqlDbType.Bigint, cancel);
                await trades.WriteAsync(t.Fee, NpgsqlDbType.Bigint, cancel);
            }

            await trades.CompleteAsync(cancel);
        }

        if (changes.Balances.Count > 0)
        {
            await using var balances = await connection.BeginBinaryImportAsync(
                "COPY balance_history (account_id, engine_sequence, timestamp_ms, available, reserved) FROM STDIN (FORMAT BINARY)", cancel);
            foreach (var b in changes.Balances)
            {
                await balances.StartRowAsync(cancel);
                await balances.WriteAsync(b.AccountId, NpgsqlDbType.Integer, cancel);
                await balances.WriteAsync(b.EngineSequence, NpgsqlDbType.Bigint, cancel);
                await balances.WriteAsync(b.TimestampMs, NpgsqlDbType.Bigint, cancel);
                await balances.WriteAsync(b.Available, NpgsqlDbType.Bigint, cancel);
                await balances.WriteAsync(b.Reserved, NpgsqlDbType.Bigint, cancel);
            }

            await balances.CompleteAsync(cancel);
        }
    }

    private static void Add(NpgsqlBatch batch, string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        batch.BatchCommands.Add(command);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _wake.Dispose();
        _dataSource.Dispose();
    }

    /// <summary>What one pass changed: ids to re-read from the shadow at the end, and rows to append.</summary>
    private sealed class Changes
    {
        public HashSet<int> Accounts { get; } = [];

        public HashSet<int> Wallets { get; } = [];

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

        public HashSet<long> Orders { get; } = [];

        public Dictionary<(int Account, int Market, Outcome Outcome), (long Available, long Reserved, long Sequence)> Positions { get; } = [];

        public List<TradeRow> Trades { get; } = [];

        public List<BalanceHistoryRow> Balances { get; } = [];

        public void Observe(HostRecord record)
        {
            switch (record)
            {
                case AccountOpened r:
                    Accounts.Add(r.AccountId);
                    break;
                case AccountTierChanged r:
                    Accounts.Add(r.AccountId);
                    break;
                case AccountFlagged r:
                    Accounts.Add(r.AccountId);
                    break;
                case WalletCreated r:
                    Wallets.Add(r.WalletId);
                    break;
                case ApiKeyIssued r:
                    Keys.Add(r.KeyId);
                    break;
                case ApiKeyUpdated r:
                    Keys.Add(r.KeyId);
                    break;
                case ApiKeyRetiring r:
                    Keys.Add(r.KeyId);
                    break;
                case ApiKeyRevoked r:
                    Keys.Add(r.KeyId);
                    break;
                default:
                    break;
            }
        }

        public void Observe(in Command command, ReadOnlySpan<EngineEvent> events)
        {
            foreach (var e in events)
            {
                switch (e.Kind)
                {
                    case EventKind.OrderAccepted or EventKind.OrderRested or EventKind.OrderFilled or EventKind.OrderReduced or EventKind.OrderCancelled or EventKind.OrderExpired:
                        Orders.Add(e.OrderId);
                        break;
                    case EventKind.Rejected when e.OrderId != 0:
                        Orders.Add(e.OrderId);
                        break;
                    case EventKind.Trade:
                        Trades.Add(new TradeRow
                        {
                            TradeId = e.TradeId,
                            EngineSequence = command.Sequence,
                            TimestampMs = command.Timestamp,
                            Market = e.Market,
                            MatchType = e.MatchType.ToString(),
                            TakerOrderId = e.TakerOrderId,
                            MakerOrderId = e.MakerOrderId,
                            TakerAccount = e.TakerAccount,
                            MakerAccount = e.MakerAccount,
                            TakerOutcome = e.Outcome.ToString(),
                            MakerOutcome = e.OtherOutcome.ToString(),
                            TakerSide = e.Side.ToString(),
                            MakerSide = e.OtherSide.ToString(),
                            TakerPrice = e.TakerPrice,
                            MakerPrice = e.MakerPrice,
                            Size = e.Size,
                            Fee = e.Fee,
                        });
                        break;
                    case EventKind.BalanceChanged:
                        Balances.Add(new BalanceHistoryRow
                        {
                            AccountId = e.Account,
                            EngineSequence = command.Sequence,
                            TimestampMs = command.Timestamp,
                            Available = e.Amount,
                            Reserved = e.OtherAmount,
                        });
                        break;
                    case EventKind.PositionChanged:
                        Positions[(e.Account, e.Market, e.Outcome)] = (e.Amount, e.OtherAmount, command.Sequence);
                        break;
                    default:
                        break;
                }
            }
        }
    }
}
