#!/usr/bin/env bash
# Tests the Debian package on this machine: install, start, upgrade, remove, purge.
#   scripts/test-package.sh BUILD_DIR      (scripts/test.sh: build-release, or build when plain)
# It packages BUILD_DIR's registrar twice (scripts/package.sh: the project's version and a higher
# one), so no second build is made: in CI that is scripts/test.sh's g++ Release build of the
# server, the one scripts/package.sh ships. It changes the machine (a package, a system user,
# /etc/registrar, /var/lib/registrar) and puts it back: it refuses to run where registrar is
# already installed or its user exists, and purges what it installed on any exit.
#
# The service is started the way the unit says: by systemd when systemd runs as PID 1; otherwise
# (containers) by this script, from the installed unit's ExecStart, User, Group, WorkingDirectory,
# UMask and LimitNOFILE, with NoNewPrivileges and the empty capability bounding set (setpriv), and
# its file-system sandbox rebuilt in a mount namespace (ProtectSystem=strict with ReadWritePaths,
# PrivateTmp, ProtectHome). Either way the unit is checked with `systemd-analyze verify` and its
# hardening scored with `systemd-analyze security --offline` (exposure at most 2.0 of 10).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:?usage: scripts/test-package.sh BUILD_DIR}
build=$(cd "$build" && pwd)
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$build"; fi

CONFIG=/etc/registrar/registrar.toml
DATA=/var/lib/registrar
UNIT=/lib/systemd/system/registrar.service
step() { echo "== package: $*"; }
fail() {
  echo "test-package: FAIL: $*" >&2
  exit 1
}
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
as_registrar() { runuser -u registrar -- "$@"; }

# One run at a time on a machine (the package and its user are machine-wide).
exec 9>/run/lock/registrar-package-test.lock
flock -w 900 9 || fail "another package test holds /run/lock/registrar-package-test.lock"
if dpkg-query -W -f='${Status}' registrar 2>/dev/null | grep -q "installed\|config-files"; then
  fail "the registrar package is installed here; this test installs and purges its own (dpkg -P registrar first)"
fi
getent passwd registrar >/dev/null && fail "a user 'registrar' exists; the test creates and removes its own"
[ -e "$DATA" ] && fail "$DATA exists; the test creates and removes its own"
[ -e /etc/registrar ] && fail "/etc/registrar exists; the test creates and removes its own"

systemd_runs=false
if [ -d /run/systemd/system ] && [ "$(ps -p 1 -o comm=)" = systemd ]; then systemd_runs=true; fi

