# A registration machine catching up through GET /v1/sync/pull: signs every page as docs/sync.md
# ("Machine signatures") says, with the independent client of tests/sync (cursor_client.py),
# and pulls pages of LIMIT from cursor 0 until `more` is false. Prints
# "pages items seconds head_cursor" and writes to AUTH_FILE the request target and the
# Authorization header of one more pull at the head (valid for the server's skew window), which
# the script replays with wrk for pull requests/s of an up-to-date machine.
#
# usage: pull_client.py BASE_URL SIGNING_KEY_PEM LIMIT AUTH_FILE
import os
import sys
import time

import requests
from cryptography.hazmat.primitives import serialization

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "sync"))
from cursor_client import authorization  # noqa: E402

base, key_file, limit, auth_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(key_file, "rb") as f:
    key = serialization.load_pem_private_key(f.read(), password=None)
session = requests.Session()
cursor, pages, items = "0", 0, 0
start = time.monotonic()
while True:
    target = f"/v1/sync/pull?cursor={cursor}&limit={limit}"
    r = session.get(base + target, headers={"Authorization": authorization(key, "GET", target, b"")},
                    timeout=60)
    if r.status_code != 200:
        sys.exit(f"pull: HTTP {r.status_code}: {r.text[:300]}")
    page = r.json()
    pages += 1
    items += len(page["changes"])
    cursor = page["cursor"]
    if not page["more"]:
        break
seconds = time.monotonic() - start
target = f"/v1/sync/pull?cursor={cursor}&limit={limit}"
with open(auth_file, "w") as f:
    f.write(target + "\n" + authorization(key, "GET", target, b"") + "\n")
print(pages, items, f"{seconds:.3f}", cursor)
