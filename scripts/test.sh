#!/usr/bin/env bash
# Runs every test of the repository, the way CI does (`.ci/run` execs this script).
#
#   bash scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Book]
#
# 1. Installs PostgreSQL and Redis with apt if they are missing (as root, or through sudo).
# 2. Starts a throwaway PostgreSQL cluster and a throwaway Redis in a temporary directory, on
#    loopback ports of their own (never 5432/6379), and exports
#    ConnectionStrings__Postgres / ConnectionStrings__Redis for the test runners.
# 3. Restores and builds Polysim.sln (Release; warnings are errors), checks formatting
#    (`dotnet format --verify-no-changes`), then runs every .NET test project under tests/,
#    tests/ClobApi.Tests a second time in PostgreSQL + Redis mode, and every npm package under tests/.
# 4. Prints `N passed, M failed` as its last line and exits non-zero if anything failed.
#    Everything it started is stopped, and its temporary directory removed, on exit.
#
# Counting: .NET results come from the <Counters> element of each project's TRX file. A step or
# runner that fails without reporting a failed test (restore/build/format failure, crash, missing
# results) counts as 1 failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1
# No MSBuild worker processes left running after the script (they could hold CI's output pipe).
export MSBUILDDISABLENODEREUSE="${MSBUILDDISABLENODEREUSE:-1}" DOTNET_CLI_USE_MSBUILD_SERVER="${DOTNET_CLI_USE_MSBUILD_SERVER:-0}"
export NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false NPM_CONFIG_UPDATE_NOTIFIER=false

PG_BASE_PORT=55432
REDIS_BASE_PORT=56379
TMP_PREFIX="${TMPDIR:-/tmp}/polysim-test."

PASSED=0
FAILED=0
declare -a REPORT=()   # one line per runner/step, printed before the final count
WORK=""
PG_BIN=""
PG_DATA=""
REDIS_PORT=""

