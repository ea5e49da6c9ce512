using System.Security.Cryptography;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Polymarket.Crypto;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Polymarket.Trading;

/// <summary>One Polymarket API credential: the L2 key triple, the L1 identity it was made for, and the paper wallet it trades.</summary>
/// <param name="ApiKey">The key (a UUID), sent as <c>POLY_API_KEY</c> and as the order <c>owner</c>.</param>
/// <param name="Secret">The HMAC secret, base64url with padding.</param>
/// <param name="Passphrase">The passphrase, 64 lowercase hex characters.</param>
/// <param name="Address">The EIP-55 checksummed EOA that signed the L1 request.</param>
/// <param name="Nonce">The L1 nonce as decimal text (a uint256; keys belong to (address, nonce)).</param>
/// <param name="AccountId">The paper account of the address.</param>
/// <param name="WalletId">The wallet (engine account) the key trades.</param>
public sealed record PolyCredential(string ApiKey, string Secret, string Passphrase, string Address, string Nonce, int AccountId, int WalletId);

/// <summary>A Polymarket API key was created for (address, nonce).</summary>
/// <param name="ApiKey">The key.</param>
/// <param name="Secret">Its HMAC secret (kept: the server must recompute client signatures).</param>
/// <param name="Passphrase">Its passphrase.</param>
/// <param name="Address">Checksummed EOA.</param>
/// <param name="Nonce">L1 nonce, decimal.</param>
/// <param name="AccountId">Paper account.</param>
/// <param name="WalletId">Paper wallet.</param>
/// <param name="CreatedAtMs">Unix ms.</param>
public sealed record PolyKeyCreated(
    string ApiKey, string Secret, string Passphrase, string Address, string Nonce, int AccountId, int WalletId, long CreatedAtMs) : HostRecord;

/// <summary>A Polymarket API key was deleted by its owner (<c>DELETE /auth/api-key</c>).</summary>
/// <param name="ApiKey">The key.</param>
public sealed record PolyKeyDeleted(string ApiKey) : HostRecord;

/// <summary>The API key that owns the order the next placement command creates (Polymarket's <c>owner</c> field).</summary>
/// <param name="OrderId">Engine order id.</param>
/// <param name="ApiKey">The owning key.</param>
public sealed record PolyOrderOwned(long OrderId, string ApiKey) : HostRecord;

/// <summary>Polymarket API credentials by key and by (address, nonce), and the owning key of each signed order.</summary>
/// <remarks>
/// Changed only by journaled records on the engine thread, so keys survive restarts; read from any thread (the L2
/// authentication middleware, the WebSocket user channel), hence the lock.
/// </remarks>
public sealed class PolyKeyStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PolyCredential> _byKey = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string Address, string Nonce), PolyCredential> _byIdentity = [];
    // One entry per order placed through the Polymarket API, kept for good (trades outlive the order history): sharded
    // so that its growth never copies the whole map inside one command, holding the credential's own key string.
    private readonly ShardedMap<long, string> _orderOwners = new();

    /// <summary>How many live keys exist.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byKey.Count;
            }
        }
    }

    /// <summary>Finds a live credential by its API key (case-insensitive UUID).</summary>
    public bool TryFind(string apiKey, out PolyCredential credential)
    {
        lock (_lock)
        {
            if (apiKey is not null && _byKey.TryGetValue(apiKey, out var found))
            {
                credential = found;
                return true;
            }
        }

        credential = null!;
        return false;
    }

    /// <summary>The live credential of (address, nonce), if any.</summary>
    public PolyCredential? FindByIdentity(string address, string nonce)
    {
        lock (_lock)
        {
            return _byIdentity.GetValueOrDefault((address.ToLowerInvariant(), nonce));
        }
    }

    /// <summary>Every live key of an address, oldest first.</summary>
    public IReadOnlyList<PolyCredential> KeysOf(string address)
    {
        lock (_lock)
        {
            return [.. _byKey.Values.Where(c => EthereumAddress.AreEqual(c.Address, address))];
        }
    }

    /// <summary>Any credential ever made for an address (deleted ones included), to find its paper account again.</summary>
    public PolyCredential? AnyOf(string address)
    {
        lock (_lock)
        {
            return _everByAddress.GetValueOrDefault(address.ToLowerInvariant());
        }
    }

    /// <summary>The API key that placed an order (by engine id), or the account's first key, or "".</summary>
    public string OwnerOf(long engineOrderId, int accountId)
    {
        lock (_lock)
        {
            if (_orderOwners.TryGetValue(engineOrderId, out var key))
            {
                return key;
            }

            return _firstKeyOfAccount.GetValueOrDefault(accountId) ?? string.Empty;
        }
    }

    private readonly Dictionary<string, PolyCredential> _everByAddress = [];
    private readonly Dictionary<int, string> _firstKeyOfAccount = [];

    /// <summary>Applies a journaled record (engine thread).</summary>
    internal void Apply(HostRecord record)
    {
        lock (_lock)
        {
            switch (record)
            {
                case PolyKeyCreated r:
                    var credential = new PolyCredential(r.ApiKey, r.Secret, r.Passphrase, r.Address, r.Nonce, r.AccountId, r.WalletId);
                    _byKey[r.ApiKey] = credential;
                    _byIdentity[(r.Address.ToLowerInvariant(), r.Nonce)] = credential;
                    _everByAddress.TryAdd(r.Address.ToLowerInvariant(), credential);
                    _firstKeyOfAccount.TryAdd(r.AccountId, r.ApiKey);
                    break;
                case PolyKeyDeleted r:
                    if (_byKey.Remove(r.ApiKey, out var removed))
                    {
                        _byIdentity.Remove((removed.Address.ToLowerInvariant(), removed.Nonce));
                    }

                    break;
                case PolyOrderOwned r:
                    _orderOwners[r.OrderId] = _byKey.TryGetValue(r.ApiKey, out var owner) && owner.ApiKey == r.ApiKey
                        ? owner.ApiKey
                        : r.ApiKey;
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>A new API key: a random UUID.</summary>
    public static string NewApiKey() => Guid.NewGuid().ToString();

    /// <summary>A new secret: 32 random bytes, base64url with '=' padding, as Polymarket formats them.</summary>
    public static string NewSecret() => PolyHmac.ToBase64UrlPadded(RandomNumberGenerator.GetBytes(32));

    /// <summary>A new passphrase: 32 random bytes as 64 lowercase hex characters.</summary>
    public static string NewPassphrase() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
