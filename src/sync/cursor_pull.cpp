#include "sync/cursor_pull.h"

#include "core/error.h"
#include "sync/store.h"

namespace registrar::sync {
namespace {

// A machine that changes between its cache entry being read and the pull's statement is read
// again; more than this many times in one pull and the client retries.
constexpr int kAttempts = 4;

Json pull_item(const db::PullItem& item) {
  Json j = {{"seq", item.seq},
            {"entity", item.entity},
            {"id", item.id},
            {"langCode", item.lang.empty() ? Json(nullptr) : Json(item.lang)}};
  if (item.departed) {
    j["op"] = "depart";
    return j;
  }
  j["op"] = item.row.deleted ? "delete" : "upsert";
  j["version"] = item.row.version;
  j["row"] = SyncService::render(item.row, false);
  return j;
}

core::Error refused(const std::string& why) {
  return core::Error(core::ErrorKind::kUnauthenticated, why);
}

bool stale(const CachedMachine& m, const db::PullPage& page) {
  return page.machine_seq != m.machine_seq || page.centre_seq != m.centre_seq ||
         page.scopes_since != m.scopes_since();
}

}  // namespace

void record_machine_scopes(SyncService& service, const std::string& machine_id) {
  service.db().write([&](soci::session& s) {
    // Under the sequence's lock the machine and its centre cannot change until commit, and a
    // concurrent pull recording the same move waits here, then finds it recorded.
    db::lock_sequence(s);
    auto m = service.machine_in(s, machine_id);
    if (!m) return;
    auto records = db::machine_scope_records(s, machine_id);
    if (!records.empty() && records.back().scopes == m->scopes) return;
    db::add_machine_scopes(s, machine_id, m->scopes, records.empty());
  });
}

Json pull_changes(MachineCache& machines, const std::string& machine_id, std::string_view text,
                  int limit) {
  auto cursor = parse_pull_cursor(text);
  if (!cursor)
    throw core::invalid_argument(
        "must be the cursor of the last pull (a non-negative integer, or three joined by '.')",
        "cursor");
  std::string signed_with;  // the signing key index of the entry the request was checked with
  auto m = machines.by_id(machine_id);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (!m) throw refused("not a machine's request");
    if (attempt == 0) signed_with = m->sign_key_index;
    if (m->sign_key_index != signed_with)
      throw refused("the machine's signing key changed; sign the request again");
    if (m->context.deleted) throw refused("the machine is deleted");
    if (!m->context.active) throw refused("the machine is not active");
    if (m->records.empty() || m->records.back().scopes != m->context.scopes) {
      // First pull, or the machine moved: the server records what it serves from now on.
      record_machine_scopes(machines.service(), machine_id);
      m = machines.reload(machine_id);
      continue;
    }
    PullPlan plan = plan_pull(*cursor, m->records);
    auto page = machines.service().db().read([&](soci::session& s) {
      return db::pull_page(s, plan.reads, limit + 1, {machine_id, m->context.centre});
    });
    if (stale(*m, page)) {
      m = machines.reload(machine_id);
      continue;
    }
    if (cursor->base > page.head || cursor->target > page.head)
      throw core::invalid_argument("is beyond the server's last change (" +
                                       std::to_string(page.head) +
                                       "): the server's data was replaced; pull again from 0",
                                   "cursor");
    auto& items = page.items;
    size_t got = items.size();
    if (items.size() > static_cast<size_t>(limit)) items.resize(limit);
    bool more = false;
    PullCursor next =
        next_cursor(plan.cursor, got, items.empty() ? 0 : items.back().seq, limit, more);
    Json changes = Json::array();
    for (const auto& i : items) changes.push_back(pull_item(i));
    return {{"changes", std::move(changes)},
            {"cursor", format_pull_cursor(next)},
            {"more", more},
            {"scopes", m->context.scopes}};
  }
  throw core::Error(core::ErrorKind::kUnavailable,
                    "the machine changed during the pull; pull again");
}

}  // namespace registrar::sync
