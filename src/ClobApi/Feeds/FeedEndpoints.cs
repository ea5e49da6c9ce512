using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Polysim.Accounts;
using Polysim.ClobApi.Api.Identity;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Feeds;

/// <summary>The WebSocket routes: Polymarket's <c>/ws/market</c> and <c>/ws/user</c>, and the key-authenticated <c>/v1/ws/*</c>.</summary>
public static class FeedEndpoints
{
    /// <summary>Registers the hub, its options and the L2 credential resolver (unless one is registered already).</summary>
    public static IServiceCollection AddPolysimFeeds(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(FeedOptions.From(configuration));
        services.AddSingleton<FeedHub>();
        services.AddSingleton<FeedConnections>();
        services.AddTransient<FeedSession>();
        if (!services.Any(d => d.ServiceType == typeof(IFeedCredentials)))
        {
            services.AddSingleton<IFeedCredentials, PolyKeyCredentials>();
        }

        return services;
    }

    /// <summary>Attaches the hub to the engine and maps the four routes (WebSocket middleware included).</summary>
    public static void MapPolysimFeeds(this WebApplication app)
    {
        var hub = app.Services.GetRequiredService<FeedHub>();
        app.Services.GetRequiredService<EngineHost>().Feed = hub;
        var connections = app.Services.GetRequiredService<FeedConnections>();
        app.Lifetime.ApplicationStopping.Register(connections.CloseAll);
        app.UseWebSockets();

        // The /v1 key middleware treats /v1/ws as public: the session authenticates on the accepted socket, so a bad key is
        // told with close code 1008 rather than a 401 the client library may not surface.
        Route(app, "/ws/market", FeedChannel.Market, versioned: false,
            "Polymarket market channel (WebSocket): book, price_change, last_trade_price, tick_size_change; best_bid_ask, new_market, market_resolved with custom_feature_enabled.");
        Route(app, "/ws/user", FeedChannel.User, versioned: false,
            "Polymarket user channel (WebSocket): order and trade events of the account whose L2 credentials the subscribe message carries.");
        Route(app, "/v1/ws/market", FeedChannel.Market, versioned: true,
            "Market channel behind an API key (api_key, Bearer or X-API-Key); the tier caps concurrent connections (close 4002).");
        Route(app, "/v1/ws/user", FeedChannel.User, versioned: true,
            "User channel of the API key's account; close 1008 on a bad key, 4002 over the tier's connection cap.");
    }

    private static void Route(WebApplication app, string pattern, FeedChannel channel, bool versioned, string summary) =>
        app.MapGet(pattern, (HttpContext http, FeedSession session) => session.RunAsync(http, channel, versioned))
            .Produces<ErrorReply>(StatusCodes.Status400BadRequest)
            .WithSummary(summary);
}

/// <summary>Live connections, for per-account caps and for closing everything at shutdown.</summary>
public sealed class FeedConnections
{
    private readonly ConcurrentDictionary<long, FeedConnection> _all = new();
    private readonly ConcurrentDictionary<int, int> _byAccount = new();

    /// <summary>Open connections.</summary>
    public int Count => _all.Count;

    internal void Add(FeedConnection connection) => _all[connection.Id] = connection;

    internal void Remove(FeedConnection connection) => _all.TryRemove(connection.Id, out _);

    /// <summary>Takes one of the account's connection slots; false when <paramref name="cap"/> are in use.</summary>
    internal bool TryTakeSlot(int accountId, int cap)
    {
        while (true)
        {
            var used = _byAccount.GetOrAdd(accountId, 0);
            if (used >= cap)
            {
                return false;
            }

            if (_byAccount.TryUpdate(accountId, used + 1, used))
            {
                return true;
            }
        }
    }

    internal void ReleaseSlot(int accountId) => _byAccount.AddOrUpdate(accountId, 0, (_, used) => Math.Max(0, used - 1));

