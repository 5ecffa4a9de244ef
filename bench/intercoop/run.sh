#!/usr/bin/env bash
# intercoop (issue 15): POST /intercoop/services/<service>/activateService with a signed 1.0
# package (RSA-2048 PKCS#1 v1.5 SHA-1, made by the independent Python peer of tests/intercoop),
# each answered only after its transfer and audit entry are committed (SQLite, one I/O thread on
# CPU 0, wrk on CPU 1), target >= 10,000 requests/s; beside the raw RSA-2048 verify rate of
# OpenSSL on the same core in the same run (`openssl speed`), the ceiling of a single-core
# verifier. Afterwards the stored transfers are counted against the requests wrk completed, and
# the server's CPU time and bytes written (database, WAL, sockets) per request are printed: both
# move far less than requests/s with whatever else the machine is doing.
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS (50), INTERCOOP_BENCH_EXTRA (payload fields
# beyond the six of a typical contract transfer, default 2), REGISTRAR_BENCH_INTERCOOP_PERF (a file:
# the server is recorded there with perf record -g during the wrk run).
source "$(dirname "$0")/../lib.sh"
dir=$(mktemp -d /tmp/registrar-bench-intercoop.XXXXXX)
trap 'stop_pid ${REG_PID:-}; rm -rf "$dir"' EXIT
extra_fields=${INTERCOOP_BENCH_EXTRA:-2}
perf_out=${REGISTRAR_BENCH_INTERCOOP_PERF:-}
unset INTERCOOP_BENCH_EXTRA REGISTRAR_BENCH_INTERCOOP_PERF
fields=$((6 + extra_fields))
export REGISTRAR_LOG_LEVEL=warn

extra="[identity]
master_key_file = \"$dir/master.key\"
password_hash_cost = \"minimal\""
start_registrar "$dir" "$extra"
cli() { "$BENCH_BUILD/src/registrar" --config "$dir/registrar.toml" "$@" >/dev/null; }

# The source peer's key and one signed package (the same package each time: 1.0 has no nonce,
# and each POST stores a transfer under a new token).
/usr/bin/python3 - "$dir" "$extra_fields" "$BENCH_ROOT/tests/intercoop" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
import intercoop_peer as peer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
out, n = sys.argv[1], int(sys.argv[2])
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
open(f"{out}/peer.pem", "w").write(key.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())
fields = {"intercoopVersion": "1.0", "originpeer": "somsource", "origincode": 1234,
          "nif": "12345678Z", "name": "Maria Puig", "postalcode": "08001"}
for i in range(n):
    fields[f"field{i}"] = f"value {i}"
open(f"{out}/package.yaml", "w").write(peer.make_package(key, fields))
PY
cli intercoop peers add somsource --name "Source coop" --public-key-file "$dir/peer.pem"
cli intercoop services add contract --field nif --field name --field postalcode
body=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$dir/package.yaml")
cat > "$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.body = $body
wrk.headers["Content-Type"] = "application/yaml"
LUA
# A first request checks the setup (a refusal here would only measure error answers).
url="http://127.0.0.1:$REG_PORT/intercoop/services/contract/activateService"
status=$(curl -s -o "$dir/first.out" -w '%{http_code}' -X POST -H 'Content-Type: application/yaml' \
  --data-binary @"$dir/package.yaml" "$url")
if [ "$status" != 200 ]; then
  echo "activateService answered $status:" >&2
  cat "$dir/first.out" >&2
  exit 1
fi

raw=$(taskset -c 0 openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $7}')
perf_pid=
if [ -n "$perf_out" ]; then
  perf record -q ${BENCH_PERF_CALLGRAPH:--g} -o "$perf_out" -p "$REG_PID" 2>/dev/null &
  perf_pid=$!
fi
# CPU time the server spent per request (its threads' task clock): less moved than requests/s by
# whatever else the machine is doing, so changes can be compared on a busy machine.
perf stat -x, -e task-clock -o "$dir/stat.csv" -p "$REG_PID" 2>/dev/null &
stat_pid=$!
written_before=$(awk '/^wchar/ {print $2}' /proc/$REG_PID/io)
out=$(taskset -c 1 wrk -t1 -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency -s "$dir/post.lua" "$url")
[ -n "$perf_pid" ] && { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
kill -INT "$stat_pid"
wait "$stat_pid" || true
written=$(( $(awk '/^wchar/ {print $2}' /proc/$REG_PID/io) - written_before ))
rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
total=$(awk '/requests in/ {print $1}' <<<"$out")
p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out")
stop_pid "$REG_PID"
REG_PID=
stored=$(sqlite3 "$dir/registrar.db" "SELECT COUNT(*) FROM intercoop_transfers")

row() { printf '%-52s %12s %8s %8s %8s\n' "$@"; }
echo "intercoop 1.0 activateService over HTTP (1 I/O thread on CPU 0, SQLite, $BENCH_CONNECTIONS" \
  "connections, $BENCH_DURATION; package $(wc -c <"$dir/package.yaml") bytes, $fields payload fields)"
row "" "requests/s" "p50 ms" "p99 ms" "non-2xx"
row "POST …/activateService (verify, store, audit)" "$rps" "$p50" "$p99" "${errors:-0}"
row "OpenSSL RSA-2048 verify, one core (openssl speed)" "$raw" "" "" ""
awk -F, -v n="$total" '/task-clock/ {t=$1}
  END {if (n > 0 && t > 0) printf "server CPU time per request: %.1f us\n", t*1000/n}' "$dir/stat.csv"
# Bytes the server wrote (database, WAL and sockets) per request: the disk's share of the work.
awk -v w="$written" -v n="$total" 'BEGIN {if (n > 0) printf "server bytes written per request: %.0f\n", w/n}'
echo "transfers stored: $stored (wrk completed $total requests, plus 1 setup request; non-2xx ${errors:-0})"
awk -v r="$rps" 'BEGIN{printf "target >= 10,000 requests/s: %s\n", (r >= 10000 ? "met" : "NOT met")}'
