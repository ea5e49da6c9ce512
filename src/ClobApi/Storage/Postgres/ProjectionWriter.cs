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

    /// <summary>Least time between the starts of two passes unless configured otherwise (ms).</summary>
    public const int DefaultPassIntervalMs = 50;

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
    private readonly TimeSpan _interval;
    private readonly Changes _changes = new();
    private readonly Columns _columns = new();
    private Statements? _statements;
    private byte[] _payload = new byte[1024];
    private readonly CommittedTail _tail;
    private long _fromTail;
    private long _fromTable;

    /// <summary>Creates the writer on the journal's database.</summary>
    public ProjectionWriter(
        string connectionString, HostState live, PostgresJournal journal, ILogger<ProjectionWriter> log, int rowsPerPass = DefaultRowsPerPass,
        int passIntervalMs = DefaultPassIntervalMs)
    {
        _rowsPerPass = rowsPerPass > 0 ? rowsPerPass : DefaultRowsPerPass;
        _interval = TimeSpan.FromMilliseconds(Math.Max(0, passIntervalMs));
        // The query tables are a function of the journal, and each pass commits its rows with its checkpoint: a pass lost
        // in a crash is simply projected again from the checkpoint before it. So the writer's commits need not wait for
        // the WAL flush (asynchronous commit; the journal's own commits stay synchronous), and never block on the disk.
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = ((builder.Options ?? string.Empty) + " -c synchronous_commit=off").Trim();
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _engineOptions = live.EngineOptions;
        _log = log;
        _tail = journal.Tail;
        journal.Committed += Notify;
    }

    /// <summary>Journal records this writer took from the journal's in-memory tail (diagnostics).</summary>
    public long RecordsFromTail => Interlocked.Read(ref _fromTail);

    /// <summary>Journal records this writer read back from the table (start, rebuild, or a batch the tail did not keep).</summary>
    public long RecordsFromTable => Interlocked.Read(ref _fromTable);

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
        var lastPass = DateTime.MinValue;
        var more = false;
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

                // While the journal commits many small batches, gather them into fewer, larger passes: each pass costs a
                // read, a transaction and a round of statements however few rows it carries, on the cores the requests use.
                // A backlog (the last pass was full) and a rebuild go on at once.
                var wait = lastPass + _interval - DateTime.UtcNow;
                if (rebuild is null && !more && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stoppingToken);
                }

                lastPass = DateTime.UtcNow;
                more = false;
                more = await PassAsync(stoppingToken);
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
                more = false;
                _log.LogWarning("Projection pass failed ({Message}); retrying.", ex.Message);
                _shadow = null;
                await CloseAsync();
                _dataSource.Clear();
                await Task.Delay(500, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }

            await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await CloseAsync();
    }

    /// <summary>The writer's own connection, kept across passes with its statements prepared once.</summary>
    private async Task<Statements> ConnectAsync(CancellationToken cancel)
    {
        if (_statements is { } open)
        {
            return open;
        }

        var connection = await _dataSource.OpenConnectionAsync(cancel);
        try
        {
            var statements = new Statements(connection, _columns);
            await statements.PrepareAsync(cancel);
            return _statements = statements;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task CloseAsync()
    {
        if (_statements is { } statements)
        {
            _statements = null;
            try
            {
                await statements.DisposeAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException)
            {
            }
        }
    }

    private async Task TruncateAsync(CancellationToken cancel)
    {
        var connection = (await ConnectAsync(cancel)).Connection;
        await using var batch = new NpgsqlBatch(connection);
        Add(batch, "TRUNCATE accounts, wallets, api_keys, orders, trades, positions, balance_history");
        Add(batch, "DELETE FROM projection_checkpoints WHERE name = $1", CheckpointName);
        await batch.ExecuteNonQueryAsync(cancel);
        Interlocked.Exchange(ref _checkpoint, 0);
    }

    /// <summary>A shadow state that has applied the journal up to the last checkpoint, without writing anything.</summary>
    private async Task<HostState> LoadShadowAsync(CancellationToken cancel)
    {
        var connection = (await ConnectAsync(cancel)).Connection;
        await using (var read = new NpgsqlCommand("SELECT position FROM projection_checkpoints WHERE name = $1", connection))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = CheckpointName });
            var value = await read.ExecuteScalarAsync(cancel);
            Interlocked.Exchange(ref _checkpoint, value is long position ? position : 0);
        }

        var shadow = new HostState(_engineOptions, tradeLogs: false);
        _shadowPosition = 0;
        // A pass may have stopped inside a row, so the checkpoint's row is read whole and cut at the checkpoint.
        var checkpoint = Checkpoint;
        await using var command = new NpgsqlCommand("SELECT position, count, payload FROM journal WHERE position <= $1 ORDER BY position", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = checkpoint });
        await using var reader = await command.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel))
        {
            var position = reader.GetInt64(0);
            var row = JournalBatch.Read(Payload(reader), reader.GetInt32(1));
            while (position <= checkpoint && row.Next(out var type, out var record))
            {
                Apply(shadow, type, record, null);
                _shadowPosition = position++;
            }
        }

        return shadow;
    }

    /// <summary>Projects the next run of durable records; true when there may be more right away.</summary>
    private async Task<bool> PassAsync(CancellationToken cancel)
    {
        var shadow = _shadow!;
        var changes = _changes;
        changes.Clear();
        _columns.Clear();
        var rows = 0;
        var last = _shadowPosition;
        var statements = await ConnectAsync(cancel);

        // Records just committed are still in memory; the table is read only for what the tail no longer (or never) held.
        rows = _tail.Read(_shadowPosition + 1, _rowsPerPass, this,
            static (writer, _, type, payload) => Apply(writer._shadow!, type, payload, writer._changes));
        if (rows > 0)
        {
            // The tail hands over positions without gaps.
            last = _shadowPosition + rows;
            Interlocked.Add(ref _fromTail, rows);
        }
        else
        {
            // Rows holding records after the shadow's position, up to about a pass of records (the last row whole).
            statements.From.TypedValue = _shadowPosition;
            statements.Limit.TypedValue = _rowsPerPass;
            await using var reader = await statements.Read.ExecuteReaderAsync(cancel);
            while (await reader.ReadAsync(cancel))
            {
                var position = reader.GetInt64(0);
                var row = JournalBatch.Read(Payload(reader), reader.GetInt32(1));
                while (row.Next(out var type, out var record))
                {
                    if (position > last)
                    {
                        Apply(shadow, type, record, changes);
                        last = position;
                        rows++;
                    }

                    position++;
                }
            }

            Interlocked.Add(ref _fromTable, rows);
        }

        if (rows == 0)
        {
            return false;
        }

        _columns.Fill(shadow, changes);

        // The shadow keeps no order history: a finished order's row is final once written, and dropping it here lets most
        // orders die young instead of being carried into the oldest generation only to be collected there.
        foreach (var id in changes.Orders)
        {
            shadow.Orders.ForgetIfFinished(id);
        }
        statements.Position.TypedValue = last;
        await using (var transaction = await statements.Connection.BeginTransactionAsync(cancel))
        {
            if (changes.Accounts.Count + changes.Wallets.Count + changes.Keys.Count > 0)
            {
                await WriteAccountsAsync(statements.Connection, shadow, changes, cancel);
            }

            await statements.Write.ExecuteNonQueryAsync(cancel);
            await transaction.CommitAsync(cancel);
        }

        _shadowPosition = last;
        Interlocked.Exchange(ref _checkpoint, last);
        return rows >= _rowsPerPass;
    }

    /// <summary>The current row's payload, in a buffer reused across rows (the shadow copies what it keeps).</summary>
    private ReadOnlySpan<byte> Payload(NpgsqlDataReader reader)
    {
        var length = (int)reader.GetBytes(2, 0, null, 0, 0);
        if (_payload.Length < length)
        {
            _payload = new byte[Math.Max(length, _payload.Length * 2)];
        }

        reader.GetBytes(2, 0, _payload, 0, length);
        return _payload.AsSpan(0, length);
    }

    private static void Apply(HostState shadow, JournalRecordType type, ReadOnlySpan<byte> payload, Changes? changes)
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

    /// <summary>Accounts, wallets and keys change rarely (sign-ups, key management): plain per-row upserts, unprepared.</summary>
    private static async Task WriteAccountsAsync(NpgsqlConnection connection, HostState shadow, Changes changes, CancellationToken cancel)
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

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancel);
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

    /// <summary>What one pass changed: ids to re-read from the shadow at the end, and rows to append. Reused across passes.</summary>
    private sealed class Changes
    {
        public HashSet<int> Accounts { get; } = [];

        public HashSet<int> Wallets { get; } = [];

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

        public HashSet<long> Orders { get; } = [];

        public Dictionary<(int Account, int Market, Outcome Outcome), (long Available, long Reserved, long Sequence)> Positions { get; } = [];

        public List<(long Sequence, long Timestamp, EngineEvent Event)> Trades { get; } = [];

        public List<(long Sequence, long Timestamp, int Account, long Available, long Reserved)> Balances { get; } = [];

        public void Clear()
        {
            Accounts.Clear();
            Wallets.Clear();
            Keys.Clear();
            Orders.Clear();
            Positions.Clear();
            Trades.Clear();
            Balances.Clear();
        }

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
                        Trades.Add((command.Sequence, command.Timestamp, e));
                        break;
                    case EventKind.BalanceChanged:
                        Balances.Add((command.Sequence, command.Timestamp, e.Account, e.Amount, e.OtherAmount));
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

    /// <summary>The rows of one pass as column arrays (one reused list per column), so each table takes one statement per pass
    /// whatever the number of rows, and nothing is boxed or allocated per row.</summary>
    private sealed class Columns
    {
        private readonly List<IColumn> _all = [];

        public Columns()
        {
            OrderId = Add<long>(NpgsqlDbType.Bigint);
            OrderPublicId = Add<string>(NpgsqlDbType.Text);
            OrderAccount = Add<int>(NpgsqlDbType.Integer);
            OrderWallet = Add<int>(NpgsqlDbType.Integer);
            OrderMarket = Add<int>(NpgsqlDbType.Integer);
            OrderToken = Add<string>(NpgsqlDbType.Text);
            OrderClientId = Add<string?>(NpgsqlDbType.Text);
            OrderSide = Add<string>(NpgsqlDbType.Text);
            OrderOutcome = Add<string>(NpgsqlDbType.Text);
            OrderPrice = Add<int>(NpgsqlDbType.Integer);
            OrderQuantity = Add<long>(NpgsqlDbType.Bigint);
            OrderTimeInForce = Add<string>(NpgsqlDbType.Text);
            OrderStatus = Add<string>(NpgsqlDbType.Text);
            OrderFilled = Add<long>(NpgsqlDbType.Bigint);
            OrderRemaining = Add<long>(NpgsqlDbType.Bigint);
            OrderFees = Add<long>(NpgsqlDbType.Bigint);
            OrderCreated = Add<long>(NpgsqlDbType.Bigint);
            OrderUpdated = Add<long>(NpgsqlDbType.Bigint);

            PositionAccount = Add<int>(NpgsqlDbType.Integer);
            PositionMarket = Add<int>(NpgsqlDbType.Integer);
            PositionOutcome = Add<string>(NpgsqlDbType.Text);
            PositionAvailable = Add<long>(NpgsqlDbType.Bigint);
            PositionReserved = Add<long>(NpgsqlDbType.Bigint);
            PositionSequence = Add<long>(NpgsqlDbType.Bigint);

            TradeId = Add<long>(NpgsqlDbType.Bigint);
            TradeSequence = Add<long>(NpgsqlDbType.Bigint);
            TradeTimestamp = Add<long>(NpgsqlDbType.Bigint);
            TradeMarket = Add<int>(NpgsqlDbType.Integer);
            TradeMatchType = Add<string>(NpgsqlDbType.Text);
            TradeTakerOrder = Add<long>(NpgsqlDbType.Bigint);
            TradeMakerOrder = Add<long>(NpgsqlDbType.Bigint);
            TradeTakerAccount = Add<int>(NpgsqlDbType.Integer);
            TradeMakerAccount = Add<int>(NpgsqlDbType.Integer);
            TradeTakerOutcome = Add<string>(NpgsqlDbType.Text);
            TradeMakerOutcome = Add<string>(NpgsqlDbType.Text);
            TradeTakerSide = Add<string>(NpgsqlDbType.Text);
            TradeMakerSide = Add<string>(NpgsqlDbType.Text);
            TradeTakerPrice = Add<int>(NpgsqlDbType.Integer);
            TradeMakerPrice = Add<int>(NpgsqlDbType.Integer);
            TradeSize = Add<long>(NpgsqlDbType.Bigint);
            TradeFee = Add<long>(NpgsqlDbType.Bigint);

            BalanceAccount = Add<int>(NpgsqlDbType.Integer);
            BalanceSequence = Add<long>(NpgsqlDbType.Bigint);
            BalanceTimestamp = Add<long>(NpgsqlDbType.Bigint);
            BalanceAvailable = Add<long>(NpgsqlDbType.Bigint);
            BalanceReserved = Add<long>(NpgsqlDbType.Bigint);
        }

        public interface IColumn
        {
            void Clear();

            NpgsqlParameter Parameter();
        }

        public Column<long> OrderId { get; }

        public Column<string> OrderPublicId { get; }

        public Column<int> OrderAccount { get; }

        public Column<int> OrderWallet { get; }

        public Column<int> OrderMarket { get; }

        public Column<string> OrderToken { get; }

        public Column<string?> OrderClientId { get; }

        public Column<string> OrderSide { get; }

        public Column<string> OrderOutcome { get; }

        public Column<int> OrderPrice { get; }

        public Column<long> OrderQuantity { get; }

        public Column<string> OrderTimeInForce { get; }

        public Column<string> OrderStatus { get; }

        public Column<long> OrderFilled { get; }

        public Column<long> OrderRemaining { get; }

        public Column<long> OrderFees { get; }

        public Column<long> OrderCreated { get; }

        public Column<long> OrderUpdated { get; }

        public Column<int> PositionAccount { get; }

        public Column<int> PositionMarket { get; }

        public Column<string> PositionOutcome { get; }

        public Column<long> PositionAvailable { get; }

        public Column<long> PositionReserved { get; }

        public Column<long> PositionSequence { get; }

        public Column<long> TradeId { get; }

        public Column<long> TradeSequence { get; }

        public Column<long> TradeTimestamp { get; }

        public Column<int> TradeMarket { get; }

        public Column<string> TradeMatchType { get; }

        public Column<long> TradeTakerOrder { get; }

        public Column<long> TradeMakerOrder { get; }

        public Column<int> TradeTakerAccount { get; }

        public Column<int> TradeMakerAccount { get; }

        public Column<string> TradeTakerOutcome { get; }

        public Column<string> TradeMakerOutcome { get; }

        public Column<string> TradeTakerSide { get; }

        public Column<string> TradeMakerSide { get; }

        public Column<int> TradeTakerPrice { get; }

        public Column<int> TradeMakerPrice { get; }

        public Column<long> TradeSize { get; }

        public Column<long> TradeFee { get; }

        public Column<int> BalanceAccount { get; }

        public Column<long> BalanceSequence { get; }

        public Column<long> BalanceTimestamp { get; }

        public Column<long> BalanceAvailable { get; }

        public Column<long> BalanceReserved { get; }

        public void Clear()
        {
            foreach (var column in _all)
            {
                column.Clear();
            }
        }

        /// <summary>Turns a pass's changes into rows, reading orders from the shadow as they stand at the end of the pass.</summary>
        public void Fill(HostState shadow, Changes changes)
        {
            foreach (var id in changes.Orders)
            {
                if (shadow.Orders.Find(id) is not { AccountId: >= 0 } o)
                {
                    continue;
                }

                OrderId.Add(o.EngineId);
                OrderPublicId.Add(o.PublicId);
                OrderAccount.Add(o.AccountId);
                OrderWallet.Add(o.WalletId);
                OrderMarket.Add(o.Market);
                OrderToken.Add(o.TokenId);
                OrderClientId.Add(o.ClientOrderId);
                OrderSide.Add(o.Side.ToString());
                OrderOutcome.Add(o.Outcome.ToString());
                OrderPrice.Add(o.Price);
                OrderQuantity.Add(o.Quantity);
                OrderTimeInForce.Add(o.TimeInForce.ToString());
                OrderStatus.Add(o.Status.ToString());
                OrderFilled.Add(o.Filled);
                OrderRemaining.Add(o.Remaining);
                OrderFees.Add(o.Fees);
                OrderCreated.Add(o.CreatedAtMs);
                OrderUpdated.Add(o.UpdatedAtMs);
            }

            foreach (var ((account, market, outcome), (available, reserved, sequence)) in changes.Positions)
            {
                PositionAccount.Add(account);
                PositionMarket.Add(market);
                PositionOutcome.Add(outcome.ToString());
                PositionAvailable.Add(available);
                PositionReserved.Add(reserved);
                PositionSequence.Add(sequence);
            }

            foreach (var (sequence, timestamp, e) in changes.Trades)
            {
                TradeId.Add(e.TradeId);
                TradeSequence.Add(sequence);
                TradeTimestamp.Add(timestamp);
                TradeMarket.Add(e.Market);
                TradeMatchType.Add(e.MatchType.ToString());
                TradeTakerOrder.Add(e.TakerOrderId);
                TradeMakerOrder.Add(e.MakerOrderId);
                TradeTakerAccount.Add(e.TakerAccount);
                TradeMakerAccount.Add(e.MakerAccount);
                TradeTakerOutcome.Add(e.Outcome.ToString());
                TradeMakerOutcome.Add(e.OtherOutcome.ToString());
                TradeTakerSide.Add(e.Side.ToString());
                TradeMakerSide.Add(e.OtherSide.ToString());
                TradeTakerPrice.Add(e.TakerPrice);
                TradeMakerPrice.Add(e.MakerPrice);
                TradeSize.Add(e.Size);
                TradeFee.Add(e.Fee);
            }

            foreach (var (sequence, timestamp, account, available, reserved) in changes.Balances)
            {
                BalanceAccount.Add(account);
                BalanceSequence.Add(sequence);
                BalanceTimestamp.Add(timestamp);
                BalanceAvailable.Add(available);
                BalanceReserved.Add(reserved);
            }
        }

        private Column<T> Add<T>(NpgsqlDbType type)
        {
            var column = new Column<T>(type);
            _all.Add(column);
            return column;
        }

        /// <summary>One column: a list reused across passes, sent as a PostgreSQL array.</summary>
        public sealed class Column<T>(NpgsqlDbType type) : IColumn
        {
            private readonly List<T> _values = [];

            public void Add(T value) => _values.Add(value);

            public void Clear() => _values.Clear();

            /// <summary>A parameter bound to the list (one per statement that reads the column).</summary>
            public NpgsqlParameter Parameter() => new NpgsqlParameter<List<T>>("", NpgsqlDbType.Array | type) { TypedValue = _values };
        }
    }

    /// <summary>The writer's connection and its prepared statements: the journal read, and one batch that writes a whole pass
    /// (orders and positions upserted, trades and balance history appended, the checkpoint moved).</summary>
    private sealed class Statements : IAsyncDisposable
    {
        public Statements(NpgsqlConnection connection, Columns c)
        {
            Connection = connection;
            Read = new NpgsqlCommand(
                "SELECT position, count, payload FROM journal WHERE position >= coalesce((SELECT max(position) FROM journal WHERE position <= $1 + 1), 1) " +
                "AND position <= $1 + $2 ORDER BY position", connection);
            Read.Parameters.Add(From);
            Read.Parameters.Add(Limit);

            Write = new NpgsqlBatch(connection);
            Write.BatchCommands.Add(Unnest(
                "INSERT INTO orders (engine_order_id, public_id, account_id, wallet_id, market, token_id, client_order_id, side, outcome, " +
                "price, quantity, time_in_force, status, filled, remaining, fees, created_at_ms, updated_at_ms) SELECT * FROM unnest(" +
                "$1::bigint[], $2::text[], $3::integer[], $4::integer[], $5::integer[], $6::text[], $7::text[], $8::text[], $9::text[], " +
                "$10::integer[], $11::bigint[], $12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[]) " +
                "ON CONFLICT (engine_order_id) DO UPDATE SET quantity = excluded.quantity, status = excluded.status, filled = excluded.filled, " +
                "remaining = excluded.remaining, fees = excluded.fees, updated_at_ms = excluded.updated_at_ms",
                c.OrderId, c.OrderPublicId, c.OrderAccount, c.OrderWallet, c.OrderMarket, c.OrderToken, c.OrderClientId, c.OrderSide,
                c.OrderOutcome, c.OrderPrice, c.OrderQuantity, c.OrderTimeInForce, c.OrderStatus, c.OrderFilled, c.OrderRemaining,
                c.OrderFees, c.OrderCreated, c.OrderUpdated));
            Write.BatchCommands.Add(Unnest(
                "INSERT INTO positions (account_id, market, outcome, available, reserved, engine_sequence) SELECT * FROM unnest(" +
                "$1::integer[], $2::integer[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[]) ON CONFLICT (account_id, market, outcome) " +
                "DO UPDATE SET available = excluded.available, reserved = excluded.reserved, engine_sequence = excluded.engine_sequence",
                c.PositionAccount, c.PositionMarket, c.PositionOutcome, c.PositionAvailable, c.PositionReserved, c.PositionSequence));
            Write.BatchCommands.Add(Unnest(
                "INSERT INTO trades (trade_id, engine_sequence, timestamp_ms, market, match_type, taker_order_id, maker_order_id, taker_account, " +
                "maker_account, taker_outcome, maker_outcome, taker_side, maker_side, taker_price, maker_price, size, fee) SELECT * FROM unnest(" +
                "$1::bigint[], $2::bigint[], $3::bigint[], $4::integer[], $5::text[], $6::bigint[], $7::bigint[], $8::integer[], $9::integer[], " +
                "$10::text[], $11::text[], $12::text[], $13::text[], $14::integer[], $15::integer[], $16::bigint[], $17::bigint[])",
                c.TradeId, c.TradeSequence, c.TradeTimestamp, c.TradeMarket, c.TradeMatchType, c.TradeTakerOrder, c.TradeMakerOrder,
                c.TradeTakerAccount, c.TradeMakerAccount, c.TradeTakerOutcome, c.TradeMakerOutcome, c.TradeTakerSide, c.TradeMakerSide,
                c.TradeTakerPrice, c.TradeMakerPrice, c.TradeSize, c.TradeFee));
            // Rows take their identity ids in array order, so the last row of an account is its latest balance.
            Write.BatchCommands.Add(Unnest(
                "INSERT INTO balance_history (account_id, engine_sequence, timestamp_ms, available, reserved) SELECT * FROM unnest(" +
                "$1::integer[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])",
                c.BalanceAccount, c.BalanceSequence, c.BalanceTimestamp, c.BalanceAvailable, c.BalanceReserved));
            var checkpoint = new NpgsqlBatchCommand(
                "INSERT INTO projection_checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = excluded.position");
            checkpoint.Parameters.Add(new NpgsqlParameter<string>("", NpgsqlDbType.Text) { TypedValue = CheckpointName });
            checkpoint.Parameters.Add(Position);
            Write.BatchCommands.Add(checkpoint);
        }

        public NpgsqlConnection Connection { get; }

        public NpgsqlCommand Read { get; }

        public NpgsqlParameter<long> From { get; } = new("", NpgsqlDbType.Bigint);

        public NpgsqlParameter<int> Limit { get; } = new("", NpgsqlDbType.Integer);

        public NpgsqlBatch Write { get; }

        public NpgsqlParameter<long> Position { get; } = new("", NpgsqlDbType.Bigint);

        public async Task PrepareAsync(CancellationToken cancel)
        {
            await Read.PrepareAsync(cancel);
            await Write.PrepareAsync(cancel);
        }

        public async ValueTask DisposeAsync()
        {
            await Read.DisposeAsync();
            await Write.DisposeAsync();
            await Connection.DisposeAsync();
        }

        private static NpgsqlBatchCommand Unnest(string sql, params Columns.IColumn[] columns)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var column in columns)
            {
                command.Parameters.Add(column.Parameter());
            }

            return command;
        }
    }
}
