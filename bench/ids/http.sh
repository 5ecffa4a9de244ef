#!/usr/bin/env bash
# ids over HTTP on one I/O thread, SQLite, beside nginx (`return 200`, one worker) in the same run:
#   - UIN validation: GET /v1/ids/uin/validate/{uin} with a bearer token, in rounds alternating
#     with nginx (target >= 0.8 x nginx);
#   - UIN issuance, durably recorded (group commit): single-ID requests (at $BENCH_CONNECTIONS and
#     at $IDS_MANY_CONNECTIONS connections: one commit serves every request in flight, so the
#     single-ID rate is bounded by connections / commit time) and batches of $IDS_BATCH
#     (target >= 0.8 of raw SQLite durable 100-row inserts on the same disk, measured just before
#     and after: an absolute rate on a shared disk is not stable); the rows are counted afterwards.
# Then the in-process figures of ids_bench (validation rate, generation, exact capacity).
source "$(dirname "$0")/../lib.sh"
IDS_BATCH=${IDS_BATCH:-100}
dir=$(mktemp -d)
trap 'stop_pid ${REG_PID:-}; stop_pid ${NGINX_PID:-}; rm -rf "$dir"' EXIT

lua() {  # lua FILE METHOD BODY TOKEN
  cat > "$1" <<LUA
wrk.method = "$2"
wrk.body = '$3'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $4"
LUA
}

start_nginx "$dir"
UIN_FOR_NGINX=2345678123

extra="[identity]
master_key_file = \"$dir/master.key\"
password_hash_cost = \"minimal\""
start_registrar "$dir" "$extra"
cli() { "$BENCH_BUILD/src/registrar" --config "$dir/registrar.toml" "$@" 2>/dev/null; }
token=$(cli token issue --client bench --scope ids:issue --scope ids:validate | tail -n1)
uin=$(cli ids issue uin | tail -n1)

lua "$dir/validate.lua" GET "" "$token"
# Validation and its nginx baseline in alternating rounds (drift cancels; see bench/lib.sh).
alternate_wrk "$dir/validate.rounds" "http://127.0.0.1:$NGINX_PORT/v1/ids/uin/validate/$UIN_FOR_NGINX" "" \
  "http://127.0.0.1:$REG_PORT/v1/ids/uin/validate/$uin" "$dir/validate.lua"
stop_pid "$NGINX_PID"; NGINX_PID=
lua "$dir/single.lua" POST "" "$token"
# Raw SQLite durable 100-row inserts on the same disk, just before and just after issuance, so
# that the disk's speed of the moment is the baseline (an absolute rate on a shared disk drifts).
raw_baseline() {
  rm -f "$dir"/raw_baseline.db*
  "$BENCH_BUILD/bench/ids/sqlite_durable" "$dir" "${IDS_RAW_SECONDS:-5}" 100 | awk '{print $2}'
}
raw_before=$(raw_baseline)
read -r s_rps s_p50 s_p99 s_err < <(run_wrk "http://127.0.0.1:$REG_PORT/v1/ids/uin/issue" "$dir/single.lua")
read -r m_rps m_p50 m_p99 m_err < <(BENCH_CONNECTIONS=${IDS_MANY_CONNECTIONS:-256} run_wrk "http://127.0.0.1:$REG_PORT/v1/ids/uin/issue" "$dir/single.lua")
lua "$dir/batch.lua" POST "{\"count\":$IDS_BATCH}" "$token"
read -r b_rps b_p50 b_p99 b_err < <(run_wrk "http://127.0.0.1:$REG_PORT/v1/ids/uin/issue" "$dir/batch.lua")
raw_after=$(raw_baseline)
raw=$(awk -v a="$raw_before" -v b="$raw_after" 'BEGIN{printf "%.0f", (a+b)/2}')
stop_pid "$REG_PID"; REG_PID=
recorded=$(sqlite3 "$dir/registrar.db" "SELECT COUNT(*) FROM ids_issued WHERE id_type = 'uin'")

row() { printf '%-44s %12s %12s %10s %10s %8s\n' "$@"; }
echo "UIN validation over HTTP, 1 I/O thread, ${BENCH_ROUNDS} alternating rounds of ${BENCH_SLICE}"
summarize_pairs "$dir/validate.rounds" "nginx 1 worker, return 200" "GET /v1/ids/uin/validate (bearer)" 0.80
echo
row "ids issuance over HTTP (1 I/O thread, SQLite)" "requests/s" "IDs/s" "p50 ms" "p99 ms" "non-2xx"
row "POST /v1/ids/uin/issue (1 ID)" "$s_rps" "$s_rps" "$s_p50" "$s_p99" "$s_err"
row "POST /v1/ids/uin/issue (1 ID, ${IDS_MANY_CONNECTIONS:-256} conns)" "$m_rps" "$m_rps" "$m_p50" "$m_p99" "$m_err"
b_ids=$(awk -v r="$b_rps" -v n="$IDS_BATCH" 'BEGIN{printf "%.0f", r*n}')
row "POST /v1/ids/uin/issue (count $IDS_BATCH)" "$b_rps" "$b_ids" "$b_p50" "$b_p99" "$b_err"
echo "issued UINs recorded in the database after the runs: $recorded (each committed before its response)"
ratio() { awk -v x="$1" -v r="$raw" 'BEGIN{printf "%.2f", (r > 0 ? x / r : 0)}'; }
echo "raw SQLite durable 100-row inserts of scattered keys, same disk (WAL, synchronous=FULL, 64 MiB cache): $raw rows/s" \
  "(before $raw_before, after $raw_after)"
echo "issuance / raw: 1 ID $(ratio "$s_rps"), 1 ID at ${IDS_MANY_CONNECTIONS:-256} conns $(ratio "$m_rps")," \
  "count $IDS_BATCH $(ratio "$b_ids")   (target >= 0.8 of raw)"

if [ -x "$BENCH_BUILD/bench/ids/ids_bench" ]; then
  echo "in-process (ids_bench, one core):"
  taskset -c 0 "$BENCH_BUILD/bench/ids/ids_bench" --benchmark_min_time=1 2>/dev/null \
    | grep -E '^(BM_|---|Benchmark)' || true
fi
