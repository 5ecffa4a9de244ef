#!/usr/bin/env bash
# ids over HTTP on one I/O thread, SQLite, beside nginx (`return 200`, one worker) in the same run:
#   - UIN validation: GET /v1/ids/uin/validate/{uin} with a bearer token, in rounds alternating
#     with nginx (target >= 0.8 x nginx); then the same rounds against nginx writing a JSON
#     access log as registrar does (reported, no target); for both, each server's CPU time per
#     request and how busy its core and wrk's were (summarize_cpu in bench/lib.sh: when wrk's
#     core is the limit, the rate ratio says little and the CPU ratio compares the servers);
#   - UIN issuance, durably recorded (group commit): single-ID requests (at $BENCH_CONNECTIONS and
#     at $IDS_MANY_CONNECTIONS connections: one commit serves every request in flight, so the
#     single-ID rate is bounded by connections / commit time) and batches of $IDS_BATCH
#     (target >= 0.8 of raw SQLite durable 100-row inserts on the same disk, measured just before
#     and after: an absolute rate on a shared disk is not stable); the rows are counted afterwards,
#     and the server's CPU time and bytes written per issued ID in the batch phase are printed
#     beside the raw run's per row (these move less than a rate on a busy machine).
# Then the in-process figures of ids_bench (validation rate, generation, exact capacity).
source "$(dirname "$0")/../lib.sh"
IDS_BATCH=${IDS_BATCH:-100}
dir=$(mktemp -d)
trap 'stop_pid ${REG_PID:-}; stop_pid ${NGINX_PID:-}; rm -rf "$dir"' EXIT

start_nginx "$dir"
UIN_FOR_NGINX=2345678123

extra="[identity]
master_key_file = \"$dir/master.key\"
password_hash_cost = \"minimal\""
start_registrar "$dir" "$extra"
cli() { "$BENCH_BUILD/src/registrar" --config "$dir/registrar.toml" "$@" 2>/dev/null; }
token=$(cli token issue --client bench --scope ids:issue --scope ids:validate | tail -n1)
uin=$(cli ids issue uin | tail -n1)

wrk_lua "$dir/validate.lua" GET "" "$token"
# Validation and its nginx baseline in alternating rounds (drift cancels; see bench/lib.sh).
ALTERNATE_CPU_PIDS="$NGINX_WORKER_PID $REG_PID" alternate_wrk "$dir/validate.rounds" "http://127.0.0.1:$NGINX_PORT/v1/ids/uin/validate/$UIN_FOR_NGINX" "" \
  "http://127.0.0.1:$REG_PORT/v1/ids/uin/validate/$uin" "$dir/validate.lua"
stop_pid "$NGINX_PID"; NGINX_PID=
# The same against nginx writing an access log as registrar does (a figure, no target: the
# target above is against nginx without a log).
start_nginx "$dir/logged" log
ALTERNATE_CPU_PIDS="$NGINX_WORKER_PID $REG_PID" alternate_wrk "$dir/validate-logged.rounds" "http://127.0.0.1:$NGINX_PORT/v1/ids/uin/validate/$UIN_FOR_NGINX" "" \
  "http://127.0.0.1:$REG_PORT/v1/ids/uin/validate/$uin" "$dir/validate.lua"
