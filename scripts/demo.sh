#!/usr/bin/env bash
# Installs what is needed, builds registrar and starts it on the embedded SQLite default with a
# demo configuration in var/demo/. On first run it also generates the master key and a signing key
# and creates a demo OAuth2 client whose secret is written to var/demo/demo-client.secret — all
# generated here, never committed — and, once the server is up, seeds a little data in every
# module so that each console page has something to show (var/demo/demo-seeded marks it done).
# Stop with Ctrl-C; run again to continue with the same data.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DREGISTRAR_TESTS=OFF -DREGISTRAR_BENCH=OFF
cmake --build build-release --target registrar -j "$(nproc)"

port=${REGISTRAR_DEMO_PORT:-8080}
unset REGISTRAR_DEMO_PORT  # registrar rejects REGISTRAR_* variables that are not config keys
mkdir -p var/demo
config=var/demo/registrar.toml
if [ ! -f "$config" ]; then
  cat > "$config" <<TOML
# Demo configuration written by scripts/demo.sh. See docs/operations.md for every key.
[server]
listen = "127.0.0.1:$port"

[database]
url = "sqlite:var/demo/registrar.db"

[identity]
master_key_file = "var/demo/master.key"
dhp_login_client = "demo"
# The console at /console/ signs people in through this public client (password grant only).
public_clients = ["console"]

# MOSIP clientsettings answers with what is there now (MOSIP ends a full sync at midnight and a
# delta at the last 15-minute boundary, so data loaded today would only show tomorrow).
[sync.mosip]
full_sync_to = "now"
delta_interval_s = 1
TOML
fi
# The court events of the demo estate come in through the event handler, which needs a secret
# (generated here; older demo configurations get it added).
if ! grep -q '^\[authz\]' "$config"; then
  printf '\n[authz]\nevent_secret = "%s"\n' "$(openssl rand -hex 16)" >> "$config"
fi
registrar=build-release/src/registrar
$registrar --config "$config" config check

# Every scope the modules define, so the demo client can call every API.
scopes=(gen_id_challenge verify_identity ids:issue ids:validate ids:admin
        altinn:dd:authlookup altinn:dd:internal ibr:admin intercoop:admin
        dci:checks.read dci:checks.run dci:checks.delete dci:admin sync:admin sync:client
        identity:admin audit:read)
if [ ! -f var/demo/demo-client.secret ]; then
  args=()
  for s in "${scopes[@]}"; do args+=(--scope "$s"); done
  $registrar --config "$config" clients add demo "${args[@]}" \
    --description "demo client created by scripts/demo.sh" --secret-file var/demo/demo-client.secret 2>/dev/null
fi
# A person for the console, with every scope; the password is generated here.
if [ ! -f var/demo/console-user.password ]; then
  (umask 077 && openssl rand -base64 12 | tr -d '/+=' > var/demo/console-user.password)
  args=()
  for s in "${scopes[@]}"; do args+=(--scope "$s"); done
  $registrar --config "$config" users add demo "${args[@]}" \
    --password-file var/demo/console-user.password 2>/dev/null
fi
# Demo master data for the sync module (examples/sync/) and one registration machine whose key
# pair is generated here (var/demo/machine-*.pem, never committed).
if [ ! -f var/demo/sync-loaded ]; then
  while read -r file; do
    $registrar --config "$config" sync import "${file%.*}" "examples/sync/$file" 2>/dev/null
  done < examples/sync/ORDER
  openssl genrsa -out var/demo/machine-private.pem 2048 2>/dev/null
  openssl rsa -in var/demo/machine-private.pem -pubout -out var/demo/machine-public.pem 2>/dev/null
  $registrar --config "$config" sync machines add demo-laptop --centre 10001 \
    --public-key-file var/demo/machine-public.pem 2>/dev/null
  touch var/demo/sync-loaded
fi
url=$(sed -n 's/^listen = "\(.*\)"/http:\/\/\1/p' "$config")
cat <<MSG

registrar demo: listening on $url (configuration: $config)
  console: $url/console/  user: demo  password: $(cat var/demo/console-user.password)
  demo client: demo, secret in var/demo/demo-client.secret
  token:  curl -s -u demo:\$(cat var/demo/demo-client.secret) -d grant_type=client_credentials $url/oauth2/token
  sync:   demo machine "demo-laptop" at centre 10001, private key var/demo/machine-private.pem
  health: curl -s $url/readyz      metrics: curl -s $url/metrics      API: $url/openapi.yaml

MSG
# The server runs in the background while the demo data is seeded through its API; Ctrl-C (or a
# kill of this script) stops it.
$registrar --config "$config" serve &
server=$!
trap 'kill "$server" 2>/dev/null || true' INT TERM EXIT
if [ ! -f var/demo/demo-seeded ]; then
  for _ in $(seq 1 100); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.2; done
  scripts/demo-seed.sh "$registrar" "$config" "$url"
  touch var/demo/demo-seeded
fi
wait "$server"
