# Shared helpers for benchmark scripts (sourced). Servers run on CPU 0, load generators on CPU 1,
# so that on the 2-core reference machine a server and its baseline get the same one core.
set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_BUILD=${BENCH_BUILD:-$BENCH_ROOT/build-release}
REGISTRAR=${REGISTRAR:-$BENCH_BUILD/registrar-bench-bin}
BENCH_DURATION=${BENCH_DURATION:-10s}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-50}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# A throwaway PostgreSQL on a free loopback port, unless $1 (a server's URL) is given: sets PG_URL,
# and BENCH_PG_DIR for bench_pg_stop. $2 is its shared_buffers, sized by the caller as a DBA would
# for its data (the default 128 MB would leave PostgreSQL reading pages from the OS cache).
bench_pg_start() {
  PG_URL=$1
  BENCH_PG_DIR=
  [ -n "$PG_URL" ] && return 0
  BENCH_PG_DIR=$(mktemp -d /tmp/registrar-bench-pg.XXXXXX)
  local port
  port=$(free_port)
  PG_URL=$("$BENCH_ROOT/scripts/pg-test-server.sh" start "$BENCH_PG_DIR" "$port")
  psql -q "$PG_URL" -c "ALTER SYSTEM SET shared_buffers = '$2'" >/dev/null
  "$BENCH_ROOT/scripts/pg-test-server.sh" stop "$BENCH_PG_DIR"
  "$BENCH_ROOT/scripts/pg-test-server.sh" start "$BENCH_PG_DIR" "$port" >/dev/null
}
# Stops and removes what bench_pg_start started (nothing when it was given a server).
bench_pg_stop() {
  [ -n "${BENCH_PG_DIR:-}" ] || return 0
  "$BENCH_ROOT/scripts/pg-test-server.sh" stop "$BENCH_PG_DIR" || true
  rm -rf "$BENCH_PG_DIR"
}

wait_port() {  # wait_port PORT; gives up after WAIT_PORT_SECONDS (default 10)
  for _ in $(seq 1 $((${WAIT_PORT_SECONDS:-10} * 20))); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# start_registrar DIR [extra TOML]: starts registrar with one I/O thread on CPU 0; sets REG_PID, REG_PORT.
start_registrar() {
  local dir=$1 extra=${2:-}
  REG_PORT=$(free_port)
  cat > "$dir/registrar.toml" <<TOML
[server]
listen = "127.0.0.1:$REG_PORT"
io_threads = 1
[database]
url = "sqlite:$dir/registrar.db"
[log]
file = "$dir/registrar.log"
$extra
TOML
  [ -n "${REGISTRAR_BENCH_ENV:-}" ] && export $REGISTRAR_BENCH_ENV
  taskset -c 0 "$BENCH_BUILD/src/registrar" --config "$dir/registrar.toml" serve &
  REG_PID=$!
  wait_port "$REG_PORT"
}

# start_nginx DIR [LOG]: sets NGINX_PID, NGINX_PORT and NGINX_WORKER_PID; one worker on CPU 0 answering every request with 200 and a small JSON
# body. No access log, unless LOG is given: then one JSON line per request, with the fields of
# registrar's access-log line, to DIR/nginx/access.log through a 64 KiB buffer (a like-for-like
# baseline: registrar logs every request by default).
start_nginx() {
  local dir=$1 log=${2:-}
  local access_log="access_log off;"
  if [ -n "$log" ]; then
    access_log="log_format registrar escape=json '{\"time\":\"\$time_iso8601\",\"level\":\"info\",\"event\":\"access\",\"request_id\":\"\$request_id\",\"remote\":\"\$remote_addr:\$remote_port\",\"method\":\"\$request_method\",\"route\":\"\$uri\",\"status\":\$status,\"duration_s\":\$request_time,\"bytes_in\":\$request_length,\"bytes_out\":\$bytes_sent}';
  access_log $dir/nginx/access.log registrar buffer=64k flush=1s;"
  fi
  NGINX_PORT=$(free_port)
  mkdir -p "$dir/nginx"
  cat > "$dir/nginx/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 01;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 4096; }
http {
  $access_log
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
CONF
  /usr/sbin/nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx" &
  NGINX_PID=$!
  wait_port "$NGINX_PORT"
  NGINX_WORKER_PID=$(pgrep -P "$NGINX_PID" | head -n1)  # the one worker, which does the work
}

# wrk_lua FILE METHOD BODY TOKEN: a wrk script sending METHOD with a JSON BODY ('' for none) and
# a bearer TOKEN.
wrk_lua() {
  cat > "$1" <<LUA
wrk.method = "$2"
wrk.body = '$3'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $4"
LUA
}

# run_wrk URL [SCRIPT]: prints "rps p50_ms p99_ms" for a run of wrk on CPU 1.
run_wrk() {
  local url=$1 script=${2:-}
  local out
  if [ -n "$script" ]; then
    out=$(taskset -c 1 wrk -t1 -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency -s "$script" "$url")
  else
    out=$(taskset -c 1 wrk -t1 -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency "$url")
  fi
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out")
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") ${errors:-0}"
}

to_ms() {  # wrk prints 1.23ms / 456.00us / 1.2s
  local v=$1
  case "$v" in
    *us) awk -v x="${v%us}" 'BEGIN{printf "%.3f", x/1000}' ;;
    *ms) awk -v x="${v%ms}" 'BEGIN{printf "%.3f", x}' ;;
    *s) awk -v x="${v%s}" 'BEGIN{printf "%.3f", x*1000}' ;;
    *) echo "$v" ;;
  esac
}