section() { printf '\n==> %s\n' "$*"; }
warn() { printf 'test.sh: %s\n' "$*" >&2; }
die() { warn "$*"; exit 1; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# ---------------------------------------------------------------------------------------------
# Cleanup: stop what this run started, remove its temp dir, print the count as the last line.
# ---------------------------------------------------------------------------------------------
on_exit() {
  local rc=$?
  set +e
  if [[ -n "$WORK" && -d "$WORK" ]]; then
    stop_services "$WORK"
    rm -rf -- "$WORK"
  fi
  if [[ $rc -ne 0 && $FAILED -eq 0 ]]; then FAILED=1; fi
  if [[ $FAILED -gt 0 && $rc -eq 0 ]]; then rc=1; fi
  echo
  local line
  for line in "${REPORT[@]}"; do echo "  $line"; done
  echo "$PASSED passed, $FAILED failed"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command as the user that owns the PostgreSQL cluster (postgres refuses to run as root).
as_pg() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Stops the services of one run directory (this run's, or a dead run's leftovers).
stop_services() {
  local dir=$1
  if [[ -f "$dir/pg/data/postmaster.pid" && -n "$PG_BIN" ]]; then
    (cd "$dir" && as_pg "$PG_BIN/pg_ctl" -D "$dir/pg/data" stop -m immediate -w >/dev/null 2>&1)
  fi
  if [[ -f "$dir/redis/redis.pid" && -f "$dir/redis/port" ]]; then
    local port pid
    port=$(cat "$dir/redis/port")
    pid=$(cat "$dir/redis/redis.pid")
    # Only shut down the Redis on that port if it is the one this directory started.
    if redis-cli -p "$port" info server 2>/dev/null | tr -d '\r' | grep -qx "process_id:$pid"; then
      redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
    fi
  fi
}

port_busy() {
  local p=$1
  if command -v ss >/dev/null 2>&1 && ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
    return 0
  fi
  (: </dev/tcp/127.0.0.1/"$p") 2>/dev/null
}

# Prints the first free loopback port at or after $1.
free_port() {
  local p=$1 last=$(($1 + 200))
  while port_busy "$p"; do
    p=$((p + 1))
    [[ $p -le $last ]] || return 1
  done
  echo "$p"
}

# ---------------------------------------------------------------------------------------------
section "Prerequisites"
# ---------------------------------------------------------------------------------------------
find_pg_bin() {
  local d
  d=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)
  if [[ -n "$d" ]]; then
    dirname "$d"
  elif command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

PG_BIN=$(find_pg_bin)
if [[ -z "$PG_BIN" ]] || ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  SUDO=()
  if ! is_root; then
    command -v sudo >/dev/null 2>&1 || die "PostgreSQL/Redis are missing and we are neither root nor have sudo"
    SUDO=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL/Redis are missing and apt-get is not available: install them by hand"
  echo "installing postgresql and redis-server with apt-get (a minute or two)..."
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null
  PG_BIN=$(find_pg_bin)
fi
[[ -n "$PG_BIN" && -x "$PG_BIN/initdb" ]] || die "initdb not found after install"
command -v redis-server >/dev/null 2>&1 || die "redis-server not found after install"
if is_root; then
  id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run PostgreSQL as"
fi
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH"
echo "postgres: $PG_BIN; redis: $(command -v redis-server); dotnet: $(dotnet --version)"

# Leftovers of earlier runs that died without cleaning up (SIGKILL, power loss): their owner
# process is gone, so stop their services and remove their directories.
for old in "$TMP_PREFIX"*; do
  [[ -d "$old" && -O "$old" && -f "$old/owner.pid" ]] || continue
  if ! kill -0 "$(cat "$old/owner.pid")" 2>/dev/null; then
    echo "removing leftovers of an earlier run: $old"
    stop_services "$old"
    rm -rf -- "$old"
  fi
done

WORK=$(mktemp -d "${TMP_PREFIX}XXXXXX")
echo "$$" >"$WORK/owner.pid"
chmod 755 "$WORK" # the postgres user must be able to reach its directory inside
RESULTS="$WORK/results"
mkdir -p "$RESULTS"

# ---------------------------------------------------------------------------------------------
section "Services"
# ---------------------------------------------------------------------------------------------
mkdir -p "$WORK/pg"
if is_root; then chown postgres: "$WORK/pg"; fi
PG_DATA="$WORK/pg/data"
if ! (cd "$WORK/pg" && as_pg "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 \
  --no-locale --no-sync >"$WORK/pg/initdb.log" 2>&1); then
  cat "$WORK/pg/initdb.log" >&2
  die "initdb failed"
fi

# fsync off: a throwaway cluster need not survive a machine crash, and tests run faster.
start_postgres() {
  local port=$1
  (cd "$WORK/pg" &&
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/server.log" -w -t 60 \
      -o "-p $port -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
      start >/dev/null 2>&1)
}

# A port found free can still be taken before we bind it (another run starting at the same
# time): then try the next free one.
PG_PORT=""
next=$PG_BASE_PORT
for _ in 1 2 3 4 5; do
  port=$(free_port "$next") || break
  if start_postgres "$port"; then
    PG_PORT=$port
    break
  fi
  warn "PostgreSQL did not start on port $port:"
  tail -n 5 "$WORK/pg/server.log" >&2 2>/dev/null || true
  next=$((port + 1))
done
[[ -n "$PG_PORT" ]] || die "could not start PostgreSQL"
"$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \
  -c 'create database polysim_test' >/dev/null || die "could not create database polysim_test"
echo "postgres: 127.0.0.1:$PG_PORT (data in $PG_DATA)"

start_redis() {
  local port=$1 _
  rm -rf -- "$WORK/redis"
  mkdir -p "$WORK/redis"
  echo "$port" >"$WORK/redis/port"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$WORK/redis" --pidfile "$WORK/redis/redis.pid" --logfile "$WORK/redis/redis.log" \
    >"$WORK/redis/start.log" 2>&1 || return 1
  # --daemonize returns before the port is bound: wait for PONG from *our* process.
  for _ in $(seq 1 100); do
    if [[ -s "$WORK/redis/redis.pid" ]] &&
      [[ "$(redis-cli -p "$port" ping 2>/dev/null)" == "PONG" ]] &&
      redis-cli -p "$port" info server 2>/dev/null | tr -d '\r' |
      grep -qx "process_id:$(cat "$WORK/redis/redis.pid")"; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

REDIS_PORT=""
next=$REDIS_BASE_PORT
for _ in 1 2 3 4 5; do
  port=$(free_port "$next") || break
  if start_redis "$port"; then
    REDIS_PORT=$port
    break
  fi
  warn "Redis did not start on port $port:"
  tail -n 5 "$WORK/redis/start.log" "$WORK/redis/redis.log" >&2 2>/dev/null || true
  next=$((port + 1))
done
[[ -n "$REDIS_PORT" ]] || die "could not start Redis"
echo "redis: 127.0.0.1:$REDIS_PORT"

export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=polysim_test"
export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT"
# Tests that stop and start a PostgreSQL of their own (tests/ClobApi.Tests/Durability) find the binaries here.
export POLYSIM_PG_BIN="$PG_BIN"

# ---------------------------------------------------------------------------------------------
# Result bookkeeping
# ---------------------------------------------------------------------------------------------
# record NAME EXIT_CODE PASSED FAILED: a runner that exits non-zero while reporting no failed
# test (build error, crash, hang killed) still counts as one failure.
record() {
  local name=$1 rc=$2 p=${3:-0} f=${4:-0}
  if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  REPORT+=("$name: $p passed, $f failed (exit $rc)")
}

# Reads one numeric attribute of the <Counters .../> element of a TRX file (0 when absent).
trx_counter() {
  local file=$1 attr=$2 v
  v=$(grep -o '<Counters [^>]*>' "$file" | head -n 1 | sed -n "s/.* $attr=\"\([0-9]*\)\".*/\1/p" || true)
  echo "${v:-0}"
}

# ---------------------------------------------------------------------------------------------
section "Restore"
# ---------------------------------------------------------------------------------------------
built=0
if dotnet restore Polysim.sln --nologo -v q; then
  restored=1
else
  restored=0
  record "dotnet restore" 1
fi

if [[ $restored -eq 1 ]]; then
  section "Build (Release, warnings are errors)"
  if dotnet build Polysim.sln -c Release --no-restore --nologo -v q -clp:NoSummary; then
    built=1
  else
    record "dotnet build" 1
  fi

  section "Format check"
  if dotnet format Polysim.sln --verify-no-changes --no-restore; then
    echo "formatting: clean"
  else
    record "dotnet format --verify-no-changes (run 'dotnet format Polysim.sln' to fix)" 1
  fi
fi

# ---------------------------------------------------------------------------------------------
section ".NET tests"
# ---------------------------------------------------------------------------------------------
mapfile -t TEST_PROJECTS < <(find tests \( -name node_modules -o -name bin -o -name obj \) -prune -o \
  -name '*.csproj' -type f -print 2>/dev/null | sort |
  while read -r proj; do
    if grep -qE '<IsTestProject>[[:space:]]*true[[:space:]]*</IsTestProject>' "$proj"; then echo "$proj"; fi
  done)
if [[ ${#TEST_PROJECTS[@]} -eq 0 ]]; then
  echo "(no test projects under tests/)"
elif [[ $built -ne 1 ]]; then
  echo "skipped: the solution did not build (not running stale binaries)"
else
  for proj in "${TEST_PROJECTS[@]}"; do
    name=$(dirname "$proj" | tr '/' '_')
    trx="$RESULTS/$name.trx"
    echo "--- $proj"
    rc=0
    # A single test hanging for 10 minutes is killed (and counted failed) so the run stays bounded.
    dotnet test "$proj" -c Release --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" \
      --blame-hang-timeout 10m --blame-hang-dump-type none \
      "$@" || rc=$?
    if [[ -f "$trx" ]]; then
      p=$(trx_counter "$trx" passed)
      f=$(($(trx_counter "$trx" failed) + $(trx_counter "$trx" error) + $(trx_counter "$trx" timeout) + $(trx_counter "$trx" aborted)))
      record "$proj" "$rc" "$p" "$f"
    else
      record "$proj (no TRX results)" "$((rc == 0 ? 1 : rc))" 0 1
    fi
  done
fi

# ---------------------------------------------------------------------------------------------
section ".NET tests again, PostgreSQL + Redis mode (the shared API suite; each server gets its own database and Redis key prefix)"
# ---------------------------------------------------------------------------------------------
# POLYSIM_TEST_MODE=postgres+redis makes every TestServer journal to a fresh database on the cluster above
# and keep its idempotency records and rate limits in the Redis above, under a key prefix of its own
# (tests/ClobApi.Tests/TestMode.cs, ServerFixture.cs). Left out: tests tagged Mode=Embedded (they inspect
# the file journal or move a fake clock that Redis's rate limit does not read) and Mode=Both (they already
# run both modes themselves in the pass above). A --filter given to this script is combined with that.
PG_SUITE=tests/ClobApi.Tests/ClobApi.Tests.csproj
if [[ $built -eq 1 && -f "$PG_SUITE" ]]; then
  pg_filter="Mode!=Embedded&Mode!=Both"
  pg_args=()
  while [[ $# -gt 0 ]]; do
    if [[ "$1" == "--filter" && $# -gt 1 ]]; then
      pg_filter="($2)&$pg_filter"
      shift 2
    else
      pg_args+=("$1")
      shift
    fi
  done
  echo "--- $PG_SUITE (POLYSIM_TEST_MODE=postgres+redis: postgres 127.0.0.1:$PG_PORT, redis 127.0.0.1:$REDIS_PORT; filter $pg_filter)"
  rc=0
  POLYSIM_TEST_MODE=postgres+redis dotnet test "$PG_SUITE" -c Release --no-build --nologo \
    --logger "trx;LogFileName=postgres-redis-mode.trx" --results-directory "$RESULTS" \
    --blame-hang-timeout 10m --blame-hang-dump-type none \
    --filter "$pg_filter" ${pg_args[@]+"${pg_args[@]}"} || rc=$?
  trx="$RESULTS/postgres-redis-mode.trx"
  if [[ -f "$trx" ]]; then
    p=$(trx_counter "$trx" passed)
    f=$(($(trx_counter "$trx" failed) + $(trx_counter "$trx" error) + $(trx_counter "$trx" timeout) + $(trx_counter "$trx" aborted)))
    record "$PG_SUITE (PostgreSQL + Redis mode)" "$rc" "$p" "$f"
  else
    record "$PG_SUITE (PostgreSQL + Redis mode, no TRX results)" "$((rc == 0 ? 1 : rc))" 0 1
  fi
fi

# ---------------------------------------------------------------------------------------------
section "Node tests"
# ---------------------------------------------------------------------------------------------
# Convention for Node packages under tests/: `npm test` must print the summary lines of
# `node --test`, at the start of a line:
#   # pass N        (TAP reporter: write "test": "node --test --test-reporter=tap" to be explicit;
#   # fail M         it is node 20's default when stdout is not a terminal, node 23+ defaults to spec)
# The spec reporter's "ℹ pass N" / "ℹ fail M" lines are accepted too. The last such lines count.
# A package whose `npm ci`/`npm install` or `npm test` exits non-zero without a fail count above
# zero counts as one failure; one that exits 0 without any count line counts 0 passed.
mapfile -t NODE_PKGS < <(find tests -name node_modules -prune -o -name package.json -type f -print 2>/dev/null | sort)
if [[ ${#NODE_PKGS[@]} -eq 0 ]]; then
  echo "(no package.json under tests/)"
fi
for pkg_json in "${NODE_PKGS[@]}"; do
  dir=$(dirname "$pkg_json")
  log="$RESULTS/npm-$(echo "$dir" | tr '/' '_').log"
  if [[ -f "$dir/package-lock.json" || -f "$dir/npm-shrinkwrap.json" ]]; then
    install=(npm ci --no-audit --no-fund --loglevel=error)
  else
    install=(npm install --no-audit --no-fund --loglevel=error)
  fi
  echo "--- $dir: ${install[*]:0:2} && npm test"
  if ! (cd "$dir" && "${install[@]}") >"$log" 2>&1; then
    cat "$log"
    record "$dir (${install[*]:0:2})" 1 0 1
    continue
  fi
  rc=0
  (cd "$dir" && timeout --kill-after=30s 15m npm test) >"$log" 2>&1 || rc=$?
  sed 's/\x1b\[[0-9;]*m//g' "$log" >"$log.plain"
  p=$(grep -aE '^(#|ℹ) pass [0-9]+' "$log.plain" | tail -n 1 | awk '{print $3}' || true)
  f=$(grep -aE '^(#|ℹ) fail [0-9]+' "$log.plain" | tail -n 1 | awk '{print $3}' || true)
  # Full output only when something failed; otherwise the TAP summary lines.
  if [[ $rc -ne 0 || ${f:-0} -ne 0 ]]; then
    cat "$log"
  else
    grep -aE '^(#|ℹ) (tests|pass|fail|skipped) [0-9]+' "$log.plain" || true
  fi
  record "$dir" "$rc" "${p:-0}" "${f:-0}"
done

section "Summary"
# on_exit prints the per-runner lines and the final `N passed, M failed`.
