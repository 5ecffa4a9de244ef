#!/usr/bin/env bash
# dci (issue 14): duplication checks end to end, from one registrar (the DCI client) against
# another (the IBR), over signed DCI envelopes on loopback: `registrar dci check --source national
# FILE.csv` with REGISTRAR_BENCH_DCI_N registrants (default 100,000; half of them enrolled at the
# IBR, so half the answers carry a record), batched (dci_client.checks.batch_size = 100 items per
# envelope, target >= 10,000 checks/s) and one per envelope (batch_size = 1), beside the raw
# libsodium Ed25519 sign+verify rate of the same run (crypto_bench). Checks/s is registrants over
# the command's wall time: creating the checks, signing, sending, the IBR's verify + search +
# signed answer, verifying nothing more (sync answers), writing every result and its audit
# entries, and the result file.
# The IBR runs on CPU 0, the client (its server, idle in sync mode, and the CLI) on CPU 1.
# Environment: REGISTRAR_BENCH_DCI_N, REGISTRAR_BENCH_DCI_SINGLE_N (one-per-envelope registrants,
# default the same N), REGISTRAR_BENCH_DCI_ENROLLED (IBR population, default N),
# REGISTRAR_BENCH_DCI_MODE (sync | async, default sync), REGISTRAR_BENCH_DCI_PERSON (1: ask by
# name + birth date as well, the fuzzy path of the IBR, instead of by identifier alone),
# REGISTRAR_BENCH_DCI_PERF (a file: the batched run's client is recorded there with perf record -g,
# and the IBR beside it in FILE.ibr).
source "$(dirname "$0")/../lib.sh"
dir=$(mktemp -d /tmp/registrar-bench-dci.XXXXXX)
IBR_PID= CLIENT_PID=
cleanup() {
  stop_pid "$IBR_PID"
  stop_pid "$CLIENT_PID"
  [ -n "${BENCH_KEEP_DIR:-}" ] && echo "kept $dir" >&2 || rm -rf "$dir"
}
trap cleanup EXIT

# registrar refuses REGISTRAR_* variables that are not configuration keys: read ours and unset.
n=${REGISTRAR_BENCH_DCI_N:-100000}
single_n=${REGISTRAR_BENCH_DCI_SINGLE_N:-$n}
enrolled=${REGISTRAR_BENCH_DCI_ENROLLED:-$n}
mode=${REGISTRAR_BENCH_DCI_MODE:-sync}
person=${REGISTRAR_BENCH_DCI_PERSON:-0}
perf_out=${REGISTRAR_BENCH_DCI_PERF:-}
unset REGISTRAR_BENCH_DCI_PERF REGISTRAR_BENCH_DCI_N REGISTRAR_BENCH_DCI_SINGLE_N REGISTRAR_BENCH_DCI_ENROLLED \
  REGISTRAR_BENCH_DCI_MODE REGISTRAR_BENCH_DCI_PERSON
export REGISTRAR_LOG_LEVEL=warn
bin=$BENCH_BUILD/src/registrar

# config NAME PORT CPU: a registrar of its own (SQLite, master key, one I/O thread).
config() {
  mkdir -p "$dir/$1"
  cat >"$dir/$1/registrar.toml" <<TOML
[server]
listen = "127.0.0.1:$2"
io_threads = 1
[database]
url = "sqlite:$dir/$1/registrar.db"
[log]
file = "$dir/$1/registrar.log"
[identity]
master_key_file = "$dir/$1/master.key"
password_hash_cost = "minimal"
TOML
}
ibr_port=$(free_port)
client_port=$(free_port)
config ibr "$ibr_port"
config client "$client_port"
ibr() { "$bin" --config "$dir/ibr/registrar.toml" "$@"; }
client() { taskset -c 1 "$bin" --config "$dir/client/registrar.toml" "$@"; }
ibr_url=http://127.0.0.1:$ibr_port
client_url=http://127.0.0.1:$client_port

