using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Polysim.ClobApi.Storage.Postgres;

/// <summary>The PostgreSQL schema: the engine journal and its snapshots (the source of truth) and the query projections built from them.</summary>
/// <remarks>
/// Only <see cref="JournalRows"/> and <see cref="Snapshots"/> are authoritative; every other table is a projection that
/// <see cref="ProjectionWriter"/> derives from the journal off the request path and can drop and rebuild at any time.
/// The projections, with their checkpoint, are UNLOGGED tables: their writes add nothing to the WAL the journal's commits
/// wait to flush, and since a database crash empties all of them together, checkpoint included, the writer then simply
/// projects the whole journal again.
/// </remarks>
public sealed class PolysimDb(DbContextOptions<PolysimDb> options) : DbContext(options)
{
    /// <summary>Every state change, in order; written in group-committed batches before callers are answered.</summary>
    public DbSet<JournalRow> JournalRows => Set<JournalRow>();

    /// <summary>Engine state hashes at journal positions (written with each checkpoint record), checked on replay.</summary>
    public DbSet<SnapshotRow> Snapshots => Set<SnapshotRow>();

    /// <summary>How far each projection has read the journal.</summary>
    public DbSet<ProjectionCheckpointRow> ProjectionCheckpoints => Set<ProjectionCheckpointRow>();

    /// <summary>Accounts (projection).</summary>
    public DbSet<AccountRow> Accounts => Set<AccountRow>();

    /// <summary>Wallets (projection).</summary>
    public DbSet<WalletRow> Wallets => Set<WalletRow>();

    /// <summary>API keys, hashes only (projection).</summary>
    public DbSet<ApiKeyRow> ApiKeys => Set<ApiKeyRow>();

    /// <summary>Orders and their latest state (projection).</summary>
    public DbSet<OrderRow> Orders => Set<OrderRow>();

    /// <summary>Trades (projection).</summary>
    public DbSet<TradeRow> Trades => Set<TradeRow>();

    /// <summary>Shares held per account and token (projection).</summary>
    public DbSet<PositionRow> Positions => Set<PositionRow>();

