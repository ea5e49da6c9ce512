using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Polysim.Accounts;

namespace Polysim.ClobApi.Hosting;

/// <summary>A journaled change to host state outside the engine (market listings, accounts, keys, the clock).</summary>
/// <remarks>Records are effects, not requests: applying one never fails and never consults the clock, so replay is exact.</remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(MarketListed), "market_listed")]
[JsonDerivedType(typeof(ClockAdvanced), "clock_advanced")]
[JsonDerivedType(typeof(Api.Markets.HeartbeatArmed), "heartbeat_armed")]
[JsonDerivedType(typeof(Api.Markets.HeartbeatDisarmed), "heartbeat_disarmed")]
[JsonDerivedType(typeof(AccountOpened), "account_opened")]
[JsonDerivedType(typeof(WalletCreated), "wallet_created")]
[JsonDerivedType(typeof(ApiKeyIssued), "api_key_issued")]
[JsonDerivedType(typeof(ApiKeyUpdated), "api_key_updated")]
[JsonDerivedType(typeof(ApiKeyRetiring), "api_key_retiring")]
[JsonDerivedType(typeof(ApiKeyRevoked), "api_key_revoked")]
[JsonDerivedType(typeof(AccountTierChanged), "account_tier_changed")]
[JsonDerivedType(typeof(AccountFlagged), "account_flagged")]
[JsonDerivedType(typeof(OrderSubmitted), "order_submitted")]
[JsonDerivedType(typeof(Polysim.ClobApi.Api.Identity.AccountAllowlisted), "account_allowlisted")]
[JsonDerivedType(typeof(Polysim.ClobApi.Api.Identity.AccountAdmitted), "account_admitted")]
[JsonDerivedType(typeof(Polysim.ClobApi.Polymarket.Trading.PolyKeyCreated), "poly_key_created")]
[JsonDerivedType(typeof(Polysim.ClobApi.Polymarket.Trading.PolyKeyDeleted), "poly_key_deleted")]
[JsonDerivedType(typeof(Polysim.ClobApi.Polymarket.Trading.PolyOrderOwned), "poly_order_owned")]
[JsonDerivedType(typeof(Polysim.ClobApi.Liquidity.Hosting.LiquidityConfigured), "liquidity_configured")]
public abstract record HostRecord
{
    /// <summary>The record's journal form: UTF-8 JSON discriminated by <c>type</c>, except <see cref="OrderSubmitted"/>,
    /// which is binary (<see cref="OrderSubmittedCodec"/>).</summary>
    public byte[] Serialize() => this is OrderSubmitted submitted
        ? OrderSubmittedCodec.Encode(submitted)
        : JsonSerializer.SerializeToUtf8Bytes(this, HostRecordJson.Default.HostRecord);

    /// <summary>Appends what <see cref="Serialize()"/> returns to <paramref name="output"/>.</summary>
    /// <remarks>The per-order record goes into a reused buffer: a new array for it on every order was avoidable garbage.</remarks>
    public void Serialize(IBufferWriter<byte> output)
    {
        if (this is OrderSubmitted submitted)
        {
            OrderSubmittedCodec.Write(submitted, output);
            return;
        }

        using var writer = new Utf8JsonWriter(output);
        JsonSerializer.Serialize(writer, this, HostRecordJson.Default.HostRecord);
    }

