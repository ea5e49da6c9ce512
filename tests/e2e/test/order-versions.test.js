// Polysim:OrderVersions: a strict-V2 venue (production since 2026-04-28) rejects clob-client 5.8.1's V1 orders with
// order_version_mismatch; a V1-only venue answers /version with 1, and clob-client-v2 then signs V1 orders by itself.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Wallet } from "ethers";
import { clientV1, clientV2 } from "../lib/clients.js";
import { listMarket, startServer } from "../lib/server.js";
import { describeExchanges, installRecorder, mark, since } from "../lib/traffic.js";

async function keyed(adapter, host) {
  const wallet = Wallet.createRandom();
  const creds = await adapter.make(host, wallet).createOrDeriveApiKey();
  assert.ok(creds.key, `createOrDeriveApiKey ${JSON.stringify(creds)}`);
  return adapter.make(host, wallet, creds);
}

function postedOrder(start) {
  const post = since(start).find((e) => e.method === "POST" && new URL(e.url).pathname === "/order");
  assert.ok(post, `no POST /order:\n${describeExchanges(since(start))}`);
  return JSON.parse(typeof post.body === "string" ? post.body : JSON.stringify(post.body)).order;
}

describe("a strict-V2 venue (Polysim:OrderVersions=v2)", () => {
  let server;
  let market;
  before(async () => {
    installRecorder();
    server = await startServer({ "Polysim:OrderVersions": "v2" });
    market = await listMarket(server, "e2e strict V2");
  });
  after(async () => server && (await server.stop()));

  test("rejects clob-client 5.8.1's V1 order with order_version_mismatch", async () => {
    const client = await keyed(clientV1, server.host);
    const start = mark();
    const res = await clientV1.limit(client, { tokenID: market.yes, price: 0.4, size: 10, side: clientV1.Side.BUY });
    assert.equal(res.status, 400, `${JSON.stringify(res)}\n${describeExchanges(since(start))}`);
    assert.equal(res.error, "order_version_mismatch");
  });

  test("accepts clob-client-v2's V2 order", async () => {
    const client = await keyed(clientV2, server.host);
    const res = await clientV2.limit(client, { tokenID: market.yes, price: 0.4, size: 10, side: clientV2.Side.BUY });
    assert.equal(res.success, true, JSON.stringify(res));
    assert.equal(res.status, "live");
  });
});

describe("a V1-only venue (Polysim:OrderVersions=v1)", () => {
  let server;
  let market;
  before(async () => {
    installRecorder();
    server = await startServer({ "Polysim:OrderVersions": "v1" });
    market = await listMarket(server, "e2e V1 only");
  });
  after(async () => server && (await server.stop()));

  test("answers /version with 1, so clob-client-v2 signs a V1 order and it rests under its V1 hash", async () => {
    const client = await keyed(clientV2, server.host);
    assert.equal(await client.getVersion(), 1);
    const start = mark();
    const res = await clientV2.limit(client, { tokenID: market.yes, price: 0.4, size: 10, side: clientV2.Side.BUY });
    assert.equal(res.success, true, `${JSON.stringify(res)}\n${describeExchanges(since(start))}`);
    const order = postedOrder(start);
    assert.ok("nonce" in order && "feeRateBps" in order && !("timestamp" in order), `a V1 wire order: ${JSON.stringify(order)}`);
    assert.equal(res.orderID, clientV1.orderId(order), "orderID is the V1 hash");
  });

  test("accepts clob-client 5.8.1's V1 order", async () => {
    const client = await keyed(clientV1, server.host);
    const res = await clientV1.limit(client, { tokenID: market.yes, price: 0.41, size: 10, side: clientV1.Side.BUY });
    assert.equal(res.success, true, JSON.stringify(res));
    assert.equal(res.status, "live");
  });
});
