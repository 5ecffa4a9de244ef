#!/usr/bin/env bash
# Signature verification over HTTP on one I/O thread vs the raw libsodium Ed25519 verify rate
# measured in the same run (target: >= 0.7 x raw):
#   - JWT validations/s: GET /v1/identity/whoami with the verified-token cache disabled, so every
#     request verifies the EdDSA access token;
#   - EdDSA JWS verifications/s: POST /v1/identity/jws/verify with a jwcrypto-made JWS and JWK.
#
# On the shared virtual machines this runs on, the core's speed drifts by up to 15 % within a
# minute, so one raw figure taken before the HTTP runs does not describe the core they ran on.
# The raw rate and the HTTP rate are therefore measured in alternation, IDENTITY_ROUNDS times
# each (a raw slice, then an HTTP slice of IDENTITY_SLICE on the same core), and the ratio is
# that of their means. Every round is printed.
source "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
rounds=${IDENTITY_ROUNDS:-5}
slice=${IDENTITY_SLICE:-3s}
dir=$(mktemp -d)
trap 'stop_pid ${REG_PID:-}; rm -rf "$dir"' EXIT

raw_rate() {
  taskset -c 0 "$BENCH_BUILD/bench/crypto/crypto_bench" --benchmark_filter='BM_RawSodiumEd25519Verify$' \
    --benchmark_min_time=1 --benchmark_format=json | /usr/bin/python3 -c \
    'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print(round(1e9/b["cpu_time"] if b["time_unit"]=="ns" else 1e6/b["cpu_time"]))'
}

# alternate NAME URL LUA [env...]: rounds of raw, then wrk; appends "name round raw rps p50 p99
# non2xx" lines to $dir/rounds.
alternate() {
  local name=$1 url=$2 script=$3
  for i in $(seq 1 "$rounds"); do
    local raw rps p50 p99 err
    raw=$(raw_rate)
    read -r rps p50 p99 err < <(BENCH_DURATION=$slice run_wrk "$url" "$script")
    echo "$name $i $raw $rps $p50 $p99 $err" >> "$dir/rounds"
  done
}

identity_toml='[identity]
master_key_file = "'$dir'/master.key"
password_hash_cost = "minimal"
token_cache_entries = 0'
start_registrar "$dir" "$identity_toml"
token=$("$BENCH_BUILD/src/registrar" --config "$dir/registrar.toml" token issue --client bench --scope read 2>/dev/null | grep '^eyJ')
/usr/bin/python3 "$here/make_jws.py" > "$dir/body.json"
export WRK_TOKEN=$token WRK_BODY_FILE=$dir/body.json
alternate jwt "http://127.0.0.1:$REG_PORT/v1/identity/whoami" "$here/get_auth.lua"
stop_pid "$REG_PID"; REG_PID=

# The JWS run uses the default configuration: the bearer token is verified once and cached, so
# each request costs one Ed25519 verification, of the JWS in the body.
identity_toml='[identity]
master_key_file = "'$dir'/master.key"
password_hash_cost = "minimal"'
start_registrar "$dir" "$identity_toml"
alternate jws "http://127.0.0.1:$REG_PORT/v1/identity/jws/verify" "$here/post.lua"
stop_pid "$REG_PID"; REG_PID=

/usr/bin/python3 - "$dir/rounds" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
label = {"jwt": "JWT validation over HTTP (GET whoami, cache off)",
         "jws": "EdDSA JWS verification over HTTP (POST)"}
print(f"{'Ed25519 verification, 1 thread, alternating':<50} {'raw/s':>9} {'HTTP/s':>9} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7}")
for kind in ("jwt", "jws"):
    rs = [r for r in rows if r[0] == kind]
    for r in rs:
        raw, rps = float(r[2]), float(r[3])
        print(f"  {kind} round {r[1]:<40} {raw:9.0f} {rps:9.0f} {rps/raw:6.2f} {r[4]:>7} {r[5]:>7} {r[6]:>7}")
    raw = sum(float(r[2]) for r in rs) / len(rs)
    rps = sum(float(r[3]) for r in rs) / len(rs)
    worst_p99 = max(float(r[5]) for r in rs)
    errors = sum(int(r[6]) for r in rs)
    print(f"{label[kind]:<50} {raw:9.0f} {rps:9.0f} {rps/raw:6.2f} {'':>7} {worst_p99:7.2f} {errors:7d}")
print("target: HTTP / raw >= 0.70 (mean of the rounds; p99 is the worst round's)")
PY
