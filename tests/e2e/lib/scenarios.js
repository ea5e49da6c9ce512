// The scenarios every client runs against its own freshly started server. Tests run in order and share state (the
// book one test builds is the book the next one trades against); each asserts the response shape and the numbers.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Wallet } from "ethers";
import { listMarket, setTickSize, startServer } from "./server.js";
import { describeExchanges, installRecorder, mark, since } from "./traffic.js";

const ORDER_ID = /^0x[0-9a-f]{64}$/;
const TX_HASH = /^0x[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BOOK_KEYS = ["market", "asset_id", "timestamp", "hash", "bids", "asks", "min_order_size", "tick_size", "neg_risk", "last_trade_price"];

export const MESSAGES = {
  fok: "order couldn't be fully filled. FOK orders are fully filled or killed.",
  postOnlyCrosses: "invalid post-only order: order crosses book",
  balance: "not enough balance / allowance",
  expiration: "invalid expiration",
};

/** $ amount as the raw 6-decimal integer string /balance-allowance answers. */
const raw = (dollars) => String(Math.round(dollars * 1_000_000));

/** A test whose failure message carries every HTTP exchange the client made during it. */
function step(name, fn, options = {}) {
  test(name, options, async (t) => {
    const start = mark();
    try {
      await fn(t);
    } catch (err) {
      const traffic = since(start);
      const detail = traffic.length ? `\nHTTP exchanges during this test:\n${describeExchanges(traffic.slice(-12))}` : "";
      if (err && typeof err === "object" && "message" in err) {
        // The runner prints the stack, which captured the message at construction.
        err.message += detail;
        if (typeof err.stack === "string") err.stack += detail;
        throw err;
      }
      throw new Error(String(err) + detail);
    }
  });
}

/** The /data/orders exchanges for one market (the background heartbeat scenario polls another market meanwhile). */
function pagesOf(exchanges, market) {
  return exchanges.filter((e) => new URL(e.url).pathname === "/data/orders" && new URL(e.url).searchParams.get("market") === market);
}

function assertRejected(res, message, what) {
  assert.ok(res && typeof res === "object", `${what}: expected an error object, got ${JSON.stringify(res)}`);
  assert.equal(res.status, 400, `${what}: expected HTTP 400, got ${JSON.stringify(res)}`);
  if (message instanceof RegExp) {
    assert.match(String(res.error), message, `${what}: error string`);
  } else {
    assert.equal(res.error, message, `${what}: error string`);
  }
}

function assertLive(res, what) {
  assert.ok(res && typeof res === "object", `${what}: no response`);
  assert.equal(res.error, undefined, `${what}: rejected: ${JSON.stringify(res)}`);
  assert.equal(res.success, true, `${what}: success`);
  assert.match(res.orderID, ORDER_ID, `${what}: orderID`);
  assert.equal(String(res.status).toLowerCase(), "live", `${what}: status`);
  assert.equal(res.errorMsg, "", `${what}: errorMsg`);
  return res.orderID;
}

function assertMatched(res, making, taking, what) {
  assert.ok(res && typeof res === "object", `${what}: no response`);
  assert.equal(res.error, undefined, `${what}: rejected: ${JSON.stringify(res)}`);
  assert.equal(res.success, true, `${what}: success`);
  assert.match(res.orderID, ORDER_ID, `${what}: orderID`);
  assert.equal(String(res.status).toLowerCase(), "matched", `${what}: status`);
  assert.equal(typeof res.makingAmount, "string", `${what}: makingAmount is a string`);
  assert.equal(typeof res.takingAmount, "string", `${what}: takingAmount is a string`);
  assert.equal(Number(res.makingAmount), making, `${what}: makingAmount`);
  assert.equal(Number(res.takingAmount), taking, `${what}: takingAmount`);
  assert.ok(Array.isArray(res.tradeIDs) && res.tradeIDs.length >= 1, `${what}: tradeIDs ${JSON.stringify(res.tradeIDs)}`);
  assert.ok(Array.isArray(res.transactionsHashes) && res.transactionsHashes.length >= 1, `${what}: transactionsHashes`);
  for (const h of res.transactionsHashes) assert.match(h, TX_HASH, `${what}: transaction hash`);
}

function assertOpenOrder(o, expect, what) {
  assert.ok(o && typeof o === "object" && !("error" in o), `${what}: ${JSON.stringify(o)}`);
  assert.equal(o.id, expect.id, `${what}: id`);
  assert.equal(o.status, expect.status ?? "LIVE", `${what}: status`);
  assert.equal(o.owner, expect.owner, `${what}: owner is the API key`);
  assert.equal(String(o.maker_address).toLowerCase(), expect.maker.toLowerCase(), `${what}: maker_address`);
  assert.equal(o.market, expect.market, `${what}: market`);
  assert.equal(o.asset_id, expect.asset, `${what}: asset_id`);
  assert.equal(o.side, expect.side, `${what}: side`);
  assert.equal(typeof o.original_size, "string", `${what}: original_size is a string`);
  assert.equal(Number(o.original_size), expect.size, `${what}: original_size`);
  assert.equal(Number(o.size_matched), expect.matched ?? 0, `${what}: size_matched`);
  assert.equal(typeof o.price, "string", `${what}: price is a string`);
  assert.equal(Number(o.price), expect.price, `${what}: price`);
  assert.equal(o.outcome, expect.outcome, `${what}: outcome`);
  assert.equal(o.order_type, expect.orderType ?? "GTC", `${what}: order_type`);
  assert.equal(o.expiration, expect.expiration ?? "0", `${what}: expiration`);
  assert.equal(typeof o.created_at, "number", `${what}: created_at is a number`);
}

function assertBook(book, { asset, market, tick, bids, asks }, what) {
  for (const key of BOOK_KEYS) assert.ok(key in book, `${what}: book has ${key}`);
  assert.equal(book.asset_id, asset, `${what}: asset_id`);
  assert.equal(book.market, market, `${what}: market`);
  assert.equal(book.tick_size, tick, `${what}: tick_size`);
  assert.equal(book.min_order_size, "5", `${what}: min_order_size`);
  assert.equal(book.neg_risk, false, `${what}: neg_risk`);
  const levels = (side) => side.map((l) => [Number(l.price), Number(l.size)]);
  for (const l of [...book.bids, ...book.asks]) {
    assert.equal(typeof l.price, "string", `${what}: level price is a string`);
    assert.equal(typeof l.size, "string", `${what}: level size is a string`);
  }
  assert.deepEqual(levels(book.bids), bids, `${what}: bids ascending, best last`);
  assert.deepEqual(levels(book.asks), asks, `${what}: asks descending, best last`);
}

/** Registers the whole scenario list for one client. */
export function defineScenarios(adapter) {
  const { Side, OrderType, AssetType } = adapter;
  const s = {}; // shared state
  let server;

  describe(`${adapter.name} (${adapter.protocol} orders) against Polysim`, () => {
    before(async () => {
      installRecorder();
      server = await startServer();
      s.host = server.host;
      s.m1 = await listMarket(server, `e2e ${adapter.protocol}: main market`);
      s.m2 = await listMarket(server, `e2e ${adapter.protocol}: tick size market`);
      s.m3 = await listMarket(server, `e2e ${adapter.protocol}: heartbeat market`);
      s.m4 = await listMarket(server, `e2e ${adapter.protocol}: neg-risk market`, { negRisk: true });
      s.m5 = await listMarket(server, `e2e ${adapter.protocol}: paging market`);
      s.wallets = { A: Wallet.createRandom(), B: Wallet.createRandom(), C: Wallet.createRandom(), H: Wallet.createRandom() };
    });

    after(async () => {
      // The heartbeat scenario runs in the background; never leave it dangling.
      if (s.heartbeat) await s.heartbeat.catch(() => {});
      if (server) await server.stop();
    });

    step("createOrDeriveApiKey creates a key on the first call and derives the same key on the second", async () => {
      const w = s.wallets.A;
      const l1 = adapter.make(s.host, w);
      const first = mark();
      const created = await l1.createOrDeriveApiKey();
      const firstCalls = since(first);
      assert.match(created.key ?? "", UUID, `apiKey ${JSON.stringify(created)}`);
      assert.match(created.secret, /^[A-Za-z0-9_-]+=*$/, "secret is base64url");
      assert.ok(typeof created.passphrase === "string" && created.passphrase.length > 0, "passphrase");
      assert.deepEqual(
        firstCalls.map((e) => `${e.method} ${new URL(e.url).pathname} ${e.status}`),
        ["POST /auth/api-key 200"],
        "the first call creates",
      );
      const second = mark();
      const derived = await l1.createOrDeriveApiKey();
      const secondCalls = since(second).map((e) => `${e.method} ${new URL(e.url).pathname} ${e.status}`);
      assert.deepEqual(secondCalls, ["POST /auth/api-key 400", "GET /auth/derive-api-key 200"], "the second call falls back to derive");
      assert.deepEqual(derived, created, "derive returns the same creds");
      s.creds = { A: created };
      s.A = adapter.make(s.host, w, created);
      for (const name of ["B", "C", "H"]) {
        const c = await adapter.make(s.host, s.wallets[name]).createOrDeriveApiKey();
        assert.match(c.key ?? "", UUID, `${name} apiKey ${JSON.stringify(c)}`);
        s.creds[name] = c;
        s[name] = adapter.make(s.host, s.wallets[name], c);
      }
    });

    step("postHeartbeat starts a dead-man's switch (its ~10 s silence runs in the background until the last test)", async () => {
      assert.ok(s.H, "wallet H has a key");
      const posted = await adapter.limit(s.H, { tokenID: s.m3.yes, price: 0.1, size: 10, side: Side.BUY });
      const orderId = assertLive(posted, "H rests a bid");
      const hb1 = await adapter.heartbeat(s.H);
      assert.equal(hb1.error, undefined, `first heartbeat rejected: ${JSON.stringify(hb1)}`);
      assert.equal(typeof hb1.heartbeat_id, "string", `heartbeat_id ${JSON.stringify(hb1)}`);
      assert.ok(hb1.heartbeat_id.length > 0, "heartbeat_id is not empty");
      s.heartbeat = (async () => {
        await sleep(2_000);
        const hb2 = await adapter.heartbeat(s.H, hb1.heartbeat_id);
        const lastBeat = Date.now();
        if (hb2.error !== undefined || typeof hb2.heartbeat_id !== "string") throw new Error(`chained heartbeat rejected: ${JSON.stringify(hb2)}`);
        const stillLive = await s.H.getOrder(orderId);
        if (stillLive.status !== "LIVE") throw new Error(`order not LIVE right after a heartbeat: ${JSON.stringify(stillLive)}`);
        for (;;) {
          await sleep(500);
          const open = await s.H.getOpenOrders({ market: s.m3.conditionId });
          if (!Array.isArray(open)) throw new Error(`getOpenOrders: ${JSON.stringify(open)}`);
          const waited = Date.now() - lastBeat;
          if (open.length === 0) {
            if (waited < 9_000) throw new Error(`orders cancelled only ${waited} ms after the last heartbeat (Polymarket allows 10 s)`);
            const gone = await s.H.getOrder(orderId);
            return { waited, status: gone?.status };
          }
          if (waited > 25_000) throw new Error(`orders still open ${waited} ms after the last heartbeat: ${JSON.stringify(open)}`);
        }
      })();
      s.heartbeat.catch(() => {}); // awaited (and reported) by the last test
    });

    step("getTickSize, getNegRisk and getFeeRateBps read the market's parameters (no key needed)", async () => {
      const pub = adapter.make(s.host);
      assert.equal(await pub.getTickSize(s.m1.yes), "0.01");
      assert.equal(await pub.getNegRisk(s.m1.yes), false);
      assert.equal(await pub.getFeeRateBps(s.m1.yes), 0);
    });

    step("getBalanceAllowance before trading shows the starting 10,000 USDC and no shares", async () => {
      const cash = await s.A.getBalanceAllowance({ asset_type: AssetType.COLLATERAL });
      assert.equal(cash.balance, raw(10_000), `collateral ${JSON.stringify(cash)}`);
      assert.ok("allowance" in cash || "allowances" in cash, "allowance or allowances present");
      if (cash.allowances !== undefined) assert.equal(typeof cash.allowances, "object", "allowances is a map");
      const shares = await s.A.getBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: s.m1.yes });
      assert.equal(shares.balance, "0", `YES shares ${JSON.stringify(shares)}`);
    });

    step("GTC orders rest: B quotes YES bids and NO bids (the YES asks of the mirrored book)", async () => {
      s.bOrders = {};
      const quotes = [
        ["bid40", s.m1.yes, 0.4, 100],
        ["bid42", s.m1.yes, 0.42, 50],
        ["noBid45", s.m1.no, 0.45, 100],
        ["noBid43", s.m1.no, 0.43, 50],
      ];
      for (const [name, token, price, size] of quotes) {
        s.bOrders[name] = assertLive(await adapter.limit(s.B, { tokenID: token, price, size, side: Side.BUY }), `B ${name}`);
      }
      const bidOrder = await s.B.getOrder(s.bOrders.bid40);
      assertOpenOrder(bidOrder, {
        id: s.bOrders.bid40, owner: s.creds.B.key, maker: s.wallets.B.address, market: s.m1.conditionId,
        asset: s.m1.yes, side: "BUY", size: 100, price: 0.4, outcome: "Yes",
      }, "getOrder of B's bid");
    });

    step("getOrderBook lists bids ascending and asks descending (best last) on both tokens, with all ten keys", async () => {
      const yes = await s.A.getOrderBook(s.m1.yes);
      assertBook(yes, { asset: s.m1.yes, market: s.m1.conditionId, tick: "0.01", bids: [[0.4, 100], [0.42, 50]], asks: [[0.57, 50], [0.55, 100]] }, "YES book");
      const no = await s.A.getOrderBook(s.m1.no);
      assertBook(no, { asset: s.m1.no, market: s.m1.conditionId, tick: "0.01", bids: [[0.43, 50], [0.45, 100]], asks: [[0.6, 100], [0.58, 50]] }, "NO book");
    });

    step("getMidpoint, getPrice and getSpread agree with the book", async () => {
      const mid = await s.A.getMidpoint(s.m1.yes);
      assert.equal(typeof mid.mid, "string", `mid ${JSON.stringify(mid)}`);
      assert.equal(Number(mid.mid), 0.485);
      const bid = await s.A.getPrice(s.m1.yes, Side.BUY);
      assert.equal(typeof bid.price, "string", `price ${JSON.stringify(bid)}`);
      assert.equal(Number(bid.price), 0.42, "side=BUY is the best bid");
      const ask = await s.A.getPrice(s.m1.yes, Side.SELL);
      assert.equal(Number(ask.price), 0.55, "side=SELL is the best ask");
      const spread = await s.A.getSpread(s.m1.yes);
      assert.equal(typeof spread.spread, "string", `spread ${JSON.stringify(spread)}`);
      assert.equal(Number(spread.spread), 0.13);
      const noMid = await s.A.getMidpoint(s.m1.no);
      assert.equal(Number(noMid.mid), 0.515, "NO midpoint mirrors YES");
    });

    step(`a GTC that does not cross rests; the client sent a ${adapter.protocol} order whose EIP-712 hash is the orderID`, async () => {
      const start = mark();
      s.aGtc = assertLive(await adapter.limit(s.A, { tokenID: s.m1.yes, price: 0.3, size: 10, side: Side.BUY }), "A GTC");
      const post = since(start).find((e) => e.method === "POST" && new URL(e.url).pathname === "/order");
      assert.ok(post, "the client posted /order");
      // What went over the wire: JSON.stringify drops undefined members.
      const body = JSON.parse(typeof post.body === "string" ? post.body : JSON.stringify(post.body));
      for (const f of adapter.wireFields.present) assert.ok(f in body.order, `${adapter.protocol} wire order has ${f}`);
      for (const f of adapter.wireFields.absent) assert.ok(!(f in body.order), `${adapter.protocol} wire order has no ${f}`);
      assert.equal(body.owner, s.creds.A.key, "owner is the API key");
      assert.equal(body.orderType, "GTC");
      assert.equal(body.order.signer, s.wallets.A.address, "signer is the wallet");
      assert.equal(body.order.makerAmount, "3000000", "BUY 10 @ 0.30 spends 3 USDC");
      assert.equal(body.order.takerAmount, "10000000", "for 10 shares");
      assert.equal(s.aGtc, adapter.orderId(body.order), "orderID is the EIP-712 order hash");
      assertOpenOrder(await s.A.getOrder(s.aGtc), {
        id: s.aGtc, owner: s.creds.A.key, maker: s.wallets.A.address, market: s.m1.conditionId,
        asset: s.m1.yes, side: "BUY", size: 10, price: 0.3, outcome: "Yes",
      }, "getOrder of A's GTC");
    });

    step("a GTD rests with its expiration", async () => {
      const now = Number(await s.A.getServerTime());
      assert.ok(Number.isInteger(now) && now > 1_600_000_000, `/time is integer seconds: ${now}`);
      const expiration = now + 3600;
      s.aGtd = assertLive(await adapter.limit(s.A, { tokenID: s.m1.yes, price: 0.31, size: 10, side: Side.BUY, expiration }, OrderType.GTD), "A GTD");
      assertOpenOrder(await s.A.getOrder(s.aGtd), {
        id: s.aGtd, owner: s.creds.A.key, maker: s.wallets.A.address, market: s.m1.conditionId, asset: s.m1.yes,
        side: "BUY", size: 10, price: 0.31, outcome: "Yes", orderType: "GTD", expiration: String(expiration),
      }, "getOrder of A's GTD");
    });

    step("a GTD expiring within Polymarket's one-minute security threshold is rejected", async () => {
      const now = Number(await s.A.getServerTime());
      const res = await adapter.limit(s.A, { tokenID: s.m1.yes, price: 0.31, size: 10, side: Side.BUY, expiration: now + 30 }, OrderType.GTD);
      assertRejected(res, MESSAGES.expiration, "GTD 30 s ahead");
    });

    step("a post-only order that would cross is rejected; one that would not rests", async () => {
      const crossing = await adapter.limit(s.A, { tokenID: s.m1.yes, price: 0.55, size: 10, side: Side.BUY }, OrderType.GTC, { postOnly: true });
      assertRejected(crossing, MESSAGES.postOnlyCrosses, "post-only at the ask");
      s.aPostOnly = assertLive(
        await adapter.limit(s.A, { tokenID: s.m1.yes, price: 0.32, size: 10, side: Side.BUY }, OrderType.GTC, { postOnly: true }),
        "post-only below the ask",
      );
    });

    step("createAndPostMarketOrder FOK BUY $11 fills 20 YES at 0.55 against B's resting BUY NO (a MINT)", async () => {
      const started = Date.now();
      const res = await adapter.market(s.A, { tokenID: s.m1.yes, amount: 11, side: Side.BUY }, OrderType.FOK);
      const took = Date.now() - started;
      assertMatched(res, 11, 20, "FOK BUY $11");
      assert.ok(took < 5_000, `the order call took ${took} ms (clob-client-v2 polls /data/trades for up to 30 s when transactionsHashes is empty)`);
      s.fokTrade = res.tradeIDs[0];
      const last = await s.A.getLastTradePrice(s.m1.yes);
      assert.equal(Number(last.price), 0.55, `last trade ${JSON.stringify(last)}`);
      assert.equal(last.side, "BUY");
      const yes = await s.A.getOrderBook(s.m1.yes);
      assert.deepEqual(yes.asks.map((l) => [Number(l.price), Number(l.size)]), [[0.57, 50], [0.55, 80]], "the 0.55 ask shrank by 20");
      assert.equal(Number(yes.last_trade_price), 0.55, "book last_trade_price");
    });

    step("a FOK BUY that cannot be filled in full is rejected with Polymarket's FOK message", async () => {
      const res = await adapter.market(s.A, { tokenID: s.m1.yes, amount: 500, side: Side.BUY, price: 0.57 }, OrderType.FOK);
      assertRejected(res, MESSAGES.fok, "FOK BUY $500 at 0.57");
      const yes = await s.A.getOrderBook(s.m1.yes);
      assert.deepEqual(yes.asks.map((l) => [Number(l.price), Number(l.size)]), [[0.57, 50], [0.55, 80]], "the book is untouched");
    });

    step("a FAK BUY fills what rests at its limit and kills the rest", async () => {
      const res = await adapter.market(s.A, { tokenID: s.m1.yes, amount: 100, side: Side.BUY, price: 0.55 }, OrderType.FAK);
      assertMatched(res, 44, 80, "FAK BUY $100 at 0.55");
      s.fakTrade = res.tradeIDs[0];
      const yes = await s.A.getOrderBook(s.m1.yes);
      assert.deepEqual(yes.asks.map((l) => [Number(l.price), Number(l.size)]), [[0.57, 50]], "the 0.55 level is gone");
      const open = await s.A.getOpenOrders({ market: s.m1.conditionId });
      assert.ok(Array.isArray(open), `getOpenOrders ${JSON.stringify(open)}`);
      assert.ok(!open.some((o) => o.id === res.orderID), "the FAK remainder does not rest");
    });

    step("a MERGE: A sells YES into B's resting SELL NO and both receive collateral", async () => {
      s.bOrders.noAsk50 = assertLive(await adapter.limit(s.B, { tokenID: s.m1.no, price: 0.5, size: 30, side: Side.SELL }), "B SELL NO 30 @ 0.50");
      const res = await adapter.limit(s.A, { tokenID: s.m1.yes, price: 0.5, size: 30, side: Side.SELL });
      assertMatched(res, 30, 15, "A SELL YES 30 @ 0.50");
      s.mergeTrade = res.tradeIDs[0];
    });

    step("createAndPostMarketOrder FOK SELL 10 shares fills at the best bid", async () => {
      const res = await adapter.market(s.A, { tokenID: s.m1.yes, amount: 10, side: Side.SELL }, OrderType.FOK);
      assertMatched(res, 10, 4.2, "FOK SELL 10 YES");
      s.sellTrade = res.tradeIDs[0];
      const yes = await s.A.getOrderBook(s.m1.yes);
      assert.deepEqual(
        yes.bids.map((l) => [Number(l.price), Number(l.size)]),
        [[0.3, 10], [0.31, 10], [0.32, 10], [0.4, 100], [0.42, 40]],
        "B's 0.42 bid shrank by 10; A's own bids below it are untouched",
      );
    });

    step("batch market data: getOrderBooks, getMidpoints, getPrices, getSpreads, getLastTradesPrices, getPricesHistory", async () => {
      const { yes, no } = s.m1;
      const books = await s.A.getOrderBooks([{ token_id: yes }, { token_id: no }]);
      assert.ok(Array.isArray(books) && books.length === 2, `getOrderBooks ${JSON.stringify(books)}`);
      assert.deepEqual(books.map((b) => b.asset_id), [yes, no]);
      assert.equal(Number(books[0].bids.at(-1).price), 0.42, "YES best bid last");
      assert.equal(Number(books[0].asks.at(-1).price), 0.57, "YES best ask last");
      assert.equal(Number(books[1].bids.at(-1).price), 0.43, "NO best bid last");
      const mids = await s.A.getMidpoints([{ token_id: yes }]);
      assert.equal(Number(mids[yes]), 0.495, `getMidpoints ${JSON.stringify(mids)}`);
      const prices = await s.A.getPrices([{ token_id: yes, side: Side.BUY }, { token_id: yes, side: Side.SELL }]);
      assert.equal(Number(prices[yes]?.BUY), 0.42, `getPrices ${JSON.stringify(prices)}`);
      assert.equal(Number(prices[yes]?.SELL), 0.57, `getPrices ${JSON.stringify(prices)}`);
      const spreads = await s.A.getSpreads([{ token_id: yes }]);
      assert.equal(Number(spreads[yes]), 0.15, `getSpreads ${JSON.stringify(spreads)}`);
      const lasts = await s.A.getLastTradesPrices([{ token_id: yes }]);
      assert.ok(Array.isArray(lasts) && lasts.length === 1, `getLastTradesPrices ${JSON.stringify(lasts)}`);
      assert.equal(lasts[0].token_id, yes);
      assert.equal(Number(lasts[0].price), 0.42);
      assert.equal(lasts[0].side, "SELL");
      const history = await s.A.getPricesHistory({ market: yes, interval: "max" });
      assert.ok(Array.isArray(history?.history) && history.history.length >= 1, `getPricesHistory ${JSON.stringify(history)}`);
      for (const point of history.history) {
        assert.ok(Number.isInteger(point.t) && typeof point.p === "number", `history point ${JSON.stringify(point)}`);
      }
      assert.equal(history.history.at(-1).p, 0.42, "the last print");
    });

    step("selling shares the wallet does not hold is rejected", async () => {
      const res = await adapter.limit(s.C, { tokenID: s.m1.yes, price: 0.6, size: 10, side: Side.SELL });
      assertRejected(res, MESSAGES.balance, "C SELL YES without shares");
    });

    step("an order below the market's minimum size is rejected with Polymarket's message", async () => {
      const res = await adapter.limit(s.A, { tokenID: s.m1.yes, price: 0.2, size: 2, side: Side.BUY });
      assertRejected(res, /^order 0x[0-9a-f]{64} is invalid\. Size \(2\) lower than the minimum: 5$/, "BUY 2 shares");
    });

    step("postOrders places a batch and answers one response per order", async () => {
      const signed = [];
      for (const price of [0.2, 0.21, 0.22]) {
        signed.push({ order: await s.A.createOrder({ tokenID: s.m1.yes, price, size: 5, side: Side.BUY }), orderType: OrderType.GTC });
      }
      const res = await adapter.batch(s.A, signed);
      assert.ok(Array.isArray(res), `postOrders ${JSON.stringify(res)}`);
      assert.equal(res.length, 3);
      s.batch = res.map((r, i) => assertLive(r, `batch order ${i}`));
      assert.equal(new Set(s.batch).size, 3, "distinct order ids");
    });

    step("on a neg-risk market the client signs for the neg-risk exchange and the order rests under that hash", async () => {
      assert.equal(await s.A.getNegRisk(s.m4.yes), true);
      const start = mark();
      s.aNegRisk = assertLive(await adapter.limit(s.A, { tokenID: s.m4.yes, price: 0.2, size: 10, side: Side.BUY }), "neg-risk BUY");
      const post = since(start).find((e) => e.method === "POST" && new URL(e.url).pathname === "/order");
      const body = JSON.parse(typeof post.body === "string" ? post.body : JSON.stringify(post.body));
      assert.equal(s.aNegRisk, adapter.orderId(body.order, true), "orderID is the hash under the neg-risk exchange domain");
      assert.notEqual(s.aNegRisk, adapter.orderId(body.order, false));
      const book = await s.A.getOrderBook(s.m4.yes);
      assert.equal(book.neg_risk, true, "book neg_risk");
    });

    step("getOpenOrders pages with base64 cursors (MA== first, LTE= last) and filters by market and asset", async () => {
      const expected = [s.aGtc, s.aGtd, s.aPostOnly, ...s.batch].sort();
      const start = mark();
      const open = await s.A.getOpenOrders({ market: s.m1.conditionId });
      const pages = pagesOf(since(start), s.m1.conditionId);
      assert.ok(Array.isArray(open), `getOpenOrders ${JSON.stringify(open)}`);
      assert.deepEqual(open.map((o) => o.id).sort(), expected, "A's open orders on the market");
      assert.equal(new URL(pages[0].url).searchParams.get("next_cursor"), "MA==", "first page asked with MA==");
      const lastPage = pages[pages.length - 1].reply;
      assert.equal(lastPage.next_cursor, "LTE=", "last page ends with LTE=");
      for (const key of ["limit", "count", "data"]) assert.ok(key in lastPage, `page has ${key}`);
      const firstPage = await s.A.getOpenOrders({ market: s.m1.conditionId }, true);
      assert.ok(firstPage.length >= 1 && firstPage.length <= expected.length, "only_first_page returns the first page");
      const byAsset = await s.A.getOpenOrders({ asset_id: s.m1.no });
      assert.deepEqual(byAsset, [], "no orders on the NO token");
      const one = await s.A.getOpenOrders({ id: s.aGtd });
      assert.deepEqual(one.map((o) => o.id), [s.aGtd], "filter by id");
    });

    step("getOpenOrders follows next_cursor across pages: 105 orders come back as 100 + 5", async () => {
      const w = Wallet.createRandom();
      const creds = await adapter.make(s.host, w).createOrDeriveApiKey();
      const p = adapter.make(s.host, w, creds);
      const placed = [];
      for (let batch = 0; batch < 7; batch++) {
        const signed = [];
        for (let i = 0; i < 15; i++) {
          signed.push({ order: await p.createOrder({ tokenID: s.m5.yes, price: 0.1, size: 5, side: Side.BUY }), orderType: OrderType.GTC });
        }
        const res = await adapter.batch(p, signed);
        assert.ok(Array.isArray(res) && res.length === 15, `batch ${batch}: ${JSON.stringify(res).slice(0, 500)}`);
        for (const r of res) placed.push(assertLive(r, `batch ${batch}`));
      }
      const start = mark();
      const all = await p.getOpenOrders({ market: s.m5.conditionId });
      const pages = pagesOf(since(start), s.m5.conditionId);
      assert.deepEqual(pages.map((e) => new URL(e.url).searchParams.get("next_cursor")), ["MA==", "MTAw"], "cursors asked: 0, then 100");
      assert.deepEqual(pages.map((e) => e.reply.count), [100, 5], "page counts");
      assert.deepEqual(pages.map((e) => e.reply.next_cursor), ["MTAw", "LTE="], "next_cursor: base64 of 100, then LTE=");
      assert.deepEqual(all.map((o) => o.id).sort(), [...placed].sort(), "every order once");
      assert.equal((await p.getOpenOrders({ market: s.m5.conditionId }, true)).length, 100, "only_first_page");
      const cancelled = await p.cancelAll();
      assert.equal(cancelled.canceled.length, 105, "cancelAll cancels all 105");
    });

    step("getTrades: taker and maker both see the trade, with maker_orders naming the maker's order", async () => {
      const mine = await s.A.getTrades({ market: s.m1.conditionId });
      assert.ok(Array.isArray(mine), `getTrades ${JSON.stringify(mine)}`);
      assert.deepEqual(mine.map((t) => t.id).sort(), [s.fokTrade, s.fakTrade, s.mergeTrade, s.sellTrade].sort(), "A's four trades");
      const fok = mine.find((t) => t.id === s.fokTrade);
      assert.equal(fok.market, s.m1.conditionId);
      assert.equal(fok.asset_id, s.m1.yes);
      assert.equal(fok.side, "BUY");
      assert.equal(Number(fok.size), 20);
      assert.equal(Number(fok.price), 0.55);
      assert.equal(fok.outcome, "Yes");
      assert.equal(fok.trader_side, "TAKER");
      assert.equal(fok.owner, s.creds.A.key);
      assert.ok(["MATCHED", "MINED", "CONFIRMED"].includes(fok.status), `status ${fok.status}`);
      assert.match(fok.transaction_hash ?? "", TX_HASH, "transaction_hash");
      assert.equal(typeof fok.match_time, "string", "match_time is a string");
      assert.equal(fok.maker_orders.length, 1, "one maker order");
      const mo = fok.maker_orders[0];
      assert.equal(mo.order_id, s.bOrders.noBid45, "maker order is B's BUY NO");
      assert.equal(String(mo.maker_address).toLowerCase(), s.wallets.B.address.toLowerCase());
      assert.equal(mo.owner, s.creds.B.key);
      assert.equal(mo.asset_id, s.m1.no, "MINT: the maker bought the complement");
      assert.equal(mo.side, "BUY");
      assert.equal(mo.outcome, "No");
      assert.equal(Number(mo.matched_amount), 20);
      assert.equal(Number(mo.price), 0.45);
      const merge = mine.find((t) => t.id === s.mergeTrade);
      assert.equal(merge.side, "SELL");
      assert.equal(Number(merge.size), 30);
      assert.equal(Number(merge.price), 0.5);
      assert.equal(merge.maker_orders[0].order_id, s.bOrders.noAsk50);
      assert.equal(merge.maker_orders[0].side, "SELL", "MERGE: the maker sold the complement");
      const sell = mine.find((t) => t.id === s.sellTrade);
      assert.equal(sell.side, "SELL");
      assert.equal(Number(sell.size), 10);
      assert.equal(Number(sell.price), 0.42);
      assert.equal(sell.maker_orders[0].order_id, s.bOrders.bid42, "the maker is B's 0.42 bid");
      assert.equal(Number(sell.maker_orders[0].matched_amount), 10);

      const theirs = await s.B.getTrades({ market: s.m1.conditionId });
      assert.ok(Array.isArray(theirs), `B getTrades ${JSON.stringify(theirs)}`);
      for (const id of [s.fokTrade, s.fakTrade, s.mergeTrade, s.sellTrade]) {
        const t = theirs.find((x) => x.id === id);
        assert.ok(t, `B sees trade ${id}`);
        assert.equal(t.trader_side, "MAKER", `B is the maker of ${id}`);
        assert.ok(t.maker_orders.some((m) => String(m.maker_address).toLowerCase() === s.wallets.B.address.toLowerCase()), "B's maker order is listed");
      }
      const byId = await s.B.getTrades({ id: s.fokTrade });
      assert.deepEqual(byId.map((t) => t.id), [s.fokTrade], "filter by trade id");
    });

    step("a tick size change is picked up by the client", async () => {
      const before = adapter.make(s.host, s.wallets.A, s.creds.A);
      assert.equal(await before.getTickSize(s.m2.yes), "0.01");
      await setTickSize(server, s.m2.conditionId, "0.001");
      let client = before;
      const book = await before.getOrderBook(s.m2.yes);
      assert.equal(book.tick_size, "0.001", "the book reports the new tick");
      if (adapter.tickSizeRefreshFromBook) {
        assert.equal(await before.getTickSize(s.m2.yes), "0.001", "clob-client refreshes its cache from the book");
      } else {
        // clob-client-v2 caches a tick for the client's lifetime; a new client reads the new one.
        client = adapter.make(s.host, s.wallets.A, s.creds.A);
        assert.equal(await client.getTickSize(s.m2.yes), "0.001", "a new clob-client-v2 reads the new tick");
      }
      s.tickClient = client;
      s.aFineTick = assertLive(await adapter.limit(client, { tokenID: s.m2.yes, price: 0.345, size: 10, side: Side.BUY }), "BUY at 0.345");
      const o = await s.A.getOrder(s.aFineTick);
      assert.equal(Number(o.price), 0.345, `price ${JSON.stringify(o)}`);
    });

    step("an off-tick price (a client still caching the finer tick) is rejected with Polymarket's message", async () => {
      await setTickSize(server, s.m2.conditionId, "0.01");
      assert.equal(await s.tickClient.getTickSize(s.m2.yes), "0.001", "the client still caches 0.001");
      const res = await adapter.limit(s.tickClient, { tokenID: s.m2.yes, price: 0.347, size: 10, side: Side.BUY });
      assertRejected(res, /^order 0x[0-9a-f]{64} is invalid\. Price \(0\.347\) breaks minimum tick size rule: 0\.01$/, "BUY at 0.347 on a 0.01 market");
    });

    step("cancelOrder cancels one order; cancelling it again reports it in not_canceled", async () => {
      const res = await s.A.cancelOrder({ orderID: s.aGtc });
      assert.deepEqual(res.canceled, [s.aGtc], `cancelOrder ${JSON.stringify(res)}`);
      assert.deepEqual(res.not_canceled, {}, "not_canceled is an empty map");
      const o = await s.A.getOrder(s.aGtc);
      assert.equal(o.status, "CANCELED", `getOrder after cancel ${JSON.stringify(o)}`);
      const again = await s.A.cancelOrder({ orderID: s.aGtc });
      assert.deepEqual(again.canceled, [], `second cancel ${JSON.stringify(again)}`);
      assert.equal(typeof again.not_canceled[s.aGtc], "string", "reason for the second cancel");
    });

    step("cancelOrders cancels a list of orders", async () => {
      const res = await s.A.cancelOrders([s.aGtd, s.aPostOnly]);
      assert.deepEqual([...res.canceled].sort(), [s.aGtd, s.aPostOnly].sort(), `cancelOrders ${JSON.stringify(res)}`);
      assert.deepEqual(res.not_canceled, {});
    });

    step("cancelMarketOrders cancels the wallet's orders on one market and token", async () => {
      const res = await s.A.cancelMarketOrders({ market: s.m1.conditionId, asset_id: s.m1.yes });
      assert.deepEqual([...res.canceled].sort(), [...s.batch].sort(), `cancelMarketOrders ${JSON.stringify(res)}`);
      const onM2 = await s.A.getOpenOrders({ market: s.m2.conditionId });
      assert.deepEqual(onM2.map((o) => o.id), [s.aFineTick], "orders on other markets stay");
    });

    step("posting the same signed order twice is rejected as Duplicated", async () => {
      const order = await s.A.createOrder({ tokenID: s.m1.yes, price: 0.23, size: 5, side: Side.BUY });
      s.aDup = assertLive(await adapter.postSigned(s.A, order, OrderType.GTC), "first post");
      const again = await adapter.postSigned(s.A, order, OrderType.GTC);
      assertRejected(again, `order ${s.aDup} is invalid. Duplicated.`, "second post");
    });

    step("L2 housekeeping: getApiKeys, getClosedOnlyMode, order scoring, notifications, updateBalanceAllowance", async () => {
      const keys = await s.A.getApiKeys();
      assert.ok(Array.isArray(keys?.apiKeys) && keys.apiKeys.includes(s.creds.A.key), `getApiKeys ${JSON.stringify(keys)}`);
      const closed = await s.A.getClosedOnlyMode();
      assert.deepEqual(closed, { closed_only: false }, "getClosedOnlyMode");
      const scoring = await s.A.isOrderScoring({ order_id: s.aDup });
      assert.equal(typeof scoring?.scoring, "boolean", `isOrderScoring ${JSON.stringify(scoring)}`);
      const many = await s.A.areOrdersScoring({ orderIds: [s.aDup] });
      assert.equal(typeof many?.[s.aDup], "boolean", `areOrdersScoring ${JSON.stringify(many)}`);
      const notes = await s.A.getNotifications();
      assert.ok(Array.isArray(notes), `getNotifications ${JSON.stringify(notes)}`);
      const update = await s.A.updateBalanceAllowance({ asset_type: AssetType.COLLATERAL });
      assert.ok(!(update && typeof update === "object" && "error" in update), `updateBalanceAllowance ${JSON.stringify(update)}`);
      const cash = await s.A.getBalanceAllowance({ asset_type: AssetType.COLLATERAL });
      const spenders = Object.keys(cash.allowances ?? {}).map((a) => a.toLowerCase());
      for (const exchange of ["0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E", "0xE111180000d2663C0091e4f400237545B87B996B"]) {
        assert.ok(spenders.includes(exchange.toLowerCase()), `allowances cover ${exchange}: ${JSON.stringify(cash)}`);
      }
      assert.equal(typeof cash.allowance, "string", "allowance (singular) for clob-client's typing");
      if (adapter.protocol === "V2") {
        assert.equal(await s.A.getVersion(), 2, "getVersion");
        assert.equal(await s.A.getOk(), "OK", "getOk");
        const info = await s.A.getClobMarketInfo(s.m1.conditionId);
        assert.equal(info.c, s.m1.conditionId, `getClobMarketInfo ${JSON.stringify(info)}`);
        assert.deepEqual(info.t.map((t) => t.t), [s.m1.yes, s.m1.no]);
        assert.equal(info.mts, 0.01);
        assert.deepEqual(await s.A.getPreMigrationOrders(), [], "getPreMigrationOrders");
      } else {
        assert.equal(await s.A.getOk(), "OK", "getOk");
      }
    });

    step("cancelAll cancels everything the wallet has open", async () => {
      const res = await s.A.cancelAll();
      assert.deepEqual([...res.canceled].sort(), [s.aFineTick, s.aNegRisk, s.aDup].sort(), `cancelAll ${JSON.stringify(res)}`);
      assert.deepEqual(await s.A.getOpenOrders(), [], "nothing open");
      const b = await s.B.cancelAll();
      assert.deepEqual([...b.canceled].sort(), [s.bOrders.bid40, s.bOrders.bid42, s.bOrders.noBid43].sort(), `B cancelAll ${JSON.stringify(b)}`);
    });

    step("getBalanceAllowance after trading: exact arithmetic for both wallets", async () => {
      // A: -11 (FOK) -44 (FAK) +15 (MERGE) +4.2 (market SELL); 20 + 80 - 30 - 10 YES.
      // B: -9 -36 (BUY NO fills) +15 (MERGE) -4.2 (its 0.42 bid filled); 100 - 30 NO, 10 YES.
      const a = await s.A.getBalanceAllowance({ asset_type: AssetType.COLLATERAL });
      assert.equal(a.balance, raw(10_000 - 11 - 44 + 15 + 4.2), `A collateral ${JSON.stringify(a)}`);
      const aYes = await s.A.getBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: s.m1.yes });
      assert.equal(aYes.balance, raw(60), `A YES ${JSON.stringify(aYes)}`);
      const aNo = await s.A.getBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: s.m1.no });
      assert.equal(aNo.balance, "0", `A NO ${JSON.stringify(aNo)}`);
      const b = await s.B.getBalanceAllowance({ asset_type: AssetType.COLLATERAL });
      assert.equal(b.balance, raw(10_000 - 9 - 36 + 15 - 4.2), `B collateral ${JSON.stringify(b)}`);
      const bYes = await s.B.getBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: s.m1.yes });
      assert.equal(bYes.balance, raw(10), `B YES ${JSON.stringify(bYes)}`);
      const bNo = await s.B.getBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: s.m1.no });
      assert.equal(bNo.balance, raw(70), `B NO ${JSON.stringify(bNo)}`);
      const c = await s.C.getBalanceAllowance({ asset_type: AssetType.COLLATERAL });
      assert.equal(c.balance, raw(10_000), `C collateral ${JSON.stringify(c)}`);
    });

    step("postHeartbeat followed by silence cancels the wallet's open orders", async (t) => {
      assert.ok(s.heartbeat, "the heartbeat scenario started");
      const outcome = await s.heartbeat;
      t.diagnostic(`open orders were gone ${outcome.waited} ms after the last heartbeat`);
      assert.equal(outcome.status, "CANCELED", `order status after the lapse ${JSON.stringify(outcome)}`);
    }, { timeout: 60_000 });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