tmp=$(mktemp -d /tmp/registrar-package.XXXXXX)
server_pid=""
installed=false
cleanup() {
  local rc=$?
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if $installed; then dpkg -P registrar >/dev/null 2>&1 || true; fi
  if [ $rc -ne 0 ] && [ -f "$tmp/server.log" ]; then
    echo "--- server log" >&2
    tail -n 30 "$tmp/server.log" >&2
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Without systemd the sandbox is rebuilt in a mount namespace; a container may not allow one.
sandboxed=true
if ! $systemd_runs && ! unshare --mount --propagation private -- mount -t tmpfs tmpfs "$tmp" 2>/dev/null; then
  sandboxed=false
  echo "test-package: WARNING: no mount namespace here (unshare --mount refused): the server runs" \
    "WITHOUT the unit's file-system sandbox (ProtectSystem, PrivateTmp, ProtectHome), which is" \
    "then checked by systemd-analyze only" >&2
fi

step "packages from $build"
version=$("$build/src/registrar" version | awk '{print $2}')
new_version="$version+pkgtest2"
deb1=$(REGISTRAR_PACKAGE_BUILD="$build" REGISTRAR_PACKAGE_OUT="$tmp/deb" scripts/package.sh "$version")
deb2=$(REGISTRAR_PACKAGE_BUILD="$build" REGISTRAR_PACKAGE_OUT="$tmp/deb" scripts/package.sh "$new_version")
dpkg --compare-versions "$version-1" lt "$new_version-1" || fail "$new_version is not higher than $version"
dpkg-deb -c "$deb1" >"$tmp/contents.txt"
grep -q ' ./usr/bin/registrar$' "$tmp/contents.txt" || fail "no /usr/bin/registrar in $deb1"
grep -q " .$UNIT\$" "$tmp/contents.txt" || fail "no $UNIT in $deb1"
expect_eq "$(dpkg-deb -f "$deb1" Package)" registrar "package name"
dpkg-deb --ctrl-tarfile "$deb1" | tar -xO ./conffiles >"$tmp/conffiles"
grep -qx "$CONFIG" "$tmp/conffiles" || fail "$CONFIG is not a conffile"
dpkg-deb -f "$deb1" Depends | grep -q libsodium || fail "Depends lacks the shared libraries (shlibdeps)"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"

# The service, as systemd would run it (or by systemd itself). Waits for /healthz.
start_service() {
  if $systemd_runs; then
    systemctl restart registrar.service
    server_pid=""
  else
    local command user group workdir umask nofile
    # ExecStart split into words as systemd splits it (the unit quotes nothing).
    read -r -a command <<<"$(sed -n 's/^ExecStart=//p' "$UNIT")"
    user=$(sed -n 's/^User=//p' "$UNIT")
    group=$(sed -n 's/^Group=//p' "$UNIT")
    workdir=$(sed -n 's/^WorkingDirectory=//p' "$UNIT")
    umask=$(sed -n 's/^UMask=//p' "$UNIT")
    nofile=$(sed -n 's/^LimitNOFILE=//p' "$UNIT")
    # StateDirectory= would create it; the package's postinst already has.
    [ "$(stat -c %U "$workdir")" = "$user" ] || fail "$workdir is not owned by $user"
    # The file-system sandbox, in a private mount namespace: ProtectSystem=strict (the root
    # file system read-only but for ReadWritePaths), PrivateTmp (empty /tmp and /var/tmp),
    # ProtectHome (/home and /root empty and read-only). A server that writes anywhere else
    # fails here as it would under systemd. Other mounts (/proc, /dev...) are left as they are.
    local rw rw_paths sandbox="set -e"
    read -r -a rw_paths <<<"$(sed -n 's/^ReadWritePaths=//p' "$UNIT" | tr '\n' ' ')"
    for rw in "${rw_paths[@]}"; do
      sandbox="$sandbox; mount --bind $rw $rw"
    done
    sandbox="$sandbox; mount -t tmpfs -o mode=1777 tmpfs /tmp; mount -t tmpfs -o mode=1777 tmpfs /var/tmp"
    sandbox="$sandbox; mount -t tmpfs -o ro,mode=0755 tmpfs /home; mount -t tmpfs -o ro,mode=0700 tmpfs /root"
    sandbox="$sandbox; mount -o remount,bind,ro /"
    local launcher=(unshare --mount --propagation private -- sh -c "$sandbox; exec \"\$@\"" sandbox)
    if ! $sandboxed; then launcher=(); fi
    # A clean environment, as systemd gives (no REGISTRAR_* from this shell).
    # LimitNOFILE, or this container's hard limit when it may not be raised.
    (ulimit -n "$nofile" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
      cd "$workdir" && umask "$umask" &&
      exec "${launcher[@]}" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs \
        --bounding-set=-all --inh-caps=-all -- "${command[@]}") >>"$tmp/server.log" 2>&1 &
    server_pid=$!
  fi
  for _ in $(seq 1 150); do
    if curl -sf "$url/healthz" >/dev/null 2>&1; then return 0; fi
    if [ -n "$server_pid" ] && ! kill -0 "$server_pid" 2>/dev/null; then
      fail "registrar exited at start"
    fi
    sleep 0.2
  done
  fail "no answer from $url/healthz"
}

stop_service() {
  if $systemd_runs; then
    systemctl stop registrar.service
  elif [ -n "$server_pid" ]; then
    kill -TERM "$server_pid"
    wait "$server_pid" || fail "registrar did not stop cleanly on SIGTERM (exit $?)"
    server_pid=""
  fi
}

# The running server: its user, no new privileges, no capabilities at all.
check_process() {
  local pid
  if $systemd_runs; then pid=$(systemctl show -p MainPID --value registrar.service); else
    pid=$server_pid
  fi
  if [ -z "$pid" ] || [ "$pid" = 0 ]; then fail "no registrar process"; fi
  expect_eq "$(ps -o comm= -p "$pid")" registrar "the service's main process"
  expect_eq "$(ps -o user= -p "$pid" | tr -d ' ')" registrar "user of the server process"
  expect_eq "$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$pid/status")" 1 "NoNewPrivs"
  expect_eq "$(awk '/^CapBnd:/ {print $2}' "/proc/$pid/status")" 0000000000000000 "CapBnd"
  expect_eq "$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")" 0000000000000000 "CapEff"
  # ProtectSystem=strict with ReadWritePaths, as the process sees its mounts.
  mount_options() { awk -v m="$1" '$5 == m {o = $6} END {print o}' "/proc/$pid/mountinfo"; }
  if $sandboxed; then
    mount_options / | grep -q '^ro' || fail "/ is writable by the service ($(mount_options /))"
    mount_options "$DATA" | grep -q '^rw' || fail "$DATA is not writable by the service"
  fi
}

