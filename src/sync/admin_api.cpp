#include "sync/admin_api.h"

#include <charconv>

#include "core/base64.h"
#include "core/clock.h"
#include "core/error.h"

namespace registrar::sync {
namespace {

using http::Request;
using http::Response;

constexpr size_t kMaxRowBody = 256 * 1024;
constexpr size_t kMaxImportBody = 32 * 1024 * 1024;
constexpr size_t kMaxImportRows = 50'000;
constexpr int kMaxPage = 1000;

const Entity& entity_of(const Request& r) {
  const Entity* e = find_entity(r.param("entity"));
  if (!e)
    throw core::not_found("no master-data entity '" + std::string(r.param("entity")) +
                          "' (GET /v1/masterdata lists them)");
  return *e;
}

int int_param(const Request& r, const char* name, int fallback, int lo, int hi) {
  auto v = r.query_param(name);
  if (!v) return fallback;
  int out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || out < lo || out > hi)
    throw core::invalid_argument(
        "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi), name);
  return out;
}

std::optional<bool> bool_param(const Request& r, const char* name) {
  auto v = r.query_param(name);
  if (!v) return std::nullopt;
  if (*v == "true") return true;
  if (*v == "false") return false;
  throw core::invalid_argument("must be true or false", name);
}

// The paging token: the last row's (id, lang), opaque to clients.
std::string page_token(const RowState& last) {
  return core::base64url_encode(Json::array({last.id, last.lang}).dump());
}
void read_page_token(const std::string& token, db::ListQuery& q) {
  auto raw = core::base64url_decode(token);
  Json j = raw ? Json::parse(*raw, nullptr, false) : Json();
  if (!j.is_array() || j.size() != 2 || !j[0].is_string() || !j[1].is_string())
    throw core::invalid_argument("is not a token this server gave", "after");
  q.after_id = j[0].get<std::string>();
  q.after_lang = j[1].get<std::string>();
}

std::optional<int64_t> if_match_version(const Request& r) {
  auto h = r.headers.get("If-Match");
  if (!h) return std::nullopt;
  std::string_view v = *h;
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || out < 0)
    throw core::invalid_argument("must be a row version (\"3\")", "If-Match");
  return out;
}

// The (id, lang) a GET or DELETE of one row names: the path's id, and langCode for per-language
// entities (required there).
std::pair<std::string, std::string> row_key(const Request& r, const Entity& e) {
  std::string id(r.param("id"));
  std::string lang = e.per_language ? r.query_param("langCode").value_or("") : "";
  if (e.per_language && lang.empty())
    throw core::invalid_argument("is required for " + e.name, "langCode");
  return {id, lang};
}

Response row_response(int status, const RowState& row) {
  Response resp = Response::json(status, SyncService::render(row, true));
  resp.headers.set("ETag", "\"" + std::to_string(row.version) + "\"");
  return resp;
}

// With each entity's number of rows that are not deleted (one GROUP BY over the rows).
Json catalogue_json(const std::map<std::string, int64_t>& counts) {
  Json list = Json::array();
  for (const auto& e : catalogue()) {
    Json fields = Json::array();
    for (const auto& f : e.fields) {
      Json jf = {{"name", f.name}, {"required", f.required}};
      if (!f.references.empty()) jf["references"] = f.references;
      fields.push_back(std::move(jf));
    }
    list.push_back({{"name", e.name},
                    {"mosipEntityName", e.mosip_name.empty() ? Json(nullptr) : Json(e.mosip_name)},
                    {"perLanguage", e.per_language},
                    {"key", e.key_fields},
                    {"fields", std::move(fields)},
                    {"count", counts.contains(e.name) ? counts.at(e.name) : 0},
                    {"description", e.description}});
  }
  return {{"entities", std::move(list)}};
}

}  // namespace

