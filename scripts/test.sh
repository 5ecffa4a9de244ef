#!/usr/bin/env bash
# The whole test suite, from a fresh clone on Debian 12:
#   1. installs the packages it needs (scripts/install-deps.sh),
#   2. builds the server as the README's first command does (g++, Release): the default compiler
#      must keep compiling it with -Werror,
#   3. builds registrar and every test once, with clang++, AddressSanitizer + UndefinedBehaviorSanitizer
#      and Clang's -Wthread-safety (with -Werror: the locking annotations of
#      src/core/thread_annotations.h are checked), plus the libFuzzer targets of tests/fuzz,
#   4. starts a throwaway PostgreSQL on a loopback port,
#   5. runs every test (unit, integration against the real binary on SQLite and PostgreSQL, interop
#      with the Python peers, a short fixed run of each fuzzer, the console in chromium) under
#      the sanitizers,
#   6. stops PostgreSQL,
#   7. tests the Debian package (scripts/test-package.sh): packaged from step 2's Release build
#      (the plain build when REGISTRAR_TEST_BUILD=plain), installed, started, upgraded, removed
#      and purged on this machine.
# One test build, not two: a second full build of the same code (g++ and clang) made a cold CI run
# take 71 minutes. REGISTRAR_TEST_BUILD=plain runs the tests in a g++ RelWithDebInfo build
# without sanitizers instead (quicker while developing; `build/`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh

jobs=$(nproc)
if [ "${REGISTRAR_TEST_BUILD:-sanitize}" = "plain" ]; then
  build=build
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  package_build=build
  timeout=300
else
  echo "== the server as scripts/demo.sh builds it (g++, Release)"
  cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DREGISTRAR_TESTS=OFF \
    -DREGISTRAR_BENCH=OFF
  cmake --build build-release --target registrar -j "$jobs"
  package_build=build-release
  build=build-asan
  cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DREGISTRAR_SANITIZE=ON -DREGISTRAR_BENCH=OFF -DREGISTRAR_LLD=ON
  timeout=600
fi
echo "== build ($build)"
cmake --build "$build" -j "$jobs"

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

echo "== tests ($build)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$build" -j "$jobs" --output-on-failure --timeout "$timeout"

echo "== Debian package ($package_build)"
scripts/test-package.sh "$package_build"
