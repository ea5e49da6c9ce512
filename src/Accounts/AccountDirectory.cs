using System.Security.Cryptography;
using System.Text;

namespace Polysim.Accounts;

/// <summary>What an API key may do.</summary>
[Flags]
public enum KeyPermissions
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Read market data, orders, balances.</summary>
    Read = 1,

    /// <summary>Place and cancel orders.</summary>
    Trade = 2,
}

/// <summary>A user of the exchange: a tier and one or more sandbox wallets.</summary>
public sealed class Account
{
    internal Account(int id, string name, Tier tier, long createdAtMs)
    {
        Id = id;
        Name = name;
        Tier = tier;
        CreatedAtMs = createdAtMs;
    }

    /// <summary>Account id.</summary>
    public int Id { get; }

    /// <summary>Display name.</summary>
    public string Name { get; }

    /// <summary>Subscription tier.</summary>
    public Tier Tier { get; internal set; }

    /// <summary>Opening time, Unix ms.</summary>
    public long CreatedAtMs { get; }

    /// <summary>Whether the operator has flagged the account (under review: every authenticated request is refused with ACCESS_RESTRICTED).</summary>
    public bool Flagged { get; internal set; }

    /// <summary>Whether the account is on the operator's API allowlist (consulted when key issuance is <c>allowlist</c>).</summary>
    public bool Allowlisted { get; internal set; }

    /// <summary>Whether the operator admitted the account to the closed beta (consulted when key issuance is <c>closed_beta</c>).</summary>
    public bool Admitted { get; internal set; }

    /// <summary>The account's wallets, oldest first; the first is the default.</summary>
    /// <remarks>Replaced, never changed in place, when a wallet is added, so a reader holding it sees a consistent list.</remarks>
    public List<Wallet> Wallets { get; internal set; } = [];
}

/// <summary>A sandbox wallet: one engine account with its own USDC and positions.</summary>
/// <param name="Id">Wallet id, which is also its engine account id.</param>
/// <param name="AccountId">Owner.</param>
/// <param name="Name">Display name.</param>
/// <param name="Address">0x address when the wallet belongs to a Polymarket L1 signer, else null.</param>
/// <param name="CreatedAtMs">Creation time, Unix ms.</param>
public sealed record Wallet(int Id, int AccountId, string Name, string? Address, long CreatedAtMs);

/// <summary>An API key; only the SHA-256 of its secret is kept.</summary>
public sealed class ApiKey
{
    internal ApiKey(string id, int accountId, string name, string prefix, string secretHash, KeyPermissions permissions, long? expiresAtMs, long createdAtMs)
    {
        Id = id;
        AccountId = accountId;
        Name = name;
        Prefix = prefix;
        SecretHash = secretHash;
        Permissions = permissions;
        ExpiresAtMs = expiresAtMs;
        CreatedAtMs = createdAtMs;
    }

    /// <summary>Public key id.</summary>
    public string Id { get; }

    /// <summary>Owner.</summary>
    public int AccountId { get; }

    /// <summary>Display name.</summary>
    public string Name { get; internal set; }

    /// <summary>First characters of the secret, for display.</summary>
    public string Prefix { get; }

    /// <summary>Lower-case hex SHA-256 of the secret.</summary>
    public string SecretHash { get; }

    /// <summary>What the key may do.</summary>
    public KeyPermissions Permissions { get; internal set; }

    /// <summary>Expiry, Unix ms, or null for none.</summary>
    public long? ExpiresAtMs { get; internal set; }

    /// <summary>False once deactivated (can be reactivated).</summary>
    public bool Active { get; internal set; } = true;

    /// <summary>True once revoked (final).</summary>
    public bool Revoked { get; internal set; }

    /// <summary>After a rotation, the time the old key stops working, Unix ms.</summary>
    public long? RetiresAtMs { get; internal set; }

    /// <summary>Issue time, Unix ms.</summary>
    public long CreatedAtMs { get; }
}

