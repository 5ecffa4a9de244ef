#!/usr/bin/env bash
# Installs what is needed, builds registrar and starts it on the embedded SQLite default with a
# demo configuration in var/demo/. Keys and demo credentials are generated on first start and
# stay in var/demo/ (never committed). Stop with Ctrl-C; run again to continue with the same data.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DREGISTRAR_TESTS=OFF -DREGISTRAR_BENCH=OFF
cmake --build build-release --target registrar -j "$(nproc)"

mkdir -p var/demo
config=var/demo/registrar.toml
if [ ! -f "$config" ]; then
  cat > "$config" <<TOML
# Demo configuration written by scripts/demo.sh. See docs/operations.md for every key.
[server]
listen = "127.0.0.1:${REGISTRAR_DEMO_PORT:-8080}"

[database]
url = "sqlite:var/demo/registrar.db"
TOML
fi

build-release/registrar --config "$config" config check
echo "registrar: starting with $config; it listens on http://$(sed -n 's/^listen = "\(.*\)"/\1/p' "$config")"
exec build-release/registrar --config "$config" serve
