#!/usr/bin/env bash
# Signature verification over HTTP on one I/O thread vs the raw libsodium Ed25519 verify rate
# measured in the same run (target: >= 0.7 x raw):
#   - JWT validations/s: GET /v1/identity/whoami with the verified-token cache disabled, so every
#     request verifies the EdDSA access token;
#   - EdDSA JWS verifications/s: POST /v1/identity/jws/verify with a jwcrypto-made JWS and JWK.
source "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'stop_pid ${REG_PID:-}; rm -rf "$dir"' EXIT

# The raw rate is measured before and after the HTTP runs and averaged: on a shared virtual
# machine the core's speed drifts by several per cent over a minute, and a ratio against one
# sample taken before would carry that drift.
raw_rate() {
  taskset -c 0 "$BENCH_BUILD/bench/crypto/crypto_bench" --benchmark_filter='BM_RawSodiumEd25519Verify$' \
    --benchmark_min_time=2 --benchmark_format=json | /usr/bin/python3 -c \
    'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print(round(1e9/b["cpu_time"] if b["time_unit"]=="ns" else 1e6/b["cpu_time"]))'
}
raw_before=$(raw_rate)

identity_toml='[identity]
master_key_file = "'$dir'/master.key"
password_hash_cost = "minimal"
token_cache_entries = 0'
start_registrar "$dir" "$identity_toml"
token=$("$BENCH_BUILD/src/registrar" --config "$dir/registrar.toml" token issue --client bench --scope read 2>/dev/null | grep '^eyJ')
/usr/bin/python3 "$here/make_jws.py" > "$dir/body.json"

read -r jwt_rps jwt_p50 jwt_p99 jwt_err < <(WRK_TOKEN=$token run_wrk "http://127.0.0.1:$REG_PORT/v1/identity/whoami" "$here/get_auth.lua")
stop_pid "$REG_PID"; REG_PID=

# The JWS run uses the default configuration: the bearer token is verified once and cached, so
# each request costs one Ed25519 verification, of the JWS in the body.
identity_toml='[identity]
master_key_file = "'$dir'/master.key"
password_hash_cost = "minimal"'
start_registrar "$dir" "$identity_toml"
read -r jws_rps jws_p50 jws_p99 jws_err < <(WRK_TOKEN=$token WRK_BODY_FILE=$dir/body.json run_wrk "http://127.0.0.1:$REG_PORT/v1/identity/jws/verify" "$here/post.lua")

stop_pid "$REG_PID"; REG_PID=
raw_after=$(raw_rate)
raw=$(( (raw_before + raw_after) / 2 ))

printf '%-44s %12s %10s %10s %8s\n' "Ed25519 verification (1 thread)" "per second" "p50 ms" "p99 ms" "non-2xx"
printf '%-44s %12s %10s %10s %8s\n' "raw libsodium crypto_sign_verify_detached" "$raw" "-" "-" "-"
printf '%-44s %12s\n' "  (before / after the HTTP runs)" "$raw_before / $raw_after"
printf '%-44s %12s %10s %10s %8s\n' "JWT validation over HTTP (GET whoami)" "$jwt_rps" "$jwt_p50" "$jwt_p99" "$jwt_err"
printf '%-44s %12s %10s %10s %8s\n' "EdDSA JWS verification over HTTP (POST)" "$jws_rps" "$jws_p50" "$jws_p99" "$jws_err"
awk -v a="$jwt_rps" -v b="$jws_rps" -v r="$raw" 'BEGIN{printf "ratio to raw: JWT %.2f, JWS %.2f (target >= 0.70)\n", a/r, b/r}'
