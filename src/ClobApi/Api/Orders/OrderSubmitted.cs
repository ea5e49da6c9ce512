namespace Polysim.ClobApi.Hosting;

/// <summary>An order is about to be placed: what the engine command does not carry, journaled just before that command.</summary>
/// <remarks>
/// The order projection pairs it with the next <c>PlaceOrder</c> command whose order id matches; if that command never
/// follows (the operation failed in between) or is rejected, the record is dropped. Replay therefore rebuilds every order's
/// metadata exactly.
/// </remarks>
/// <param name="OrderId">Engine order id (the sequence number of the placing command).</param>
/// <param name="AccountId">The owning account (client order ids are unique per account).</param>
/// <param name="WalletId">The wallet (engine account) the order trades for.</param>
/// <param name="ClientOrderId">The client's own id, or null.</param>
/// <param name="TokenId">The token id the client named (uint256 decimal).</param>
/// <param name="OrderType">"limit" or "market".</param>
/// <param name="CreatedAtMs">Submission time, Unix ms.</param>
/// <param name="PublicId">A public id chosen by the caller (e.g. a signed order's hash), or null for the derived one.</param>
public sealed record OrderSubmitted(
    long OrderId, int AccountId, int WalletId, string? ClientOrderId, string TokenId, string OrderType, long CreatedAtMs, string? PublicId = null)
    : HostRecord;
