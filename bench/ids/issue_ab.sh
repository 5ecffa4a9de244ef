#!/usr/bin/env bash
# A/B of durable UIN issuance between two builds, in alternating rounds (a shared machine drifts
# by more than most changes within a minute): bench/ids/issue_ab.sh BUILD_A BUILD_B [ROUNDS] [SECONDS]
# Each build (a g++ Release with -DREGISTRAR_BENCH=ON) gets its own server on CPU 0 and its own
# database, warmed up for 2 s; then each round runs raw SQLite (each build's sqlite_durable, 100-row
# transactions), then POST /v1/ids/uin/issue {"count": $IDS_BATCH} at 50 connections against A and
# then B. Per run it prints IDs/s, the server's CPU time per issued ID (perf stat task-clock, every
# thread) and bytes written per issued ID (/proc/PID/io): these two move less than a rate on a
# busy machine. EXTRA_A / EXTRA_B: TOML appended to that server's configuration.
source "$(dirname "$0")/../lib.sh"
A=$1 B=$2 ROUNDS=${3:-4} SLICE=${4:-5}
IDS_BATCH=${IDS_BATCH:-100}
base=$(mktemp -d)
declare -A PORT PID
trap 'for p in "${PID[@]}"; do stop_pid "$p"; done; rm -rf "$base"' EXIT
for lab in A B; do
  d=$base/$lab
  mkdir -p "$d"
  BENCH_BUILD=${!lab}
  extra_var=EXTRA_$lab
  start_registrar "$d" "[identity]
master_key_file = \"$d/master.key\"
password_hash_cost = \"minimal\"
${!extra_var:-}"
  PORT[$lab]=$REG_PORT PID[$lab]=$REG_PID
  token=$("$BENCH_BUILD/src/registrar" --config "$d/registrar.toml" token issue --client bench \
    --scope ids:issue 2>/dev/null | tail -n1)
  wrk_lua "$d/batch.lua" POST "{\"count\":$IDS_BATCH}" "$token"
  taskset -c 1 wrk -t1 -c50 -d2s -s "$d/batch.lua" "http://127.0.0.1:$REG_PORT/v1/ids/uin/issue" >/dev/null
done
written() { awk '/^write_bytes/ {print $2}' "/proc/$1/io"; }
measure() {
  local lab=$1 d=$base/$1 pid=${PID[$1]} w0 w1 out
  w0=$(written "$pid")
  perf stat -x, -e task-clock -p "$pid" -o "$d/stat.txt" -- sleep "$SLICE" &
  local stat_pid=$!
  out=$(taskset -c 1 wrk -t1 -c50 -d"${SLICE}s" -s "$d/batch.lua" "http://127.0.0.1:${PORT[$lab]}/v1/ids/uin/issue")
  wait "$stat_pid"
  w1=$(written "$pid")
  awk -v l="$lab" -v r="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    -v n="$(awk '/requests in/ {print $1}' <<<"$out")" -v b="$IDS_BATCH" \
    -v ms="$(awk -F, '/task-clock/ {print $1}' "$d/stat.txt")" -v w="$((w1 - w0))" \
    -v e="$(awk '/Non-2xx/ {print $5}' <<<"$out")" \
    'BEGIN{n *= b; printf "  %s: %.0f IDs/s, CPU %.2f µs and %.0f bytes written per ID, non-2xx %d\n",
           l, r * b, ms * 1000 / n, w / n, e}'
}
for i in $(seq 1 "$ROUNDS"); do
  for lab in A B; do
    rm -f "$base"/raw_baseline.db*
    echo "round $i raw ($lab's sqlite_durable): $("${!lab}/bench/ids/sqlite_durable" "$base" "$SLICE" 100)"
  done
  measure A
  measure B
done
