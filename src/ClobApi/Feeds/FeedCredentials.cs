using System.Security.Cryptography;
using System.Text;
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

/// <summary>Resolves L2 credentials against the Polymarket key store: the key must exist and its secret and passphrase match.</summary>
public sealed class PolyKeyCredentials : IFeedCredentials
{
    /// <inheritdoc />
    public FeedPrincipal? ResolveL2(HostState state, string apiKey, string secret, string passphrase)
    {
        if (apiKey.Length == 0 || !state.PolyKeys.TryFind(apiKey, out var credential))
        {
            return null;
        }

        var secretOk = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(credential.Secret));
        var passphraseOk = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(passphrase), Encoding.UTF8.GetBytes(credential.Passphrase));
        return secretOk && passphraseOk ? new FeedPrincipal(credential.AccountId, credential.WalletId, credential.ApiKey) : null;
    }
}
