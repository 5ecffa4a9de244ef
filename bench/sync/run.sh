#!/usr/bin/env bash
# sync (issue 16): master-data sync at SYNC_BENCH_ROWS rows (default 10,000,000) over
# SYNC_BENCH_CENTRES centres (default 1,000), one of them with 100,000 rows.
# 1. sync_bench (bench/sync/sync_bench.cpp), on CPU 0 as the other suites' servers: loads the rows
#    through db::apply (SQLite by default; SYNC_BENCH_BACKEND=postgres: the registrar's store on
#    PostgreSQL), then the server-side figures through the store and service directly: full
#    sync of the big centre, a delta of 100 changes, pull pages/s. It also loads the same rows,
#    MOSIP-shaped, into PostgreSQL and writes the pgbench scripts of MOSIP's own queries (§6.3).
# 2. The baseline: pgbench (CPU 1, one client) running MOSIP's full and delta queries on those
#    rows, one transaction = one client's sync (every entity's SELECT).
# 3. End to end over HTTP against `registrar serve` on the same SQLite file (SYNC_BENCH_HTTP=0
#    skips it): clientsettings full and delta (curl, bearer token), pull catch-up (a Python
#    client signing each page) and pull at the head (wrk); a route that is not there is said so.
# Environment: SYNC_BENCH_PG_URL (a PostgreSQL server; default: a throwaway one started here),
# SYNC_BENCH_ROWS, SYNC_BENCH_CENTRES, SYNC_BENCH_BACKEND (sqlite | postgres), SYNC_BENCH_BATCH,
# SYNC_BENCH_FULL_RUNS, SYNC_BENCH_DELTA_RUNS, SYNC_BENCH_PAGE, SYNC_BENCH_PGBENCH_SECONDS (10),
# SYNC_BENCH_HTTP_AUTH (a header for the HTTP requests, e.g. "Authorization: Bearer ...").
source "$(dirname "$0")/../lib.sh"
dir=$(mktemp -d /tmp/registrar-bench-sync.XXXXXX)
cleanup() {
  stop_pid "${REG_PID:-}"
  bench_pg_stop
  rm -rf "$dir"
}
trap cleanup EXIT

bench_pg_start "${SYNC_BENCH_PG_URL:-}" 2GB
# Databases of their own, so that a given server's other data is left alone.
for d in registrar_sync_baseline registrar_sync_store; do
  PGOPTIONS='-c client_min_messages=warning' psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $d" \
    -c "CREATE DATABASE $d" >/dev/null
done
BASELINE_URL="${PG_URL%/*}/registrar_sync_baseline"
case "${SYNC_BENCH_BACKEND:-sqlite}" in
  sqlite) STORE_URL="sqlite:$dir/registrar.db" ;;
  postgres) STORE_URL="${PG_URL%/*}/registrar_sync_store" ;;
  *) echo "SYNC_BENCH_BACKEND must be sqlite or postgres" >&2; exit 2 ;;
esac

REGISTRAR_LOG_LEVEL=warn taskset -c 0 "$BENCH_BUILD/bench/sync/sync_bench" --db "$STORE_URL" \
  --out "$dir" --baseline-pg "$BASELINE_URL" | tee "$dir/bench.out"
source "$dir/figures.env"

# pgbench_ms SCRIPT: milliseconds per transaction (one client sync) of a pgbench run on CPU 1.
pgbench_ms() {
  taskset -c 1 pgbench -n -c 1 -T "${SYNC_BENCH_PGBENCH_SECONDS:-10}" -f "$1" "$BASELINE_URL" 2>&1 |
    awk '/^tps/ {printf "%.3f", 1000 / $3}'
}
# The baseline's own answer: the rows MOSIP's delta query returns (should be the same 100).
baseline_delta_rows=$(psql -qAt "$BASELINE_URL" -f "$dir/mosip_delta.pgbench" | wc -l)
base_full=$(pgbench_ms "$dir/mosip_full.pgbench")
base_delta=$(pgbench_ms "$dir/mosip_delta.pgbench")
echo
printf '%-58s %12s %12s\n' "server side, ms per client sync (median)" "registrar" "PostgreSQL"
printf '%-58s %12.3f %12.3f\n' "full sync of centre 10000 ($FULL_ROWS rows), selection" "$FULL_SELECT_MS" "$base_full"
printf '%-58s %12.3f %12s\n' "  … rendered, encrypted, body built (target < 1,000)" "$FULL_ANSWER_MS" "-"
printf '%-58s %12.3f %12.3f\n' "delta of 100 changes ($DELTA_ROWS rows; PG $baseline_delta_rows), selection" "$DELTA_SELECT_MS" "$base_delta"
printf '%-58s %12.3f %12s\n' "  … rendered, encrypted, body built (target < 10)" "$DELTA_ANSWER_MS" "-"
printf '%-58s %12.0f %12s\n' "pull pages/s (catch-up, pages of $PULL_PAGE)" "$PULL_PAGES_S" "-"
printf '%-58s %12.0f %12s\n' "pull requests/s at the head (nothing new)" "$PULL_IDLE_S" "-"
printf '%-58s %12.1f %12.1f\n' "load, s ($LOAD_ROWS rows; PG: COPY into the MOSIP table)" "$LOAD_S" "$BASELINE_LOAD_S"

