"""Scale-out on PostgreSQL: three `registrar serve` processes on one fresh database, Debian's nginx
in front of them on loopback (its own configuration in a temporary directory, started and
stopped here). Checks that
  - IDs issued through nginx and through each instance directly are all unique, and each one is
    found at once through another instance (acknowledged means committed);
  - nginx spread the requests over all three instances;
  - an authz write through one instance reaches the PIP caches of the other two, which were
    primed with the old state beforehand, within the documented bound (about one
    authz.change_poll_ms; the poll below waits up to 100 intervals and reports the time taken);
  - an IBR enrollment through one instance is found by searches through the others (each
    answers from its own index, following the change feed) within ibr.index.poll_ms;
  - callbacks of async IBR searches, claimed by the three instances' outbox jobs, each reach the
    receiver exactly once;
  - a sync push by a machine through one instance is pulled through all three, and the same
    change pushed again through another instance is a replay;
  - a rolling restart under load loses no acknowledged request.
The cluster, its database and nginx: cluster.py.
    REGISTRAR_TEST_BINARY=build-asan/src/registrar python3 tests/reliability/scale_out.py
"""
import base64
import concurrent.futures
import json
import os
import secrets
import shutil
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# The IBR's DCI peer (signing) and messages, as the interop tests make them.
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from dci_peer import Peer  # noqa: E402
from ibr_conformance import enrollment_update, search_message  # noqa: E402
# The sync cursor API's machine signatures, as the sync tests' independent client makes them.
sys.path.insert(0, os.path.join(HERE, "..", "sync"))
from cursor_client import authorization  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa  # noqa: E402

from cluster import INSTANCES, Cluster, Load, Receiver, check, request, wait_for  # noqa: E402

POLL_MS = 100  # authz.change_poll_ms, set explicitly below
IBR_POLL_MS = 200  # ibr.index.poll_ms
EVENT_SECRET = secrets.token_hex(16)
ESTATE, HEIR_A, HEIR_B, RECIPIENT = "11111111111", "22222222211", "33333333311", "44444444411"
PROBATE = "urn:domstolene:digitaltdodsbo:skifteattest"
INDIVIDUAL = "urn:altinn:digitaltdodsbo:skiftefullmakt:individuell"


def token(cluster, client, secret):
    status, _, body = request("POST", cluster.url + "/oauth2/token",
                              b"grant_type=client_credentials",
                              {"Content-Type": "application/x-www-form-urlencoded",
                               "Authorization": "Basic " + base64.b64encode(
                                   f"{client}:{secret}".encode()).decode()})
    check(status == 200, f"token: {status} {body}")
    return json.loads(body)["access_token"]


def test_ids_unique(cluster, bearer):
    auth = {"Authorization": "Bearer " + bearer}

    def issue(base):
        status, headers, body = request("POST", base + "/v1/ids/uin/issue", {"count": 5}, auth)
        check(status == 201, f"issue through {base}: {status} {body}")
        return headers.get("X-Upstream", base), json.loads(body)["ids"]

    # 60 requests through nginx from 6 threads, and 10 straight to each instance.
    targets = [cluster.url] * 60 + [cluster.instance_url(i) for i in range(INSTANCES)] * 10
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        results = list(pool.map(issue, targets))
    ids = [i for _, batch in results for i in batch]
    check(len(ids) == 5 * len(targets), f"{len(ids)} IDs for {len(targets)} requests of 5")
    check(len(set(ids)) == len(ids), f"{len(ids) - len(set(ids))} duplicate IDs")
    upstreams = {u for u, _ in results[:60]}
    expected = {f"127.0.0.1:{p}" for p in cluster.ports}
    check(upstreams == expected, f"nginx used {sorted(upstreams)}, not all of {sorted(expected)}")
    # Acknowledged means committed: each ID is found at once through another instance.
    for n, (source, batch) in enumerate(results[60:]):
        other = cluster.instance_url((n + 1) % INSTANCES)
        status, _, body = request("GET", f"{other}/v1/ids/uin/{batch[0]}", None, auth)
        check(status == 200, f"ID {batch[0]} issued through {source}, through {other}: {status}")
    print(f"ids: {len(ids)} UINs through nginx and each instance, all unique; "
          f"nginx spread them over {len(upstreams)} instances")


