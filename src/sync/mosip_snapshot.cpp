#include "sync/mosip_snapshot.h"

#include "core/base64.h"
#include "core/error.h"
#include "crypto/signature.h"
#include "http/compression.h"
#include "mosip/envelope.h"
#include "sync/machine_crypto.h"
#include "sync/mosip_machine.h"

namespace registrar::sync {
namespace {

using http::Request;
using http::Response;
using mosip::envelope_error;

constexpr int kPage = 1000;

// Every row of `entity` in the machine's scopes, deleted ones too, as clients read them.
Json snapshot_rows(SyncService& service, const Entity& entity, const MachineContext& m) {
  Json rows = Json::array();
  service.db().read([&](soci::session& s) {
    for (const auto& scope : m.scopes) {
      db::ListQuery q;
      q.entity = entity.name;
      q.scope = scope;
      q.include_deleted = true;
      q.limit = kPage;
      db::for_each_row(
          s, q, [&rows](const RowState& row) { rows.push_back(SyncService::render(row, false)); });
    }
  });
  return rows;
}

Response snapshot(SyncService& service, const SnapshotOptions& options, Request& r) {
  const core::Clock& clock = service.clock();
  auto m = machine_for(service, r.query_param("keyindex").value_or(""), true);
  if (!m) return envelope_error(clock, "KER-SNC-155", "Machine not found");
  const Entity* entity = find_entity_by_mosip_name(r.param("entityIdentifier"));
  // Dynamic fields are grouped per field name by clientsettings; they have no file.
  if (!entity || entity->dynamic)
    return envelope_error(clock, "KER-SNC-170", "Entity file not found");
  std::string body = snapshot_rows(service, *entity, *m).dump();
  if (options.encrypt) {
    auto sealed = encrypt_for(*m, body);
    if (!sealed) return envelope_error(clock, "KER-SNC-165", "Invalid public key");
    body = std::move(*sealed);
  }
  Response resp = Response::text(200, std::move(body), "application/octet-stream");
  resp.headers.set("Content-Disposition",
                   "attachment; filename=\"" + entity->mosip_name + ".json\"");
  if (options.signing)
    resp.headers.set("file-signature", detached_jws(*options.signing, options.kid, resp.body));
  http::compress_if_accepted(r, resp);
  return resp;
}

}  // namespace

std::string detached_jws(services::Signing& signing, const std::string& kid,
                         std::string_view content) {
  Json header = {{"alg", std::string(crypto::alg_name(signing.algorithm(kid)))}, {"kid", kid}};
  std::string header_b64 = core::base64url_encode(header.dump());
  std::string signature = signing.sign(kid, header_b64 + "." + core::base64url_encode(content));
  return header_b64 + ".." + core::base64url_encode(signature);
}

void add_snapshot_route(http::Router& router, SyncService& service, const std::string& scope,
                        SnapshotOptions options) {
  router
      .get("/v1/syncdata/clientsettings/{entityIdentifier}",
           [&service, options](Request& r) { return snapshot(service, options, r); })
      .require_scopes({scope})
      .describe("MOSIP: one entity's full data for the machine as a signed (encrypted) file");
}

}  // namespace registrar::sync