# ---------------------------------------------------------------------------------------------
# End to end over HTTP: `registrar serve` on the rows just loaded (SQLite only; one I/O thread on
# CPU 0, clients on CPU 1). Each route is probed first; one that is not there (404) is reported
# as not measured.
# ---------------------------------------------------------------------------------------------
http_times() {  # http_times N URL: N sequential requests; prints "median_ms max_ms http_code"
  local n=$1 url=$2 code
  : >"$dir/times"
  for _ in $(seq 1 "$n"); do
    code=$(taskset -c 1 curl -s -o "$dir/body" -w '%{http_code} %{time_total}\n' \
      ${SYNC_BENCH_HTTP_AUTH:+-H "$SYNC_BENCH_HTTP_AUTH"} "$url")
    echo "$code" >>"$dir/times"
  done
  sort -k2 -n "$dir/times" | awk '{c=$1; t[NR]=$2*1000} END {printf "%.3f %.3f %s", t[int((NR+1)/2)], t[NR], c}'
}
if [ "${SYNC_BENCH_HTTP:-1}" = 1 ] && [ "${SYNC_BENCH_BACKEND:-sqlite}" = sqlite ]; then
  export REGISTRAR_LOG_LEVEL=warn
  export WAIT_PORT_SECONDS=300
  # The full sync ends now (not at midnight) and the delta at now to the second, so that both
  # windows hold the changes just made (docs/sync.md, "MOSIP clientsettings").
  start_registrar "$dir" "[identity]
master_key_file = \"$dir/master.key\"
password_hash_cost = \"minimal\"
[sync.mosip]
full_sync_to = \"now\"
delta_interval_s = 1"
  base="http://127.0.0.1:$REG_PORT"
  token=$("$BENCH_BUILD/src/registrar" --config "$dir/registrar.toml" token issue --client bench \
    --scope sync:client | tail -n 1)
  SYNC_BENCH_HTTP_AUTH=${SYNC_BENCH_HTTP_AUTH:-"Authorization: Bearer $token"}
  echo
  settings="$base/v1/syncdata/clientsettings?keyindex=$MACHINE_KEY_INDEX"
  probe=$(curl -s -o /dev/null -w '%{http_code}' "$settings")
  if [ "$probe" = 404 ]; then
    echo "HTTP GET /v1/syncdata/clientsettings: not measured (the route is not on this branch)"
  else
    read -r med max code <<<"$(http_times 5 "$settings")"
    entries=$(/usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r["response"]["dataToSync"]), "entities,", r["errors"])' <"$dir/body" 2>&1 | tail -n 1)
    printf '%-58s median %s ms, max %s ms (HTTP %s, %s bytes, %s; target < 1,000)\n' \
      "HTTP full sync, clientsettings (curl)" "$med" "$max" "$code" "$(wc -c <"$dir/body")" "$entries"
    read -r med max code <<<"$(http_times 50 "$settings&lastUpdated=$DELTA_FROM")"
    entries=$(/usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r["response"]["dataToSync"]), "entities,", r["errors"])' <"$dir/body" 2>&1 | tail -n 1)
    printf '%-58s median %s ms, max %s ms (HTTP %s, %s bytes, %s)\n' \
      "HTTP delta of 100 changes, clientsettings (curl)" "$med" "$max" "$code" "$(wc -c <"$dir/body")" "$entries"
  fi
  probe=$(curl -s -o /dev/null -w '%{http_code}' "$base/v1/sync/pull?cursor=0")
  if [ "$probe" = 404 ]; then
    echo "HTTP GET /v1/sync/pull: not measured (the route is not on this branch)"
  else
    read -r pages items secs head <<<"$(taskset -c 1 /usr/bin/python3 "$BENCH_ROOT/bench/sync/pull_client.py" \
      "$base" "$dir/machine-sign.pem" "$PULL_PAGE" "$dir/pull.auth")"
    printf '%-58s %s pages, %s items in %s s: %s pages/s\n' "HTTP pull from cursor 0 (Python client)" \
      "$pages" "$items" "$secs" "$(awk -v p="$pages" -v s="$secs" 'BEGIN{printf "%.0f", p/s}')"
    { read -r target; read -r auth; } <"$dir/pull.auth"
    read -r rps p50 p99 err <<<"$(SYNC_PULL_AUTH=$auth run_wrk "$base$target" "$BENCH_ROOT/bench/sync/pull.lua")"
    printf '%-58s %s requests/s, p50 %s ms, p99 %s ms, non-2xx %s\n' \
      "HTTP pull at the head (wrk, signed, $BENCH_CONNECTIONS conn.)" "$rps" "$p50" "$p99" "$err"
  fi
  stop_pid "$REG_PID"; REG_PID=
fi
echo "load average (1/5/15 min) after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
