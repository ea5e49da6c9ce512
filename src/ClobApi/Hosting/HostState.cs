using Polysim.Accounts;
using Polysim.ClobApi.Projections;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Hosting;

/// <summary>Everything the engine thread owns: the engine and the host's directories and projections built beside it.</summary>
/// <remarks>Only the engine thread touches it (through <see cref="EngineHost"/>), so nothing here needs a lock.</remarks>
public sealed class HostState
{
    /// <summary>Creates empty state around a fresh engine.</summary>
    /// <param name="engineOptions">The engine's options.</param>
    /// <param name="tradeLogs">False for a state that never serves trades (the PostgreSQL projection writer's shadow reads
    /// trades from the engine's events): <see cref="Trades"/> and <see cref="PolyTrades"/> then stay empty, which spares
    /// every fill their objects — retained ones, which the GC copies twice.</param>
    public HostState(EngineOptions? engineOptions = null, bool tradeLogs = true)
    {
        EngineOptions = engineOptions ?? new EngineOptions();
        Engine = new Engine(EngineOptions);
        _tradeLogs = tradeLogs;
    }

    private readonly bool _tradeLogs;

    /// <summary>The options the engine was created with (a shadow state built from the journal must use the same).</summary>
    public EngineOptions EngineOptions { get; }

    /// <summary>The matching engine.</summary>
    public Engine Engine { get; private set; }

    /// <summary>Listed markets and their public ids.</summary>
    public MarketDirectory Markets { get; private set; } = new();

    /// <summary>Accounts, wallets and API keys.</summary>
    public AccountDirectory Accounts { get; private set; } = new();

    /// <summary>Every order seen and its fills.</summary>
    public OrderHistory Orders { get; private set; } = new();

    /// <summary>Trades, price history and position cost basis.</summary>
    public TradeHistory Trades { get; private set; } = new();

    /// <summary>Armed heartbeats (dead-man's switches) by account.</summary>
    public Api.Markets.HeartbeatRegistry Heartbeats { get; private set; } = new();

    /// <summary>What drives each market's outside liquidity (synthetic, replay, mirror), as configured.</summary>
    public Liquidity.Hosting.LiquidityDirectory Liquidity { get; private set; } = new();

    /// <summary>Takes over everything <paramref name="rebuilt"/> holds (a state replayed from the journal after a database journal
    /// lost a batch), so that readers holding this object see the durable state and nothing that was refused.</summary>
    /// <remarks>Every piece of state of this class must be taken over here, or it would keep effects that were never made durable.</remarks>
    internal void ReplaceWith(HostState rebuilt)
    {
        Engine = rebuilt.Engine;
        Markets = rebuilt.Markets;
        Accounts = rebuilt.Accounts;
        Orders = rebuilt.Orders;
        Trades = rebuilt.Trades;
        Heartbeats = rebuilt.Heartbeats;
        Liquidity = rebuilt.Liquidity;
        ClockOffsetMs = rebuilt.ClockOffsetMs;
    }

    /// <summary>Polymarket API credentials (L1-created keys) and signed-order owners.</summary>
    public Polymarket.Trading.PolyKeyStore PolyKeys { get; } = new();

    /// <summary>Trades with both sides, for Polymarket's <c>/data/trades</c>.</summary>
    public Polymarket.Trading.PolyTradeLog PolyTrades { get; } = new();

    /// <summary>Operator clock offset added to the wall clock, in ms.</summary>
    public long ClockOffsetMs { get; private set; }

    /// <summary>Applies a stamped command to the engine and lets the projections see its events.</summary>
    public EngineOutcome ApplyCommand(in Command command)
    {
        var code = Apply(command);
        return new EngineOutcome(code, Engine.Events.ToArray());
    }

    /// <summary>Applies a stamped command like <see cref="ApplyCommand"/> without copying its events out: they stay in
    /// <see cref="Engine.Events"/> until the next command.</summary>
    /// <remarks>The order path needs only the code; a copy of the events per command was a sizeable share of every
    /// request's allocation.</remarks>
    internal RejectCode Apply(in Command command)
    {
        var code = Engine.Apply(command);
        var events = Engine.Events;
        Orders.Observe(command, events);
        if (_tradeLogs)
        {
            Trades.Observe(command, code, events);
            PolyTrades.Observe(code, events);
        }

        return code;
    }

