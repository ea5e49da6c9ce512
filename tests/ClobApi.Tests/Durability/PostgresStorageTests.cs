using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Polysim.ClobApi.Journal;
using Polysim.ClobApi.Storage.Postgres;
using Polysim.ClobApi.Tests.Quality;

namespace Polysim.ClobApi.Tests.Durability;

/// <summary>PostgreSQL mode on its own terms: a database outage answers writes with 503 and leaves nothing behind, the server
/// recovers by itself, and the query tables are a rebuildable function of the journal.</summary>
[Trait("Mode", "Both")]
public sealed class PostgresStorageTests
{
    [Fact]
    public async Task With_PostgreSQL_stopped_writes_answer_503_nothing_of_them_survives_and_the_server_recovers_without_a_restart()
    {
        await using var cluster = await PrivateCluster.StartAsync();
        var connectionString = await cluster.CreateDatabaseAsync("polysim_outage");

        var settings = QualityKit.Settings();
        settings[PostgresStorage.ConnectionStringKey] = connectionString;
        await using var server = await TestServer.StartAsync(settings);
        var market = await server.CreateMarketAsync();
        var trader = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(trader.ApiKey);
        var resting = await client.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.40" });
        var restingId = resting.GetProperty("order_id").GetString()!;
        var balanceBefore = await client.GetJsonAsync("/v1/account/balance");
        var ordersBefore = QualityKit.Canonical(await client.ListAllOrdersAsync());
        var hashBefore = await server.StateHashAsync();

        await cluster.StopAsync();

        // Every kind of write is refused in the error contract while the database is down, the first one included (it
        // reached the engine and failed at the commit; the others are turned away before they reach it).
        for (var i = 0; i < 5; i++)
        {
            var placed = await client.SendAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "5", price = "0.3" + i });
            await QualityKit.AssertErrorAsync(placed, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        }

        await QualityKit.AssertErrorAsync(await client.DeleteAsync("/v1/orders/" + restingId), HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        using (var admin = server.AdminClient())
        {
            var opened = await admin.PostAsJsonAsync("/v1/admin/accounts", new { tier = "free", starting_balance = "5" });
            await QualityKit.AssertErrorAsync(opened, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.Client().GetAsync("/readyz")).StatusCode);

        await cluster.StartServerAsync();

        // No restart: the server notices the database is back, rebuilds from the journal and takes writes again.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await server.Client().GetAsync("/readyz")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the server did not recover within 30 s of the database coming back");
            await Task.Delay(100);
        }

        // Nothing of the refused writes survived, in memory or in the database: same hash, same orders, same balance.
        Assert.Equal(hashBefore, await server.StateHashAsync());
        Assert.Equal(hashBefore, server.Host().ReplayedStateHash);
        Assert.Equal(ordersBefore, QualityKit.Canonical(await client.ListAllOrdersAsync()));
        Assert.Equal(QualityKit.Canonical(balanceBefore), QualityKit.Canonical(await client.GetJsonAsync("/v1/account/balance")));

