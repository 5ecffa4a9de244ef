#include "sync/cursor_api.h"

#include <algorithm>
#include <charconv>

#include "core/error.h"
#include "sync/cursor_pull.h"
#include "sync/machine_auth.h"

namespace registrar::sync {
namespace {

using http::Request;
using http::Response;

// 500 changes of rows of a few KiB each.
constexpr size_t kMaxPushBody = 8 * 1024 * 1024;
constexpr size_t kMaxChangeId = 100;  // sync_pushes.change_id

int limit_param(const Request& r) {
  auto v = r.query_param("limit");
  if (!v) return kDefaultPullLimit;
  int out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || out < 1 || out > kMaxPullLimit)
    throw core::invalid_argument("must be an integer from 1 to " + std::to_string(kMaxPullLimit),
                                 "limit");
  return out;
}

// A push reads the machine from the database (not the cache): its changes are checked against
// the machine's scopes as they are now.
MachineContext machine_of(SyncService& service, const Request& r) {
  std::string id = machine_id_of(r);
  auto m = id.empty() ? std::nullopt : service.machine_by_id(id);
  if (!m) throw core::Error(core::ErrorKind::kUnauthenticated, "not a machine's request");
  if (m->deleted || !m->active)
    throw core::Error(core::ErrorKind::kUnauthenticated, "the machine is deleted or not active");
  return *m;
}

std::string cursor_param(const Request& r) {
  auto v = r.query_param("cursor");
  if (!v) throw core::invalid_argument("is required (0 for a first sync)", "cursor");
  return std::string(*v);
}

// ---- push ----

struct PushChange {
  std::string change_id;
  std::string entity_name;
  const Entity* entity = nullptr;  // null for an unknown name (rejected, not malformed)
  bool remove = false;
  int64_t base_version = 0;
  Json row;
};

std::vector<PushChange> parse_push(const Json& body) {
  if (!body.is_object() || !body.contains("changes") || !body["changes"].is_array())
    throw core::invalid_argument("must be an array of changes", "changes");
  const Json& list = body["changes"];
  if (list.size() > kMaxPushChanges)
    throw core::invalid_argument(
        "at most " + std::to_string(kMaxPushChanges) + " changes per push; send the rest next",
        "changes");
  std::vector<PushChange> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& c = list[i];
    std::string at = "changes[" + std::to_string(i) + "]";
    if (!c.is_object()) throw core::invalid_argument("must be an object", at);
    auto str = [&](const char* name) {
      auto it = c.find(name);
      if (it == c.end() || !it->is_string() || it->get<std::string>().empty())
        throw core::invalid_argument("must be a non-empty string", at + "." + name);
      return it->get<std::string>();
    };
    PushChange p;
    p.change_id = str("changeId");
    if (p.change_id.size() > kMaxChangeId)
      throw core::invalid_argument("must be at most 100 characters", at + ".changeId");
    p.entity_name = str("entity");
    p.entity = find_entity(p.entity_name);
    std::string op = str("op");
    if (op != "upsert" && op != "delete")
      throw core::invalid_argument("must be upsert or delete", at + ".op");
    p.remove = op == "delete";
    auto base = c.find("baseVersion");
    if (base == c.end() || !base->is_number_integer() || base->get<int64_t>() < 0)
      throw core::invalid_argument("must be a non-negative integer (0: create)",
                                   at + ".baseVersion");
    p.base_version = base->get<int64_t>();
    auto row = c.find("row");
    if (row == c.end() || !row->is_object())
      throw core::invalid_argument("must be an object", at + ".row");
    p.row = *row;
    out.push_back(std::move(p));
  }
  return out;
}

core::Error refuse(std::string field, std::string message) {
  return core::Error(core::ErrorKind::kPermissionDenied, std::move(message), std::move(field));
}

// Inside the push's transaction, before the write: a machine changes only rows of its own
// scopes (its centre, its holiday location, itself), never rows every machine shares, and of
// its own machine row only isActive.
void check_push(soci::session& s, const MachineContext& m, const RowWrite& w) {
  auto own = [&](const std::string& scope) {
    return !scope.empty() && scope != kNoScope &&
           std::find(m.scopes.begin(), m.scopes.end(), scope) != m.scopes.end();
  };
  auto current = db::find_row(s, w.entity, w.input.id, w.input.lang);
  if (current && !own(current->scope))
    throw refuse("row", "the row is not in this machine's centre, location or machine row");
  if (w.remove && !current) throw core::Error(core::ErrorKind::kNotFound, "no such row", "row");
  if (!w.remove && !own(w.scope))
    throw refuse("row",
                 "the row would belong outside this machine's centre, location or machine row");
  if (w.entity == "machines") {
    if (w.remove) throw refuse("op", "a machine may not delete its machine row");
    if (current && Json::parse(current->data) != w.input.data)
      throw refuse("row", "a machine may change only isActive of its machine row");
  }
}

Json answer_of(const PushChange& c, const WriteResult& r) {
  Json a = {{"changeId", c.change_id}};
  switch (r.status) {
    case WriteStatus::kCreated:
    case WriteStatus::kUpdated:
    case WriteStatus::kDeleted:
    case WriteStatus::kUnchanged:
      a["status"] = r.status == WriteStatus::kUnchanged ? "unchanged" : "applied";
      a["version"] = r.row->version;
      a["seq"] = r.row->seq;
      return a;
    case WriteStatus::kConflict:
      a["status"] = "conflict";
      a["version"] = r.row ? r.row->version : 0;
      a["row"] = r.row ? SyncService::render(*r.row, false) : Json(nullptr);
      return a;
    case WriteStatus::kNotFound:
      break;
  }
  a["status"] = "rejected";
  a["error"] = {{"field", "row"}, {"message", "no such row"}};
  return a;
}