    /// <summary>Every change of an account's USDC (projection).</summary>
    public DbSet<BalanceHistoryRow> BalanceHistory => Set<BalanceHistoryRow>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<JournalRow>(e =>
        {
            e.ToTable("journal");
            e.HasKey(x => x.Position);
            e.Property(x => x.Position).HasColumnName("position").ValueGeneratedNever();
            e.Property(x => x.Count).HasColumnName("count");
            e.Property(x => x.Payload).HasColumnName("payload");
        });
        modelBuilder.Entity<SnapshotRow>(e =>
        {
            e.ToTable("snapshots");
            e.HasKey(x => x.Position);
            e.Property(x => x.Position).HasColumnName("position").ValueGeneratedNever();
            e.Property(x => x.EngineSequence).HasColumnName("engine_sequence");
            e.Property(x => x.StateHash).HasColumnName("state_hash");
            e.Property(x => x.TakenAt).HasColumnName("taken_at");
        });
        modelBuilder.Entity<ProjectionCheckpointRow>(e =>
        {
            e.ToTable("projection_checkpoints").IsUnlogged();
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Position).HasColumnName("position");
        });
        modelBuilder.Entity<AccountRow>(e =>
        {
            e.ToTable("accounts").IsUnlogged();
            e.HasKey(x => x.AccountId);
            e.Property(x => x.AccountId).HasColumnName("account_id").ValueGeneratedNever();
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Tier).HasColumnName("tier");
            e.Property(x => x.Flagged).HasColumnName("flagged");
            e.Property(x => x.CreatedAtMs).HasColumnName("created_at_ms");
        });
        modelBuilder.Entity<WalletRow>(e =>
        {
            e.ToTable("wallets").IsUnlogged();
            e.HasKey(x => x.WalletId);
            e.Property(x => x.WalletId).HasColumnName("wallet_id").ValueGeneratedNever();
            e.Property(x => x.AccountId).HasColumnName("account_id");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Address).HasColumnName("address");
            e.Property(x => x.CreatedAtMs).HasColumnName("created_at_ms");
            e.HasIndex(x => x.AccountId);
        });
        modelBuilder.Entity<ApiKeyRow>(e =>
        {
            e.ToTable("api_keys").IsUnlogged();
            e.HasKey(x => x.KeyId);
            e.Property(x => x.KeyId).HasColumnName("key_id");
            e.Property(x => x.AccountId).HasColumnName("account_id");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Prefix).HasColumnName("prefix");
            e.Property(x => x.SecretHash).HasColumnName("secret_hash");
            e.Property(x => x.Permissions).HasColumnName("permissions");
            e.Property(x => x.Active).HasColumnName("active");
            e.Property(x => x.Revoked).HasColumnName("revoked");
            e.Property(x => x.ExpiresAtMs).HasColumnName("expires_at_ms");
            e.Property(x => x.RetiresAtMs).HasColumnName("retires_at_ms");
            e.Property(x => x.CreatedAtMs).HasColumnName("created_at_ms");
            e.HasIndex(x => x.SecretHash).IsUnique();
            e.HasIndex(x => x.AccountId);
        });
        modelBuilder.Entity<OrderRow>(e =>
        {
            // Most orders change once or twice soon after their insert (filled, cancelled): room left on each page keeps those
            // updates HOT (no new index entries), so vacuum has no index to clean up after them.
            e.ToTable("orders").IsUnlogged().HasStorageParameter("fillfactor", 85);
            e.HasKey(x => x.EngineOrderId);
            e.Property(x => x.EngineOrderId).HasColumnName("engine_order_id").ValueGeneratedNever();
            e.Property(x => x.PublicId).HasColumnName("public_id");
            e.Property(x => x.AccountId).HasColumnName("account_id");
            e.Property(x => x.WalletId).HasColumnName("wallet_id");
            e.Property(x => x.Market).HasColumnName("market");
            e.Property(x => x.TokenId).HasColumnName("token_id");
            e.Property(x => x.ClientOrderId).HasColumnName("client_order_id");
            e.Property(x => x.Side).HasColumnName("side");
            e.Property(x => x.Outcome).HasColumnName("outcome");
            e.Property(x => x.Price).HasColumnName("price");
            e.Property(x => x.Quantity).HasColumnName("quantity");
            e.Property(x => x.TimeInForce).HasColumnName("time_in_force");
            e.Property(x => x.Status).HasColumnName("status");
            e.Property(x => x.Filled).HasColumnName("filled");
            e.Property(x => x.Remaining).HasColumnName("remaining");
            e.Property(x => x.Fees).HasColumnName("fees");
            e.Property(x => x.CreatedAtMs).HasColumnName("created_at_ms");
            e.Property(x => x.UpdatedAtMs).HasColumnName("updated_at_ms");
            // Looked up by equality only, and unique by construction (the engine refuses a duplicate id): a hash index holds
            // a 4-byte code per order where a B-tree held the whole 66-character id, a quarter of the size to write.
            e.HasIndex(x => x.PublicId).HasMethod("hash");
            e.HasIndex(x => new { x.WalletId, x.EngineOrderId });
        });
        modelBuilder.Entity<TradeRow>(e =>
        {
            e.ToTable("trades").IsUnlogged();
            e.HasKey(x => x.TradeId);
            e.Property(x => x.TradeId).HasColumnName("trade_id").ValueGeneratedNever();
            e.Property(x => x.EngineSequence).HasColumnName("engine_sequence");
            e.Property(x => x.TimestampMs).HasColumnName("timestamp_ms");
            e.Property(x => x.Market).HasColumnName("market");
            e.Property(x => x.MatchType).HasColumnName("match_type");
            e.Property(x => x.TakerOrderId).HasColumnName("taker_order_id");
            e.Property(x => x.MakerOrderId).HasColumnName("maker_order_id");
            e.Property(x => x.TakerAccount).HasColumnName("taker_account");
            e.Property(x => x.MakerAccount).HasColumnName("maker_account");
            e.Property(x => x.TakerOutcome).HasColumnName("taker_outcome");
            e.Property(x => x.MakerOutcome).HasColumnName("maker_outcome");
            e.Property(x => x.TakerSide).HasColumnName("taker_side");
            e.Property(x => x.MakerSide).HasColumnName("maker_side");
            e.Property(x => x.TakerPrice).HasColumnName("taker_price");
            e.Property(x => x.MakerPrice).HasColumnName("maker_price");
            e.Property(x => x.Size).HasColumnName("size");
            e.Property(x => x.Fee).HasColumnName("fee");
            e.HasIndex(x => new { x.Market, x.TradeId });
        });
        modelBuilder.Entity<PositionRow>(e =>
        {
            e.ToTable("positions").IsUnlogged();
            e.HasKey(x => new { x.AccountId, x.Market, x.Outcome });
            e.Property(x => x.AccountId).HasColumnName("account_id");
            e.Property(x => x.Market).HasColumnName("market");
            e.Property(x => x.Outcome).HasColumnName("outcome");
            e.Property(x => x.Available).HasColumnName("available");
            e.Property(x => x.Reserved).HasColumnName("reserved");
            e.Property(x => x.EngineSequence).HasColumnName("engine_sequence");
        });
        modelBuilder.Entity<BalanceHistoryRow>(e =>
        {
            e.ToTable("balance_history").IsUnlogged();
            // Read per account, newest first: the key itself serves that, with no second index to write per row.
            e.HasKey(x => new { x.AccountId, x.Id });
            e.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(x => x.AccountId).HasColumnName("account_id");
            e.Property(x => x.EngineSequence).HasColumnName("engine_sequence");
            e.Property(x => x.TimestampMs).HasColumnName("timestamp_ms");
            e.Property(x => x.Available).HasColumnName("available");
            e.Property(x => x.Reserved).HasColumnName("reserved");
        });
    }
}