    /// <summary>Reads a record written by <see cref="Serialize()"/>, or an older journal's JSON <c>order_submitted</c>.</summary>
    public static HostRecord Deserialize(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 0 && bytes[0] == OrderSubmittedCodec.Format
            ? OrderSubmittedCodec.Decode(bytes)
            : JsonSerializer.Deserialize(bytes, HostRecordJson.Default.HostRecord)
              ?? throw new InvalidDataException("Empty host record.");
}

/// <summary>A market became known to the host: its public ids and its engine market id.</summary>
/// <param name="MarketId">Engine market id.</param>
/// <param name="ConditionId">0x-prefixed 32-byte hex condition id.</param>
/// <param name="YesTokenId">uint256 decimal id of the YES token.</param>
/// <param name="NoTokenId">uint256 decimal id of the NO token.</param>
/// <param name="Question">The market's question.</param>
/// <param name="Slug">URL-friendly name.</param>
/// <param name="CreatedAtMs">Listing time, Unix ms.</param>
public sealed record MarketListed(
    int MarketId, string ConditionId, string YesTokenId, string NoTokenId, string Question, string Slug, long CreatedAtMs) : HostRecord;

/// <summary>The operator moved the simulation clock forward.</summary>
/// <param name="OffsetMs">New total offset added to the wall clock, in ms.</param>
public sealed record ClockAdvanced(long OffsetMs) : HostRecord;

/// <summary>An account was opened.</summary>
/// <param name="AccountId">Account id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Tier">Tier.</param>
/// <param name="CreatedAtMs">Unix ms.</param>
public sealed record AccountOpened(int AccountId, string Name, Tier Tier, long CreatedAtMs) : HostRecord;

/// <summary>A wallet (an engine account) was added to an account.</summary>
/// <param name="WalletId">Wallet id = engine account id.</param>
/// <param name="AccountId">Owner.</param>
/// <param name="Name">Display name.</param>
/// <param name="Address">0x address of a Polymarket L1 signer, or null.</param>
/// <param name="CreatedAtMs">Unix ms.</param>
public sealed record WalletCreated(int WalletId, int AccountId, string Name, string? Address, long CreatedAtMs) : HostRecord;

/// <summary>An API key was issued (only its hash is journaled).</summary>
/// <param name="KeyId">Public id.</param>
/// <param name="AccountId">Owner.</param>
/// <param name="Name">Display name.</param>
/// <param name="Prefix">First characters of the secret.</param>
/// <param name="SecretHash">Hex SHA-256 of the secret.</param>
/// <param name="Permissions">Read and/or trade.</param>
/// <param name="ExpiresAtMs">Expiry, or null.</param>
/// <param name="CreatedAtMs">Unix ms.</param>
public sealed record ApiKeyIssued(
    string KeyId, int AccountId, string Name, string Prefix, string SecretHash, KeyPermissions Permissions, long? ExpiresAtMs, long CreatedAtMs) : HostRecord;

/// <summary>A key's name, permissions, active flag or expiry changed (null fields unchanged).</summary>
/// <param name="KeyId">Key.</param>
/// <param name="Name">New name.</param>
/// <param name="Permissions">New permissions.</param>
/// <param name="Active">Activate or deactivate.</param>
/// <param name="ExpiresAtMs">New expiry.</param>
/// <param name="ClearExpiry">Remove the expiry.</param>
public sealed record ApiKeyUpdated(string KeyId, string? Name, KeyPermissions? Permissions, bool? Active, long? ExpiresAtMs, bool ClearExpiry) : HostRecord;

/// <summary>A rotated key keeps working until a time.</summary>
/// <param name="KeyId">The old key.</param>
/// <param name="RetiresAtMs">Unix ms.</param>
public sealed record ApiKeyRetiring(string KeyId, long RetiresAtMs) : HostRecord;

/// <summary>A key was revoked for good.</summary>
/// <param name="KeyId">Key.</param>
public sealed record ApiKeyRevoked(string KeyId) : HostRecord;

/// <summary>An account moved to another tier.</summary>
/// <param name="AccountId">Account.</param>
/// <param name="Tier">New tier.</param>
public sealed record AccountTierChanged(int AccountId, Tier Tier) : HostRecord;

/// <summary>The operator flagged or unflagged an account.</summary>
/// <param name="AccountId">Account.</param>
/// <param name="Flagged">New flag.</param>
public sealed record AccountFlagged(int AccountId, bool Flagged) : HostRecord;

/// <summary>Source-generated JSON metadata for host records.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(HostRecord))]
internal sealed partial class HostRecordJson : JsonSerializerContext;