def court_event():
    heir = lambda nin: {"type": "Person", "nin": nin, "role": PROBATE,  # noqa: E731
                        "relation": "urn:digitaltdodsbo:arving:barn",
                        "probateCertificateRecipient": False, "signedDate": None}
    data = {"time": "2025-08-01T17:59:00+00:00",
            "caseId": "3f1c2d1e-0000-4000-8000-00000000de31", "caseNumber": "scale-1",
            "caseStatus": "MOTTATT", "districtCourtName": "Oslo tingrett",
            "probateDeadline": "2025-10-01T00:00:00+00:00",
            "heirRolesV2": [heir(HEIR_A), heir(HEIR_B)]}
    return {"id": "evt-scale-1", "specversion": "1.0",
            "source": "https://platform.tt02.altinn.no/dd",
            "type": "no.altinn.events.digitalt-dodsbo.v1.case-status-update-validated",
            "subject": "/person/" + ESTATE, "resource": "urn:altinn:resource:dd",
            "time": "2025-08-01T18:00:00+00:00", "data": json.dumps(data)}


def pip_rows(base, bearer):
    status, _, body = request("POST", base + "/api/v1/pip", {"from": ESTATE},
                              {"Authorization": "Bearer " + bearer})
    check(status == 200, f"PIP through {base}: {status} {body}")
    return {(r["to"], r["urn:digitaltdodsbo:rolecode"]) for r in json.loads(body)["roleAssignments"]}


def test_authz_visible(cluster, bearer):
    status, _, body = request("POST", cluster.url + "/api/v1/eventhandler?auth=" + EVENT_SECRET,
                              court_event())
    check(status == 200, f"court event: {status} {body}")
    # Prime every instance's PIP cache with the estate as it is before the proxy.
    for i in range(INSTANCES):
        rows = pip_rows(cluster.instance_url(i), bearer)
        check((HEIR_A, PROBATE) in rows and (HEIR_B, PROBATE) in rows,
              f"instance {i} lacks the court's roles: {rows}")
        check((RECIPIENT, INDIVIDUAL) not in rows, f"instance {i} has the proxy already")
    add = {"add": {"estateSsn": ESTATE, "heirSsn": HEIR_A, "recipientSsn": RECIPIENT,
                   "urn:digitaltdodsbo:rolecode": INDIVIDUAL,
                   "created": "2025-08-02T10:00:00+00:00"}}
    status, _, body = request("POST", cluster.instance_url(0) + "/api/v1/authorization/proxies/add",
                              add, {"Authorization": "Bearer " + bearer})
    check(status in (200, 201, 204), f"proxies/add through instance 0: {status} {body}")
    started = time.monotonic()
    check((RECIPIENT, INDIVIDUAL) in pip_rows(cluster.instance_url(0), bearer),
          "the instance that wrote does not see its write at once")
    seen_after = {}
    for i in range(1, INSTANCES):
        wait_for(f"the proxy on instance {i}",
                 lambda: (RECIPIENT, INDIVIDUAL) in pip_rows(cluster.instance_url(i), bearer),
                 attempts=100, pause=POLL_MS / 1000)
        seen_after[i] = time.monotonic() - started
    print("authz: a proxy added through instance 0 reached the PIP of "
          + ", ".join(f"instance {i} after {t * 1000:.0f} ms" for i, t in seen_after.items())
          + f" (change_poll_ms = {POLL_MS})")


