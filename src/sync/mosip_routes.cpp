#include "sync/mosip_routes.h"

#include <cstdlib>

#include "core/error.h"
#include "http/compression.h"
#include "mosip/envelope.h"
#include "sync/mosip_machine.h"
#include "sync/mosip_views.h"

namespace registrar::sync {
namespace {

using http::Request;
using http::Response;
using mosip::envelope;
using mosip::envelope_error;

constexpr int kPage = 1000;
constexpr size_t kMaxVerifyBody = 64 * 1024;

std::string string_field(const Json& data, const char* name) {
  auto it = data.find(name);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Every live row of `entity` in `scope` (active ones only when `active_only`), page by page.
std::vector<RowState> rows_in_scope(soci::session& s, const std::string& entity,
                                    const std::string& scope, bool active_only) {
  db::ListQuery q;
  q.entity = entity;
  q.scope = scope;
  if (active_only) q.active = true;
  q.limit = kPage;
  std::vector<RowState> out;
  db::for_each_row(s, q, [&out](const RowState& row) { out.push_back(row); });
  return out;
}

Response machine_not_found(const core::Clock& clock) {
  return envelope_error(clock, "KER-SNC-155", "Machine not found");
}

Response invalid_key(const core::Clock& clock) {
  return envelope_error(clock, "KER-SNC-165", "Invalid public key");
}

Response configs(SyncService& service, Request& r) {
  const core::Clock& clock = service.clock();
  auto m = machine_for(service, std::string(r.param("keyIndex")), true);
  if (!m) return machine_not_found(clock);
  std::vector<Json> rows;
  service.db().read([&](soci::session& s) {
    std::vector<std::string> scopes = {"", "m:" + m->id};
    if (!m->centre.empty()) scopes.push_back("c:" + m->centre);
    for (const auto& scope : scopes)
      for (const auto& row : rows_in_scope(s, "configurations", scope, true))
        rows.push_back(Json::parse(row.data));
  });
  auto global = encrypt_for(*m, "{}");  // MOSIP ≥ 1.2: every setting is the client's own
  auto registration = encrypt_for(*m, merge_configurations(rows).dump());
  if (!global || !registration) return invalid_key(clock);
  return envelope(
      clock, {{"lastSyncTime", mosip::response_time(clock)},
              {"configDetail",
               {{"globalConfiguration", *global}, {"registrationConfiguration", *registration}}}});
}

Response userdetails(SyncService& service, Request& r) {
  const core::Clock& clock = service.clock();
  auto key = r.query_param("keyindex");
  if (!key || key->empty())
    return envelope_error(clock, "KER-SNC-002", "keyindex: input parameter missing");
  auto m = machine_for(service, *key, false);
  if (!m) return machine_not_found(clock);
  if (m->centre.empty())
    return envelope_error(clock, "KER-SNC-141", "Registration Center not found for the machine");
  Json users = Json::array();
  service.db().read([&](soci::session& s) {
    for (const auto& row : rows_in_scope(s, "users", "c:" + m->centre, false))
      users.push_back(user_detail(Json::parse(row.data), row.active, row.deleted, m->lang));
  });
  auto data = encrypt_for(*m, users.dump());
  if (!data) return invalid_key(clock);
  return envelope(clock, {{"lastSyncTime", mosip::response_time(clock)}, {"userDetails", *data}});
}

std::optional<std::string> key_index_or_none(const std::string& key) {
  if (key.empty()) return std::nullopt;
  try {
    return key_index_of(key, "publicKey");
  } catch (const core::Error&) {
    return std::nullopt;  // a key nobody could have registered
  }
}

// POST /tpm/publickey/verify: the key's index is computed first and looked up (one indexed
// read); the machine is scanned for by name only to tell "not whitelisted" from "not found".
Response verify(SyncService& service, Request& r) {
  const core::Clock& clock = service.clock();
  Json body;
  if (auto error = mosip::parse_body(r.body, body))
    return envelope_error(clock, "KER-SNC-999", "Invalid request: " + *error);
  Json id = body.is_object() ? body.value("id", Json(nullptr)) : Json(nullptr);
  Json version = body.is_object() ? body.value("version", Json(nullptr)) : Json(nullptr);
  const Json* req = body.is_object() && body.contains("request") ? &body["request"] : nullptr;
  if (!req || !req->is_object())
    return envelope_error(clock, "KER-SNC-999", "Invalid request: request is required", id,
                          version);
  std::string name = string_field(*req, "machineName");
  std::string key = string_field(*req, "publicKey");
  std::string sign_key = string_field(*req, "signPublicKey");
  if (name.empty() || key.empty())
    return envelope_error(clock, "KER-SNC-999",
                          "Invalid request: machineName and publicKey are required", id, version);
  if (auto index = key_index_or_none(key)) {
    auto m = live(service.machine_by_key_index(*index));
    // The encryption key of the machine of that name (not its signing key), and its signing key
    // when the client sends one.
    if (m && string_field(m->machine, "name") == name &&
        string_field(m->machine, "keyIndex") == *index &&
        (sign_key.empty() ||
         key_index_or_none(sign_key) == string_field(m->machine, "signKeyIndex")))
      return envelope(clock, {{"keyIndex", *index}}, id, version);
  }
  if (!machine_id_by_name(service, name)) return machine_not_found(clock);
  return envelope_error(clock, "KER-SNC-164", "Machine public key is not whitelisted", id, version);
}

Response tpm_public_key(SyncService& service, Request& r) {
  const core::Clock& clock = service.clock();
  auto m = live(service.machine_by_id(std::string(r.param("machineId"))));
  if (!m) return machine_not_found(clock);
  auto or_null = [&](const char* field) {
    std::string v = string_field(m->machine, field);
    return v.empty() ? Json(nullptr) : Json(v);
  };
  return envelope(clock, {{"signingPublicKey", or_null("signPublicKey")},
                          {"encryptionPublicKey", or_null("publicKey")}});
}

// The published schema as MOSIP's IdSchemaResponseDto.
Json schema_json(const RowState& row) {
  Json data = Json::parse(row.data);
  std::string version = string_field(data, "idVersion");
  auto time = [](std::optional<int64_t> us) -> Json {
    if (!us) return nullptr;
    return core::format_rfc3339(core::from_unix_us(*us), true);
  };
  return {{"id", row.id},
          {"idVersion", std::strtod(version.c_str(), nullptr)},
          {"title", data.value("title", Json(nullptr))},
          {"description", data.value("description", Json(nullptr))},
          {"schema", data.value("schema", Json::array())},
          {"schemaJson", data.value("schemaJson", Json(nullptr))},
          {"effectiveFrom", data.value("effectiveFrom", Json(nullptr))},
          {"createdBy", row.created_by},
          {"createdOn", time(row.created_us)},
          {"updatedBy", row.updated_by ? Json(*row.updated_by) : Json(nullptr)},
          {"updatedOn", time(row.updated_us)}};
}

Response latest_id_schema(SyncService& service, Request& r) {
  const core::Clock& clock = service.clock();
  std::string wanted = r.query_param("schemaVersion").value_or("0");
  if (wanted.empty()) wanted = "0";
  if (!is_id_version(wanted))
    return envelope_error(clock, "KER-SNC-999", "Invalid request: schemaVersion is not a number");
  auto rows =
      service.db().read([&](soci::session& s) { return rows_in_scope(s, "id_schemas", "", true); });
  std::vector<SchemaCandidate> candidates;
  for (size_t i = 0; i < rows.size(); ++i) candidates.push_back({Json::parse(rows[i].data), i});
  auto pick = pick_id_schema(candidates, wanted, r.query_param("domain").value_or(""),
                             r.query_param("type").value_or(""));
  if (!pick) return envelope_error(clock, "KER-SNC-166", "Identity schema not found");
  return envelope(clock, schema_json(rows[*pick]));
}

// The large answers (encrypted lists, schemas) go gzipped to clients that accept it.
Response compressed(Request& r, Response response) {
  http::compress_if_accepted(r, response);
  return response;
}

}  // namespace

void add_mosip_routes(http::Router& router, SyncService& service, const std::string& scope,
                      SnapshotOptions snapshots) {
  add_snapshot_route(router, service, scope, std::move(snapshots));
  router
      .get("/v1/syncdata/configs/{keyIndex}",
           [&service](Request& r) { return compressed(r, configs(service, r)); })
      .require_scopes({scope})
      .describe("MOSIP: the machine's configuration (global < centre < machine), encrypted");
  for (const char* path : {"/v1/syncdata/userdetails", "/v1/syncdata/v2/userdetails"})
    router.get(path, [&service](Request& r) { return compressed(r, userdetails(service, r)); })
        .require_scopes({scope})
        .describe("MOSIP: the users of the machine's centre (keyindex), encrypted");
  router
      .post("/v1/syncdata/tpm/publickey/verify",
            [&service](Request& r) { return verify(service, r); })
      .require_scopes({scope})
      .max_body(kMaxVerifyBody)
      .describe("MOSIP: the key index of a machine's registered public key");
  router
      .get("/v1/syncdata/tpm/publickey/{machineId}",
           [&service](Request& r) { return tpm_public_key(service, r); })
      .require_scopes({scope})
      .describe("MOSIP: a machine's signing and encryption public keys");
  router
      .get("/v1/syncdata/latestidschema",
           [&service](Request& r) { return compressed(r, latest_id_schema(service, r)); })
      .require_scopes({scope})
      .describe("MOSIP: the latest published identity schema (or schemaVersion)");
}

}  // namespace registrar::sync
