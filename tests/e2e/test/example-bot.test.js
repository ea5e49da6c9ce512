// Runs examples/market-maker/bot.mjs (written against @polymarket/clob-client) for two quote cycles against a fresh
// Polysim server with its demo markets, then checks on the server what it quoted and that it cancelled on exit.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { ClobClient } from "@polymarket/clob-client";
import { Wallet } from "ethers";
import { repoRoot, startServer } from "../lib/server.js";

const bot = join(repoRoot, "examples", "market-maker", "bot.mjs");
const resolver = fileURLToPath(new URL("../lib/resolve-from-e2e.mjs", import.meta.url));
let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) await server.stop();
});

function runBot(env, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", resolver, bot, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

test("the example market maker quotes both sides around the midpoint, requotes, and cancels its quotes on exit", async () => {
  const wallet = Wallet.createRandom();
  const run = await runBot(
    { POLYSIM_HOST: server.host, PRIVATE_KEY: wallet.privateKey, SIZE: "10", SPREAD: "0.04" },
    ["--iterations", "2", "--interval-ms", "300"],
  );
  assert.equal(run.code, 0, `bot exited ${run.code}/${run.signal}:\n${run.out}`);
  const cycles = [...run.out.matchAll(/mid ([0-9.]+) -> bid ([0-9.]+) \/ ask ([0-9.]+) \(BUY NO @ ([0-9.]+)\), size 10: placed (\S*)/g)];
  assert.equal(cycles.length, 2, `two quote cycles:\n${run.out}`);
  assert.match(run.out, /cancelled 2 quotes/, `cancels the previous quotes and those on exit:\n${run.out}`);

  const creds = await new ClobClient(server.host, 137, wallet).createOrDeriveApiKey();
  const client = new ClobClient(server.host, 137, wallet, creds);
  const seen = new Set();
  for (const [, mid, bid, ask, noBid, placed] of cycles) {
    const ids = placed.split(",").filter(Boolean);
    assert.equal(ids.length, 2, `two quotes per cycle: ${placed}`);
    assert.ok(Number(bid) < Number(mid) && Number(mid) < Number(ask), `bid ${bid} < mid ${mid} < ask ${ask}`);
    assert.equal(Number(noBid), Number((1 - Number(ask)).toFixed(6)));
    const [yesOrder, noOrder] = await Promise.all(ids.map((id) => client.getOrder(id)));
    assert.equal(yesOrder.side, "BUY");
    assert.equal(yesOrder.outcome, "Yes");
    assert.equal(Number(yesOrder.price), Number(bid));
    assert.equal(Number(yesOrder.original_size), 10);
    assert.equal(noOrder.side, "BUY");
    assert.equal(noOrder.outcome, "No");
    assert.equal(Number(noOrder.price), Number(noBid));
    assert.equal(yesOrder.status, "CANCELED", `quote cancelled: ${JSON.stringify(yesOrder)}`);
    assert.equal(noOrder.status, "CANCELED", `quote cancelled: ${JSON.stringify(noOrder)}`);
    for (const id of ids) seen.add(id);
  }
  assert.equal(seen.size, 4, "each cycle placed new orders");
  assert.deepEqual(await client.getOpenOrders(), [], "nothing left open");
});