    internal void CloseAll()
    {
        foreach (var connection in _all.Values)
        {
            connection.Close(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
        }
    }
}

/// <summary>Runs one WebSocket connection: authentication, subscribe messages, and the connection's two loops.</summary>
public sealed class FeedSession(
    FeedHub hub,
    FeedConnections connections,
    FeedOptions options,
    EngineHost host,
    HostState state,
    IFeedCredentials credentials,
    IdentityClock clock,
    IdentityOptions identity,
    TierCatalog tiers,
    JwtTokens tokens,
    TimeProvider time)
{
    private readonly FeedWriter _writer = new();

    internal async Task RunAsync(HttpContext http, FeedChannel channel, bool versioned)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            throw new ApiException(400, "WEBSOCKET_REQUIRED", "This route speaks WebSocket only: open it with an Upgrade: websocket request.");
        }

        KeySnapshot? key = null;
        string? failure = null;
        if (versioned)
        {
            try
            {
                key = Authenticate(http);
            }
            catch (ApiException ex)
            {
                failure = ex.Message;
            }
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var connection = new FeedConnection(socket, channel, options);
        var slotAccount = -1;
        connections.Add(connection);
        try
        {
            if (failure is not null)
            {
                connection.Close(WebSocketCloseStatus.PolicyViolation, "authentication failed: " + failure);
            }
            else if (key is not null)
            {
                var limits = tiers.For(key.Tier);
                if (connections.TryTakeSlot(key.Account!.Id, limits.WebSocketConnections))
                {
                    slotAccount = key.Account.Id;
                    if (channel == FeedChannel.User)
                    {
                        connection.Principal = new FeedPrincipal(key.Account.Id, null, key.Key.Id);
                    }
                }
                else
                {
                    connection.Close((WebSocketCloseStatus)FeedConnection.ConnectionCapCloseCode,
                        $"connection cap reached: tier {limits.Name} allows {limits.WebSocketConnections} WebSocket connection(s)");
                }
            }

            var send = connection.RunSendAsync();
            if (!connection.IsClosing)
            {
                // PONG travels through the publisher, so it follows every event already published: a client's PING is a barrier.
                await connection.RunReceiveAsync(OnMessageAsync, c => hub.Post(new PongItem(c)));
            }

            connection.Close(WebSocketCloseStatus.NormalClosure, string.Empty);
            await send;

            // Give the peer's close frame a moment to arrive so the handshake completes cleanly.
            if (socket.State == WebSocketState.CloseSent)
            {
                using var grace = new CancellationTokenSource(options.CloseGrace);
                try
                {
                    var scratch = new byte[256];
                    while (socket.State == WebSocketState.CloseSent)
                    {
                        await socket.ReceiveAsync(scratch.AsMemory(), grace.Token);
                    }
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
                {
                    socket.Abort();
                }
            }
        }
        finally
        {
            hub.Detach(connection);
            connections.Remove(connection);
            if (slotAccount >= 0)
            {
                connections.ReleaseSlot(slotAccount);
            }
        }
    }

    private KeySnapshot Authenticate(HttpContext http)
    {
        var request = http.Request;
        var secret = request.Query["api_key"].ToString();
        if (secret.Length == 0)
        {
            secret = request.Headers[Api.ApiKeyAuthentication.KeyHeader].ToString();
        }

        string? token = null;
        var authorization = request.Headers.Authorization.ToString();
        if (secret.Length == 0 && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var bearer = authorization[7..].Trim();
            if (bearer.StartsWith(AccountDirectory.SecretPrefix, StringComparison.Ordinal))
            {
                secret = bearer;
            }
            else
            {
                token = bearer;
            }
        }

        var nowMs = clock.NowMs;
        KeySnapshot? snapshot;
        if (token is not null)
        {
            snapshot = state.Accounts.SnapshotById(tokens.Validate(token, nowMs));
        }
        else if (secret.Length is > 0 and <= 256)
        {
            snapshot = state.Accounts.SnapshotBySecret(secret);
        }
        else
        {
            throw new ApiException(401, "MISSING_API_KEY", "an API key is required (api_key, X-API-Key or Authorization: Bearer)");
        }

        if (snapshot is null || snapshot.Revoked || snapshot.Account is null || !snapshot.Active ||
            (snapshot.RetiresAtMs is { } retires && retires <= nowMs) || (snapshot.ExpiresAtMs is { } expires && expires <= nowMs))
        {
            throw new ApiException(401, "INVALID_KEY", "invalid API key");
        }

        IssuancePolicy.EnsureMayUse(identity, snapshot);
        return snapshot;
    }

    private async Task OnMessageAsync(FeedConnection connection, ReadOnlyMemory<byte> message)
    {
        SubscribeRequest request;
        try
        {
            request = SubscribeRequest.Parse(message.Span);
        }
        catch (JsonException)
        {
            connection.SendRaw(_writer.Error("invalid message: expected PING or a JSON subscribe object"));
            return;
        }

        try
        {
            if (connection.Channel == FeedChannel.Market)
            {
                await OnMarketMessageAsync(connection, request);
            }
            else
            {
                await OnUserMessageAsync(connection, request);
            }
        }
        catch (EngineUnavailableException ex)
        {
            connection.SendRaw(_writer.Error("engine unavailable: " + ex.Message));
        }
    }

    private async Task OnMarketMessageAsync(FeedConnection connection, SubscribeRequest request)
    {
        if (request.CustomFeatureEnabled is { } custom)
        {
            connection.CustomFeatures = custom;
        }

        if (request.Operation == "unsubscribe")
        {
            hub.Post(new UnsubscribeMarket(connection, request.AssetsIds));
            return;
        }

        if (request.Operation is not (null or "subscribe"))
        {
            connection.SendRaw(_writer.Error($"unknown operation '{request.Operation}': use subscribe or unsubscribe"));
            return;
        }

        if (request.AssetsIds.Count == 0 && !connection.CustomFeatures)
        {
            return;
        }

        var dump = request.InitialDump ?? true;
        var unknown = await host.ReadAsync(s =>
        {
            var now = Api.Markets.MarketViews.NowMs(time, s);
            var known = new List<TokenSnapshot>(request.AssetsIds.Count);
            var missing = new List<string>();
            foreach (var token in request.AssetsIds.Distinct(StringComparer.Ordinal))
            {
                if (FeedHub.Snapshot(s, token, now) is { } snapshot)
                {
                    known.Add(snapshot);
                }
                else
                {
                    missing.Add(token);
                }
            }

            if (known.Count > 0 || connection.CustomFeatures)
            {
                hub.SubscribeMarketOnEngine(connection, known, dump);
            }

            return missing;
        });

        if (unknown.Count > 0)
        {
            connection.SendRaw(_writer.Error("unknown asset id(s): no orderbook exists for them", unknown));
        }
    }

    private async Task OnUserMessageAsync(FeedConnection connection, SubscribeRequest request)
    {
        var markets = request.Markets.Select(m => m.ToLowerInvariant()).ToList();
        if (connection.Principal is not null && request.Operation == "unsubscribe")
        {
            hub.Post(new SubscribeUser(connection, markets, add: false));
            return;
        }

        var auth = request.Auth;
        if (connection.Principal is null && auth is null)
        {
            connection.Close(WebSocketCloseStatus.PolicyViolation, "authentication failed: the first message must carry auth {apiKey, secret, passphrase}");
            return;
        }

        // Authentication and registration are one engine operation, so an order placed right after the subscribe message
        // cannot slip between them.
        var accepted = await host.ReadAsync(s =>
        {
            if (connection.Principal is null)
            {
                var principal = credentials.ResolveL2(s, auth!.ApiKey ?? string.Empty, auth.Secret ?? string.Empty, auth.Passphrase ?? string.Empty);
                if (principal is null)
                {
                    return false;
                }

                connection.Principal = principal;
            }

            hub.SubscribeUserOnEngine(connection, markets);
            return true;
        });

        if (!accepted)
        {
            connection.Close(WebSocketCloseStatus.PolicyViolation, "authentication failed: invalid L2 credentials");
        }
    }
}
