#!/usr/bin/env bash
# Scale-out (issue 20, docs/scaling.md): three `registrar serve` on one PostgreSQL database behind
# Debian's nginx, with nginx in front of one, two and three of them in turn; wrk through nginx on
# UIN issuance, UIN validation, the authz PIP and the IBR search. Each figure is printed beside
# the one-instance figure of the same run (= 1.00). The cluster is the scale-out test's
# (tests/reliability/cluster.py); the measuring is bench/scale/scale.py.
#   bench/scale/run.sh             throughput with 1, 2, 3 instances (BENCH_ROUNDS x BENCH_SLICE)
#   bench/scale/run.sh saturation  UIN issuance and the PIP held at saturation, SCALE_HOLD s each
#                                  (default 60) through all three: non-2xx and errors must be 0
# PostgreSQL: a throwaway server (scripts/pg-test-server.sh) unless SCALE_BENCH_PG_URL names one
# (a database of its own is created on it and dropped after). Sizes and durations: scale.py.
source "$(dirname "$0")/../lib.sh"
cleanup() { bench_pg_stop; }
trap cleanup EXIT
bench_pg_start "${SCALE_BENCH_PG_URL:-}" 256MB
[ -x "$BENCH_BUILD/bench/ibr/ibr_http_requests" ] || { echo "no $BENCH_BUILD/bench/ibr/ibr_http_requests: build with -DREGISTRAR_BENCH=ON" >&2; exit 1; }
echo "scale-out: $(nproc) cores; PostgreSQL $(psql -qAt "$PG_URL" -c 'SHOW server_version'), $([ -n "${SCALE_BENCH_PG_URL:-}" ] && echo "given server" || echo "throwaway server, shared_buffers 256MB")"
SCALE_PG_URL=$PG_URL BENCH_BUILD=$BENCH_BUILD /usr/bin/python3 "$BENCH_ROOT/bench/scale/scale.py" "${1:-throughput}"
