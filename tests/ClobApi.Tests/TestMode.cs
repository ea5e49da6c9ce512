using Npgsql;

namespace Polysim.ClobApi.Tests;

/// <summary>Which storage the shared API suite runs against: <c>POLYSIM_TEST_MODE=postgres</c> gives every
/// <see cref="TestServer"/> a fresh PostgreSQL database on the server of <c>ConnectionStrings__Postgres</c>; anything else
/// (or nothing) is the embedded file journal.</summary>
public static class TestMode
{
    /// <summary>True in the PostgreSQL pass.</summary>
    public static bool Postgres { get; } =
        string.Equals(Environment.GetEnvironmentVariable("POLYSIM_TEST_MODE"), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The CI server's connection string; a test that needs PostgreSQL fails (never skips) without it.</summary>
    public static string RequirePostgres() =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "This test needs PostgreSQL: set ConnectionStrings__Postgres (scripts/test.sh starts a throwaway cluster and sets it).");
}

/// <summary>Throwaway databases on the PostgreSQL server of <c>ConnectionStrings__Postgres</c>.</summary>
public static class TestDatabases
{
    /// <summary>Creates an empty database and returns its name and connection string (the server migrates it at start).</summary>
    public static async Task<(string Name, string ConnectionString)> CreateAsync()
    {
        var admin = TestMode.RequirePostgres();
        var name = "polysim_t_" + Guid.NewGuid().ToString("n")[..20];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return (name, builder.ConnectionString);
    }

    /// <summary>Drops a database made by <see cref="CreateAsync"/>, closing whatever still holds it.</summary>
    public static async Task DropAsync(string name)
    {
        await using var connection = new NpgsqlConnection(TestMode.RequirePostgres());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
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
