using System.Text.Json;
using System.Text.Json.Serialization;

namespace Polysim.ClobApi.Api.Markets;

/// <summary>Reply of <c>GET /v1/account/balance</c>: the selected wallet's USDC.</summary>
/// <param name="WalletId">The wallet.</param>
/// <param name="Balance">Total USDC (available + reserved).</param>
/// <param name="Available">USDC free for new orders.</param>
/// <param name="Reserved">USDC held by open BUY orders.</param>
public sealed record BalanceReply(int WalletId, string Balance, string Available, string Reserved);

/// <summary>One token position of a wallet.</summary>
/// <param name="TokenId">Token.</param>
/// <param name="MarketId">The market's condition id.</param>
/// <param name="Outcome">"Yes" or "No".</param>
/// <param name="Question">The market's question.</param>
/// <param name="Size">Shares held (available + reserved).</param>
/// <param name="Available">Shares free to sell.</param>
/// <param name="Reserved">Shares held by open SELL orders.</param>
/// <param name="AvgEntryPrice">Average cost per share of the shares held, or null when none are held.</param>
/// <param name="CostBasis">USDC paid for the shares held.</param>
/// <param name="CurrentPrice">Mark: the midpoint, else the last trade price; null when the token has neither.</param>
/// <param name="MarketValue">Size × mark, or null without a mark.</param>
/// <param name="RealizedPnl">USDC realized by sales and resolution.</param>
/// <param name="UnrealizedPnl">Market value minus cost basis ("0" without a mark).</param>
/// <param name="Status">OPEN while shares are held, else CLOSED.</param>
public sealed record PositionReply(
    string TokenId,
    string MarketId,
    string Outcome,
    string Question,
    string Size,
    string Available,
    string Reserved,
    string? AvgEntryPrice,
    string CostBasis,
    string? CurrentPrice,
    string? MarketValue,
    string RealizedPnl,
    string UnrealizedPnl,
    string Status);

/// <summary>Reply of <c>GET /v1/account/positions</c>.</summary>
/// <param name="WalletId">The wallet.</param>
/// <param name="Positions">Every token the wallet holds or has traded, in listing order.</param>
public sealed record PositionsReply(int WalletId, IReadOnlyList<PositionReply> Positions);

/// <summary>One fill of the wallet.</summary>
/// <param name="TradeId">Trade number.</param>
/// <param name="OrderId">The wallet's order.</param>
/// <param name="MarketId">Condition id.</param>
/// <param name="TokenId">Token traded.</param>
/// <param name="Outcome">"Yes" or "No".</param>
/// <param name="Side">BUY or SELL, on that token.</param>
/// <param name="Price">Own-token price.</param>
/// <param name="Size">Shares matched.</param>
/// <param name="Usdc">USDC paid (BUY) or received net of fee (SELL).</param>
/// <param name="Fee">Taker fee (0 for a maker).</param>
/// <param name="FeeAsset">SHARES (a BUY taker's fee) or USDC.</param>
/// <param name="Liquidity">TAKER or MAKER.</param>
/// <param name="MatchType">NORMAL, MINT or MERGE.</param>
/// <param name="RealizedPnl">USDC realized by this fill (non-zero for SELLs only).</param>
/// <param name="Timestamp">Unix ms.</param>
/// <param name="CreatedAt">ISO 8601.</param>
public sealed record FillReply(
    string TradeId,
    string OrderId,
    string MarketId,
    string TokenId,
    string Outcome,
    string Side,
    string Price,
    string Size,
    string Usdc,
    string Fee,
    string FeeAsset,
    string Liquidity,
    string MatchType,
    string RealizedPnl,
    long Timestamp,
    string CreatedAt);

/// <summary>Reply of <c>GET /v1/account/history</c>: the wallet's fills, newest first.</summary>
/// <param name="WalletId">The wallet.</param>
/// <param name="Fills">This page.</param>
/// <param name="HasMore">Whether older fills remain.</param>
/// <param name="NextCursor">Cursor of the next (older) page, or null.</param>
public sealed record HistoryReply(int WalletId, IReadOnlyList<FillReply> Fills, bool HasMore, string? NextCursor);

/// <summary>Reply of <c>POST /v1/account/reset-api-balance</c>.</summary>
/// <param name="WalletId">The wallet.</param>
/// <param name="Balance">USDC after the reset: the starting balance.</param>
/// <param name="Available">Available USDC.</param>
/// <param name="Reserved">Reserved USDC (0: every order was cancelled).</param>
/// <param name="CanceledOrders">Open orders cancelled.</param>
/// <param name="PositionsClosed">Always 0: the engine never destroys shares outside a trade or a resolution.</param>
/// <param name="PositionsKept">Token positions still held after the reset.</param>
/// <param name="CooldownDays">Always 0.</param>
public sealed record ResetReply(int WalletId, string Balance, string Available, string Reserved, int CanceledOrders, int PositionsClosed, int PositionsKept, int CooldownDays);

/// <summary>Request of <c>POST /v1/heartbeats</c>.</summary>
/// <param name="IntervalMs">Dead-man's interval, 1,000–60,000 ms (default 10,000).</param>
/// <param name="HeartbeatId">Polymarket's body field; accepted and ignored.</param>
/// <param name="ClientLabel">Free text for the caller's own logs; ignored.</param>
public sealed record HeartbeatRequest(JsonElement? IntervalMs, string? HeartbeatId, string? ClientLabel);

/// <summary>Reply of <c>POST /v1/heartbeats</c>.</summary>
/// <param name="Ok">Always true.</param>
/// <param name="HeartbeatId">Id of this heartbeat.</param>
/// <param name="IntervalMs">The interval in force.</param>
/// <param name="GraceMs">Extra time allowed after the interval: max(1 s, a quarter of it).</param>
/// <param name="ExpiresAtMs">Simulation time (Unix ms) at which the account's open orders are cancelled unless another heartbeat arrives.</param>
/// <param name="ExpiresAt">The same, ISO 8601.</param>
public sealed record HeartbeatReply(bool Ok, string HeartbeatId, long IntervalMs, long GraceMs, long ExpiresAtMs, string ExpiresAt);

/// <summary>Reply of <c>DELETE /v1/heartbeats</c>.</summary>
/// <param name="Ok">Always true.</param>
/// <param name="Stopped">Whether a heartbeat was armed.</param>
public sealed record HeartbeatStopReply(bool Ok, bool Stopped);

/// <summary>Source-generated JSON for the account routes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(BalanceReply))]
[JsonSerializable(typeof(PositionsReply))]
[JsonSerializable(typeof(HistoryReply))]
[JsonSerializable(typeof(ResetReply))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatReply))]
[JsonSerializable(typeof(HeartbeatStopReply))]
internal sealed partial class AccountJson : JsonSerializerContext;
