#!/usr/bin/env bash
# POST /api/v1/pip with a bearer token on every request (wrk, random estates of a 1,000,000-row
# fixture) against registrar on one I/O thread with PostgreSQL, beside pgbench running the same
# indexed lookup on the same PostgreSQL in the same run. Targets: >= 20,000 requests/s,
# p99 < 5 ms, and at least the pgbench rate.
# Environment: AUTHZ_BENCH_PG_URL (server URL; default the test server of
# scripts/pg-test-server.sh), AUTHZ_BENCH_ESTATES (200000 -> 1,000,000 rows),
# AUTHZ_BENCH_WORKERS (server.worker_threads, default 4), AUTHZ_BENCH_POOL (database.pool_size,
# default = workers), AUTHZ_BENCH_PIP_THREADS (authz.pip_threads: the threads that read batched
# PIP lookups, default 2), AUTHZ_BENCH_PGBENCH_CLIENTS (default = pool).
# The PIP does not run on the worker pool: lookups are batched (src/authz/batcher.h) and read by
# authz.pip_threads threads, each holding one database session while it reads.
source "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
PG_URL=${AUTHZ_BENCH_PG_URL:-postgresql://postgres@127.0.0.1:55432/postgres}
ESTATES=${AUTHZ_BENCH_ESTATES:-200000}
WORKERS=${AUTHZ_BENCH_WORKERS:-4}
POOL=${AUTHZ_BENCH_POOL:-$WORKERS}
PIP_THREADS=${AUTHZ_BENCH_PIP_THREADS:-2}
PGB_CLIENTS=${AUTHZ_BENCH_PGBENCH_CLIENTS:-$POOL}
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

# Warm the caches (PostgreSQL buffers, token cache) before measuring.
BENCH_DURATION=3s run_wrk "http://127.0.0.1:$REG_PORT/api/v1/pip" "$here/pip.lua" >/dev/null
read -r r_rps r_p50 r_p99 r_err < <(run_wrk "http://127.0.0.1:$REG_PORT/api/v1/pip" "$here/pip.lua")
stop_pid "$REG_PID"; REG_PID=

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
printf '%-48s %12s %10s %10s %8s\n' "POST /api/v1/pip (1 I/O thread, $PIP_THREADS PIP threads, pool $POOL)" "requests/s" "p50 ms" "p99 ms" "non-2xx"
printf '%-48s %12s %10s %10s %8s\n' "pgbench -M prepared, $PGB_CLIENTS clients, same lookup" "$p_tps" "$p_p50" "$p_p99" "-"
printf '%-48s %12s %10s %10s %8s\n' "registrar, wrk $BENCH_CONNECTIONS connections" "$r_rps" "$r_p50" "$r_p99" "$r_err"
awk -v r="$r_rps" -v p="$p_tps" -v q="$r_p99" \
  'BEGIN{printf "ratio registrar/pgbench: %.2f (target >= 1.00); target >= 20000 req/s: %s; p99 < 5 ms: %s\n", r/p, (r>=20000?"met":"NOT met"), (q<5?"met":"NOT met")}'
