// The two real Polymarket clients behind one small adapter, so the same scenarios run with each. Only the calls whose
// signatures differ between clob-client 5.8.1 and clob-client-v2 1.1.0 are wrapped; everything else is the client itself.
import * as v1 from "@polymarket/clob-client";
import * as v2 from "@polymarket/clob-client-v2";

const CHAIN_ID = 137;

/** clob-client-v2 1.1.0: signs V2 orders (the server answers /version with 2). */
export const clientV2 = {
  name: "clob-client-v2@1.1.0",
  protocol: "V2",
  Side: v2.Side,
  OrderType: v2.OrderType,
  AssetType: v2.AssetType,
  make(host, wallet, creds) {
    return new v2.ClobClient({ host, chain: CHAIN_ID, signer: wallet, creds });
  },
  // createAndPostOrder(userOrder, options, orderType, postOnly, deferExec)
  limit(client, userOrder, orderType = v2.OrderType.GTC, { postOnly = false } = {}) {
    return client.createAndPostOrder(userOrder, undefined, orderType, postOnly, false);
  },
  market(client, userMarketOrder, orderType = v2.OrderType.FOK) {
    return client.createAndPostMarketOrder({ ...userMarketOrder, orderType }, undefined, orderType, false);
  },
  // postOrders(args, postOnly, deferExec)
  batch(client, signed, { postOnly = false } = {}) {
    return client.postOrders(signed, postOnly, false);
  },
  heartbeat(client, id) {
    return client.postHeartbeat(id ?? "");
  },
  /** Whether this client re-reads a market's tick size on its own (V2 caches it for the client's lifetime). */
  tickSizeRefreshFromBook: false,
};

/** clob-client 5.8.1: signs V1 orders (nonce, feeRateBps, taker). */
export const clientV1 = {
  name: "clob-client@5.8.1",
  protocol: "V1",
  Side: v1.Side,
  OrderType: v1.OrderType,
  AssetType: v1.AssetType,
  make(host, wallet, creds) {
    return new v1.ClobClient(host, CHAIN_ID, wallet, creds);
  },
  // createAndPostOrder(userOrder, options, orderType, deferExec, postOnly)
  limit(client, userOrder, orderType = v1.OrderType.GTC, { postOnly = false } = {}) {
    return client.createAndPostOrder(userOrder, undefined, orderType, false, postOnly);
  },
  market(client, userMarketOrder, orderType = v1.OrderType.FOK) {
    return client.createAndPostMarketOrder({ ...userMarketOrder, orderType }, undefined, orderType, false);
  },
  // postOrders(args, deferExec, defaultPostOnly)
  batch(client, signed, { postOnly = false } = {}) {
    return client.postOrders(signed, false, postOnly);
  },
  heartbeat(client, id) {
    return client.postHeartbeat(id ?? null);
  },
  tickSizeRefreshFromBook: true,
};