def ibr_records(base, peer, nid):
    """The records a signed sync search through `base` finds for NID `nid`."""
    env = peer.envelope(peer.header("search", str(uuid.uuid4())), search_message("NID", nid))
    status, _, body = request("POST", base + "/registry/sync/search", env)
    check(status == 200, f"IBR search through {base}: {status} {body}")
    item = json.loads(body)["message"]["search_response"][0]
    return item.get("data", {}).get("reg_records") or []


def test_ibr_visible(cluster, peer):
    """An enrollment through instance 0 is found by searches through the other two (answered
    from each instance's in-memory index, which follows the change feed) within
    ibr.index.poll_ms."""
    nid = "0205202461"
    for i in range(INSTANCES):
        check(ibr_records(cluster.instance_url(i), peer, nid) == [],
              f"instance {i} finds {nid} before it was enrolled")
    header, message = enrollment_update(peer, nid)
    status, _, body = request("POST", cluster.instance_url(0) + "/registry/sync/enrollment/updates",
                              peer.envelope(header, message))
    check(status == 200, f"enrollment through instance 0: {status} {body}")
    [item] = json.loads(body)["message"]["enrolled_response"]
    check(item["status"] == "succ", f"enrollment through instance 0: {item}")
    started = time.monotonic()
    seen_after = {}
    for i in range(INSTANCES):
        wait_for(f"{nid} on instance {i}",
                 lambda: len(ibr_records(cluster.instance_url(i), peer, nid)) == 1,
                 attempts=100, pause=IBR_POLL_MS / 1000)
        seen_after[i] = time.monotonic() - started
    print("ibr: an enrollment through instance 0 was found through "
          + ", ".join(f"instance {i} after {t * 1000:.0f} ms" for i, t in seen_after.items())
          + f" (ibr.index.poll_ms = {IBR_POLL_MS})")


