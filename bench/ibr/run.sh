#!/usr/bin/env bash
# ibr (issue 13): duplicate detection at REGISTRAR_BENCH_IBR_N enrollments (default 1,000,000,
# 5 % injected duplicates of known ground truth), the registrar's in-memory match index beside
# PostgreSQL with pg_trgm + fuzzystrmatch doing its best equivalent query on the same data, in one
# run (ibr_compare, bench/ibr/compare.cpp): exact lookup and fuzzy search p50 / p99 (one query at
# a time; the server-side cost, no HTTP), bytes per enrollment, precision / recall / F1 of both
# against the ground truth. Targets: exact p99 < 1 ms, fuzzy p99 < 10 ms, < 500 bytes per
# enrollment, F1 >= 0.95 and above PostgreSQL's; and searches/s over HTTP (see the hook below).
# Environment: IBR_BENCH_PG_URL (a PostgreSQL server; default: a throwaway one started here),
# REGISTRAR_BENCH_IBR_N, IBR_BENCH_QUERIES (latency queries per kind, default 5,000),
# IBR_BENCH_QUALITY_DRAWS (query records for P/R/F1, default 10,000), IBR_BENCH_PG_TRGM
# (pg_trgm.similarity_threshold, default 0.3), IBR_BENCH_PG_MODE (blocked | unblocked),
# IBR_BENCH_HTTP (1: run the HTTP hook below), IBR_BENCH_HTTP_REQUESTS (signed requests per
# kind, default 20,000), BENCH_DURATION / BENCH_CONNECTIONS (wrk, bench/lib.sh).
# At 1,000,000 the PostgreSQL side takes long: each of its fuzzy queries costs milliseconds to
# tens of milliseconds, and the quality run is one query per sampled record.
source "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/registrar-bench-ibr.XXXXXX)
cleanup() {
  stop_pid "${REG_PID:-}"
  bench_pg_stop
  rm -rf "$dir"
}
trap cleanup EXIT

bench_pg_start "${IBR_BENCH_PG_URL:-}" 1GB
# A database of its own, so that a given server's other data is left alone.
PGOPTIONS='-c client_min_messages=warning' psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS registrar_ibr_bench" \
  -c "CREATE DATABASE registrar_ibr_bench" >/dev/null
DB_URL="${PG_URL%/*}/registrar_ibr_bench"

# ibr_compare (the index's queries, and PostgreSQL's client) on CPU 1, as the other suites' load
# generators; the PostgreSQL server is not pinned.
taskset -c 1 "$BENCH_BUILD/bench/ibr/ibr_compare" "$DB_URL" | tee "$dir/compare.out"
psql -q "$PG_URL" -c "DROP DATABASE registrar_ibr_bench" >/dev/null

# ---------------------------------------------------------------------------------------------
# Searches/s over HTTP (IBR_BENCH_HTTP=1): `registrar ibr seed` writes the same seeded
# population into a temp SQLite registry; ibr_http_requests (bench/ibr/http_requests.cpp) makes a
# sender key and writes signed DCI POST /registry/sync/search envelopes, one per line
# (idtype-value queries from its identifiers, expression queries from its people); search.lua
# replays them with wrk.
# ---------------------------------------------------------------------------------------------
if [ "${IBR_BENCH_HTTP:-0}" = 1 ]; then
  # registrar refuses REGISTRAR_* variables that are not configuration keys: pass N explicitly.
  n=${REGISTRAR_BENCH_IBR_N:-1000000}
  unset REGISTRAR_BENCH_IBR_N
  req=$BENCH_BUILD/bench/ibr/ibr_http_requests
  extra="[identity]
master_key_file = \"$dir/master.key\"
password_hash_cost = \"minimal\""
  export REGISTRAR_LOG_LEVEL=warn
  export WAIT_PORT_SECONDS=900  # the server builds its duplicate index from the table at start
  start_registrar "$dir" "$extra"  # temp SQLite, one I/O thread on CPU 0
  cli() { "$BENCH_BUILD/src/registrar" --config "$dir/registrar.toml" "$@"; }
  # The same population ibr_compare used (workload.h: seed 20261202, 5 % duplicates), written
  # before the server starts so that its index is built once from the table.
  stop_pid "$REG_PID"; REG_PID=
  seed_start=$(date +%s.%N)
  cli ibr seed --count "$n" --duplicates 0.05 --seed 20261202 --sender bench >"$dir/seed.out" 2>&1
  seed_end=$(date +%s.%N)
  printf '%-34s %s records in %.1f s\n' "ibr seed (SQLite, CLI)" "$n" "$(echo "$seed_end - $seed_start" | bc)"
  "$req" keygen "$dir/sender.pem" >"$dir/sender.pub"
  cli ibr senders add bench --name "ibr bench" --public-key "$(cat "$dir/sender.pub")" >/dev/null
  # The server reads its trusted senders at start: restart it to know this one.
  stop_pid "$REG_PID"
  start_registrar "$dir" "$extra"
  url="http://127.0.0.1:$REG_PORT/registry/sync/search"
  for kind in idtype-value expression; do
    REGISTRAR_BENCH_IBR_N=$n "$req" sign "$dir/sender.pem" bench "$kind" \
      "${IBR_BENCH_HTTP_REQUESTS:-20000}" >"$dir/$kind.jsonl"
    # One request checked by hand first: a refusal would otherwise only show as non-2xx counts.
    head -n 1 "$dir/$kind.jsonl" | curl -s -H 'Content-Type: application/json' --data-binary @- "$url" \
      >"$dir/$kind.check"
    IBR_REQUESTS=$dir/$kind.jsonl run_wrk "$url" "$here/search.lua" >"$dir/$kind.wrk"
    read -r rps p50 p99 err <"$dir/$kind.wrk"
    # What the first request got: a search answered (succ, with its records) or refused (rjct).
    first=$(/usr/bin/python3 -c 'import json,sys
r = json.load(sys.stdin)["message"]["search_response"][0]
print(r["status"], r.get("status_reason_code") or "", len((r.get("data") or {}).get("reg_records") or []), "records")' \
      <"$dir/$kind.check" 2>&1 | tail -n 1)
    printf '%-34s %s searches/s, p50 %s ms, p99 %s ms, non-2xx %s; first answer: %s\n' \
      "HTTP sync/search, $kind" "$rps" "$p50" "$p99" "$err" "$first"
  done
  stop_pid "$REG_PID"; REG_PID=
else
  echo "searches/s over HTTP: not measured (set IBR_BENCH_HTTP=1)"
fi
echo "load average (1/5/15 min) after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
