namespace Polysim.ClobApi.Api;

/// <summary>API keys, tiers and JWTs: /v1/keys/*.</summary>
public static class KeysEndpoints
{
    /// <summary>Maps the routes of this area.</summary>
    public static void MapKeys(this WebApplication app)
    {
        _ = app;
    }
}
