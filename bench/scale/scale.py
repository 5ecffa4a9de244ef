"""Scale-out benchmark (bench/run.sh scale, started by bench/scale/run.sh): the cluster of the
scale-out test (tests/reliability/cluster.py: one fresh database on PostgreSQL, three `registrar
serve`, Debian's nginx in front), measured with wrk through nginx with nginx in front of one,
two and three of the instances in turn.

  throughput  (default) for each route, alternating rounds of 1, 2 and 3 instances behind nginx
              (drift on a shared machine cancels, as bench/lib.sh's alternate_wrk does), and
              instance 0 without nginx ("direct": what the proxy costs); prints each figure
              beside the one-instance-behind-nginx figure of the same run (= 1.00).
  saturation  (`scale.py saturation`) every instance behind nginx, each of UIN issuance and the
              PIP held at saturation for SCALE_HOLD seconds; prints non-2xx answers, socket
              errors and error lines in the instances' logs (all must be 0), and for issuance
              the IDs stored against the 201s counted.

Every instance keeps running through the rounds: those not behind nginx in a round only poll
their feeds. Environment: SCALE_PG_URL (a PostgreSQL server, required: run.sh starts a
throwaway one), BENCH_BUILD (a build with src/registrar and bench/ibr/ibr_http_requests),
BENCH_CONNECTIONS (wrk connections, default 50; at most about 200: nginx's 512
worker_connections hold a client and an upstream connection per request in flight),
BENCH_SLICE (seconds per point and round, default 3), BENCH_ROUNDS (default 2), SCALE_ESTATES
(PIP fixture, default 20,000 estates), SCALE_IBR_N (IBR population, default 20,000), SCALE_HOLD
(seconds, default 60).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("BENCH_BUILD", os.path.join(ROOT, "build-release"))
os.environ["REGISTRAR_TEST_BINARY"] = os.path.join(BUILD, "src", "registrar")
os.environ["REGISTRAR_TEST_SOURCE_DIR"] = ROOT
sys.path.insert(0, os.path.join(ROOT, "tests", "reliability"))
from cluster import Cluster, check, request, with_database  # noqa: E402

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
SLICE = int(os.environ.get("BENCH_SLICE", "3").rstrip("s"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
ESTATES = int(os.environ.get("SCALE_ESTATES", "20000"))
IBR_N = int(os.environ.get("SCALE_IBR_N", "20000"))
HOLD = int(os.environ.get("SCALE_HOLD", "60").rstrip("s"))
IBR_SEED = "20261202"  # the population bench/ibr uses; ibr_http_requests draws from the same
REQUESTS = os.path.join(BUILD, "bench", "ibr", "ibr_http_requests")


def wrk(url, script, seconds, env=None):
    """One wrk run on CPU 1 (as bench/lib.sh's run_wrk): a dict of its figures."""
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s",
                          "--latency", "-s", script, url], capture_output=True, text=True,
                         env=dict(os.environ, **(env or {})), check=True).stdout

    def ms(v):
        unit = re.match(r"([\d.]+)(us|ms|s)", v)
        return float(unit[1]) * {"us": 0.001, "ms": 1, "s": 1000}[unit[2]]
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
            "requests": int(re.search(r"(\d+) requests in", out)[1]),
            "p50": ms(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1]),
            "p99": ms(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1]),
            "non2xx": int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1]),
            "errors": sum(int(x) for x in socket.groups()) if socket else 0}


def lua(path, method, token, body=""):
    with open(path, "w") as f:
        f.write(f"""wrk.method = "{method}"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
""")
    return path


def requests_served(cluster, i):
    """registrar_http_requests_total summed over routes, from instance i's /metrics."""
    status, _, body = request("GET", cluster.instance_url(i) + "/metrics")
    check(status == 200, f"metrics of instance {i}: {status}")
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
               if line.startswith("registrar_http_requests_total{"))


def log_errors(cluster, i):
    """Lines instance i logged at level error (the bench runs them at level warn)."""
    with open(os.path.join(cluster.dir, f"log{i}.txt"), errors="replace") as f:
        return sum(1 for line in f if '"level":"error"' in line)