// Errors that are the change's fault: answered "rejected" and remembered. Anything else (the
// database unavailable, a bug) fails the request, and the client sends the change again.
bool rejectable(core::ErrorKind kind) {
  return kind == core::ErrorKind::kInvalidArgument || kind == core::ErrorKind::kNotFound ||
         kind == core::ErrorKind::kUnprocessable || kind == core::ErrorKind::kPermissionDenied;
}

Json replayed(const std::string& stored) {
  Json a = Json::parse(stored);
  a["replayed"] = true;
  return a;
}

// After `e` from recording a push: when it is the unique violation of the same change id from a
// concurrent request that committed first, that request's answer (which stands); otherwise
// rethrows.
Json concurrent_answer(SyncService& service, const MachineContext& m, const PushChange& c,
                       const std::exception& e) {
  if (!store::is_unique_violation(e)) throw;
  auto stored =
      service.db().read([&](soci::session& s) { return db::find_push(s, m.id, c.change_id); });
  if (!stored) throw;
  return replayed(*stored);
}

Json push_one(SyncService& service, const MachineContext& m,
              const std::vector<std::string>& entities, const PushChange& c) {
  auto stored =
      service.db().read([&](soci::session& s) { return db::find_push(s, m.id, c.change_id); });
  if (stored) return replayed(*stored);
  int64_t now_us = core::to_unix_us(service.clock().now());
  Json answer;
  try {
    if (!c.entity) throw refuse("entity", "is not a master-data entity");
    if (std::find(entities.begin(), entities.end(), c.entity_name) == entities.end())
      throw refuse("entity", "machines may not push " + c.entity_name + " (sync.push.entities)");
    SyncService::BatchHooks hooks;
    hooks.check = [&](soci::session& s, const std::vector<RowWrite>& w) {
      check_push(s, m, w.front());
    };
    hooks.done = [&](soci::session& s, const std::vector<RowWrite>&,
                     const std::vector<WriteResult>& results) {
      answer = answer_of(c, results.front());
      db::record_push(s, m.id, c.change_id, answer.dump(), now_us);
    };
    service.apply_batch({{c.entity, c.row, c.remove, c.base_version, ""}},
                        kMachineSubjectPrefix + m.id, "sync.push", hooks);
    return answer;
  } catch (const core::Error& e) {
    if (!rejectable(e.kind())) throw;
    answer = {{"changeId", c.change_id},
              {"status", "rejected"},
              {"error", {{"field", e.field()}, {"message", e.what()}}}};
  } catch (const std::exception& e) {
    return concurrent_answer(service, m, c, e);
  }
  try {
    service.db().write(
        [&](soci::session& s) { db::record_push(s, m.id, c.change_id, answer.dump(), now_us); });
  } catch (const std::exception& e) {
    return concurrent_answer(service, m, c, e);
  }
  return answer;
}

}  // namespace

void declare_cursor_config(core::ConfigSchema& schema) {
  CursorSettings d;
  schema.add_int("sync.machine_auth_skew_s", d.machine_auth_skew_s,
                 "How far (seconds) a machine signature's iat may be from the server's clock.", 1,
                 3600);
  schema.add_list("sync.push.entities", d.push_entities,
                  "Entities (admin names) machines may change through POST /v1/sync/push.");
}

CursorSettings read_cursor_settings(const core::Config& config) {
  CursorSettings s;
  s.machine_auth_skew_s = config.integer("sync.machine_auth_skew_s");
  s.push_entities = config.list("sync.push.entities");
  return s;
}

Json push_changes(SyncService& service, const MachineContext& machine,
                  const std::vector<std::string>& entities, const Json& body) {
  auto changes = parse_push(body);
  Json results = Json::array();
  for (const auto& c : changes) results.push_back(push_one(service, machine, entities, c));
  return {{"results", std::move(results)}};
}

void add_cursor_routes(http::Router& router, SyncService& service, const CursorSettings& settings) {
  auto machines = std::make_shared<MachineCache>(service);
  router.add_authenticator(kMachineAuthenticator, std::make_shared<MachineAuthenticator>(
                                                      *machines, settings.machine_auth_skew_s));
  router
      .get("/v1/sync/pull",
           [machines](Request& r) {
             std::string cursor = cursor_param(r);
             int limit = limit_param(r);
             std::string id = machine_id_of(r);
             if (id.empty())
               throw core::Error(core::ErrorKind::kUnauthenticated, "not a machine's request");
             Json answer = pull_changes(*machines, id, cursor, limit);
             machines->service().record_sync(id);
             return Response::json(200, answer);
           })
      .authenticate_with(kMachineAuthenticator)
      .describe(
          "Changes in the machine's scopes after a cursor, in sequence order (cursor, limit)");
  router
      .post("/v1/sync/push",
            [&service, entities = settings.push_entities](Request& r) {
              MachineContext m = machine_of(service, r);
              return Response::json(200, push_changes(service, m, entities, r.json_body()));
            })
      .authenticate_with(kMachineAuthenticator)
      .max_body(kMaxPushBody)
      .describe("A machine's changes, each applied on its own; per-change results");
}

}  // namespace registrar::sync
