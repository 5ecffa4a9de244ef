#!/usr/bin/env bash
# GET /healthz on one I/O thread vs nginx `return 200` with one worker, same wrk load
# (1 thread, $BENCH_CONNECTIONS connections, loopback), in alternating rounds (see
# alternate_wrk in bench/lib.sh). Target: registrar >= 0.8 x nginx. Also each server's CPU time per
# request (summarize_cpu).
source "$(dirname "$0")/../lib.sh"
dir=$(mktemp -d)
trap 'stop_pid ${REG_PID:-}; stop_pid ${NGINX_PID:-}; rm -rf "$dir"' EXIT

start_nginx "$dir"
start_registrar "$dir"
ALTERNATE_CPU_PIDS="$NGINX_WORKER_PID $REG_PID" alternate_wrk "$dir/rounds" "http://127.0.0.1:$NGINX_PORT/healthz" "" \
  "http://127.0.0.1:$REG_PORT/healthz" ""
echo "GET /healthz, 1 I/O thread / 1 worker, ${BENCH_ROUNDS} alternating rounds of ${BENCH_SLICE}"
summarize_pairs "$dir/rounds" "nginx 1 worker, return 200" "registrar /healthz" 0.80
summarize_cpu "$dir/rounds" "nginx 1 worker, return 200" "registrar /healthz"
