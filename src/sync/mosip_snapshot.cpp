#include "sync/mosip_snapshot.h"

#include <openssl/sha.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/base64.h"
#include "core/error.h"
#include "crypto/signature.h"
#include "http/compression.h"
#include "mosip/envelope.h"
#include "sync/machine_crypto.h"
#include "sync/mosip_machine.h"
#include "sync/mosip_selection.h"
#include "sync/mosip_url_entries.h"

namespace registrar::sync {
namespace {

using http::Request;
using http::Response;
using mosip::envelope_error;

constexpr int kPage = 1000;
constexpr size_t kDefaultCacheBytes = 64 * 1024 * 1024;

std::string sha256(std::string_view bytes) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

// Every row of `entity` in `scopes`, deleted ones too, in key order per scope.
void for_each_file_row(SyncService& service, const Entity& entity,
                       const std::vector<std::string>& scopes,
                       const std::function<void(const RowState&)>& fn) {
  service.db().read([&](soci::session& s) {
    for (const auto& scope : scopes) {
      db::ListQuery q;
      q.entity = entity.name;
      q.scope = scope;
      q.include_deleted = true;
      q.limit = kPage;
      db::for_each_row(s, q, fn);
    }
  });
}

// The file of a structured entity: its DTOs, as clients read them.
std::string entity_file(SyncService& service, const Entity& entity,
                        const std::vector<std::string>& scopes) {
  Json rows = Json::array();
  for_each_file_row(service, entity, scopes, [&rows](const RowState& row) {
    rows.push_back(SyncService::render(row, false));
  });
  return rows.dump();
}

// The file of every dynamic field: one {entityName: <field name>, entityType: "dynamic", data:
// <the field's DTOs as JSON text>} per field name, in name order (MOSIP's client saves each
// entry's data as it saves a "dynamic" clientsettings entry, in clear).
std::string dynamic_file(SyncService& service, const Entity& entity,
                         const std::vector<std::string>& scopes) {
  std::map<std::string, Json> fields;
  for_each_file_row(service, entity, scopes, [&fields](const RowState& row) {
    Json dto = SyncService::render(row, false);
    std::string name = dto.value("name", std::string());
    auto [it, fresh] = fields.try_emplace(name, Json::array());
    it->second.push_back(std::move(dto));
  });
  Json out = Json::array();
  for (auto& [name, list] : fields)
    out.push_back({{"entityName", name}, {"entityType", "dynamic"}, {"data", list.dump()}});
  return out.dump();
}

EntityFile signed_file(const SnapshotOptions& options, std::string plain) {
  EntityFile file{std::move(plain), {}};
  if (options.signing)
    file.signature = detached_jws(*options.signing, options.kid, file_hash_claim(file.plain));
  return file;
}

Response file_response(Request& r, const EntityFile& file, std::string body,
                       const std::string& content_type, const std::string& filename) {
  Response resp = Response::text(200, std::move(body), content_type);
  resp.headers.set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  if (!file.signature.empty()) resp.headers.set("file-signature", file.signature);
  http::compress_if_accepted(r, resp);
  return resp;
}

Response snapshot(SyncService& service, const SnapshotOptions& options, Request& r) {
  const core::Clock& clock = service.clock();
  auto m = machine_for(service, r.query_param("keyindex").value_or(""), true);
  if (!m) return envelope_error(clock, "KER-SNC-155", "Machine not found");
  // Dynamic fields have one file for all of them (DynamicFieldDto), not one per entity name.
  auto name = canonical_file_name(r.param("entityIdentifier"));
  if (!name) return envelope_error(clock, "KER-SNC-170", "Entity file not found");
  const bool dynamic = *name == kDynamicFileName;
  const Entity& entity =
      dynamic ? *find_entity("dynamic_fields") : *find_entity_by_mosip_name(*name);
  const std::vector<std::string> scopes = entity_scopes(entity, *m);

  // Read before the rows: a file is at least as new as its key (a change committed in between
  // is in it already, and the next request, seeing the new head, builds again).
  const int64_t head = service.db().read([](soci::session& s) { return db::head_seq(s); });
  std::string key = *name;
  for (const auto& scope : scopes) key += '\n' + scope;
  key += '\n' + std::to_string(head);
  auto file = options.cache->get(key, [&] {
    return signed_file(options, dynamic ? dynamic_file(service, entity, scopes)
                                        : entity_file(service, entity, scopes));
  });

  std::string body = file->plain;
  if (options.encrypt) {
    auto sealed = encrypt_for(*m, file->plain);
    if (!sealed) return envelope_error(clock, "KER-SNC-165", "Invalid public key");
    body = std::move(*sealed);
  }
  return file_response(r, *file, std::move(body), "application/octet-stream", *name + ".json");
}

std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A configured script's text from the scripts directory, in clear (script_url_detail).
Response script(SyncService& service, const SnapshotOptions& options, Request& r) {
  const core::Clock& clock = service.clock();
  auto key = r.query_param("keyindex");
  if (!key || key->empty())
    return envelope_error(clock, "KER-SNC-002", "keyindex: input parameter missing");
  if (!machine_for(service, *key, false))
    return envelope_error(clock, "KER-SNC-155", "Machine not found");
  const std::string name(r.param("scriptName"));
  std::optional<std::string> text;
  // Only listed names, which are plain file names: nothing outside the directory is read.
  if (valid_script_name(name) && !options.scripts_dir.empty() &&
      std::find(options.scripts.begin(), options.scripts.end(), name) != options.scripts.end())
    text = read_text(std::filesystem::path(options.scripts_dir) / name);
  if (!text) return envelope_error(clock, "KER-SNC-170", "Entity file not found");
  // Keyed by the content: an edited script is signed again, an unchanged one once.
  auto file = options.cache->get("script\n" + name + '\n' + core::hex_encode(sha256(*text)),
                                 [&] { return signed_file(options, *text); });
  return file_response(r, *file, file->plain, "text/plain; charset=utf-8", name);
}

}  // namespace

std::string detached_jws(services::Signing& signing, const std::string& kid,
                         std::string_view content) {
  Json header = {{"alg", std::string(crypto::alg_name(signing.algorithm(kid)))}, {"kid", kid}};
  std::string header_b64 = core::base64url_encode(header.dump());
  std::string signature = signing.sign(kid, header_b64 + "." + core::base64url_encode(content));
  return header_b64 + ".." + core::base64url_encode(signature);
}

std::string file_hash_claim(std::string_view plain) {
  std::string hex = core::hex_encode(sha256(plain));
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](char c) { return c >= 'a' && c <= 'f' ? static_cast<char>(c - 32) : c; });
  return R"({"hash":")" + hex + "\"}";
}

void add_snapshot_route(http::Router& router, SyncService& service, const std::string& scope,
                        SnapshotOptions options) {
  if (!options.cache) options.cache = std::make_shared<EntityFileCache>(kDefaultCacheBytes);
  router
      .get("/v1/syncdata/clientsettings/{entityIdentifier}",
           [&service, options](Request& r) { return snapshot(service, options, r); })
      .require_scopes({scope})
      .describe("MOSIP: one entity's full data for the machine as a signed (encrypted) file");
  router
      .get("/v1/syncdata/scripts/{scriptName}",
           [&service, options](Request& r) { return script(service, options, r); })
      .require_scopes({scope})
      .describe("MOSIP: a configured script (sync.mosip.scripts) as a signed file");
}

}  // namespace registrar::sync
