using Npgsql;

namespace Polysim.ClobApi.Tests;

/// <summary>Which storage the shared API suite runs against: <c>POLYSIM_TEST_MODE=postgres+redis</c> gives every
/// <see cref="TestServer"/> a fresh PostgreSQL database on the server of <c>ConnectionStrings__Postgres</c> and Redis-backed
/// idempotency records and rate limits on the Redis of <c>ConnectionStrings__Redis</c> (a key prefix of its own);
/// <c>postgres</c> is PostgreSQL with the in-process stores; anything else (or nothing) is the embedded file journal.</summary>
public static class TestMode
{
    private static readonly string? Mode = Environment.GetEnvironmentVariable("POLYSIM_TEST_MODE");

    /// <summary>True in the PostgreSQL pass (with or without Redis).</summary>
    public static bool Postgres { get; } =
        string.Equals(Mode, "postgres", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(Mode, "postgres+redis", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the servers of the pass keep idempotency records and rate limits in Redis.</summary>
    public static bool Redis { get; } = string.Equals(Mode, "postgres+redis", StringComparison.OrdinalIgnoreCase);

    /// <summary>The CI server's connection string; a test that needs PostgreSQL fails (never skips) without it.</summary>
    public static string RequirePostgres() =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "This test needs PostgreSQL: set ConnectionStrings__Postgres (scripts/test.sh starts a throwaway cluster and sets it).");

    /// <summary>The CI Redis's connection string; the Redis pass fails (never falls back to the in-process stores) without it.</summary>
    public static string RequireRedis() =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Redis") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "POLYSIM_TEST_MODE=postgres+redis needs Redis: set ConnectionStrings__Redis (scripts/test.sh starts a throwaway one and sets it).");
}

/// <summary>Throwaway databases on the PostgreSQL server of <c>ConnectionStrings__Postgres</c>.</summary>
public static class TestDatabases
{
    private static readonly SemaphoreSlim Creating = new(1, 1);
    private static string? _template;

    /// <summary>Creates a database with the schema already migrated (a copy of a template migrated once per test run, so
    /// each server's start-up migration finds nothing to do) and returns its name and connection string.</summary>
    public static async Task<(string Name, string ConnectionString)> CreateAsync()
    {
        var admin = TestMode.RequirePostgres();
        var name = "polysim_t_" + Guid.NewGuid().ToString("n")[..20];
        await Creating.WaitAsync();
        try
        {
            _template ??= await CreateTemplateAsync(admin);
            await ExecuteAsync(admin, $"CREATE DATABASE {name} TEMPLATE {_template}");
        }
        finally
        {
            Creating.Release();
        }

        return (name, WithDatabase(admin, name));
    }

    /// <summary>Creates a database with no schema at all and returns its name and connection string.</summary>
    public static async Task<(string Name, string ConnectionString)> CreateEmptyAsync()
    {
        var admin = TestMode.RequirePostgres();
        var name = "polysim_e_" + Guid.NewGuid().ToString("n")[..20];
        await ExecuteAsync(admin, $"CREATE DATABASE {name}");
        return (name, WithDatabase(admin, name));
    }

    private static async Task<string> CreateTemplateAsync(string admin)
    {
        var template = "polysim_tpl_" + Guid.NewGuid().ToString("n")[..16];
        await ExecuteAsync(admin, $"CREATE DATABASE {template}");
        Storage.Postgres.PostgresJournal.Migrate(WithDatabase(admin, template));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {template} WITH (FORCE)").GetAwaiter().GetResult();
        return template;
    }

    private static string WithDatabase(string admin, string database) =>
        new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Drops a database made by <see cref="CreateAsync"/>, closing whatever still holds it.</summary>
    public static Task DropAsync(string name) => ExecuteAsync(TestMode.RequirePostgres(), $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
}

/// <summary>What a PostgreSQL-mode server stored, as text, for tests that search storage for secrets.</summary>
public static class TestStorage
{
    private static readonly string[] Tables = ["snapshots", "projection_checkpoints", "accounts", "wallets", "api_keys", "orders", "trades", "positions", "balance_history"];

    /// <summary>Every journal payload (as Latin-1) and every row of every other table (as PostgreSQL's row text).</summary>
    public static string Dump(string connectionString)
    {
        var text = new System.Text.StringBuilder();
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using (var journal = new NpgsqlCommand("SELECT payload FROM journal ORDER BY position", connection))
        using (var reader = journal.ExecuteReader())
        {
            while (reader.Read())
            {
                text.Append(System.Text.Encoding.Latin1.GetString(reader.GetFieldValue<byte[]>(0))).Append('\n');
            }
        }

        foreach (var table in Tables)
        {
            using var rows = new NpgsqlCommand($"SELECT t::text FROM {table} t", connection);
            using var reader = rows.ExecuteReader();
            while (reader.Read())
            {
                text.Append(reader.GetString(0)).Append('\n');
            }
        }

        return text.ToString();
    }
}