void add_admin_routes(http::Router& router, SyncService& service, const std::string& scope) {
  router
      .get("/v1/masterdata",
           [&service](Request&) {
             auto counts = service.db().read([](soci::session& s) { return db::count_rows(s); });
             return Response::json(200, catalogue_json(counts));
           })
      .require_scopes({scope})
      .describe("The master-data entities, their fields, keys, references and row counts");
  router
      .get("/v1/sync/machines/last-sync",
           [&service](Request&) {
             Json machines = Json::object();
             for (const auto& [id, at] : service.last_syncs())
               machines[id] = core::format_rfc3339(at);
             Json body = {{"machines", std::move(machines)}};
             return Response::json(200, body);
           })
      .require_scopes({scope})
      .describe("When each machine last synced (clientsettings or pull) since the server started");
  router
      .get("/v1/masterdata/{entity}",
           [&service](Request& r) {
             const Entity& e = entity_of(r);
             db::ListQuery q;
             q.entity = e.name;
             if (auto v = r.query_param("langCode")) q.lang = *v;
             q.active = bool_param(r, "isActive");
             q.include_deleted = bool_param(r, "includeDeleted").value_or(false);
             q.limit = int_param(r, "limit", 100, 1, kMaxPage);
             if (auto after = r.query_param("after")) read_page_token(*after, q);
             auto rows = service.db().read([&](soci::session& s) { return db::list_rows(s, q); });
             Json list = Json::array();
             for (const auto& row : rows) list.push_back(SyncService::render(row, true));
             Json body = {{"rows", std::move(list)}};
             body["next"] = rows.size() == static_cast<size_t>(q.limit)
                                ? Json(page_token(rows.back()))
                                : Json(nullptr);
             return Response::json(200, body);
           })
      .require_scopes({scope})
      .describe("List an entity's rows (langCode, isActive, includeDeleted, limit, after)");
  router
      .get("/v1/masterdata/{entity}/{id}",
           [&service](Request& r) {
             const Entity& e = entity_of(r);
             const auto key = row_key(r, e);
             const std::string& id = key.first;
             auto row = service.db().read(
                 [&](soci::session& s) { return db::find_row(s, e.name, key.first, key.second); });
             if (!row) throw core::not_found("no " + e.name + " row '" + id + "'");
             return row_response(200, *row);
           })
      .require_scopes({scope})
      .describe("One row (langCode for per-language entities); deleted rows too");
  router
      .post("/v1/masterdata/{entity}",
            [&service](Request& r) {
              const Entity& e = entity_of(r);
              WriteResult w = service.put(e, r.json_body(), r.actor(), 0);
              return row_response(201, *w.row);
            })
      .require_scopes({scope})
      .max_body(kMaxRowBody)
      .describe("Create a row (409 when its key exists)");
  router
      .put("/v1/masterdata/{entity}",
           [&service](Request& r) {
             const Entity& e = entity_of(r);
             WriteResult w = service.put(e, r.json_body(), r.actor(), if_match_version(r));
             return row_response(w.status == WriteStatus::kCreated ? 201 : 200, *w.row);
           })
      .require_scopes({scope})
      .max_body(kMaxRowBody)
      .describe("Create or replace a row (If-Match: \"<version>\" to replace only that version)");
  router
      .del("/v1/masterdata/{entity}/{id}",
           [&service](Request& r) {
             const Entity& e = entity_of(r);
             auto [id, lang] = row_key(r, e);
             WriteResult w = service.remove(e, id, lang, r.actor());
             if (w.status == WriteStatus::kNotFound)
               throw core::not_found("no " + e.name + " row '" + id + "'");
             return row_response(200, *w.row);
           })
      .require_scopes({scope})
      .describe("Soft-delete a row: kept, marked deleted, sent to clients as deleted");
  router
      .post("/v1/masterdata/{entity}/import",
            [&service](Request& r) {
              const Entity& e = entity_of(r);
              std::vector<SyncService::BatchItem> items;
              size_t line_no = 0, start = 0;
              while (start < r.body.size()) {
                size_t end = r.body.find('\n', start);
                if (end == std::string::npos) end = r.body.size();
                std::string_view line(r.body.data() + start, end - start);
                start = end + 1;
                ++line_no;
                if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
                std::string label = "line " + std::to_string(line_no);
                Json body = Json::parse(line, nullptr, false);
                if (body.is_discarded()) throw core::invalid_argument("is not JSON", label);
                if (items.size() == kMaxImportRows)
                  throw core::Error(core::ErrorKind::kPayloadTooLarge,
                                    "at most " + std::to_string(kMaxImportRows) +
                                        " rows per import; split the file");
                items.push_back({&e, std::move(body), false, std::nullopt, label});
              }
              auto results = service.apply_batch(items, r.actor(), "sync." + e.name + ".import");
              Json counts = {
                  {"rows", results.size()}, {"created", 0}, {"updated", 0}, {"unchanged", 0}};
              for (const auto& w : results)
                if (w.status == WriteStatus::kCreated)
                  counts["created"] = counts["created"].get<int>() + 1;
                else if (w.status == WriteStatus::kUpdated)
                  counts["updated"] = counts["updated"].get<int>() + 1;
                else
                  counts["unchanged"] = counts["unchanged"].get<int>() + 1;
              return Response::json(200, counts);
            })
      .require_scopes({scope})
      .max_body(kMaxImportBody)
      .describe("Import rows as JSON lines, all or none (create or replace each)");
  router
      .get("/v1/masterdata/{entity}/export",
           [&service](Request& r) {
             const Entity& e = entity_of(r);
             std::string out;
             db::ListQuery q;
             q.entity = e.name;
             q.include_deleted = bool_param(r, "includeDeleted").value_or(false);
             q.limit = kMaxPage;
             service.db().read([&](soci::session& s) {
               db::for_each_row(s, q, [&out](const RowState& row) {
                 out += SyncService::render(row, false).dump();
                 out += '\n';
               });
             });
             return Response::text(200, std::move(out), "application/x-ndjson");
           })
      .require_scopes({scope})
      .describe("Every row of an entity as JSON lines (what import reads)");
}

}  // namespace registrar::sync
