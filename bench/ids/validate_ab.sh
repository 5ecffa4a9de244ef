#!/usr/bin/env bash
# A/B of UIN validation over HTTP between two builds, each round nginx (the baseline of
# bench/ids/http.sh), then A, then B, 3 s each: bench/ids/validate_ab.sh BUILD_A BUILD_B [ROUNDS]
# Each build dir holds src/registrar (a g++ Release); each gets its own server on CPU 0 with its
# own database and access log (log.file, as in bench/ids/http.sh). Eight rounds or more show
# what a 5-round run can hide: a rate that falls after 10-15 s of load (docs/performance.md,
# runs of 2026-12-03 23:11Z). SERVER_A / SERVER_B: lines added to that server's [server] table
# (e.g. SERVER_B="access_log = false").
source "$(dirname "$0")/../lib.sh"
A=$1 B=$2 ROUNDS=${3:-8}
root=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do stop_pid "$p"; done; stop_pid "${NGINX_PID:-}"; rm -rf "$root"' EXIT
start_nginx "$root"
urls=() luas=()
for lab in A B; do
  d=$root/$lab
  mkdir -p "$d"
  bin=${!lab}/src/registrar
  server_var=SERVER_$lab
  port=$(free_port)
  cat > "$d/registrar.toml" <<TOML
[server]
listen = "127.0.0.1:$port"
io_threads = 1
${!server_var:-}
[database]
url = "sqlite:$d/registrar.db"
[log]
file = "$d/registrar.log"
[identity]
master_key_file = "$d/master.key"
password_hash_cost = "minimal"
TOML
  taskset -c 0 "$bin" --config "$d/registrar.toml" serve &
  pids+=($!)
  wait_port "$port"
  token=$("$bin" --config "$d/registrar.toml" token issue --client bench --scope ids:validate \
    2>/dev/null | tail -n1)
  uin=$("$bin" --config "$d/registrar.toml" ids issue uin 2>/dev/null | tail -n1)
  wrk_lua "$d/validate.lua" GET "" "$token"
  urls+=("http://127.0.0.1:$port/v1/ids/uin/validate/$uin") luas+=("$d/validate.lua")
done
for i in $(seq 1 "$ROUNDS"); do
  n=$(BENCH_DURATION=3s run_wrk "http://127.0.0.1:$NGINX_PORT/v1/ids/uin/validate/2345678123" | cut -d' ' -f1)
  a=$(BENCH_DURATION=3s run_wrk "${urls[0]}" "${luas[0]}" | cut -d' ' -f1)
  b=$(BENCH_DURATION=3s run_wrk "${urls[1]}" "${luas[1]}" | cut -d' ' -f1)
  echo "$n $a $b" >> "$root/rounds"
  awk '{printf "round %d: nginx %8.0f   A %8.0f (%.3f)   B %8.0f (%.3f)\n", NR, $1, $2, $2/$1, $3, $3/$1}' \
    <<<"$n $a $b" | sed "s/round 1/round $i/"
done
awk '{n+=$1; a+=$2; b+=$3} END {printf "mean:    nginx %8.0f   A %8.0f (%.3f)   B %8.0f (%.3f)   B/A %.3f\n",
  n/NR, a/NR, a/n, b/NR, b/n, b/a}' "$root/rounds"