    /// <summary>Applies a host record.</summary>
    public void ApplyRecord(HostRecord record)
    {
        switch (record)
        {
            case MarketListed listed:
                Markets.Add(listed);
                break;
            case ClockAdvanced clock:
                ClockOffsetMs = clock.OffsetMs;
                break;
            case Api.Markets.HeartbeatArmed r:
                Heartbeats.Apply(r);
                break;
            case Api.Markets.HeartbeatDisarmed r:
                Heartbeats.Apply(r);
                break;
            case AccountOpened r:
                Accounts.OpenAccount(r.AccountId, r.Name, r.Tier, r.CreatedAtMs);
                break;
            case WalletCreated r:
                Accounts.AddWallet(new Wallet(r.WalletId, r.AccountId, r.Name, r.Address, r.CreatedAtMs));
                break;
            case ApiKeyIssued r:
                Accounts.IssueKey(r.KeyId, r.AccountId, r.Name, r.Prefix, r.SecretHash, r.Permissions, r.ExpiresAtMs, r.CreatedAtMs);
                break;
            case ApiKeyUpdated r:
                Accounts.UpdateKey(r.KeyId, r.Name, r.Permissions, r.Active, r.ExpiresAtMs, r.ClearExpiry);
                break;
            case ApiKeyRetiring r:
                Accounts.RetireKey(r.KeyId, r.RetiresAtMs);
                break;
            case ApiKeyRevoked r:
                Accounts.RevokeKey(r.KeyId);
                break;
            case AccountTierChanged r:
                Accounts.SetTier(r.AccountId, r.Tier);
                break;
            case AccountFlagged r:
                Accounts.SetFlagged(r.AccountId, r.Flagged);
                break;
            case OrderSubmitted r:
                Orders.Submit(r);
                break;
            case Api.Identity.AccountAllowlisted r:
                Accounts.SetAllowlisted(r.AccountId, r.Allowed);
                break;
            case Api.Identity.AccountAdmitted r:
                Accounts.SetAdmitted(r.AccountId, r.Admitted);
                break;
            case Liquidity.Hosting.LiquidityConfigured r:
                Liquidity.Apply(r);
                break;
            case Polymarket.Trading.PolyKeyCreated or Polymarket.Trading.PolyKeyDeleted or Polymarket.Trading.PolyOrderOwned:
                PolyKeys.Apply(record);
                break;
            default:
                throw new InvalidDataException($"Unknown host record {record.GetType().Name}.");
        }
    }
}

/// <summary>Listed markets by engine id, condition id and token id.</summary>
public sealed class MarketDirectory
{
    private readonly Dictionary<int, MarketListed> _byId = [];
    private readonly Dictionary<string, MarketListed> _byCondition = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (MarketListed Market, Outcome Outcome)> _byToken = new(StringComparer.Ordinal);
    private readonly List<MarketListed> _all = [];

    /// <summary>Markets in listing order.</summary>
    public IReadOnlyList<MarketListed> All => _all;

    /// <summary>The next unused engine market id.</summary>
    public int NextMarketId => _all.Count == 0 ? 1 : _all[^1].MarketId + 1;

    internal void Add(MarketListed market)
    {
        _byId.Add(market.MarketId, market);
        _byCondition.Add(market.ConditionId, market);
        _byToken.Add(market.YesTokenId, (market, Outcome.Yes));
        _byToken.Add(market.NoTokenId, (market, Outcome.No));
        _all.Add(market);
    }

    /// <summary>A market by engine id.</summary>
    public MarketListed? ById(int marketId) => _byId.GetValueOrDefault(marketId);

    /// <summary>A market by condition id (case-insensitive hex).</summary>
    public MarketListed? ByCondition(string conditionId) => _byCondition.GetValueOrDefault(conditionId);

    /// <summary>A market and outcome by token id.</summary>
    public bool TryGetToken(string tokenId, out MarketListed market, out Outcome outcome)
    {
        if (_byToken.TryGetValue(tokenId, out var entry))
        {
            (market, outcome) = entry;
            return true;
        }

        market = null!;
        outcome = default;
        return false;
    }

    /// <summary>The token id of one outcome of a market.</summary>
    public static string TokenId(MarketListed market, Outcome outcome) =>
        outcome == Outcome.Yes ? market.YesTokenId : market.NoTokenId;
}