# The IBR's population, written before it starts so that its duplicate index is built once.
ibr db migrate >/dev/null
ibr ibr seed --count "$enrolled" --duplicates 0 --seed 20261202 --sender sp-mis >"$dir/seed.out" 2>&1
# The registrants: every other one enrolled at the IBR (its identifiers, and its name and birth
# date when asked by person), the others unknown there.
/usr/bin/python3 - "$dir/ibr/registrar.db" "$dir" "$n" "$single_n" "$person" <<'PY'
import csv, json, sqlite3, sys
db, out, n, single_n, person = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
con = sqlite3.connect(db)
rows = con.execute(
    "SELECT i.id_type, i.id_value, b.record FROM ibr_identifiers i JOIN ibr_beneficiaries b "
    "ON b.sender_id = i.sender_id AND b.reference_id = i.reference_id "
    "GROUP BY i.sender_id, i.reference_id LIMIT ?", (max(n, single_n) // 2 + 1,)).fetchall()
if not rows:
    sys.exit("the IBR holds no identifiers: seeding failed")
known = []
for t, v, record in rows:
    p = json.loads(record)["member"]["demographic_info"]["person"]
    name = p.get("name", {})
    known.append((t, v, name.get("first_name", ""), name.get("surname", ""), p.get("birth_date", "")))
# Each file its own references: two files with the same bytes are one batch, and the second
# run would only resume the first (send nothing).
def write(path, count, prefix):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        cols = ["reference", "identifier_type", "identifier_value"]
        if person:
            cols += ["given_name", "family_name", "birth_date"]
        w.writerow(cols)
        for i in range(count):
            if i % 2 == 0:
                t, v, g, fam, b = known[(i // 2) % len(known)]
            else:
                t, v, g, fam, b = "NID", "UNKNOWN%09d" % i, "Nobody", "Known%d" % i, "1901-01-01"
            row = ["%s%07d" % (prefix, i), t, v]
            if person:
                row += [g or "", fam or "", b or ""]
            w.writerow(row)
write(out + "/batched.csv", n, "B")
write(out + "/single.csv", single_n, "S")
PY

# The client's server (its JWKS, for the IBR to trust it; its callback route, for async).
client db migrate >/dev/null
client dci sources add national --name "National IBR" --base-url "$ibr_url" --auth none \
  --sender-id sp-client --receiver-id registrar-ibr --callback-uri "$client_url/dci_api/v1/ibr/on-search" \
  --state active --timeout 60 >/dev/null
client dci senders add registrar-ibr --name "National IBR" --jwks-url "$ibr_url/.well-known/jwks.json" >/dev/null
taskset -c 1 "$bin" --config "$dir/client/registrar.toml" serve &
CLIENT_PID=$!
wait_port "$client_port"
# The IBR trusts the client by its JWKS (no key copied by hand), then starts on CPU 0.
ibr ibr senders add sp-client --name "The client" --jwks-url "$client_url/.well-known/jwks.json" >/dev/null
taskset -c 0 "$bin" --config "$dir/ibr/registrar.toml" serve &
IBR_PID=$!
WAIT_PORT_SECONDS=600 wait_port "$ibr_port"

# run LABEL FILE BATCH_SIZE: prints "checks seconds checks/s" and the summary's counts.
run() {
  local label=$1 file=$2 size=$3 async_flag= wrap=() ibr_perf=
  [ "$mode" = async ] && async_flag=--async
  if [ -n "$perf_out" ] && [ "$size" != 1 ]; then
    wrap=(perf record -q --call-graph dwarf,16384 -F 499 -o "$perf_out")
    perf record -q --call-graph dwarf,16384 -F 499 -p "$IBR_PID" -o "$perf_out.ibr" 2>/dev/null &
    ibr_perf=$!
  fi
  local start end
  start=$(date +%s.%N)
  REGISTRAR_DCI_CLIENT_CHECKS_BATCH_SIZE=$size taskset -c 1 /usr/bin/time -f "%U %S" -o "$dir/$label.cpu" "${wrap[@]}" "$bin" \
    --config "$dir/client/registrar.toml" dci check --source national "$file" \
    --out "$file.result.csv" $async_flag >"$dir/$label.out" 2>&1 || {
    echo "dci check ($label) failed:" >&2
    tail -n 20 "$dir/$label.out" >&2
    exit 1
  }
  end=$(date +%s.%N)
  [ -n "$ibr_perf" ] && kill -INT "$ibr_perf" && wait "$ibr_perf" || true
  # A figure counts only checks this run sent (not ones a resumed batch found done).
  local sent
  sent=$(grep -o 'sent=[0-9]*' "$dir/$label.out" | cut -d= -f2)
  local lines
  lines=$(($(wc -l <"$file") - 1))
  if [ "$sent" != "$lines" ]; then
    echo "dci check ($label) sent ${sent:-?} of $lines registrants: $(tail -n 1 "$dir/$label.out")" >&2
    exit 1
  fi
  echo "  client CPU (user sys, s): $(cat "$dir/$label.cpu")"
  /usr/bin/python3 - "$label" "$file.result.csv" "$start" "$end" <<'PY'
import csv, sys
label, path, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
rows = list(csv.DictReader(open(path)))
by = {}
for r in rows:
    key = r["state"] if r["state"] != "completed" else r["result"]
    by[key] = by.get(key, 0) + 1
secs = end - start
# Every other registrant is enrolled: half the answers should carry a record.
expected_hits = (len(rows) + 1) // 2
hits = by.get("confirmed_match", 0) + by.get("possible_match", 0)
print(f"{label:<44} {len(rows):>8} checks in {secs:7.1f} s = {len(rows) / secs:9.0f} checks/s;"
      f" {', '.join(f'{k} {v}' for k, v in sorted(by.items()))}"
      f" (expected {expected_hits} with a record)")
PY
}

echo "dci: $n registrants ($mode, by $([ "$person" = 1 ] && echo 'identifier + name + birth date' || echo identifier)), IBR of $enrolled enrolled, SQLite both sides"
run "batched (100 per envelope)" "$dir/batched.csv" 100
run "one per envelope" "$dir/single.csv" 1
echo "target: batched >= 10,000 checks/s"
# The raw cost floor: one Ed25519 signature made and checked, libsodium, one core (CPU 1).
taskset -c 1 "$BENCH_BUILD/bench/crypto/crypto_bench" --benchmark_filter='BM_RawSodiumEd25519SignVerify' \
  --benchmark_format=json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for b in json.load(sys.stdin)["benchmarks"]:
    label = "raw Ed25519 sign+verify, " + b["name"].split("/")[-1] + " B message"
    print(f"{label:<44} {b['"'"'items_per_second'"'"']:9.0f} pairs/s")'
echo "load average (1/5/15 min) after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
