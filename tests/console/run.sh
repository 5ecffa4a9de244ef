#!/usr/bin/env bash
# Browser tests of the console (tests/console/*.test.mjs, one per page) against a real registrar:
#   run.sh REGISTRAR_BINARY WORK_DIR [TEST_FILE...]   (default: every *.test.mjs)
# Installs playwright-core and axe-core with npm into WORK_DIR/npm (once; exact versions from
# package.json, no lock file), starts `registrar serve` on SQLite on a free loopback port with
# users created through the CLI, runs the tests in Debian's chromium, and stops the server.
# Screenshots of every page are left in WORK_DIR/screenshots; a failing test prints the
# browser's console.
set -euo pipefail
binary=$(realpath "$1")
work=$(realpath -m "$2")
shift 2
here=$(cd "$(dirname "$0")" && pwd)
if [ "$#" -gt 0 ]; then tests=("$@"); else tests=("$here"/*.test.mjs); fi

command -v node >/dev/null || { echo "console tests: node is not installed" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "console tests: /usr/bin/chromium is missing (scripts/install-deps.sh)" >&2; exit 1; }

mkdir -p "$work/npm" "$work/screenshots"
if ! cmp -s "$here/package.json" "$work/npm/package.json"; then
  cp "$here/package.json" "$work/npm/package.json"
  (cd "$work/npm" && npm install --no-package-lock --no-audit --no-fund --loglevel=error)
fi

run=$(mktemp -d "$work/run.XXXXXX")
port_file="$run/port"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$run"
}
trap cleanup EXIT

cat > "$run/registrar.toml" <<TOML
[server]
listen = "127.0.0.1:0"
port_file = "$port_file"
[database]
url = "sqlite:$run/registrar.db"
[identity]
master_key_file = "$run/master.key"
password_hash_cost = "minimal"
public_clients = ["console"]
[authz]
event_secret = "console-test-events"
[ids.token]
uin_salt = "$(openssl rand -hex 16)"
partner_code_salt = "$(openssl rand -hex 16)"
TOML
r() { "$binary" --config "$run/registrar.toml" "$@"; }
r db migrate >/dev/null
# officer: every scope the modules define (read from the configuration, so a new module's scopes
# are included); clerk: may validate IDs only.
scope_args=$(r config check --show | /usr/bin/python3 -c '
import json, sys
keys, _ = json.JSONDecoder().raw_decode(sys.stdin.read())
def is_scope(k):
    last = k.split(".")[-1]
    return last.endswith("scope") or last.startswith("scope_") or ".scopes." in k
print(" ".join(sorted({"--scope " + v["value"] for k, v in keys.items()
                       if is_scope(k) and isinstance(v["value"], str) and v["value"]})))')
# shellcheck disable=SC2086
printf 'officer-pass-1\n' | r users add officer $scope_args >/dev/null
printf 'clerk-pass-1\n' | r users add clerk --scope ids:validate >/dev/null

# Not through r(): $! must be the server itself, not a subshell, for cleanup to stop it.
"$binary" --config "$run/registrar.toml" serve >"$run/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do [ -s "$port_file" ] && break; sleep 0.05; done
[ -s "$port_file" ] || { echo "registrar did not start:" >&2; cat "$run/server.log" >&2; exit 1; }

status=0
# Test files run one after another (--test-concurrency=1): they share the server's data.
REGISTRAR_URL="http://127.0.0.1:$(cat "$port_file")" SCREENSHOTS="$work/screenshots" \
  NPM_DIR="$work/npm" REGISTRAR_BINARY="$binary" REGISTRAR_CONFIG="$run/registrar.toml" \
  node --test --test-concurrency=1 --test-reporter=spec "${tests[@]}" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- registrar log (last 40 lines)" >&2
  tail -40 "$run/server.log" >&2
fi
exit "$status"