/// <summary>One group commit's journal records.</summary>
public sealed class JournalRow
{
    /// <summary>Position of the row's first record in the journal (positions run from 1 without gaps, one per record).</summary>
    public long Position { get; set; }

    /// <summary>Records in the row (at least 1); the next row starts at <see cref="Position"/> + <see cref="Count"/>.</summary>
    public int Count { get; set; }

    /// <summary>The records, each framed as <see cref="JournalBatch"/> describes (type, length, then the bytes the file
    /// journal would hold: command codec bytes or host-record JSON).</summary>
    public byte[] Payload { get; set; } = [];
}

/// <summary>The engine's state hash at a journal position.</summary>
public sealed class SnapshotRow
{
    /// <summary>Journal position of the checkpoint record.</summary>
    public long Position { get; set; }

    /// <summary>Last engine sequence number applied.</summary>
    public long EngineSequence { get; set; }

    /// <summary>Engine state hash (the ulong's bits).</summary>
    public long StateHash { get; set; }

    /// <summary>Wall-clock time of the checkpoint.</summary>
    public DateTimeOffset TakenAt { get; set; }
}

/// <summary>How far one projection has read.</summary>
public sealed class ProjectionCheckpointRow
{
    /// <summary>Projection name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Last journal position reflected in the projection tables.</summary>
    public long Position { get; set; }
}

/// <summary>An account.</summary>
public sealed class AccountRow
{
    /// <summary>Account id.</summary>
    public int AccountId { get; set; }

    /// <summary>Display name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Tier name.</summary>
    public string Tier { get; set; } = string.Empty;

    /// <summary>Operator flag.</summary>
    public bool Flagged { get; set; }

    /// <summary>Unix ms.</summary>
    public long CreatedAtMs { get; set; }
}

/// <summary>A wallet (an engine account).</summary>
public sealed class WalletRow
{
    /// <summary>Wallet id = engine account id.</summary>
    public int WalletId { get; set; }

    /// <summary>Owner.</summary>
    public int AccountId { get; set; }

    /// <summary>Display name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>0x address of a Polymarket signer, or null.</summary>
    public string? Address { get; set; }

    /// <summary>Unix ms.</summary>
    public long CreatedAtMs { get; set; }
}

/// <summary>An API key: its hash and display prefix, never the secret.</summary>
public sealed class ApiKeyRow
{
    /// <summary>Public id.</summary>
    public string KeyId { get; set; } = string.Empty;

    /// <summary>Owner.</summary>
    public int AccountId { get; set; }

    /// <summary>Display name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>First characters of the secret.</summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>Hex SHA-256 of the secret.</summary>
    public string SecretHash { get; set; } = string.Empty;

    /// <summary>Permissions.</summary>
    public string Permissions { get; set; } = string.Empty;

    /// <summary>Not deactivated.</summary>
    public bool Active { get; set; }

    /// <summary>Revoked for good.</summary>
    public bool Revoked { get; set; }

    /// <summary>Unix ms, or null.</summary>
    public long? ExpiresAtMs { get; set; }

    /// <summary>Unix ms, or null.</summary>
    public long? RetiresAtMs { get; set; }

    /// <summary>Unix ms.</summary>
    public long CreatedAtMs { get; set; }
}

/// <summary>An order's latest state.</summary>
public sealed class OrderRow
{
    /// <summary>Engine order id.</summary>
    public long EngineOrderId { get; set; }

    /// <summary>Public (0x) id.</summary>
    public string PublicId { get; set; } = string.Empty;

    /// <summary>Owner account.</summary>
    public int AccountId { get; set; }

    /// <summary>Wallet (engine account).</summary>
    public int WalletId { get; set; }

    /// <summary>Engine market id.</summary>
    public int Market { get; set; }

    /// <summary>Token id.</summary>
    public string TokenId { get; set; } = string.Empty;

    /// <summary>Client order id, if any.</summary>
    public string? ClientOrderId { get; set; }

    /// <summary>BUY or SELL.</summary>
    public string Side { get; set; } = string.Empty;

    /// <summary>YES or NO.</summary>
    public string Outcome { get; set; } = string.Empty;