class Bench:
    def __init__(self, work):
        self.work = work
        self.cluster = Cluster("[log]\nlevel = \"warn\"\n")
        self.cluster.pg_url = os.environ["SCALE_PG_URL"]
        self.cluster.nginx_keepalive = CONNECTIONS

    def start(self):
        c = self.cluster
        key = os.path.join(self.work, "sender.pem")

        def before_instances():
            # Seeded and trusted before the instances start: each builds its IBR index from
            # the table at start and reads the trusted senders then.
            t = time.monotonic()
            c.cli("ibr", "seed", "--count", str(IBR_N), "--duplicates", "0.05", "--seed", IBR_SEED,
                  "--sender", "bench")
            pub = subprocess.run([REQUESTS, "keygen", key], capture_output=True, text=True,
                                 check=True).stdout
            c.cli("ibr", "senders", "add", "bench", "--name", "scale bench", "--public-key", pub)
            print(f"fixture: {IBR_N} IBR records seeded in {time.monotonic() - t:.1f} s")
        c.start(before_instances)
        # The PIP fixture (bench/authz/load.sql: 5 role assignments per estate), bulk-loaded
        # into the tables the instances created; their caches are empty until the warm-up.
        t = time.monotonic()
        subprocess.run(["psql", "-q", "-v", f"estates={ESTATES}", "-f",
                        os.path.join(ROOT, "bench", "authz", "load.sql"),
                        with_database(c.pg_url, c.database)],
                       capture_output=True, check=True)
        print(f"fixture: {ESTATES} estates ({ESTATES * 5} role assignments) loaded in "
              f"{time.monotonic() - t:.1f} s")
        token = c.cli("token", "issue", "--client", "bench", "--scope", "ids:issue", "--scope",
                      "ids:validate", "--scope", "altinn:dd:internal").strip().splitlines()[-1]
        status, _, body = request("POST", c.url + "/v1/ids/uin/issue", {"count": 1},
                                  {"Authorization": "Bearer " + token})
        check(status == 201, f"issue: {status} {body}")
        uin = json.loads(body)["ids"][0]
        signed = os.path.join(self.work, "search.jsonl")
        with open(signed, "w") as f:
            subprocess.run([REQUESTS, "sign", key, "bench", "idtype-value", "5000"], stdout=f,
                           check=True, env=dict(os.environ, REGISTRAR_BENCH_IBR_N=str(IBR_N)))
        with open(signed) as f:
            status, _, body = request("POST", c.url + "/registry/sync/search",
                                      f.readline().encode(), {"Content-Type": "application/json"})
        check(status == 200 and '"succ"' in body, f"IBR search: {status} {body[:300]}")
        w = self.work
        self.routes = [
            ("POST /v1/ids/uin/issue (1 ID)", "/v1/ids/uin/issue",
             lua(f"{w}/issue.lua", "POST", token), {}),
            ("GET /v1/ids/uin/validate/{uin}", f"/v1/ids/uin/validate/{uin}",
             lua(f"{w}/validate.lua", "GET", token), {}),
            ("POST /api/v1/pip (authz)", "/api/v1/pip",
             os.path.join(ROOT, "bench", "authz", "pip.lua"),
             {"AUTHZ_TOKEN": token, "AUTHZ_ESTATES": str(ESTATES)}),
            ("POST /registry/sync/search (IBR)", "/registry/sync/search",
             os.path.join(ROOT, "bench", "ibr", "search.lua"), {"IBR_REQUESTS": signed}),
        ]
        # Warm-up, through each instance directly: every estate into each PIP cache (one sweep),
        # and each route once for a second (token cache, PostgreSQL's buffers).
        warm = os.path.join(ROOT, "bench", "authz", "warm.lua")
        pip_env = self.routes[2][3]
        for i in range(c.instances):
            base = c.instance_url(i)
            wrk(base + "/api/v1/pip", warm, ESTATES // 10000 + 2, pip_env)
            for _, target, script, env in self.routes:
                wrk(base + target, script, 1, env)

    def throughput(self):
        c = self.cluster
        counts = range(1, c.instances + 1)
        # "direct": instance 0 without nginx, measured in the same rounds: what the proxy costs.
        points = ["direct", *counts]
        got = {(r[0], n): [] for r in self.routes for n in points}
        shares = {}
        for _ in range(ROUNDS):
            for label, target, script, env in self.routes:
                got[(label, "direct")].append(wrk(c.instance_url(0) + target, script, SLICE, env))
            for n in counts:
                c.front(n)
                before = [requests_served(c, i) for i in range(c.instances)]
                for label, target, script, env in self.routes:
                    got[(label, n)].append(wrk(c.url + target, script, SLICE, env))
                after = [requests_served(c, i) for i in range(c.instances)]
                shares.setdefault(n, [0] * c.instances)
                for i in range(c.instances):
                    shares[n][i] += after[i] - before[i]
        print(f"\nthroughput through nginx (1 worker, keepalive {CONNECTIONS}) in front of 1, 2 "
              f"and 3 instances, and of instance 0 without nginx (direct); wrk {CONNECTIONS} "
              f"connections on CPU 1; {ROUNDS} rounds of {SLICE} s per point, alternating; "
              "ratio: against 1 instance behind nginx in this run (= 1.00)")
        print(f"{'route':<34} {'instances':>9} {'req/s':>9} {'x 1 inst':>9} {'p50 ms':>7} "
              f"{'p99 ms':>7} {'non-2xx':>7} {'errors':>6}")

        def mean_rps(label, n):
            return sum(r["rps"] for r in got[(label, n)]) / len(got[(label, n)])
        for label, *_ in self.routes:
            base = mean_rps(label, 1)
            for n in points:
                runs = got[(label, n)]
                rps = mean_rps(label, n)
                ratio = f"{rps / base:.2f}" + (" (base)" if n == 1 else "")
                print(f"{label:<34} {n:>9} {rps:>9.0f} {ratio:>9} "
                      f"{sum(r['p50'] for r in runs) / len(runs):>7.2f} "
                      f"{max(r['p99'] for r in runs):>7.2f} {sum(r['non2xx'] for r in runs):>7} "
                      f"{sum(r['errors'] for r in runs):>6}")
        for n in counts:
            total = sum(shares[n]) or 1
            print(f"requests each instance served with {n} behind nginx: "
                  + ", ".join(f"{s / total:.0%}" for s in shares[n]))
        self.bad = sum(r["non2xx"] + r["errors"] for runs in got.values() for r in runs)

    def saturation(self):
        """Issuance and the PIP held at saturation for HOLD s each, all instances behind nginx."""
        c = self.cluster
        before = int(c.query("SELECT COUNT(*) FROM ids_issued WHERE id_type = 'uin'"))
        print(f"\nheld at saturation: nginx in front of {c.instances} instances, wrk {CONNECTIONS} "
              f"connections on CPU 1, {HOLD} s per route")
        print(f"{'route':<34} {'requests':>9} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'non-2xx':>7} {'errors':>6}")
        self.bad = 0
        for label, target, script, env in (self.routes[0], self.routes[2]):
            r = wrk(c.url + target, script, HOLD, env)
            print(f"{label:<34} {r['requests']:>9} {r['rps']:>9.0f} {r['p50']:>7.2f} "
                  f"{r['p99']:>7.2f} {r['non2xx']:>7} {r['errors']:>6}")
            self.bad += r["non2xx"] + r["errors"]
            if target == "/v1/ids/uin/issue":
                stored = int(c.query("SELECT COUNT(*) FROM ids_issued WHERE id_type = 'uin'"))
                # wrk counts the answers it read; requests in flight when it stopped were
                # committed too, so stored may exceed them by up to the connections.
                print(f"  UINs stored during the hold: {stored - before} (wrk counted "
                      f"{r['requests']} answers, {r['non2xx']} of them not 201)")
                if stored - before < r["requests"] - r["non2xx"]:
                    print("  FEWER UINs stored than 201 answers counted")
                    self.bad += 1
        failed = [i for i, p in enumerate(c.procs) if p.poll() is not None]
        check(not failed, f"instances {failed} exited during the hold")
        logged = [log_errors(c, i) for i in range(c.instances)]
        print(f"error lines in the instances' logs: {logged}")
        self.bad += sum(logged)

    def stop(self):
        failed = self.cluster.stop()
        check(not failed, f"instances {failed} did not stop cleanly")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "throughput"
    print(f"load average (1/5/15 min) before: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    with tempfile.TemporaryDirectory(prefix="registrar-bench-scale-") as work:
        bench = Bench(work)
        ok = False
        try:
            bench.start()
            bench.throughput() if mode == "throughput" else bench.saturation()
            ok = True
        finally:
            try:
                bench.stop()
            finally:
                if not ok:
                    print(bench.cluster.logs(), file=sys.stderr)
                shutil.rmtree(bench.cluster.dir, ignore_errors=True)
    print(f"load average (1/5/15 min) after: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    if mode == "saturation":
        print("non-2xx answers, socket errors and logged errors at saturation: "
              + ("none" if bench.bad == 0 else f"{bench.bad} (must be 0)"))
    sys.exit(1 if mode == "saturation" and bench.bad else 0)


if __name__ == "__main__":
    main()
