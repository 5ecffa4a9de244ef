#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks: its own data directory, a loopback
# port, trust authentication for the postgres user on loopback only.
#   scripts/pg-test-server.sh start [DIR] [PORT]   prints the URL to use
#   scripts/pg-test-server.sh stop  [DIR]
set -euo pipefail

cmd=${1:?usage: pg-test-server.sh start|stop [DIR] [PORT]}
dir=${2:-/tmp/registrar-pg}
port=${3:-55432}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

case "$cmd" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
      as_postgres "'$bindir/initdb' -D '$dir' -U postgres --auth=trust -E UTF8 >/dev/null"
    fi
    if ! as_postgres "'$bindir/pg_ctl' -D '$dir' status" >/dev/null 2>&1; then
      # fsync off: a test server's data is thrown away; durability is tested on SQLite and by
      # PostgreSQL's own defaults in production.
      as_postgres "'$bindir/pg_ctl' -D '$dir' -l '$dir/server.log' -w -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" start" >/dev/null
    fi
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$dir/PG_VERSION" ]; then
      as_postgres "'$bindir/pg_ctl' -D '$dir' -m fast -w stop" >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: pg-test-server.sh start|stop [DIR] [PORT]" >&2
    exit 2
    ;;
esac
