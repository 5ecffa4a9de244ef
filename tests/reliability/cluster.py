"""Several `registrar serve` processes on one fresh PostgreSQL database behind Debian's nginx on
loopback, for the reliability tests (scale_out.py): the cluster, the HTTP helper, a DCI callback
receiver and a load of ID issuance through nginx.
PostgreSQL: REGISTRAR_TEST_PG_URL's server (a fresh database on it), or, when that is unset, a
throwaway server from scripts/pg-test-server.sh. nginx: /usr/sbin/nginx with its own
configuration in the cluster's temporary directory.
"""
import http.server
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BINARY = os.environ["REGISTRAR_TEST_BINARY"]
SOURCE = os.environ.get("REGISTRAR_TEST_SOURCE_DIR",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
INSTANCES = 3


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, headers=None):
    """(status, headers, body text); errors are answers too."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    h = dict(headers or {})
    if isinstance(body, (dict, list)):
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, res.headers, res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def wait_for(what, check, attempts=300, pause=0.1):
    for _ in range(attempts):
        if check():
            return
        time.sleep(pause)
    raise AssertionError("timed out waiting for " + what)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def psql(url, sql):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                   capture_output=True, timeout=60)


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


class Cluster:
    """PostgreSQL database, `instances` instances, nginx; stop() undoes everything start() did.
    bench/scale/ uses it too, with nginx put in front of 1, 2 or 3 of them in turn (front())."""

    def __init__(self, extra_config="", instances=INSTANCES):
        self.extra_config = extra_config
        self.instances = instances
        # nginx: idle keepalive connections to the instances (per worker). The benchmark sets it
        # to its client connections so that nginx does not open a new upstream connection per
        # request.
        self.nginx_keepalive = 16
        self.dir = tempfile.mkdtemp(prefix="registrar-scale-out-")
        self.procs = []
        self.ports = []
        self.nginx = None
        self.own_pg = None
        self.created = False
        self.pg_url = os.environ.get("REGISTRAR_TEST_PG_URL")
        self.database = "scale_out_" + secrets.token_hex(6)

    def start(self, before_instances=lambda: None):
        if not self.pg_url:
            # Apart from self.dir (0700): the server runs as postgres when we are root.
            self.own_pg = tempfile.mkdtemp(prefix="registrar-scale-out-pg-")
            out = subprocess.run([os.path.join(SOURCE, "scripts/pg-test-server.sh"), "start",
                                  self.own_pg, str(free_port())], capture_output=True, text=True)
            check(out.returncode == 0, "pg-test-server.sh start: " + out.stderr)
            self.pg_url = out.stdout.strip()
        psql(self.pg_url, "CREATE DATABASE " + self.database)
        self.created = True
        self.config = os.path.join(self.dir, "registrar.toml")
        with open(self.config, "w") as f:
            f.write(f"""[server]