stop_pid() {
  [ -n "${1:-}" ] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Shared virtual machines drift in speed by up to 15 % within a minute, so a server and its
# baseline measured one after the other can differ by that much for no reason of their own.
# alternate_wrk OUT URL_A SCRIPT_A URL_B SCRIPT_B: $BENCH_ROUNDS rounds, each a $BENCH_SLICE wrk
# run against A and then against B (both servers already running); appends one line per round,
# "round rps_a p50_a p99_a err_a rps_b p50_b p99_b err_b", to OUT. Script "" means none.
#
# With ALTERNATE_CPU_PIDS="PID_A PID_B" (the servers' processes), each run also appends to OUT.cpu
# "round rps_a ticks_a wrk_a wall_a rps_b ticks_b wrk_b wall_b": the CPU time the server used
# (clock ticks, all its threads), the busy ticks of the load generator's CPU 1 and the run's
# wall-clock seconds (summarize_cpu).
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_SLICE=${BENCH_SLICE:-3s}
alternate_wrk() {
  local out=$1 url_a=$2 script_a=$3 url_b=$4 script_b=$5
  local pids=(${ALTERNATE_CPU_PIDS:-})
  for i in $(seq 1 "$BENCH_ROUNDS"); do
    local a b cost_a cost_b
    [ ${#pids[@]} -eq 2 ] && cost_a=$(cost_begin "${pids[0]}")
    a=$(BENCH_DURATION=$BENCH_SLICE run_wrk "$url_a" "$script_a")
    [ ${#pids[@]} -eq 2 ] && cost_a=$(cost_end "${pids[0]}" $cost_a) && cost_b=$(cost_begin "${pids[1]}")
    b=$(BENCH_DURATION=$BENCH_SLICE run_wrk "$url_b" "$script_b")
    [ ${#pids[@]} -eq 2 ] && cost_b=$(cost_end "${pids[1]}" $cost_b) &&
      echo "$i ${a%% *} $cost_a ${b%% *} $cost_b" >> "$out.cpu"
    echo "$i $a $b" >> "$out"
  done
}

# CPU time a process has used (user + system, every thread), in clock ticks; busy ticks of CPU 1
# (where the load generator runs: everything but idle and iowait).
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load_ticks() { awk '$1 == "cpu1" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
cost_begin() { echo "$(proc_ticks "$1") $(load_ticks) $(date +%s.%N)"; }
cost_end() {  # cost_end PID TICKS0 LOAD0 TIME0: "ticks load_ticks seconds" since cost_begin
  awk -v t0="$2" -v l0="$3" -v w0="$4" -v t1="$(proc_ticks "$1")" -v l1="$(load_ticks)" \
    -v w1="$(date +%s.%N)" 'BEGIN{printf "%d %d %.3f\n", t1 - t0, l1 - l0, w1 - w0}'
}

# summarize_cpu OUT "label A" "label B": from OUT.cpu (alternate_wrk with ALTERNATE_CPU_PIDS),
# each server's CPU time per request and how busy its core and the load generator's were. When
# wrk's core is (nearly) always busy, the client sets both rates and their ratio says little;
# the ratio of CPU per request then compares the servers (as the rate ratio does when both are
# held by their own core).
summarize_cpu() {
  [ -s "$1.cpu" ] || return 0
  /usr/bin/python3 - "$1.cpu" "$2" "$3" "$(getconf CLK_TCK)" "${BENCH_SLICE%s}" <<'PY'
import sys
path, label_a, label_b, hz, slice_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
rows = [[float(x) for x in l.split()] for l in open(path)]
def side(base):
    us = sum(r[base + 1] / hz * 1e6 / max(r[base] * slice_s, 1) for r in rows) / len(rows)
    server = sum(r[base + 1] / hz / r[base + 3] for r in rows) / len(rows)
    client = sum(r[base + 2] / hz / r[base + 3] for r in rows) / len(rows)
    return us, server, client
a, b = side(1), side(5)
for label, (us, server, client) in ((label_a, a), (label_b, b)):
    print(f"  {label:<44} CPU {us:6.2f} µs/request; its core {server:4.0%} busy, wrk's {client:4.0%}")
print(f"CPU per request, {label_a} / {label_b}: {a[0] / b[0]:.2f} (the rate ratio when both servers are held by their core)")
PY
}

# summarize_pairs OUT "label A" "label B" TARGET: per-round figures, the means, and the ratio of
# B's mean rate to A's against TARGET ("-": no target, the ratio is reported).
summarize_pairs() {
  /usr/bin/python3 - "$@" <<'PY'
import sys
path, label_a, label_b = sys.argv[1], sys.argv[2], sys.argv[3]
target = None if sys.argv[4] == "-" else float(sys.argv[4])  # "-": a figure reported, no target
rows = [l.split() for l in open(path)]
print(f"{'':<46} {'req/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7}")
for r in rows:
    print(f"  round {r[0]}: {label_a:<36} {float(r[1]):10.0f} {r[2]:>7} {r[3]:>7} {r[4]:>7}")
    print(f"  round {r[0]}: {label_b:<36} {float(r[5]):10.0f} {r[6]:>7} {r[7]:>7} {r[8]:>7}")
def mean(i): return sum(float(r[i]) for r in rows) / len(rows)
def worst(i): return max(float(r[i]) for r in rows)
for label, base in ((label_a, 1), (label_b, 5)):
    errors = sum(int(r[base + 3]) for r in rows)
    print(f"{label + ' (mean)':<46} {mean(base):10.0f} {mean(base + 1):7.3f} {worst(base + 2):7.3f} {errors:7d}")
ratio = mean(5) / mean(1)
verdict = "no target" if target is None else f"target >= {target:.2f}: {'met' if ratio >= target else 'NOT met'}"
print(f"ratio {label_b} / {label_a}: {ratio:.2f} ({verdict}); p99 is the worst round's")
PY
}