    /// <summary>Limit price, 1e-4 units.</summary>
    public int Price { get; set; }

    /// <summary>Shares, micro units.</summary>
    public long Quantity { get; set; }

    /// <summary>GTC, GTD, FOK, FAK.</summary>
    public string TimeInForce { get; set; } = string.Empty;

    /// <summary>Status.</summary>
    public string Status { get; set; } = string.Empty;

    /// <summary>Filled shares, micro units.</summary>
    public long Filled { get; set; }

    /// <summary>Remaining shares, micro units.</summary>
    public long Remaining { get; set; }

    /// <summary>Fees paid, micro units.</summary>
    public long Fees { get; set; }

    /// <summary>Unix ms.</summary>
    public long CreatedAtMs { get; set; }

    /// <summary>Unix ms.</summary>
    public long UpdatedAtMs { get; set; }
}

/// <summary>One taker meeting one maker.</summary>
public sealed class TradeRow
{
    /// <summary>Engine trade id.</summary>
    public long TradeId { get; set; }

    /// <summary>Engine sequence of the command that traded.</summary>
    public long EngineSequence { get; set; }

    /// <summary>Unix ms.</summary>
    public long TimestampMs { get; set; }

    /// <summary>Engine market id.</summary>
    public int Market { get; set; }

    /// <summary>COMPLEMENTARY, MINT or MERGE.</summary>
    public string MatchType { get; set; } = string.Empty;

    /// <summary>Taker order.</summary>
    public long TakerOrderId { get; set; }

    /// <summary>Maker order.</summary>
    public long MakerOrderId { get; set; }

    /// <summary>Taker wallet.</summary>
    public int TakerAccount { get; set; }

    /// <summary>Maker wallet.</summary>
    public int MakerAccount { get; set; }

    /// <summary>Taker outcome.</summary>
    public string TakerOutcome { get; set; } = string.Empty;

    /// <summary>Maker outcome.</summary>
    public string MakerOutcome { get; set; } = string.Empty;

    /// <summary>Taker side.</summary>
    public string TakerSide { get; set; } = string.Empty;

    /// <summary>Maker side.</summary>
    public string MakerSide { get; set; } = string.Empty;

    /// <summary>Taker's own-token price.</summary>
    public int TakerPrice { get; set; }

    /// <summary>Maker's own-token price.</summary>
    public int MakerPrice { get; set; }

    /// <summary>Shares, micro units.</summary>
    public long Size { get; set; }

    /// <summary>Taker fee, micro units.</summary>
    public long Fee { get; set; }
}

/// <summary>Shares of one token held by one wallet.</summary>
public sealed class PositionRow
{
    /// <summary>Wallet (engine account).</summary>
    public int AccountId { get; set; }

    /// <summary>Engine market id.</summary>
    public int Market { get; set; }

    /// <summary>YES or NO.</summary>
    public string Outcome { get; set; } = string.Empty;

    /// <summary>Free shares, micro units.</summary>
    public long Available { get; set; }

    /// <summary>Shares reserved by open sells, micro units.</summary>
    public long Reserved { get; set; }

    /// <summary>Engine sequence of the last change.</summary>
    public long EngineSequence { get; set; }
}

/// <summary>A wallet's USDC after one change.</summary>
public sealed class BalanceHistoryRow
{
    /// <summary>Row id (insertion order).</summary>
    public long Id { get; set; }

    /// <summary>Wallet (engine account).</summary>
    public int AccountId { get; set; }

    /// <summary>Engine sequence of the change.</summary>
    public long EngineSequence { get; set; }

    /// <summary>Unix ms.</summary>
    public long TimestampMs { get; set; }

    /// <summary>Free USDC, micro units.</summary>
    public long Available { get; set; }

    /// <summary>USDC reserved by open buys, micro units.</summary>
    public long Reserved { get; set; }
}

/// <summary>Lets <c>dotnet ef</c> build the model without starting the server (connection from ConnectionStrings__Postgres).</summary>
public sealed class PolysimDbDesignFactory : IDesignTimeDbContextFactory<PolysimDb>
{
    /// <inheritdoc />
    public PolysimDb CreateDbContext(string[] args) =>
        new(PolysimDbOptions.Build(Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? "Host=127.0.0.1;Database=polysim"));
}

/// <summary>One place that configures the context's provider.</summary>
public static class PolysimDbOptions
{
    /// <summary>Options for <see cref="PolysimDb"/> on <paramref name="connectionString"/>.</summary>
    public static DbContextOptions<PolysimDb> Build(string connectionString) =>
        new DbContextOptionsBuilder<PolysimDb>().UseNpgsql(connectionString).Options;
}
