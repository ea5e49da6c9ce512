// Starts a real Polysim server (the Release build of src/ClobApi) on a fresh temp data directory and a free loopback
// port, waits for /readyz, and stops it again. The child is killed on every exit path so no server outlives the suite.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const serverDll = join(repoRoot, "src", "ClobApi", "bin", "Release", "net10.0", "Polysim.ClobApi.dll");

const running = new Set();
const dataDirs = new Set();

function killAll() {
  for (const child of running) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
  });
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

function ensureBuilt() {
  if (existsSync(serverDll)) return;
  // scripts/test.sh builds the solution in Release first; a local run may not have.
  const build = spawnSync("dotnet", ["build", join(repoRoot, "src", "ClobApi"), "-c", "Release", "--nologo", "-v", "q"], {
    stdio: "inherit",
  });
  if (build.status !== 0 || !existsSync(serverDll)) {
    throw new Error(`could not build ${serverDll} (dotnet build exited ${build.status})`);
  }
}

/**
 * Starts a server. Returns { host, adminKey, stop(), log() , admin(method, path, body) }.
 * extraSettings: additional `--Key value` configuration pairs.
 */
export async function startServer(extraSettings = {}) {
  ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), "polysim-e2e-"));
  dataDirs.add(dataDir);
  const port = await freePort();
  const adminKey = "adm_e2e_" + randomBytes(12).toString("hex");
  const settings = { "Polysim:DataDir": dataDir, "Polysim:AdminKey": adminKey, ...extraSettings };
  const args = [serverDll, "--urls", `http://127.0.0.1:${port}`];
  for (const [k, v] of Object.entries(settings)) args.push(`--${k}`, String(v));
  const child = spawn("dotnet", args, {
    cwd: dataDir,
    stdio: ["ignore", "pipe", "pipe"],
    // The embedded default: CI exports connection strings for the .NET suites, which must not leak into this server.
    env: {
      ...process.env,
      DOTNET_NOLOGO: "1",
      ASPNETCORE_ENVIRONMENT: "Production",
      ConnectionStrings__Postgres: "",
      ConnectionStrings__Redis: "",
    },
  });
  running.add(child);
  let output = "";
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
  let exitInfo;
  exited.then((info) => {
    exitInfo = info;
    running.delete(child);
  });

  const host = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exitInfo) throw new Error(`server exited during start (${JSON.stringify(exitInfo)}):\n${output}`);
    try {
      const res = await fetch(`${host}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server not ready after 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }

  async function admin(method, path, body) {
    const res = await fetch(`${host}${path}`, {
      method,
      headers: { "Content-Type": "application/json", "X-Admin-Key": adminKey },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
    return json;
  }

  async function stop() {
    if (!exitInfo) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
    dataDirs.delete(dataDir);
  }

  return { host, port, adminKey, dataDir, admin, stop, log: () => output };
}

/** Lists a binary market through the operator route; returns { conditionId, yes, no, market }. */
export async function listMarket(server, question, { tickSize = "0.01", minOrderSize = 5, negRisk = false } = {}) {
  const market = await server.admin("POST", "/v1/admin/markets", {
    question,
    tick_size: tickSize,
    min_order_size: minOrderSize,
    neg_risk: negRisk,
  });
  const yes = market.tokens.find((t) => t.outcome === "Yes").token_id;
  const no = market.tokens.find((t) => t.outcome === "No").token_id;
  return { conditionId: market.condition_id, yes, no, market };
}

export async function setTickSize(server, conditionId, tickSize) {
  return server.admin("POST", `/v1/admin/markets/${conditionId}/tick-size`, { tick_size: tickSize });
}
