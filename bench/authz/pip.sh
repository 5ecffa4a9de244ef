#!/usr/bin/env bash
# POST /api/v1/pip with a bearer token on every request (wrk, random estates of a 1,000,000-row
# fixture) against registrar on one I/O thread with PostgreSQL, beside pgbench running the same
# indexed lookup on the same PostgreSQL in the same run. Targets: >= 20,000 requests/s,
# p99 < 5 ms, and at least the pgbench rate.
# What is measured: the steady state of a warm server. Registrar with its estate cache (the
# default, src/authz/estate_cache.h): a warm-up sweeps every estate once (warm.lua), so the
# measured lookups are answered from memory, as a long-running instance answers its working set;
# the script prints how many estates were cached. Then registrar with the cache off
# (authz.pip_cache_estates = 0: every lookup is a batched database read) after a short random
# warm-up. pgbench runs last, on PostgreSQL's warm buffers.
# Environment: AUTHZ_BENCH_PG_URL (server URL; default the test server of
# scripts/pg-test-server.sh), AUTHZ_BENCH_ESTATES (200000 -> 1,000,000 rows),
# AUTHZ_BENCH_WORKERS (server.worker_threads, default 4), AUTHZ_BENCH_POOL (database.pool_size,
# default = workers), AUTHZ_BENCH_PIP_THREADS (authz.pip_threads: the threads that read batched
# PIP lookups, default 2), AUTHZ_BENCH_PGBENCH_CLIENTS (default = pool), AUTHZ_BENCH_UNCACHED
# (1 = also measure with the cache off, the default; 0 = skip).
# Cache misses do not run on the worker pool: lookups are batched (src/authz/batcher.h) and read
# by authz.pip_threads threads, each holding one database session while it reads.
source "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
PG_URL=${AUTHZ_BENCH_PG_URL:-postgresql://postgres@127.0.0.1:55432/postgres}
ESTATES=${AUTHZ_BENCH_ESTATES:-200000}
WORKERS=${AUTHZ_BENCH_WORKERS:-4}
POOL=${AUTHZ_BENCH_POOL:-$WORKERS}
PIP_THREADS=${AUTHZ_BENCH_PIP_THREADS:-2}
PGB_CLIENTS=${AUTHZ_BENCH_PGBENCH_CLIENTS:-$POOL}
UNCACHED=${AUTHZ_BENCH_UNCACHED:-1}
DB_URL="${PG_URL%/*}/registrar_authz_bench"

dir=$(mktemp -d)
trap 'stop_pid ${REG_PID:-}; rm -rf "$dir"' EXIT

psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS registrar_authz_bench" \
  -c "CREATE DATABASE registrar_authz_bench" >/dev/null

export REGISTRAR_DATABASE_URL=$DB_URL
export REGISTRAR_DATABASE_POOL_SIZE=$POOL
export REGISTRAR_SERVER_WORKER_THREADS=$WORKERS
export REGISTRAR_AUTHZ_PIP_THREADS=$PIP_THREADS
export REGISTRAR_IDENTITY_MASTER_KEY_FILE=$dir/master.key
export REGISTRAR_IDENTITY_PASSWORD_HASH_COST=minimal
export REGISTRAR_LOG_LEVEL=warn
start_registrar "$dir"  # migrates the schema

t0=$(date +%s.%N)
psql -q -v estates="$ESTATES" -f "$here/load.sql" "$DB_URL" >"$dir/load.out"
t1=$(date +%s.%N)
read -r rows estates < <(awk -F'|' '/^ *[0-9]+ *\| *[0-9]+ *$/ {gsub(/ /,""); print $1, $2}' "$dir/load.out")
awk -v r="$rows" -v e="$estates" -v a="$t0" -v b="$t1" \
  'BEGIN{printf "fixture: %d role assignments, %d estates, loaded in %.1f s (psql, INSERT ... SELECT generate_series)\n", r, e, b-a}'

AUTHZ_TOKEN=$("$BENCH_BUILD/src/registrar" --config "$dir/registrar.toml" token issue \
  --client bench --scope altinn:dd:internal | tail -n 1)
export AUTHZ_TOKEN AUTHZ_ESTATES=$ESTATES
check=$(curl -s -H "Authorization: Bearer $AUTHZ_TOKEN" -H 'Content-Type: application/json' \
  -d '{"from":"10000000001"}' "http://127.0.0.1:$REG_PORT/api/v1/pip")
n=$(grep -o '"to"' <<<"$check" | wc -l)
[ "$n" -eq 5 ] || { echo "PIP sanity check failed: $check" >&2; exit 1; }

metric() {  # metric NAME: a value from registrar's /metrics
  curl -s "http://127.0.0.1:$REG_PORT/metrics" | awk -v n="$1" '$1==n {print $2; exit}'
}

# Cache on: one sweep over every estate fills the cache (misses run at the uncached rate, about
# 20,000/s, so the sweep gets ESTATES/10,000 + 3 seconds), then the measurement.
warm=$((ESTATES / 10000 + 3))s
BENCH_DURATION=$warm run_wrk "http://127.0.0.1:$REG_PORT/api/v1/pip" "$here/warm.lua" >/dev/null
cached=$(metric registrar_authz_pip_cache_estates)
read -r c_rps c_p50 c_p99 c_err < <(run_wrk "http://127.0.0.1:$REG_PORT/api/v1/pip" "$here/pip.lua")
c_hits=$(metric registrar_authz_pip_cache_hits_total)
c_misses=$(metric registrar_authz_pip_cache_misses_total)
stop_pid "$REG_PID"; REG_PID=

if [ "$UNCACHED" = 1 ]; then
  REGISTRAR_AUTHZ_PIP_CACHE_ESTATES=0 start_registrar "$dir"
  # Warm PostgreSQL's buffers and the token cache before measuring.
  BENCH_DURATION=3s run_wrk "http://127.0.0.1:$REG_PORT/api/v1/pip" "$here/pip.lua" >/dev/null
  read -r u_rps u_p50 u_p99 u_err < <(run_wrk "http://127.0.0.1:$REG_PORT/api/v1/pip" "$here/pip.lua")
  stop_pid "$REG_PID"; REG_PID=
fi

# pgbench: same statement, prepared, on CPU 1 like wrk; latency percentiles from its log.
secs=${BENCH_DURATION%s}
(cd "$dir" && taskset -c 1 pgbench -n -M prepared -c "$PGB_CLIENTS" -j 1 -T "$secs" \
  -D estates="$ESTATES" -f "$here/pip.pgbench" -l --log-prefix=pgb "$DB_URL" >"$dir/pgbench.out" 2>&1)
p_tps=$(awk '/^tps/ {print $3; exit}' "$dir/pgbench.out")
cat "$dir"/pgb.* | awk '{print $3}' | sort -n >"$dir/lat"
cnt=$(wc -l <"$dir/lat")
p_p50=$(awk -v n="$cnt" 'NR==int(n*0.50)+1 {printf "%.3f", $1/1000; exit}' "$dir/lat")
p_p99=$(awk -v n="$cnt" 'NR==int(n*0.99)+1 {printf "%.3f", $1/1000; exit}' "$dir/lat")

echo "load average (1/5/15 min) after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "estate cache: $cached estates after the warm-up sweep; $c_hits hits, $c_misses misses in all"
printf '%-62s %12s %10s %10s %8s\n' "POST /api/v1/pip (1 I/O thread, $PIP_THREADS PIP threads, pool $POOL)" "requests/s" "p50 ms" "p99 ms" "non-2xx"
printf '%-62s %12s %10s %10s %8s\n' "pgbench -M prepared, $PGB_CLIENTS clients, same lookup" "$p_tps" "$p_p50" "$p_p99" "-"
printf '%-62s %12s %10s %10s %8s\n' "registrar, estate cache on, wrk $BENCH_CONNECTIONS connections" "$c_rps" "$c_p50" "$c_p99" "$c_err"
[ "$UNCACHED" = 1 ] &&
  printf '%-62s %12s %10s %10s %8s\n' "registrar, cache off (pip_cache_estates = 0), wrk $BENCH_CONNECTIONS conn." "$u_rps" "$u_p50" "$u_p99" "$u_err"
[ "$UNCACHED" = 1 ] &&
  awk -v r="$u_rps" -v p="$p_tps" 'BEGIN{printf "ratio registrar/pgbench with the cache off: %.2f\n", r/p}'
awk -v r="$c_rps" -v p="$p_tps" -v q="$c_p99" \
  'BEGIN{printf "ratio registrar/pgbench: %.2f (target >= 1.00); target >= 20000 req/s: %s; p99 < 5 ms: %s\n", r/p, (r>=20000?"met":"NOT met"), (q<5?"met":"NOT met")}'