mode_owner() { stat -c '%a %U:%G' "$1"; }

step "install $(basename "$deb1") (systemd as PID 1: $systemd_runs)"
installed=true
dpkg -i "$deb1" >"$tmp/dpkg-install.log" 2>&1 || { cat "$tmp/dpkg-install.log" >&2; fail "dpkg -i"; }
expect_eq "$(dpkg-query -W -f='${Status} ${Version}' registrar)" "install ok installed $version-1" "dpkg status"
expect_eq "$(getent passwd registrar | cut -d: -f7)" /usr/sbin/nologin "registrar's shell"
[ "$(id -u registrar)" -lt 1000 ] || fail "registrar is not a system user"
expect_eq "$(mode_owner "$DATA")" "700 registrar:registrar" "$DATA"
expect_eq "$(mode_owner "$DATA/master.key")" "600 registrar:registrar" "the master key"
expect_eq "$(mode_owner /etc/registrar)" "750 root:registrar" "/etc/registrar"
expect_eq "$(mode_owner "$CONFIG")" "640 root:registrar" "$CONFIG"
[ -L /etc/systemd/system/multi-user.target.wants/registrar.service ] || fail "the unit is not enabled"
key_sum=$(sha256sum "$DATA/master.key")

step "unit: systemd-analyze verify and security"
verify_out=$(systemd-analyze verify "$UNIT" 2>&1) || fail "systemd-analyze verify: $verify_out"
[ -z "$verify_out" ] || fail "systemd-analyze verify warns: $verify_out"
systemd-analyze security --offline=yes --threshold=20 "$UNIT" >"$tmp/security.txt" 2>&1 ||
  { cat "$tmp/security.txt" >&2; fail "the unit's exposure is above 2.0"; }
grep 'Overall exposure level' "$tmp/security.txt"

step "start on $url"
# An operator's change to the conffile: it must survive the upgrade.
sed -i "s/^listen = .*/listen = \"127.0.0.1:$port\"/" "$CONFIG"
start_service
check_process
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" 200 "/readyz"
expect_eq "$(mode_owner "$DATA/registrar.db")" "600 registrar:registrar" "the database"
as_registrar registrar --config "$CONFIG" doctor >"$tmp/doctor.txt" || { cat "$tmp/doctor.txt"; fail "doctor"; }
grep -q '^ok *schema' "$tmp/doctor.txt" || fail "doctor: schema not ok"
# Data that must survive: a client (its secret hashed in the database) and the signing key
# (sealed with the master key), seen through a token and the JWKS.
as_registrar registrar --config "$CONFIG" clients add pkgtest --scope ids:issue \
  --secret-file "$DATA/pkgtest.secret" >"$tmp/clients.txt" 2>&1 ||
  { cat "$tmp/clients.txt" >&2; fail "clients add"; }
secret=$(cat "$DATA/pkgtest.secret")
token_status() {
  curl -s -o "$tmp/token.json" -w '%{http_code}' -u "pkgtest:$secret" \
    -d grant_type=client_credentials "$url/oauth2/token"
}
expect_eq "$(token_status)" 200 "token before the upgrade"
curl -sf "$url/.well-known/jwks.json" >"$tmp/jwks-before.json"
grep -q '"kid"' "$tmp/jwks-before.json" || fail "no key in the JWKS"

step "upgrade to $new_version (from a database of the previous schema)"
stop_service
# The database as the previous release left it: ibr's last migration (an index) not yet applied.
ibr_version() {
  as_registrar sqlite3 "$DATA/registrar.db" \
    "SELECT MAX(version) FROM schema_migrations WHERE module = 'ibr'"
}
ibr_current=$(ibr_version)
as_registrar sqlite3 "$DATA/registrar.db" "DROP INDEX ibr_identifiers_by_value;
  DELETE FROM schema_migrations WHERE module = 'ibr' AND version = $ibr_current"