        var after = await client.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "5", price = "0.35" });
        await QualityKit.OkJsonAsync(await client.DeleteAsync("/v1/orders/" + restingId));
        var hashAfter = await server.StateHashAsync();

        await server.RestartAsync();
        Assert.Equal(hashAfter, server.Host().ReplayedStateHash);
        using var again = server.KeyClient(trader.ApiKey);
        var orders = await again.ListAllOrdersAsync();
        Assert.Equal(2, orders.Count);
        Assert.Equal("OPEN", orders.Single(o => o.GetProperty("order_id").GetString() == after.GetProperty("order_id").GetString()).GetProperty("status").GetString());
        Assert.Equal("CANCELLED", orders.Single(o => o.GetProperty("order_id").GetString() == restingId).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("600")]
    public async Task The_query_tables_follow_the_journal_match_the_engine_and_a_rebuild_from_the_journal_reproduces_them_exactly(string? tailBytes)
    {
        // Following the journal reads just-committed records from memory; a tail of no capacity reads every record back
        // from the table, and a small one switches between the two whenever a batch did not fit.
        var (database, connectionString) = await TestDatabases.CreateAsync();
        try
        {
            var settings = QualityKit.Settings();
            settings[PostgresStorage.ConnectionStringKey] = connectionString;
            settings[PostgresStorage.CommittedTailBytesKey] = tailBytes;
            // A handful of records per pass, so following the journal and rebuilding it both take many passes.
            settings[PostgresStorage.RowsPerPassKey] = "7";
            await using var server = await TestServer.StartAsync(settings);
            var session = await MixedSession.RunAsync(server);

            // Concurrent writes, so commits hold several records and the writer cuts passes inside journal rows.
            using (var maker = server.KeyClient(session.Maker.ApiKey))
            using (var taker = server.KeyClient(session.Taker.ApiKey))
            {
                for (var round = 0; round < 3; round++)
                {
                    var sends = new[] { maker, taker }.SelectMany(client => Enumerable.Range(1, 4).Select(i => client.SendAsync(
                        HttpMethod.Post, "/v1/orders", new { token_id = session.Market.YesToken, side = "BUY", quantity = "5", price = $"0.0{i}" })));
                    foreach (var response in await Task.WhenAll(sends))
                    {
                        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                        response.Dispose();
                    }
                }
            }

            Assert.NotEqual("1", Assert.Single(Names(connectionString, "SELECT max(count)::text FROM journal")));
            var writer = server.Services.GetRequiredService<ProjectionWriter>();
            var journal = server.Services.GetRequiredService<PostgresJournal>();
            await writer.WaitForAsync(journal.LastPosition, TimeSpan.FromSeconds(30));
            var first = Tables(connectionString);

            // The projections agree with the engine: every wallet's last balance row and every position row.
            var wallets = new[] { session.Maker.WalletId, session.Taker.WalletId };
            foreach (var wallet in wallets)
            {
                var (available, reserved) = await server.Host().ReadAsync(s => (s.Engine.GetBalance(wallet).Available, s.Engine.GetBalance(wallet).Reserved));
                Assert.Contains($"balance {wallet} {available} {reserved}", first);
            }

            Assert.Contains("trades ", first);
            Assert.Contains("orders ", first);
            Assert.Contains("positions ", first);
            Assert.DoesNotContain(session.Taker.ApiKey, first);

            Assert.True(journal.LastPosition > 7 * 5, $"the journal has only {journal.LastPosition} records");
            switch (tailBytes)
            {
                case null:
                    Assert.True(writer.RecordsFromTail > 0, "the writer never followed the journal from memory");
                    break;
                case "0":
                    Assert.Equal(0, writer.RecordsFromTail);
                    break;
                default:
                    Assert.True(writer.RecordsFromTail > 0 && writer.RecordsFromTable > 0,
                        $"{writer.RecordsFromTail} records from memory and {writer.RecordsFromTable} from the table: one path was never taken");
                    break;
            }

            var rebuilt = await QualityKit.OkJsonAsync(await server.AdminClient().PostAsync("/v1/admin/projections/rebuild", null));
            Assert.Equal(journal.LastPosition, rebuilt.GetProperty("position").GetInt64());
            Assert.Equal(first, Tables(connectionString));
        }
        finally
        {
            await TestDatabases.DropAsync(database);
        }
    }

    [Fact]
    public async Task A_journal_written_one_row_per_record_replays_the_same_records_after_the_migration_to_one_row_per_commit()
    {
        var (current, currentConnection) = await TestDatabases.CreateAsync();
        var (old, oldConnection) = await TestDatabases.CreateEmptyAsync();
        try
        {
            // A real session's journal, in today's layout, read back record by record.
            var settings = QualityKit.Settings();
            settings[PostgresStorage.ConnectionStringKey] = currentConnection;
            ulong hash;
            await using (var server = await TestServer.StartAsync(settings))
            {
                await MixedSession.RunAsync(server);
                hash = await server.Host().ReadAsync(s => s.Engine.ComputeStateHash());
            }

            var records = ReplayAll(currentConnection);
            Assert.True(records.Count > 20, $"only {records.Count} records");

            // The same records as the layout before the migration held them: one row each, type beside payload.
            await using (var db = new PolysimDb(PolysimDbOptions.Build(oldConnection)))
            {
                await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync("20261123140524_LeanerQueryTables");
            }

            await using (var connection = new NpgsqlConnection(oldConnection))
            {
                await connection.OpenAsync();
                for (var i = 0; i < records.Count; i++)
                {
                    await using var insert = new NpgsqlCommand("INSERT INTO journal (position, type, payload) VALUES ($1, $2, $3)", connection);
                    insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = i + 1 });
                    insert.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)records[i].Type });
                    insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = records[i].Payload });
                    await insert.ExecuteNonQueryAsync();
                }
            }

            PostgresJournal.Migrate(oldConnection);

            var migrated = ReplayAll(oldConnection);
            Assert.Equal(records.Select(r => (r.Type, Convert.ToHexString(r.Payload))), migrated.Select(r => (r.Type, Convert.ToHexString(r.Payload))));
            settings[PostgresStorage.ConnectionStringKey] = oldConnection;
            await using (var server = await TestServer.StartAsync(settings))
            {
                Assert.Equal(hash, await server.Host().ReadAsync(s => s.Engine.ComputeStateHash()));
            }
        }
        finally
        {
            await TestDatabases.DropAsync(current);
            await TestDatabases.DropAsync(old);
        }
    }

    [Fact]
    public async Task A_commit_of_several_records_is_one_row_which_replays_record_by_record_and_a_damaged_row_stops_the_replay()
    {
        var (database, connectionString) = await TestDatabases.CreateAsync();
        try
        {
            using (var journal = new PostgresJournal(connectionString))
            {
                journal.Replay((_, _) => { });
                journal.Append(JournalRecordType.HostRecord, "{\"a\":1}"u8);
                journal.Append(JournalRecordType.EngineCommand, [1, 2, 3]);
                journal.Append(JournalRecordType.HostRecord, ""u8);
                journal.Commit();
                journal.Append(JournalRecordType.EngineCommand, [4]);
                journal.Append(JournalRecordType.EngineCommand, [5, 6]);
                journal.Commit();
                Assert.Equal(5, journal.LastPosition);
            }

            Assert.Equal(["1 3", "4 2"], Names(connectionString, "SELECT position || ' ' || count FROM journal"));
            Assert.Equal(
                ["HostRecord 7B2261223A317D", "EngineCommand 010203", "HostRecord ", "EngineCommand 04", "EngineCommand 0506"],
                ReplayAll(connectionString).Select(r => $"{r.Type} {Convert.ToHexString(r.Payload)}"));

            // A row whose count promises more records than it holds is damage, not a shorter journal.
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var damage = new NpgsqlCommand("UPDATE journal SET count = 3 WHERE position = 4", connection);
                Assert.Equal(1, await damage.ExecuteNonQueryAsync());
            }

            Assert.Throws<InvalidDataException>(() => ReplayAll(connectionString));
        }
        finally
        {
            await TestDatabases.DropAsync(database);
        }
    }

    private static List<(JournalRecordType Type, byte[] Payload)> ReplayAll(string connectionString)
    {
        var records = new List<(JournalRecordType, byte[])>();
        using var journal = new PostgresJournal(connectionString);
        journal.Replay((type, payload) => records.Add((type, payload.ToArray())));
        return records;
    }

    [Fact]
    public async Task A_PostgreSQL_crash_empties_the_unlogged_query_tables_and_the_writer_projects_the_whole_journal_again_without_a_restart()
    {
        await using var cluster = await PrivateCluster.StartAsync();
        var connectionString = await cluster.CreateDatabaseAsync("polysim_crash");

        var settings = QualityKit.Settings();
        settings[PostgresStorage.ConnectionStringKey] = connectionString;
        await using var server = await TestServer.StartAsync(settings);
        await MixedSession.RunAsync(server);
        var writer = server.Services.GetRequiredService<ProjectionWriter>();
        var journal = server.Services.GetRequiredService<PostgresJournal>();
        var position = journal.LastPosition;
        await writer.WaitForAsync(position, TimeSpan.FromSeconds(30));
        var before = Tables(connectionString);
        Assert.Contains("orders ", before);

        // Only what is authoritative is written ahead to the WAL; every projection, its checkpoint included, is not.
        Assert.Equal("__EFMigrationsHistory journal snapshots", string.Join(' ', Names(connectionString, "SELECT c.relname FROM pg_class c "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relpersistence = 'p'")));

        var readBefore = writer.RecordsFromTable;
        await cluster.CrashAsync();
        await cluster.StartServerAsync();
        NpgsqlConnection.ClearAllPools();

        // Crash recovery reset the unlogged tables to empty, checkpoint and all; the writer, finding no checkpoint, read the
        // whole journal back and wrote the same rows again, while the server kept running.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (writer.RecordsFromTable - readBefore < position || writer.Checkpoint < position)
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"the writer read {writer.RecordsFromTable - readBefore} of {position} records back and reached {writer.Checkpoint} within 60 s");
            await Task.Delay(100);
        }

        Assert.Equal(before, Tables(connectionString));

        // The journal's connection died with the database while idle; the first write after it is still accepted.
        var market = await server.CreateMarketAsync();
        var trader = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(trader.ApiKey);
        await client.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.40" });
        Assert.True(journal.LastPosition > position);
    }

    private static List<string> Names(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql + " ORDER BY 1", connection);
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>The projection tables as sorted text lines (balance history reduced to each wallet's last row).</summary>
    private static string Tables(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        var lines = new List<string>();
        void Read(string prefix, string sql)
        {
            using var command = new NpgsqlCommand(sql, connection);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                lines.Add(prefix + " " + reader.GetString(0));
            }
        }

        Read("accounts", "SELECT t::text FROM accounts t");
        Read("wallets", "SELECT t::text FROM wallets t");
        Read("keys", "SELECT t::text FROM api_keys t");
        Read("orders", "SELECT t::text FROM orders t");
        Read("trades", "SELECT t::text FROM trades t");
        Read("positions", "SELECT t::text FROM positions t");
        Read("history", "SELECT (account_id, engine_sequence, timestamp_ms, available, reserved)::text FROM balance_history");
        Read("balance", "SELECT DISTINCT ON (account_id) account_id || ' ' || available || ' ' || reserved FROM balance_history ORDER BY account_id, id DESC");
        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }
}
