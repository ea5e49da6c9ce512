using System.Text.Json.Serialization;

namespace Polysim.ClobApi.Api.Identity;

/// <summary>Source-generated JSON for the identity routes: keys, tokens, tiers, wallets, operator identity routes, 402 bodies.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BootstrapRequest))]
[JsonSerializable(typeof(BootstrapReply))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(UpdateKeyRequest))]
[JsonSerializable(typeof(KeyReply))]
[JsonSerializable(typeof(KeyReply[]))]
[JsonSerializable(typeof(IssuedKeyReply))]
[JsonSerializable(typeof(TiersReply))]
[JsonSerializable(typeof(TokenReply))]
[JsonSerializable(typeof(CreateWalletRequest))]
[JsonSerializable(typeof(WalletReply))]
[JsonSerializable(typeof(WalletReply[]))]
[JsonSerializable(typeof(AllowlistRequest))]
[JsonSerializable(typeof(AllowlistReply))]
[JsonSerializable(typeof(FlagRequest))]
[JsonSerializable(typeof(AdmitRequest))]
[JsonSerializable(typeof(TierChangeRequest))]
[JsonSerializable(typeof(AdminKeyRequest))]
[JsonSerializable(typeof(AdminAccountReply))]
[JsonSerializable(typeof(UpgradeRequiredReply))]
[JsonSerializable(typeof(VerboseUpgradeRequiredReply))]
internal sealed partial class IdentityJson : JsonSerializerContext;