logged_lines=$(wc -l < "$dir/logged/nginx/access.log" || echo 0)
stop_pid "$NGINX_PID"; NGINX_PID=
wrk_lua "$dir/single.lua" POST "" "$token"
# Raw SQLite durable 100-row inserts on the same disk, just before and just after issuance, so
# that the disk's speed of the moment is the baseline (an absolute rate on a shared disk drifts).
# Prints "rows/s CPU-µs/row bytes/row" and keeps the whole line in $dir/raw.lines.
raw_baseline() {
  rm -f "$dir"/raw_baseline.db*
  "$BENCH_BUILD/bench/ids/sqlite_durable" "$dir" "${IDS_RAW_SECONDS:-5}" 100 | tee -a "$dir/raw.lines" \
    | awk '{print $2}'
}
# What the server spends per issued ID, which a busy machine moves less than IDs/s: its CPU time
# (all threads, /proc/PID/stat) and the bytes it had written to the disk (/proc/PID/io).
server_cost() {
  awk '{print $14 + $15}' "/proc/$REG_PID/stat"
  awk '/^write_bytes/ {print $2}' "/proc/$REG_PID/io"
}
per_id() {  # per_id BEFORE_TICKS BEFORE_BYTES AFTER_TICKS AFTER_BYTES IDS
  awk -v t0="$1" -v b0="$2" -v t1="$3" -v b1="$4" -v n="$5" -v hz="$(getconf CLK_TCK)" \
    'BEGIN{if (n < 1) n = 1; printf "%.1f %.0f\n", (t1 - t0) * 1e6 / hz / n, (b1 - b0) / n}'
}
ids_in_db() { sqlite3 "$dir/registrar.db" "SELECT COUNT(*) FROM ids_issued WHERE id_type = 'uin'"; }
raw_before=$(raw_baseline)
read -r s_rps s_p50 s_p99 s_err < <(run_wrk "http://127.0.0.1:$REG_PORT/v1/ids/uin/issue" "$dir/single.lua")
read -r m_rps m_p50 m_p99 m_err < <(BENCH_CONNECTIONS=${IDS_MANY_CONNECTIONS:-256} run_wrk "http://127.0.0.1:$REG_PORT/v1/ids/uin/issue" "$dir/single.lua")
wrk_lua "$dir/batch.lua" POST "{\"count\":$IDS_BATCH}" "$token"
b_ids0=$(ids_in_db)
read -r b_t0 b_w0 < <(server_cost | paste -sd' ')
read -r b_rps b_p50 b_p99 b_err < <(run_wrk "http://127.0.0.1:$REG_PORT/v1/ids/uin/issue" "$dir/batch.lua")
read -r b_t1 b_w1 < <(server_cost | paste -sd' ')
read -r b_cpu b_bytes < <(per_id "$b_t0" "$b_w0" "$b_t1" "$b_w1" $(($(ids_in_db) - b_ids0)))
raw_after=$(raw_baseline)
raw=$(awk -v a="$raw_before" -v b="$raw_after" 'BEGIN{printf "%.0f", (a+b)/2}')
stop_pid "$REG_PID"; REG_PID=
recorded=$(sqlite3 "$dir/registrar.db" "SELECT COUNT(*) FROM ids_issued WHERE id_type = 'uin'")

row() { printf '%-44s %12s %12s %10s %10s %8s\n' "$@"; }
echo "UIN validation over HTTP, 1 I/O thread, ${BENCH_ROUNDS} alternating rounds of ${BENCH_SLICE}"
summarize_pairs "$dir/validate.rounds" "nginx 1 worker, return 200" "GET /v1/ids/uin/validate (bearer)" 0.80
summarize_cpu "$dir/validate.rounds" "nginx 1 worker, return 200" "GET /v1/ids/uin/validate (bearer)"
echo "the same against nginx with a JSON access log to a file (buffer=64k; $logged_lines lines written before it stopped):"
summarize_pairs "$dir/validate-logged.rounds" "nginx 1 worker, return 200, access log" "GET /v1/ids/uin/validate (bearer)" -
summarize_cpu "$dir/validate-logged.rounds" "nginx 1 worker, return 200, access log" "GET /v1/ids/uin/validate (bearer)"
echo
row "ids issuance over HTTP (1 I/O thread, SQLite)" "requests/s" "IDs/s" "p50 ms" "p99 ms" "non-2xx"
row "POST /v1/ids/uin/issue (1 ID)" "$s_rps" "$s_rps" "$s_p50" "$s_p99" "$s_err"
row "POST /v1/ids/uin/issue (1 ID, ${IDS_MANY_CONNECTIONS:-256} conns)" "$m_rps" "$m_rps" "$m_p50" "$m_p99" "$m_err"
b_ids=$(awk -v r="$b_rps" -v n="$IDS_BATCH" 'BEGIN{printf "%.0f", r*n}')
row "POST /v1/ids/uin/issue (count $IDS_BATCH)" "$b_rps" "$b_ids" "$b_p50" "$b_p99" "$b_err"
echo "issued UINs recorded in the database after the runs: $recorded (each committed before its response)"
echo "count $IDS_BATCH: server CPU ${b_cpu} µs and ${b_bytes} bytes written per issued ID (the IDs the phase recorded)"
ratio() { awk -v x="$1" -v r="$raw" 'BEGIN{printf "%.2f", (r > 0 ? x / r : 0)}'; }
echo "raw SQLite durable 100-row inserts of scattered keys, same disk (WAL, synchronous=FULL, 64 MiB cache): $raw rows/s" \
  "(before $raw_before, after $raw_after)"
awk '{printf "  raw run: %s rows/s, CPU %s µs and %s bytes written per row\n", $2, $4, $6}' "$dir/raw.lines"
echo "issuance / raw: 1 ID $(ratio "$s_rps"), 1 ID at ${IDS_MANY_CONNECTIONS:-256} conns $(ratio "$m_rps")," \
  "count $IDS_BATCH $(ratio "$b_ids")   (target >= 0.8 of raw)"

if [ -x "$BENCH_BUILD/bench/ids/ids_bench" ]; then
  echo "in-process (ids_bench, one core):"
  taskset -c 0 "$BENCH_BUILD/bench/ids/ids_bench" --benchmark_min_time=1 2>/dev/null \
    | grep -E '^(BM_|---|Benchmark)' || true
fi
