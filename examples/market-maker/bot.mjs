// A minimal two-sided market maker written against the unmodified Polymarket SDK (@polymarket/clob-client 5.8.1).
// Point it at Polysim by changing the host; nothing else differs from a bot you would run on Polymarket.
//
//   POLYSIM_HOST=http://127.0.0.1:5080 node bot.mjs                 # run until Ctrl-C
//   node bot.mjs --iterations 3 --interval-ms 1000                   # three quote cycles, then cancel and exit
//
// Env: POLYSIM_HOST (default http://127.0.0.1:5080), PRIVATE_KEY (default: a fresh random wallet), TOKEN_ID (default:
// the YES token of the first market accepting orders), SPREAD (total width, default 0.04), SIZE (shares per side,
// default 10), INTERVAL_MS (requote period, default 5000).
//
// It quotes a YES bid below the midpoint and, for the ask, a BUY of the NO token at 1 - ask: on Polymarket's unified
// book that is the same price level as a YES ask, and it needs collateral only, no YES inventory.
import { ClobClient, OrderType, Side } from "@polymarket/clob-client";
import { Wallet } from "ethers";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

const host = process.env.POLYSIM_HOST ?? "http://127.0.0.1:5080";
const chainId = 137;
const spread = Number(process.env.SPREAD ?? 0.04);
const size = Number(process.env.SIZE ?? 10);
const intervalMs = Number(flag("interval-ms", process.env.INTERVAL_MS ?? 5000));
const iterations = Number(flag("iterations", "0")); // 0 = until stopped

const wallet = process.env.PRIVATE_KEY ? new Wallet(process.env.PRIVATE_KEY) : Wallet.createRandom();
const log = (...parts) => console.log(new Date().toISOString(), ...parts);

// L1: the wallet signs an EIP-712 message once to create (or, if it exists, derive) its API key.
const creds = await new ClobClient(host, chainId, wallet).createOrDeriveApiKey();
if (!creds.key) throw new Error(`could not create or derive an API key: ${JSON.stringify(creds)}`);
const client = new ClobClient(host, chainId, wallet, creds);
log(`wallet ${wallet.address} api key ${creds.key}`);

async function pickMarket() {
  if (process.env.TOKEN_ID) {
    const book = await client.getOrderBook(process.env.TOKEN_ID);
    const market = await client.getMarket(book.market);
    return market;
  }
  const page = await client.getSamplingMarkets();
  const market = page.data.find((m) => m.accepting_orders && m.tokens?.length === 2);
  if (!market) throw new Error("no market is accepting orders");
  return market;
}

const market = await pickMarket();
const yes = market.tokens.find((t) => t.outcome === "Yes") ?? market.tokens[0];
const no = market.tokens.find((t) => t.token_id !== yes.token_id);
log(`quoting "${market.question}" (${market.condition_id})`);

let live = [];
let stopping = false;

const roundTo = (x, tick, dir) => {
  const steps = dir === "down" ? Math.floor(x / tick + 1e-9) : Math.ceil(x / tick - 1e-9);
  return Number((steps * tick).toFixed(6));
};

async function cancelQuotes() {
  if (live.length === 0) return;
  const res = await client.cancelOrders(live);
  log(`cancelled ${res.canceled?.length ?? 0} quotes`, JSON.stringify(res.not_canceled ?? {}));
  live = [];
}

async function quote() {
  const tick = Number(await client.getTickSize(yes.token_id));
  const { mid } = await client.getMidpoint(yes.token_id);
  const center = mid && Number(mid) > 0 ? Number(mid) : 0.5;
  const bid = Math.max(tick, roundTo(center - spread / 2, tick, "down"));
  const ask = Math.min(1 - tick, roundTo(center + spread / 2, tick, "up"));
  const noBid = Number((1 - ask).toFixed(6));

  await cancelQuotes();
  const orders = [
    { order: await client.createOrder({ tokenID: yes.token_id, price: bid, size, side: Side.BUY }), orderType: OrderType.GTC },
    { order: await client.createOrder({ tokenID: no.token_id, price: noBid, size, side: Side.BUY }), orderType: OrderType.GTC },
  ];
  const replies = await client.postOrders(orders);
  if (!Array.isArray(replies)) throw new Error(`postOrders failed: ${JSON.stringify(replies)}`);
  for (const r of replies) {
    if (r.success && r.orderID) live.push(r.orderID);
    else log("quote rejected:", JSON.stringify(r));
  }
  log(`mid ${center} -> bid ${bid} / ask ${ask} (BUY NO @ ${noBid}), size ${size}: placed ${live.join(",")}`);
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  try {
    await cancelQuotes();
  } finally {
    log("stopped");
    process.exit(code);
  }
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

try {
  for (let i = 1; !stopping && (iterations === 0 || i <= iterations); i++) {
    await quote();
    if (iterations !== 0 && i === iterations) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  await shutdown(0);
} catch (err) {
  console.error(err);
  await shutdown(1);
}
