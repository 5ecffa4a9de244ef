#!/usr/bin/env bash
# Seeds a little data in every module of a running demo server (scripts/demo.sh runs it once),
# so that each console page has something to show:
#   demo-seed.sh REGISTRAR_BINARY CONFIG URL
# Through the CLI (on the server's database) and the API (the court events come through the
# authz event handler, as a court's would). Generated keys stay in var/demo/.
set -euo pipefail
registrar=$1 config=$2 url=$3
r() { "$registrar" --config "$config" "$@"; }

# Identifiers: a few UINs and VIDs issued.
r ids issue uin --count 3 >/dev/null
r ids issue vid --count 2 >/dev/null

# Roles and proxies: a court's case event for estate 11111111111 naming two heirs with the probate
# certificate and one with the asset power of attorney (the default vocabulary's codes).
secret=$(sed -n 's/^event_secret = "\(.*\)"/\1/p' "$config")
probate=urn:domstolene:digitaltdodsbo:skifteattest
asset=urn:domstolene:digitaltdodsbo:formuesfullmakt
heir() { printf '{"type":"Person","nin":"%s","role":"%s","relation":"urn:digitaltdodsbo:arving:barn","probateCertificateRecipient":false,"signedDate":null}' "$1" "$2"; }
data=$(printf '{"time":"2025-08-01T17:59:00+00:00","caseId":"3f1c2d1e-0000-4000-8000-00000000de30","caseNumber":"demo-1","caseStatus":"MOTTATT","districtCourtName":"Oslo tingrett","probateDeadline":"2025-10-01T00:00:00+00:00","heirRolesV2":[%s,%s,%s]}' \
  "$(heir 22222222211 $probate)" "$(heir 33333333311 $probate)" "$(heir 55555555511 $asset)")
event=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps({"id":"evt-demo-1","specversion":"1.0","source":"https://platform.tt02.altinn.no/dd","type":"no.altinn.events.digitalt-dodsbo.v1.case-status-update-validated","subject":"/person/11111111111","resource":"urn:altinn:resource:dd","time":"2025-08-01T18:00:00+00:00","data":sys.argv[1]}))' "$data")
curl -sf -o /dev/null -H 'Content-Type: application/json' --data "$event" \
  "$url/api/v1/eventhandler?auth=$secret"

# IBR: 25 synthetic people (a few duplicates among them) reported by a demo programme.
r ibr seed --count 25 --duplicates 0.2 --seed 19 --sender demo-programme >/dev/null

# Duplication checks: a data source pointing at this same server's IBR.
r dci sources add demo_ibr --name "This server's IBR" --base-url "$url" --auth none \
  --sender-id demo-client --callback-uri "$url/dci_api/v1/ibr/on-search" --state active >/dev/null

# Intercoop: a peer (its key generated here), a service its members may start, and a member.
openssl genrsa -out var/demo/peer-private.pem 2048 2>/dev/null
openssl rsa -in var/demo/peer-private.pem -pubout -out var/demo/peer-public.pem 2>/dev/null
r intercoop peers add democoop --name "Demo cooperative" --public-key-file var/demo/peer-public.pem \
  --target-url "http://127.0.0.1:9/intercoop" >/dev/null
r intercoop services add contract --field nif --field name \
  --description "Contratar un servicio" --description "en=Sign a contract" >/dev/null
printf 'member,lang,nif,name\nm1,en,12345678Z,"Doe, Jane"\n' > var/demo/members.csv
r intercoop members import var/demo/members.csv >/dev/null
# Sync: the demo machine asks for its MOSIP clientsettings once (with its key index), so the sync
# page shows a last sync (kept in the server's memory: a restart forgets it).
token=$(curl -sf -u "demo:$(cat var/demo/demo-client.secret)" -d grant_type=client_credentials \
  "$url/oauth2/token" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
key_index=$(r sync machines list | sed -n 's/.*demo-laptop .*keyIndex=\([0-9a-f:]*\).*/\1/p')
curl -sf -o /dev/null -H "Authorization: Bearer $token" \
  "$url/v1/syncdata/clientsettings?keyindex=$key_index"
echo "demo data seeded: IDs, an estate (11111111111), 25 IBR people, a DCI source, an intercoop peer, service and member"
