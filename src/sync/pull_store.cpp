// The cursor pull's SQL (store.h: pull_page, the machine scope records).
#include <string>

#include "sync/store.h"

namespace registrar::sync {

store::Migration machine_scopes_migration() {
  store::Migration m;
  m.version = 2;
  m.description = "sync: the scopes each machine is served since which change (machine moves)";
  m.statements = {
      "CREATE TABLE sync_machine_scopes ("
      " machine_id VARCHAR(256) NOT NULL,"
      " since_seq BIGINT NOT NULL,"  // from this change on (0: from the start)
      " scopes TEXT NOT NULL,"       // JSON array of scopes (catalogue.h machine_scopes)
      " PRIMARY KEY (machine_id, since_seq))",
  };
  return m;
}

std::vector<store::Migration> sync_migrations() {
  return {rows_migration(), machine_scopes_migration()};
}

namespace db {
namespace {

// The page's columns; departures and the probe fill the row-only ones with typed constants
// (PostgreSQL resolves a UNION's column types pairwise and cannot match an untyped NULL later).
constexpr const char* kRowBranch =
    "SELECT 1 AS kind, seq, entity, id, lang, scope, data, is_active, is_deleted, version, cr_by,"
    " cr_us, upd_by, upd_us, del_us FROM sync_rows";
constexpr const char* kGoneColumns =
    "SELECT 2 AS kind, seq, entity, id, lang, scope, '' AS data, 0 AS is_active, 0 AS is_deleted,"
    " CAST(0 AS BIGINT) AS version, '' AS cr_by, CAST(0 AS BIGINT) AS cr_us,"
    " CAST(NULL AS VARCHAR(255)) AS upd_by, CAST(NULL AS BIGINT) AS upd_us,"
    " CAST(NULL AS BIGINT) AS del_us FROM ";
// kind 0: the head in seq, the machine row's seq in version, the centre's in cr_us, the latest
// scope record's since in upd_us.
constexpr const char* kProbe =
    "SELECT 0, (SELECT seq FROM sync_counter WHERE id = 1), '', '', '', '', '', 0, 0,"
    " COALESCE((SELECT seq FROM sync_rows WHERE entity = 'machines' AND id = :pm AND lang = ''),"
    " -1), '', COALESCE((SELECT MAX(seq) FROM sync_rows WHERE entity = 'registration_centers'"
    " AND id = :pc), -1), CAST(NULL AS VARCHAR(255)), COALESCE((SELECT MAX(since_seq) FROM"
    " sync_machine_scopes WHERE machine_id = :pm2), -1), CAST(NULL AS BIGINT)";

std::string branch(const ScopeRead& r, size_t i) {
  std::string n = std::to_string(i);
  std::string sql = r.kind == ScopeRead::Kind::kRows ? std::string(kRowBranch)
                    : r.kind == ScopeRead::Kind::kRowsDeparted
                        ? kGoneColumns + std::string("sync_rows")
                        : kGoneColumns + std::string("sync_departures");
  // Each branch is one range of an index (scope, seq), already in order.
  return sql + " WHERE scope = :s" + n + " AND seq > :a" + n + " AND seq <= :u" + n +
         " ORDER BY seq LIMIT :n" + n;
}

}  // namespace

PullPage pull_page(soci::session& s, const std::vector<ScopeRead>& reads, int limit,
                   const PullProbe& probe) {
  std::string sql;
  if (!reads.empty()) {
    sql = "SELECT * FROM (";
    for (size_t i = 0; i < reads.size(); ++i)
      sql += (i ? " UNION ALL SELECT * FROM (" : "SELECT * FROM (") + branch(reads[i], i) +
             ") AS b" + std::to_string(i);
    sql += " ORDER BY seq LIMIT :lim) AS page UNION ALL ";
  }
  sql += kProbe;
  std::vector<long long> bounds;
  bounds.reserve(reads.size() * 2);
  for (const auto& r : reads) {
    bounds.push_back(r.after);
    bounds.push_back(r.upto);
  }
  long long lim = limit;
  soci::row row;
  soci::statement st(s);
  for (size_t i = 0; i < reads.size(); ++i) {
    st.exchange(soci::use(reads[i].scope));
    st.exchange(soci::use(bounds[2 * i]));
    st.exchange(soci::use(bounds[2 * i + 1]));
    st.exchange(soci::use(lim));
  }
  if (!reads.empty()) st.exchange(soci::use(lim));
  st.exchange(soci::use(probe.machine_id));
  st.exchange(soci::use(probe.centre));
  st.exchange(soci::use(probe.machine_id));
  st.exchange(soci::into(row));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute(false);
  PullPage page;
  while (st.fetch()) {
    int64_t kind = store::row_int(row, 0);
    if (kind == 0) {
      page.head = store::row_int(row, 1);
      page.machine_seq = store::row_int(row, 9);
      page.centre_seq = store::row_int(row, 11);
      page.scopes_since = store::row_int(row, 13);
      continue;
    }
    PullItem item;
    item.seq = store::row_int(row, 1);
    item.entity = row.get<std::string>(2);
    item.id = row.get<std::string>(3);
    item.lang = row.get<std::string>(4);
    item.departed = kind == 2;
    if (!item.departed) {
      RowState& r = item.row;
      r.entity = item.entity;
      r.id = item.id;
      r.lang = item.lang;
      r.scope = row.get<std::string>(5);
      r.data = row.get<std::string>(6);
      r.active = store::row_int(row, 7) != 0;
      r.deleted = store::row_int(row, 8) != 0;
      r.version = store::row_int(row, 9);
      r.seq = item.seq;
      r.created_by = row.get<std::string>(10);
      r.created_us = store::row_int(row, 11);
      r.updated_by = store::row_optional<std::string>(row, 12);
      r.updated_us = store::row_optional<int64_t>(row, 13);
      r.deleted_us = store::row_optional<int64_t>(row, 14);
    }
    page.items.push_back(std::move(item));
  }
  // UNION ALL does not promise the order of its parts' rows; the page's own order is by seq.
  std::stable_sort(page.items.begin(), page.items.end(),
                   [](const PullItem& a, const PullItem& b) { return a.seq < b.seq; });
  return page;
}

std::vector<ScopeRecord> machine_scope_records(soci::session& s, const std::string& machine_id) {
  soci::rowset<soci::row> rs =
      (s.prepare << "SELECT since_seq, scopes FROM sync_machine_scopes WHERE machine_id = :m"
                    " ORDER BY since_seq",
       soci::use(machine_id));
  std::vector<ScopeRecord> out;
  for (const auto& r : rs)
    out.push_back(
        {store::row_int(r, 0), Json::parse(r.get<std::string>(1)).get<std::vector<std::string>>()});
  return out;
}

int64_t centre_seq(soci::session& s, const std::string& centre) {
  long long v = -1;
  s << "SELECT COALESCE(MAX(seq), -1) FROM sync_rows WHERE entity = 'registration_centers' AND "
       "id = :c",
      soci::use(centre), soci::into(v);
  return v;
}

void lock_sequence(soci::session& s) {
  // As store.cpp's SequenceLease: the no-op update takes the row lock on PostgreSQL; SQLite's
  // write transaction already excludes other writers.
  s << "UPDATE sync_counter SET seq = seq WHERE id = 1";
}

int64_t add_machine_scopes(soci::session& s, const std::string& machine_id,
                           const std::vector<std::string>& scopes, bool first) {
  long long since = 0;
  if (!first) {
    s << "UPDATE sync_counter SET seq = seq + 1 WHERE id = 1";
    s << "SELECT seq FROM sync_counter WHERE id = 1", soci::into(since);
  }
  std::string text = Json(scopes).dump();
  s << "INSERT INTO sync_machine_scopes (machine_id, since_seq, scopes) VALUES (:m, :s, :j)",
      soci::use(machine_id), soci::use(since), soci::use(text);
  return since;
}

}  // namespace db
}  // namespace registrar::sync
