#!/usr/bin/env bash
# GET /healthz on one I/O thread vs nginx `return 200` with one worker, same wrk load
# (1 thread, $BENCH_CONNECTIONS connections, loopback). Target: registrar >= 0.8 x nginx.
source "$(dirname "$0")/../lib.sh"
dir=$(mktemp -d)
trap 'stop_pid ${REG_PID:-}; stop_pid ${NGINX_PID:-}; rm -rf "$dir"' EXIT

start_nginx "$dir"
read -r n_rps n_p50 n_p99 n_err < <(run_wrk "http://127.0.0.1:$NGINX_PORT/healthz")
stop_pid "$NGINX_PID"; NGINX_PID=

start_registrar "$dir"
read -r r_rps r_p50 r_p99 r_err < <(run_wrk "http://127.0.0.1:$REG_PORT/healthz")
stop_pid "$REG_PID"; REG_PID=

printf '%-34s %12s %10s %10s %8s\n' "GET /healthz (1 I/O thread)" "requests/s" "p50 ms" "p99 ms" "non-2xx"
printf '%-34s %12s %10s %10s %8s\n' "nginx 1 worker, return 200" "$n_rps" "$n_p50" "$n_p99" "$n_err"
printf '%-34s %12s %10s %10s %8s\n' "registrar" "$r_rps" "$r_p50" "$r_p99" "$r_err"
awk -v r="$r_rps" -v n="$n_rps" 'BEGIN{printf "ratio registrar/nginx: %.2f (target >= 0.80)\n", r/n}'