[ "$(ibr_version)" -lt "$ibr_current" ] || fail "the schema was not rolled back"
dpkg -i "$deb2" >"$tmp/dpkg-upgrade.log" 2>&1 || { cat "$tmp/dpkg-upgrade.log" >&2; fail "dpkg -i (upgrade)"; }
expect_eq "$(dpkg-query -W -f='${Version}' registrar)" "$new_version-1" "version after the upgrade"
grep -q "^listen = \"127.0.0.1:$port\"" "$CONFIG" || fail "the configuration change was lost"
! ls /etc/registrar/*.dpkg-* >/dev/null 2>&1 || fail "dpkg left $(ls /etc/registrar/*.dpkg-*)"
expect_eq "$(sha256sum "$DATA/master.key")" "$key_sum" "the master key after the upgrade"
expect_eq "$(mode_owner "$CONFIG")" "640 root:registrar" "$CONFIG after the upgrade"
start_service
check_process
expect_eq "$(ibr_version)" "$ibr_current" "ibr schema version after the upgrade"
expect_eq "$(as_registrar sqlite3 "$DATA/registrar.db" \
  "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ibr_identifiers_by_value'")" 1 "migrated index"
expect_eq "$(token_status)" 200 "token after the upgrade (the client survived)"
curl -sf "$url/.well-known/jwks.json" >"$tmp/jwks-after.json"
cmp -s "$tmp/jwks-before.json" "$tmp/jwks-after.json" || fail "the signing keys changed"

step "remove (data, configuration and user stay)"
stop_service
dpkg -r registrar >"$tmp/dpkg-remove.log" 2>&1 || { cat "$tmp/dpkg-remove.log" >&2; fail "dpkg -r"; }
expect_eq "$(dpkg-query -W -f='${Status}' registrar)" "deinstall ok config-files" "status after remove"
[ ! -e /usr/bin/registrar ] || fail "/usr/bin/registrar is still there"
[ ! -e "$UNIT" ] || fail "$UNIT is still there"
[ -f "$DATA/registrar.db" ] || fail "remove deleted the database"
expect_eq "$(sha256sum "$DATA/master.key")" "$key_sum" "the master key after remove"
grep -q "^listen = \"127.0.0.1:$port\"" "$CONFIG" || fail "remove deleted the configuration"
getent passwd registrar >/dev/null || fail "remove deleted the user"
# Masked while removed (as dh_installsystemd does), so that nothing starts a unit without its program.
[ "$(readlink /etc/systemd/system/registrar.service)" = /dev/null ] || fail "the unit is not masked after remove"

step "install again after remove (finds its data)"
dpkg -i "$deb2" >"$tmp/dpkg-reinstall.log" 2>&1 || { cat "$tmp/dpkg-reinstall.log" >&2; fail "dpkg -i (again)"; }
expect_eq "$(sha256sum "$DATA/master.key")" "$key_sum" "the master key after reinstalling"
[ ! -e /etc/systemd/system/registrar.service ] || fail "the unit is still masked after reinstalling"
[ -L /etc/systemd/system/multi-user.target.wants/registrar.service ] || fail "the unit is not enabled after reinstalling"
start_service
expect_eq "$(token_status)" 200 "token after reinstalling (the client survived)"
curl -sf "$url/.well-known/jwks.json" >"$tmp/jwks-again.json"
cmp -s "$tmp/jwks-before.json" "$tmp/jwks-again.json" || fail "the signing keys changed"
stop_service

step "purge (data, configuration and user go)"
dpkg -P registrar >"$tmp/dpkg-purge.log" 2>&1 || { cat "$tmp/dpkg-purge.log" >&2; fail "dpkg -P"; }
installed=false
! dpkg-query -W -f='${Status}' registrar 2>/dev/null | grep -q "installed\|config-files" ||
  fail "registrar is still known to dpkg"
[ ! -e "$DATA" ] || fail "$DATA is still there"
[ ! -e /etc/registrar ] || fail "/etc/registrar is still there"
! getent passwd registrar >/dev/null || fail "the user registrar is still there"
! getent group registrar >/dev/null || fail "the group registrar is still there"
! dpkg-statoverride --list | grep -q registrar || fail "a statoverride is left"
[ ! -e /etc/systemd/system/multi-user.target.wants/registrar.service ] || fail "the unit is still enabled"
[ ! -e /etc/systemd/system/registrar.service ] || fail "the unit is still masked"
step "ok: install, start, upgrade, remove and purge"