worker_threads = 2
# Behind nginx every connection comes from 127.0.0.1.
max_connections_per_address = 0
[database]
url = "{with_database(self.pg_url, self.database)}"
pool_size = 4
[identity]
master_key_file = "{self.dir}/master.key"
password_hash_cost = "minimal"
{self.extra_config}
""")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRAR_")}
        before_instances()
        # One after another: the first creates the master key, the signing key and the ID
        # issuance key that the others then read from the shared database.
        for i in range(self.instances):
            self.procs.append(self._start_instance(i))
        self._start_nginx()

    def _start_instance(self, i):
        """Instance i on its own fixed port (chosen once: a restart comes back where nginx
        expects it)."""
        if i == len(self.ports):
            self.ports.append(free_port())
        env = dict(self.env, REGISTRAR_SERVER_LISTEN=f"127.0.0.1:{self.ports[i]}",
                   REGISTRAR_LOG_FILE=os.path.join(self.dir, f"log{i}.txt"))
        proc = subprocess.Popen([BINARY, "--config", self.config, "serve"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(f"instance {i} ready", lambda: proc.poll() is None
                 and self._ready(self.instance_url(i)), attempts=600)
        return proc

    def restart(self, i, while_down=None):
        """SIGTERM (the server drains), then the same instance again; while_down() runs
        between the two."""
        p = self.procs[i]
        p.terminate()
        check(p.wait(timeout=60) == 0, f"instance {i} exited with {p.returncode} on SIGTERM")
        if while_down:
            while_down()
        self.procs[i] = self._start_instance(i)

    @staticmethod
    def _ready(url):
        try:
            return request("GET", url + "/readyz")[0] == 200
        except OSError:
            return False

    def front(self, n):
        """nginx started again in front of the first n instances only."""
        self._stop_nginx()
        self._start_nginx(self.ports[:n])

    def _stop_nginx(self):
        if self.nginx and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=30)

    def _start_nginx(self, ports=None):
        self.nginx_port = free_port()
        # fail_timeout: how long nginx keeps an instance out after a refused connection (a restart).
        servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;"
                             for p in (ports or self.ports))
        user = "user root root;" if os.geteuid() == 0 else ""
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""{user}
worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {self.dir}/nginx-body;
  proxy_temp_path {self.dir}/nginx-proxy;
  fastcgi_temp_path {self.dir}/nginx-fastcgi;
  uwsgi_temp_path {self.dir}/nginx-uwsgi;
  scgi_temp_path {self.dir}/nginx-scgi;
  upstream registrar {{
{servers}
    keepalive {self.nginx_keepalive};
  }}
  server {{
    listen 127.0.0.1:{self.nginx_port};
    location / {{
      proxy_pass http://registrar;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      # Which instance answered: the test checks that all three did.
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
""")
        self.nginx = subprocess.Popen(["/usr/sbin/nginx", "-p", self.dir, "-c", conf,
                                       "-e", os.path.join(self.dir, "nginx-error.log")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("nginx", lambda: self.nginx.poll() is None and self._ready(self.url))
        check(self.nginx.poll() is None, "nginx exited")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.nginx_port}"

    def instance_url(self, i):
        return f"http://127.0.0.1:{self.ports[i]}"

    def log_events(self, i, event):
        """How many `event` lines instance i has logged."""
        with open(os.path.join(self.dir, f"log{i}.txt"), errors="replace") as f:
            return sum(1 for line in f if f'"event":"{event}"' in line)

    def nginx_errors(self):
        with open(os.path.join(self.dir, "nginx-error.log"), errors="replace") as f:
            return [line.rstrip() for line in f]

    def query(self, sql):
        """One value from the cluster's database (psql)."""
        out = subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1",
                              with_database(self.pg_url, self.database)], input=sql,
                             capture_output=True, text=True, check=True, timeout=60)
        return out.stdout.strip()

    def cli(self, *args):
        out = subprocess.run([BINARY, "--config", self.config, *args], env=self.env,
                             capture_output=True, text=True, timeout=120)
        check(out.returncode == 0, f"registrar {args}: {out.stdout} {out.stderr}")
        return out.stdout

    def stop(self):
        self._stop_nginx()
        failed = []
        for i, p in enumerate(self.procs):
            if p.poll() is None:
                p.terminate()
                if p.wait(timeout=60) != 0:
                    failed.append(i)
        try:
            if self.created:
                psql(self.pg_url, f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        finally:
            if self.own_pg:
                subprocess.run([os.path.join(SOURCE, "scripts/pg-test-server.sh"), "stop",
                                self.own_pg], capture_output=True)
                shutil.rmtree(self.own_pg, ignore_errors=True)
        return failed

    def logs(self):
        out = []
        for name in sorted(os.listdir(self.dir)):
            if name.startswith("log") or name.startswith("nginx-error"):
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    out.append(f"--- {name}\n" + "".join(f.readlines()[-20:]))
        return "\n".join(out)


class Receiver:
    """A DCI callback receiver on loopback: records every callback's correlation id."""

    def __init__(self):
        received = self.received = []
        lock = self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    received.append(body["message"].get("correlation_id"))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cb"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def correlation_ids(self):
        with self.lock:
            return list(self.received)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Load:
    """Threads issuing UINs through nginx until stopped; keeps what was acknowledged."""

    def __init__(self, cluster, bearer, threads=3):
        self.url = cluster.url + "/v1/ids/uin/issue"
        self.auth = {"Authorization": "Bearer " + bearer}
        self.lock = threading.Lock()
        self.acknowledged = []  # IDs of 201 answers
        self.successes = 0
        self.by_upstream = {}  # "127.0.0.1:port" -> 201 answers from that instance
        self.failures = {}  # status (or exception name) -> count
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run) for _ in range(threads)]

    def _run(self):
        while not self.stopping.is_set():
            try:
                status, headers, body = request("POST", self.url, {"count": 2}, self.auth)
            except OSError as e:
                status, headers, body = type(e).__name__, {}, ""
            with self.lock:
                if status == 201:
                    self.acknowledged.extend(json.loads(body)["ids"])
                    self.successes += 1
                    # The last address nginx tried is the one that answered.
                    upstream = headers.get("X-Upstream", "").split(", ")[-1]
                    self.by_upstream[upstream] = self.by_upstream.get(upstream, 0) + 1
                else:
                    self.failures[status] = self.failures.get(status, 0) + 1

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join()

    def count(self, upstream=None):
        with self.lock:
            return self.by_upstream.get(upstream, 0) if upstream else self.successes