/// <summary>Accounts, wallets and API keys, built by applying journaled records.</summary>
/// <remarks>
/// One writer (the engine thread applies records) and many readers (request threads authenticate), so every
/// member takes a lock; the lock is uncontended in practice and held for a dictionary lookup.
/// </remarks>
public sealed class AccountDirectory
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, Account> _accounts = [];
    private readonly Dictionary<int, Wallet> _wallets = [];
    private readonly Dictionary<string, ApiKey> _keysById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApiKey> _keysByHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApiKey>.AlternateLookup<ReadOnlySpan<char>> _keysByHashText;
    private readonly Dictionary<string, Wallet> _walletsByAddress = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates an empty directory.</summary>
    public AccountDirectory() => _keysByHashText = _keysByHash.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Lower-case hex SHA-256 of an API key secret.</summary>
    public static string HashSecret(string secret)
    {
        Span<char> hex = stackalloc char[HashLength];
        HashSecret(secret, hex);
        return new string(hex);
    }

    private const int HashLength = 64;

    /// <summary>Writes the hash of <paramref name="secret"/> into <paramref name="hex"/> (64 chars) without allocating: every
    /// authenticated request hashes its key.</summary>
    private static void HashSecret(string secret, Span<char> hex)
    {
        var max = Encoding.UTF8.GetMaxByteCount(secret.Length);
        byte[]? rented = null;
        Span<byte> utf8 = max <= 512 ? stackalloc byte[512] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(secret, utf8)], digest);
        Convert.TryToHexStringLower(digest, hex, out _);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The recognisable start of every API key secret.</summary>
    public const string SecretPrefix = "ps_live_";

    /// <summary>How many leading characters of a secret are kept for display.</summary>
    public const int DisplayPrefixLength = 16;

    /// <summary>A new random secret: <c>ps_live_</c> and 32 random bytes as 64 lower-case hex digits.</summary>
    public static string NewSecret() =>
        SecretPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>The part of a secret that may be shown (its first 16 characters).</summary>
    public static string DisplayPrefix(string secret) =>
        secret.Length <= DisplayPrefixLength ? secret : secret[..DisplayPrefixLength];

    /// <summary>A new public key id.</summary>
    public static string NewKeyId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>The next unused account id.</summary>
    public int NextAccountId
    {
        get
        {
            lock (_lock)
            {
                return _accounts.Count == 0 ? 1 : _accounts.Keys.Max() + 1;
            }
        }
    }

    /// <summary>Every account, by id.</summary>
    public IReadOnlyList<Account> Accounts
    {
        get
        {
            lock (_lock)
            {
                return [.. _accounts.Values.OrderBy(a => a.Id)];
            }
        }
    }

    /// <summary>Opens an account.</summary>
    public void OpenAccount(int id, string name, Tier tier, long createdAtMs)
    {
        lock (_lock)
        {
            _accounts.Add(id, new Account(id, name, tier, createdAtMs));
        }
    }

    /// <summary>Adds a wallet to an account.</summary>
    public void AddWallet(Wallet wallet)
    {
        lock (_lock)
        {
            var account = _accounts[wallet.AccountId];
            account.Wallets = [.. account.Wallets, wallet];
            _wallets.Add(wallet.Id, wallet);
            if (wallet.Address is not null)
            {
                _walletsByAddress.Add(wallet.Address, wallet);
            }
        }
    }

    /// <summary>Issues a key.</summary>
    public void IssueKey(string id, int accountId, string name, string prefix, string secretHash, KeyPermissions permissions, long? expiresAtMs, long createdAtMs)
    {
        lock (_lock)
        {
            var key = new ApiKey(id, accountId, name, prefix, secretHash, permissions, expiresAtMs, createdAtMs);
            _keysById.Add(id, key);
            _keysByHash.Add(secretHash, key);
        }
    }

    /// <summary>Changes a key's mutable fields (only those given).</summary>
    public void UpdateKey(string id, string? name = null, KeyPermissions? permissions = null, bool? active = null, long? expiresAtMs = null, bool clearExpiry = false)
    {
        lock (_lock)
        {
            var key = _keysById[id];
            key.Name = name ?? key.Name;
            key.Permissions = permissions ?? key.Permissions;
            key.Active = active ?? key.Active;
            key.ExpiresAtMs = clearExpiry ? null : expiresAtMs ?? key.ExpiresAtMs;
        }
    }

    /// <summary>Schedules a key to stop working (rotation overlap).</summary>
    public void RetireKey(string id, long retiresAtMs)
    {
        lock (_lock)
        {
            _keysById[id].RetiresAtMs = retiresAtMs;
        }
    }

    /// <summary>Revokes a key for good.</summary>
    public void RevokeKey(string id)
    {
        lock (_lock)
        {
            _keysById[id].Revoked = true;
            _keysById[id].Active = false;
        }
    }

    /// <summary>Changes an account's tier.</summary>
    public void SetTier(int accountId, Tier tier)
    {
        lock (_lock)
        {
            _accounts[accountId].Tier = tier;
        }
    }

    /// <summary>Flags or unflags an account.</summary>
    public void SetFlagged(int accountId, bool flagged)
    {
        lock (_lock)
        {
            _accounts[accountId].Flagged = flagged;
        }
    }

    /// <summary>Puts an account on the API allowlist or takes it off.</summary>
    public void SetAllowlisted(int accountId, bool allowed)
    {
        lock (_lock)
        {
            _accounts[accountId].Allowlisted = allowed;
        }
    }

    /// <summary>Admits an account to the closed beta or withdraws the admission.</summary>
    public void SetAdmitted(int accountId, bool admitted)
    {
        lock (_lock)
        {
            _accounts[accountId].Admitted = admitted;
        }
    }

    /// <summary>Ids of the accounts on the allowlist, ascending.</summary>
    public IReadOnlyList<int> AllowlistedAccounts()
    {
        lock (_lock)
        {
            return [.. _accounts.Values.Where(a => a.Allowlisted).Select(a => a.Id).Order()];
        }
    }

    /// <summary>Keys that occupy one of the account's key slots: neither revoked nor retiring after a rotation.</summary>
    /// <remarks>Deactivated and expired keys keep their slot (they can be reactivated or given a new expiry); delete them to free it.</remarks>
    public int KeySlotsUsed(int accountId)
    {
        lock (_lock)
        {
            return _keysById.Values.Count(k => k.AccountId == accountId && !k.Revoked && k.RetiresAtMs is null);
        }
    }

    /// <summary>A consistent copy of a key and its account, found by the key's secret; null when no key has that secret.</summary>
    /// <remarks>The stored hash is re-compared in constant time after the lookup, so a hit never depends on a short-circuiting compare.</remarks>
    public KeySnapshot? SnapshotBySecret(string secret)
    {
        Span<char> hash = stackalloc char[HashLength];
        HashSecret(secret, hash);
        lock (_lock)
        {
            return _keysByHashText.TryGetValue(hash, out var key) &&
                CryptographicOperations.FixedTimeEquals(
                    System.Runtime.InteropServices.MemoryMarshal.AsBytes(key.SecretHash.AsSpan()),
                    System.Runtime.InteropServices.MemoryMarshal.AsBytes((ReadOnlySpan<char>)hash))
                ? Snapshot(key)
                : null;
        }
    }

    /// <summary>A consistent copy of a key and its account, found by the key's public id.</summary>
    public KeySnapshot? SnapshotById(string keyId)
    {
        lock (_lock)
        {
            return _keysById.TryGetValue(keyId, out var key) ? Snapshot(key) : null;
        }
    }

    private KeySnapshot Snapshot(ApiKey key)
    {
        var account = _accounts.GetValueOrDefault(key.AccountId);
        return new KeySnapshot(
            key,
            account,
            key.Permissions,
            key.Active,
            key.Revoked,
            key.ExpiresAtMs,
            key.RetiresAtMs,
            account?.Tier ?? Tier.Free,
            account?.Flagged ?? false,
            account?.Allowlisted ?? false,
            account?.Admitted ?? false,
            account?.Wallets ?? []);
    }

    /// <summary>An account by id.</summary>
    public Account? FindAccount(int id)
    {
        lock (_lock)
        {
            return _accounts.GetValueOrDefault(id);
        }
    }

    /// <summary>A wallet by id.</summary>
    public Wallet? FindWallet(int id)
    {
        lock (_lock)
        {
            return _wallets.GetValueOrDefault(id);
        }
    }

    /// <summary>A wallet by its 0x address.</summary>
    public Wallet? FindWalletByAddress(string address)
    {
        lock (_lock)
        {
            return _walletsByAddress.GetValueOrDefault(address);
        }
    }

    /// <summary>A key by its public id.</summary>
    public ApiKey? FindKey(string id)
    {
        lock (_lock)
        {
            return _keysById.GetValueOrDefault(id);
        }
    }

    /// <summary>A key by its secret (hashed before the lookup).</summary>
    public ApiKey? FindKeyBySecret(string secret)
    {
        Span<char> hash = stackalloc char[HashLength];
        HashSecret(secret, hash);
        lock (_lock)
        {
            return _keysByHashText.TryGetValue(hash, out var key) ? key : null;
        }
    }

    /// <summary>An account's keys, oldest first.</summary>
    public IReadOnlyList<ApiKey> KeysOf(int accountId)
    {
        lock (_lock)
        {
            return [.. _keysById.Values.Where(k => k.AccountId == accountId).OrderBy(k => k.CreatedAtMs).ThenBy(k => k.Id, StringComparer.Ordinal)];
        }
    }
}

