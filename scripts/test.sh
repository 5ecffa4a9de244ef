#!/usr/bin/env bash
# The whole test suite, from a fresh clone on Debian 12:
#   1. installs the packages it needs (scripts/install-deps.sh),
#   2. builds registrar and its tests,
#   3. starts a throwaway PostgreSQL on a loopback port,
#   4. runs every test (unit, and integration against the real binary on SQLite and PostgreSQL),
#   5. builds the tests again with clang++, AddressSanitizer + UndefinedBehaviorSanitizer, and
#      Clang's -Wthread-safety (with -Werror: the locking annotations of
#      src/core/thread_annotations.h are checked), and runs them,
#   6. stops PostgreSQL.
# Set REGISTRAR_SKIP_SANITIZERS=1 to skip step 5 during development.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh

jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$jobs"

pg_dir=$(mktemp -d /tmp/registrar-pg.XXXXXX)
pg_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
  "$root/scripts/pg-test-server.sh" stop "$pg_dir" || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
REGISTRAR_TEST_PG_URL=$("$root/scripts/pg-test-server.sh" start "$pg_dir" "$pg_port")
export REGISTRAR_TEST_PG_URL
echo "test PostgreSQL: $REGISTRAR_TEST_PG_URL"

echo "== tests (RelWithDebInfo)"
ctest --test-dir build -j "$jobs" --output-on-failure --timeout 300

if [ "${REGISTRAR_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== tests under clang++ with AddressSanitizer + UndefinedBehaviorSanitizer + -Wthread-safety"
  # One build serves both checks (a third full build would not fit CI's time): g++ above, clang
  # here, whose thread-safety analysis g++ lacks.
  cmake -S . -B build-asan -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DREGISTRAR_SANITIZE=ON -DREGISTRAR_BENCH=OFF
  cmake --build build-asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -j "$jobs" --output-on-failure --timeout 600
fi
