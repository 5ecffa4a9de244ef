#!/usr/bin/env bash
# Runs every benchmark: builds a Release registrar, then each suite prints its figures beside the
# baseline it is compared with, measured in the same run. Usage: bench/run.sh [suite...]
# Suites: http, authz (default: http; authz needs PostgreSQL, see bench/authz/pip.sh). Record results in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DREGISTRAR_TESTS=OFF -DREGISTRAR_BENCH=ON >/dev/null
cmake --build build-release -j "$(nproc)"
export BENCH_BUILD=$(pwd)/build-release

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(http identity)
echo "registrar benchmarks — $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores, $(awk '/model name/{$1=$2=$3="";print;exit}' /proc/cpuinfo | sed 's/^ *//')"
for s in "${suites[@]}"; do
  case "$s" in
    http) bench/http/healthz.sh ;;
    identity) bench/identity/verify.sh ;;
    authz) bench/authz/pip.sh ;;
    ids) bench/ids/http.sh ;;
    *) echo "unknown suite $s" >&2; exit 2 ;;
  esac
done