/// <summary>A key and its account as they were at one instant, read under the directory's lock.</summary>
/// <param name="Key">The key object (its mutable fields may change later; use the copies here for decisions).</param>
/// <param name="Account">The owning account, or null if it is missing.</param>
/// <param name="Permissions">The key's permissions.</param>
/// <param name="Active">False when deactivated.</param>
/// <param name="Revoked">True when revoked.</param>
/// <param name="ExpiresAtMs">Expiry, Unix ms, or null.</param>
/// <param name="RetiresAtMs">End of the rotation overlap, Unix ms, or null.</param>
/// <param name="Tier">The account's tier.</param>
/// <param name="Flagged">Whether the account is flagged.</param>
/// <param name="Allowlisted">Whether the account is on the allowlist.</param>
/// <param name="Admitted">Whether the account is admitted to the closed beta.</param>
/// <param name="Wallets">The account's wallets, oldest first.</param>
public sealed record KeySnapshot(
    ApiKey Key,
    Account? Account,
    KeyPermissions Permissions,
    bool Active,
    bool Revoked,
    long? ExpiresAtMs,
    long? RetiresAtMs,
    Tier Tier,
    bool Flagged,
    bool Allowlisted,
    bool Admitted,
    IReadOnlyList<Wallet> Wallets);
