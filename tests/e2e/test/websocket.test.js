// The WebSocket override the README documents: a bot swaps wss://ws-subscriptions-clob.polymarket.com for
// ws://<polysim>/ws/market and /ws/user and keeps Polymarket's subscribe messages. Orders come from the real
// clob-client-v2; the L2 creds the user channel authenticates with are the ones createOrDeriveApiKey returned.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Wallet } from "ethers";
import WebSocket from "ws";
import { clientV2 as adapter } from "../lib/clients.js";
import { listMarket, startServer } from "../lib/server.js";

let server;
let market;
const sockets = [];

before(async () => {
  server = await startServer();
  market = await listMarket(server, "e2e websocket market");
});

after(async () => {
  for (const s of sockets) s.socket.terminate();
  if (server) await server.stop();
});

/** Opens a socket, sends the subscribe message, and keeps every event (frames may be one event or an array). */
async function subscribe(path, message) {
  const socket = new WebSocket(server.host.replace(/^http/, "ws") + path);
  const feed = { socket, events: [], texts: [], closed: undefined, waiters: [] };
  sockets.push(feed);
  socket.on("message", (data) => {
    const text = data.toString();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      feed.texts.push(text);
    }
    if (parsed !== undefined) for (const e of Array.isArray(parsed) ? parsed : [parsed]) feed.events.push(e);
    for (const w of [...feed.waiters]) w();
  });
  socket.on("close", (code, reason) => {
    feed.closed = `${code} ${reason}`;
    for (const w of [...feed.waiters]) w();
  });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  socket.send(JSON.stringify(message));
  return feed;
}

function waitFor(feed, what, predicate, ms = 5_000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const hit = feed.events.find(predicate);
      if (hit) return done(resolve, hit);
      if (feed.closed) return done(reject, new Error(`${what}: socket closed (${feed.closed}); events ${JSON.stringify(feed.events).slice(0, 1500)}`));
    };
    const timer = setTimeout(() => done(reject, new Error(`${what}: not received in ${ms} ms; events ${JSON.stringify(feed.events).slice(0, 1500)}`)), ms);
    const done = (fn, value) => {
      clearTimeout(timer);
      feed.waiters = feed.waiters.filter((w) => w !== check);
      fn(value);
    };
    feed.waiters.push(check);
    check();
  });
}

async function trader() {
  const wallet = Wallet.createRandom();
  const creds = await adapter.make(server.host, wallet).createOrDeriveApiKey();
  assert.ok(creds.key, `createOrDeriveApiKey ${JSON.stringify(creds)}`);
  return { wallet, creds, client: adapter.make(server.host, wallet, creds) };
}

test("ws://…/ws/market with Polymarket's subscribe message sends the book, then price_change pairs for a new order, and answers PING", async () => {
  const feed = await subscribe("/ws/market", { assets_ids: [market.yes], type: "market" });
  const book = await waitFor(feed, "book snapshot", (e) => e.event_type === "book" && e.asset_id === market.yes);
  assert.equal(book.market, market.conditionId);
  assert.deepEqual(book.bids, []);
  const maker = await trader();
  const placed = await adapter.limit(maker.client, { tokenID: market.yes, price: 0.4, size: 10, side: adapter.Side.BUY });
  assert.equal(placed.success, true, JSON.stringify(placed));
  const change = await waitFor(feed, "price_change", (e) => e.event_type === "price_change");
  const yesLevel = change.price_changes.find((c) => c.asset_id === market.yes);
  assert.ok(yesLevel, `YES entry in ${JSON.stringify(change)}`);
  assert.equal(Number(yesLevel.price), 0.4);
  assert.equal(Number(yesLevel.size), 10);
  assert.equal(yesLevel.side, "BUY");
  const noLevel = change.price_changes.find((c) => c.asset_id === market.no);
  assert.ok(noLevel, `mirrored NO entry in ${JSON.stringify(change)}`);
  assert.equal(Number(noLevel.price), 0.6);
  assert.equal(noLevel.side, "SELL");
  feed.socket.send("PING");
  const deadline = Date.now() + 5_000;
  while (!feed.texts.includes("PONG") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(feed.texts.includes("PONG"), `PONG, got ${JSON.stringify(feed.texts)}`);
  await maker.client.cancelAll();
});

test("ws://…/ws/user authenticated with the createOrDeriveApiKey creds streams the wallet's order and trade events", async () => {
  const maker = await trader();
  const taker = await trader();
  const feed = await subscribe("/ws/user", {
    auth: { apiKey: maker.creds.key, secret: maker.creds.secret, passphrase: maker.creds.passphrase },
    markets: [market.conditionId],
    type: "user",
  });
  // BUY NO 10 @ 0.55 is a YES ask at 0.45.
  const placed = await adapter.limit(maker.client, { tokenID: market.no, price: 0.55, size: 10, side: adapter.Side.BUY });
  assert.equal(placed.success, true, JSON.stringify(placed));
  const order = await waitFor(feed, "order PLACEMENT", (e) => e.event_type === "order" && e.id === placed.orderID);
  assert.equal(order.type, "PLACEMENT");
  assert.equal(order.owner, maker.creds.key);
  assert.equal(order.side, "BUY");
  assert.equal(order.asset_id, market.no);
  const taken = await adapter.market(taker.client, { tokenID: market.yes, amount: 4.5, side: adapter.Side.BUY }, adapter.OrderType.FOK);
  assert.equal(taken.success, true, JSON.stringify(taken));
  const trade = await waitFor(feed, "trade", (e) => e.event_type === "trade" && e.id === taken.tradeIDs[0]);
  assert.ok(["MATCHED", "MINED", "CONFIRMED"].includes(trade.status), `trade status ${trade.status}`);
  const mine = trade.maker_orders.find((m) => m.order_id === placed.orderID);
  assert.ok(mine, `maker_orders names the maker's order: ${JSON.stringify(trade)}`);
  assert.equal(Number(mine.matched_amount), 10);
  assert.equal(Number(mine.price), 0.55);
});
