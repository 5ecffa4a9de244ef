#!/usr/bin/env bash
# Runs every benchmark: builds a Release registrar, then each suite prints its figures beside the
# baseline it is compared with, measured in the same run. Usage: bench/run.sh [suite...]
# Suites: http, identity, ids, authz, ibr, dci, intercoop, store, sync, scale (default: all; store is the audit log's
# append cost on SQLite, and on PostgreSQL when REGISTRAR_BENCH_PG_URL names a scratch database
# (its tables are dropped after); authz and ibr start a throwaway PostgreSQL unless
# AUTHZ_BENCH_PG_URL / IBR_BENCH_PG_URL names one; ibr's size is REGISTRAR_BENCH_IBR_N, default
# 1,000,000; dci's REGISTRAR_BENCH_DCI_N, default 100,000; sync's SYNC_BENCH_ROWS, default
# 10,000,000, and it starts a throwaway PostgreSQL unless SYNC_BENCH_PG_URL names one; scale is
# 1, 2 and 3 instances behind nginx on a throwaway PostgreSQL unless SCALE_BENCH_PG_URL names one).
# Record results in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DREGISTRAR_TESTS=OFF -DREGISTRAR_BENCH=ON >/dev/null
cmake --build build-release -j "$(nproc)"
export BENCH_BUILD=$(pwd)/build-release

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(http identity ids authz ibr dci intercoop store sync scale)
echo "registrar benchmarks — $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores, $(awk '/model name/{$1=$2=$3="";print;exit}' /proc/cpuinfo | sed 's/^ *//')"
for s in "${suites[@]}"; do
  case "$s" in
    http) bench/http/healthz.sh ;;
    identity) bench/identity/verify.sh ;;
    authz)
      if [ -z "${AUTHZ_BENCH_PG_URL:-}" ]; then
        pg_dir=$(mktemp -d /tmp/registrar-bench-pg.XXXXXX)
        pg_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        trap 'scripts/pg-test-server.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
        AUTHZ_BENCH_PG_URL=$(scripts/pg-test-server.sh start "$pg_dir" "$pg_port") bench/authz/pip.sh
      else
        bench/authz/pip.sh
      fi
      ;;
    ids) bench/ids/http.sh ;;
    ibr) bench/ibr/run.sh ;;
    dci) bench/dci/run.sh ;;
    store) REGISTRAR_LOG_LEVEL=warn "$BENCH_BUILD/bench/store/audit_bench" ;;
    intercoop) bench/intercoop/run.sh ;;
    sync) bench/sync/run.sh ;;
    scale) bench/scale/run.sh ;;
    *) echo "unknown suite $s" >&2; exit 2 ;;
  esac
done
