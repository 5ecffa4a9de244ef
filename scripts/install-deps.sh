#!/usr/bin/env bash
# Installs the Debian 12 packages that registrar needs to build, test, benchmark and run the demo.
# Idempotent: packages already present are skipped by apt. Works as root or through sudo.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  # build
  build-essential cmake ninja-build ccache pkg-config clang-format
  # the sanitizer build uses clang (thread-safety analysis) and its ASan/UBSan runtimes, and links
  # with lld
  clang libclang-rt-14-dev lld
  # libraries
  libboost-dev libboost-context-dev libssl-dev libsodium-dev nlohmann-json3-dev libyaml-cpp-dev
  libyaml-dev libsoci-dev libsqlite3-dev libpq-dev libfmt-dev libcli11-dev
  libtomlplusplus-dev libutf8proc-dev libicu-dev zlib1g-dev libjemalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev sqlite3 postgresql wrk nginx-light curl procps openssl
  python3 python3-jwcrypto python3-nacl python3-cryptography python3-yaml python3-requests
  python3-jsonschema
  # the Debian package (scripts/package.sh: CPack runs `file` and dpkg-shlibdeps) and its test
  # (scripts/test-package.sh: systemd-analyze verify/security; systemd is not started by this)
  file dpkg-dev systemd
  # the console's browser tests (tests/console): Debian's chromium, driven by playwright-core
  # from npm with the machine's Node.js
  chromium
)
# Node.js and npm come with the machine; Debian's own are the fallback when they are missing.
if ! command -v node >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# nginx and postgresql start a system service on install; registrar's scripts run their own
# instances on loopback ports and do not need (or want) the system ones.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now nginx postgresql >/dev/null 2>&1 || true
fi
