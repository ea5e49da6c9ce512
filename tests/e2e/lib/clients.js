// The two real Polymarket clients behind one small adapter, so the same scenarios run with each. Only the calls whose
// signatures differ between clob-client 5.8.1 and clob-client-v2 1.1.0 are wrapped; everything else is the client itself.
import * as v1 from "@polymarket/clob-client";
import * as v2 from "@polymarket/clob-client-v2";

import { utils } from "ethers";

const CHAIN_ID = 137;
const ZERO32 = "0x" + "0".repeat(64);

const V2_ORDER_TYPES = {
  Order: [
    { name: "salt", type: "uint256" }, { name: "maker", type: "address" }, { name: "signer", type: "address" },
    { name: "tokenId", type: "uint256" }, { name: "makerAmount", type: "uint256" }, { name: "takerAmount", type: "uint256" },
    { name: "side", type: "uint8" }, { name: "signatureType", type: "uint8" }, { name: "timestamp", type: "uint256" },
    { name: "metadata", type: "bytes32" }, { name: "builder", type: "bytes32" },
  ],
};
const V1_ORDER_TYPES = {
  Order: [
    { name: "salt", type: "uint256" }, { name: "maker", type: "address" }, { name: "signer", type: "address" },
    { name: "taker", type: "address" }, { name: "tokenId", type: "uint256" }, { name: "makerAmount", type: "uint256" },
    { name: "takerAmount", type: "uint256" }, { name: "expiration", type: "uint256" }, { name: "nonce", type: "uint256" },
    { name: "feeRateBps", type: "uint256" }, { name: "side", type: "uint8" }, { name: "signatureType", type: "uint8" },
  ],
};
const sideCode = (side) => (side === "BUY" ? 0 : 1);

/** EIP-712 digest of a wire order under an exchange domain of the given protocol version, chain 137. */
function orderHash(order, version, verifyingContract, types) {
  const value = { ...order, side: sideCode(order.side), salt: String(order.salt) };
  const domain = { name: "Polymarket CTF Exchange", version, chainId: CHAIN_ID, verifyingContract };
  return utils._TypedDataEncoder.hash(domain, types, value).toLowerCase();
}

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
  /** Which fields a V2 wire order carries and lacks. */
  wireFields: { present: ["timestamp", "metadata", "builder", "expiration"], absent: ["nonce", "feeRateBps", "taker"] },
  /** The order id Polymarket assigns: the EIP-712 hash under the V2 exchange domain (CTF Exchange V2 on Polygon). */
  orderId: (order, negRisk = false) =>
    orderHash(order, "2", negRisk ? "0xe2222d279d744050d28e00520010520000310F59" : "0xE111180000d2663C0091e4f400237545B87B996B", V2_ORDER_TYPES),
  postSigned(client, order, orderType) {
    return client.postOrder(order, orderType, false, false);
  },
  zeroBytes32: ZERO32,
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
  wireFields: { present: ["nonce", "feeRateBps", "taker", "expiration"], absent: ["timestamp", "metadata", "builder"] },
  /** The EIP-712 hash under the V1 CTF Exchange domain on Polygon. */
  orderId: (order, negRisk = false) =>
    orderHash(order, "1", negRisk ? "0xC5d563A36AE78145C45a50134d48A1215220f80a" : "0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E", V1_ORDER_TYPES),
  postSigned(client, order, orderType) {
    return client.postOrder(order, orderType, false, false);
  },
  tickSizeRefreshFromBook: true,
};