def sync_setup(cluster):
    """The example master data and a machine of centre 10001 (holiday location KTA) with an
    Ed25519 signing key; returns that key."""
    examples = os.path.join(HERE, "..", "..", "examples", "sync")
    with open(os.path.join(examples, "ORDER")) as f:
        for name in f.read().split():
            cluster.cli("sync", "import", name.rsplit(".", 1)[0], os.path.join(examples, name))
    sign_key = ed25519.Ed25519PrivateKey.generate()
    files = {"enc.pem": rsa.generate_private_key(65537, 2048).public_key(),
             "sign.pem": sign_key.public_key()}
    for name, key in files.items():
        with open(os.path.join(cluster.dir, name), "wb") as f:
            f.write(key.public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    cluster.cli("sync", "machines", "add", "scale-laptop", "--centre", "10001",
                "--public-key-file", os.path.join(cluster.dir, "enc.pem"),
                "--sign-public-key-file", os.path.join(cluster.dir, "sign.pem"))
    return sign_key


def machine_call(base, key, method, target, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    headers = {"Authorization": authorization(key, method, target, data)}
    if body is not None:
        headers["Content-Type"] = "application/json"
    status, _, text = request(method, base + target, data if body is not None else None, headers)
    check(status == 200, f"{method} {target} through {base}: {status} {text}")
    return json.loads(text)


def pull_to_head(base, key, cursor="0"):
    """Pulls through `base` until caught up: (cursor, changes seen)."""
    changes = []
    while True:
        page = machine_call(base, key, "GET", f"/v1/sync/pull?cursor={cursor}&limit=500")
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return cursor, changes


def test_sync_visible(cluster, key):
    """A machine's push through instance 0 comes back through pull on the others (read from the
    shared database: at once), and the same change id pushed again through another instance is
    a replay, not a second change."""
    heads = [pull_to_head(cluster.instance_url(i), key)[0] for i in range(INSTANCES)]
    change = {"changeId": str(uuid.uuid4()), "entity": "holidays", "op": "upsert",
              "baseVersion": 0,
              "row": {"holidayId": "scale1", "holidayDate": "2027-06-01",
                      "holidayName": "Scale-out day", "locationCode": "KTA", "langCode": "eng"}}
    [result] = machine_call(cluster.instance_url(0), key, "POST", "/v1/sync/push",
                            {"changes": [change]})["results"]
    check(result["status"] == "applied", f"push through instance 0: {result}")
    for i in range(INSTANCES):
        _, changes = pull_to_head(cluster.instance_url(i), key, heads[i])
        seen = [c for c in changes if c["entity"] == "holidays" and c["seq"] == result["seq"]]
        check(len(seen) == 1, f"instance {i} pulled {changes} after the push, not seq {result['seq']}")
    [again] = machine_call(cluster.instance_url(2), key, "POST", "/v1/sync/push",
                           {"changes": [change]})["results"]
    check(again.get("replayed") is True and again["seq"] == result["seq"],
          f"the same change through instance 2: {again}")
    print(f"sync: a push through instance 0 (seq {result['seq']}) was pulled through all three; "
          "pushed again through instance 2 it was a replay")


def test_outbox_once(cluster, peer, receiver):
    """Async searches through nginx: each instance's outbox job claims the callbacks due (a
    lease in the shared database); every callback reaches the receiver, each exactly once."""
    correlation_ids = []
    for n in range(30):
        header = peer.header("search", str(uuid.uuid4()))
        status, _, body = request("POST", cluster.url + "/registry/search",
                                  peer.envelope(header, search_message("NID", "0205202461")))
        check(status == 202, f"async search {n}: {status} {body}")
        correlation_ids.append(json.loads(body)["message"]["correlation_id"])
    check(len(set(correlation_ids)) == len(correlation_ids), "correlation ids repeat")
    wait_for("every callback", lambda: set(receiver.correlation_ids()) >= set(correlation_ids),
             attempts=600)
    # Once every row is delivered no instance claims it again: the receiver's count is final.
    ids = ",".join("'" + c.replace("'", "''") + "'" for c in correlation_ids)
    wait_for("the outbox rows marked delivered", lambda: cluster.query(
        f"SELECT COUNT(*) FROM ibr_outbox WHERE correlation_id IN ({ids}) "
        "AND NOT (state = 'delivered' AND attempts = 1)") == "0")
    got = receiver.correlation_ids()
    twice = {c for c in correlation_ids if got.count(c) > 1}
    check(not twice, f"{len(twice)} callbacks delivered more than once")
    print(f"outbox: {len(correlation_ids)} async searches through nginx, each callback received "
          "once")
    return len(correlation_ids)


def check_deliveries_logged(cluster, callbacks):
    """After the instances stopped (their logs flushed): which instance delivered what."""
    per_instance = [cluster.log_events(i, "ibr_outbox_delivered") for i in range(INSTANCES)]
    check(sum(per_instance) == callbacks,
          f"the instances logged {per_instance} deliveries for {callbacks} callbacks")
    print(f"outbox: the {callbacks} callbacks were delivered by the instances {per_instance}")


def test_rolling_restart(cluster, bearer):
    """Each instance stopped (SIGTERM: it drains) and started again in turn, under load through
    nginx: every ID acknowledged is unique and found afterwards, and the other two instances
    answered while each one was down. Requests may fail (a 502 when nginx had sent a POST on a
    keepalive connection the draining instance closed: nginx does not resend a POST); none of
    those was acknowledged, and their count is printed."""
    load = Load(cluster, bearer)
    load.start()
    try:
        wait_for("load before the restarts", lambda: load.count() >= 20, attempts=600)
        for i in range(INSTANCES):
            def served_while_down():
                base = load.count()
                wait_for(f"answers while instance {i} is down",
                         lambda: load.count() >= base + 10, attempts=600)
            address = f"127.0.0.1:{cluster.ports[i]}"
            before = load.count(address)
            cluster.restart(i, served_while_down)
            # As an operator would: the next instance goes only once nginx sends to this one
            # again (it stays out for the upstream's fail_timeout after a refused connection).
            wait_for(f"nginx sending to instance {i} again",
                     lambda: load.count(address) >= before + 10, attempts=600)
    finally:
        load.stop()
    ids = load.acknowledged
    check(len(set(ids)) == len(ids), f"{len(ids) - len(set(ids))} duplicate IDs")
    auth = {"Authorization": "Bearer " + bearer}
    # Every acknowledged ID is in the shared database (one query: thousands of IDs), and a
    # sample is served through each instance.
    check(all(i.isdigit() for i in ids), "a UIN that is not digits")
    stored = cluster.query("SELECT COUNT(*) FROM ids_issued WHERE id_type = 'uin' AND id IN ("
                           + ",".join(f"'{i}'" for i in ids) + ")")
    check(int(stored) == len(ids), f"{len(ids) - int(stored)} acknowledged IDs not stored")
    for n, id_ in enumerate(ids[::max(1, len(ids) // 30)]):
        status = request("GET", f"{cluster.instance_url(n % INSTANCES)}/v1/ids/uin/{id_}",
                         None, auth)[0]
        check(status == 200, f"acknowledged ID {id_} through instance {n % INSTANCES}: {status}")
    # All three serve again.
    upstreams = set()
    for _ in range(30):
        status, headers, _ = request("POST", cluster.url + "/v1/ids/uin/issue", {"count": 1}, auth)
        check(status == 201, f"issue after the restarts: {status}")
        upstreams.add(headers.get("X-Upstream"))
    check(len(upstreams) == INSTANCES, f"after the restarts nginx reached only {sorted(upstreams)}")
    print(f"rolling restart: {load.successes} requests acknowledged ({len(ids)} UINs, all unique "
          f"and found afterwards), refused or failed: {load.failures or 'none'}")
    if load.failures:
        # Why nginx failed them (refused connections it retried elsewhere are expected).
        for line in cluster.nginx_errors():
            if "Connection refused" not in line and "temporarily disabled" not in line:
                print("  nginx: " + line)


def main():
    cluster = Cluster(f"""[authz]
event_secret = "{EVENT_SECRET}"
change_poll_ms = {POLL_MS}
[ibr]
index.poll_ms = {IBR_POLL_MS}""")
    receiver = Receiver()
    ok = False
    try:
        peer = Peer("scale-out-peer", "k1")
        # Trusted before the instances start (they reload senders every ibr.senders_reload_ms),
        # with its callback URL: async answers go there.
        machine_key = []

        def before_instances():
            cluster.cli("ibr", "senders", "add", peer.sender_id, "--name", "scale-out test",
                        "--public-key", peer.public_key_b64(), "--callback-url", receiver.url)
            machine_key.append(sync_setup(cluster))
        cluster.start(before_instances)
        secret_file = os.path.join(cluster.dir, "client.secret")
        cluster.cli("clients", "add", "scale", "--scope", "ids:issue", "--scope",
                    "altinn:dd:internal", "--secret-file", secret_file)
        bearer = token(cluster, "scale", open(secret_file).read().strip())
        test_ids_unique(cluster, bearer)
        test_authz_visible(cluster, bearer)
        test_ibr_visible(cluster, peer)
        callbacks = test_outbox_once(cluster, peer, receiver)
        test_sync_visible(cluster, machine_key[0])
        test_rolling_restart(cluster, bearer)
        ok = True
    finally:
        try:
            failed = cluster.stop()
            if not ok or failed:
                print(cluster.logs(), file=sys.stderr)
            if ok:
                check_deliveries_logged(cluster, callbacks)
        finally:
            receiver.stop()
            shutil.rmtree(cluster.dir, ignore_errors=True)
    check(not failed, f"instances {failed} did not stop cleanly")
    print("scale-out: ok")


if __name__ == "__main__":
    main()
