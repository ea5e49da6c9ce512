using System.Collections.Concurrent;
using System.Globalization;

namespace Polysim.ClobApi.Api.RateLimiting;

/// <summary>The names under which limits and idempotency records are kept: "account:{id}" and "key:{key id}", each made once
/// (every trade write needs one or two of them, and accounts and keys are few).</summary>
public static class Scopes
{
    private static readonly ConcurrentDictionary<int, string> Accounts = new();
    private static readonly ConcurrentDictionary<string, string> Keys = new(StringComparer.Ordinal);

    /// <summary>"account:{id}".</summary>
    public static string Account(int accountId) =>
        Accounts.GetOrAdd(accountId, static id => "account:" + id.ToString(CultureInfo.InvariantCulture));

    /// <summary>"key:{key id}".</summary>
    public static string Key(string keyId) => Keys.GetOrAdd(keyId, static id => "key:" + id);
}
