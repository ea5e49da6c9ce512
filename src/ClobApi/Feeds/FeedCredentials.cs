using Polysim.ClobApi.Hosting;

namespace Polysim.ClobApi.Feeds;

/// <summary>Who a user-channel connection speaks for.</summary>
/// <param name="AccountId">The account whose orders and trades it receives.</param>
/// <param name="WalletId">Only this wallet's, or null for every wallet of the account.</param>
/// <param name="OwnerKey">The key shown as <c>owner</c> on the connection's own orders (Polymarket shows the API key).</param>
public sealed record FeedPrincipal(int AccountId, int? WalletId, string OwnerKey);

/// <summary>Checks the Polymarket L2 credentials sent in a <c>/ws/user</c> subscribe message.</summary>
public interface IFeedCredentials
{
    /// <summary>The principal of valid credentials, else null; runs on the engine thread, so it may read <paramref name="state"/>.</summary>
    FeedPrincipal? ResolveL2(HostState state, string apiKey, string secret, string passphrase);
}

/// <summary>The resolver used until the Polymarket L2 key store is wired in: it knows no credentials, so <c>/ws/user</c> refuses all.</summary>
public sealed class NoL2Credentials : IFeedCredentials
{
    /// <inheritdoc />
    public FeedPrincipal? ResolveL2(HostState state, string apiKey, string secret, string passphrase) => null;
}
