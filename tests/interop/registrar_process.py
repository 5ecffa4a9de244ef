"""The real registrar binary as the interop tests run it: its own directory, database (a SQLite
file, or a fresh database on the PostgreSQL server REGISTRAR_TEST_PG_URL names) and master key,
on a loopback port; plus the HTTP helper they share."""
import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

BINARY = os.environ.get("REGISTRAR_TEST_BINARY")
PG_URL = os.environ.get("REGISTRAR_TEST_PG_URL")


def backends():
    """The database backends this run covers: always sqlite, postgres when a server is given."""
    return ["sqlite", "postgres"] if PG_URL else ["sqlite"]


def request(method, url, body=None, headers=None):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _with_database(url, name):
    """The same server under another database name (the path of a postgresql:// URL)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _psql(url, sql):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                   capture_output=True, timeout=60)


class Registrar:
    """One registrar process with its own directory, database and master key."""

    def __init__(self, extra_config="", backend="sqlite"):
        self.dir = tempfile.mkdtemp(prefix="registrar-interop-")
        self.pg_database = None
        if backend == "postgres":
            self.pg_database = "interop_" + secrets.token_hex(6)
            _psql(PG_URL, "CREATE DATABASE " + self.pg_database)
            database_url = _with_database(PG_URL, self.pg_database)
        else:
            database_url = "sqlite:" + os.path.join(self.dir, "r.db")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRAR_")}
        self.log_file = os.path.join(self.dir, "log.txt")
        self.env.update({
            "REGISTRAR_DATABASE_URL": database_url,
            "REGISTRAR_IDENTITY_MASTER_KEY_FILE": os.path.join(self.dir, "master.key"),
            "REGISTRAR_IDENTITY_PASSWORD_HASH_COST": "minimal",
            "REGISTRAR_LOG_FILE": self.log_file,
        })
        self.config = os.path.join(self.dir, "r.toml")
        with open(self.config, "w") as f:
            f.write('[server]\nlisten = "127.0.0.1:0"\nport_file = "%s"\n%s\n'
                    % (os.path.join(self.dir, "port"), extra_config))
        self.proc = None

    def cli(self, *args, check=True):
        out = subprocess.run([BINARY, "--config", self.config, *args], env=self.env,
                             capture_output=True, text=True, timeout=60)
        if check and out.returncode != 0:
            raise RuntimeError("registrar %s failed: %s %s" % (args, out.stdout, out.stderr))
        return out if not check else out.stdout

    def start(self):
        self.proc = subprocess.Popen([BINARY, "--config", self.config, "serve"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.dir, "port")
        for _ in range(3000):
            if os.path.exists(port_file):
                with open(port_file) as f:
                    text = f.read()
                if text.endswith("\n"):
                    self.url = "http://127.0.0.1:%d" % int(text)
                    return self
            if self.proc.poll() is not None:
                raise RuntimeError("registrar exited during start")
            time.sleep(0.01)
        raise RuntimeError("registrar did not start")

    def log(self):
        with open(self.log_file) as f:
            return f.read()

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        if self.pg_database:
            try:
                _psql(PG_URL, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.pg_database)
            except Exception:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, name, *scopes):
        secret_file = os.path.join(self.dir, name + ".secret")
        args = ["clients", "add", name, "--secret-file", secret_file]
        for s in scopes:
            args += ["--scope", s]
        self.cli(*args)
        with open(secret_file) as f:
            return f.readline().strip()

    def token(self, client, secret, scope=None):
        form = {"grant_type": "client_credentials"}
        if scope:
            form["scope"] = scope
        basic = base64.b64encode(("%s:%s" % (client, secret)).encode()).decode()
        status, body = request("POST", self.url + "/oauth2/token", urllib.parse.urlencode(form),
                               {"Authorization": "Basic " + basic,
                                "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, body
        return json.loads(body)["access_token"]
