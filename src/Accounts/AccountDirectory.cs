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

    /// <summary>Whether the operator has flagged the account (refused with ACCESS_RESTRICTED under an allowlist policy).</summary>
    public bool Flagged { get; internal set; }

    /// <summary>The account's wallets, oldest first; the first is the default.</summary>
    public List<Wallet> Wallets { get; } = [];
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
    private readonly Dictionary<string, Wallet> _walletsByAddress = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Lower-case hex SHA-256 of an API key secret.</summary>
    public static string HashSecret(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>A new random secret: a recognisable prefix and 32 random bytes in base64url.</summary>
    public static string NewSecret() =>
        "pk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

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
            _accounts[wallet.AccountId].Wallets.Add(wallet);
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
        var hash = HashSecret(secret);
        lock (_lock)
        {
            return _keysByHash.GetValueOrDefault(hash);
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
