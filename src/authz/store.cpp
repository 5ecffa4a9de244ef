#include "authz/store.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "store/database.h"

namespace registrar::authz::db {
namespace {

// First half of the PostgreSQL advisory-lock key: "azlk". The two-int key space does not overlap
// the single-bigint space the migrations lock uses.
constexpr int32_t kLockClass = 0x617a6c6b;

int32_t estate_key(const std::string& estate) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : estate) h = (h ^ c) * 16777619u;
  return int32_t(h);
}

const char* kIndexes[] = {
    "CREATE UNIQUE INDEX authz_ra_unique ON authz_role_assignments "
    "(estate_ssn, recipient_ssn, role_code, heir_ssn)",
    "CREATE UNIQUE INDEX authz_ra_unique_collective ON authz_role_assignments "
    "(estate_ssn, recipient_ssn, role_code) WHERE heir_ssn IS NULL",
    "CREATE INDEX authz_ra_recipient ON authz_role_assignments (recipient_ssn)",
    "CREATE INDEX authz_ra_heir ON authz_role_assignments (heir_ssn)",
    "CREATE TABLE authz_event_cursors ("
    " estate_ssn VARCHAR(11) NOT NULL,"
    " event_type VARCHAR(255) NOT NULL,"
    " last_processed_us BIGINT NOT NULL,"
    " PRIMARY KEY (estate_ssn, event_type))",
};

std::string assignments_table(const char* id_column) {
  return std::string("CREATE TABLE authz_role_assignments (") + id_column +
         ","
         " role_code VARCHAR(60) NOT NULL,"
         " estate_ssn VARCHAR(11) NOT NULL,"
         " heir_ssn VARCHAR(11),"
         " recipient_ssn VARCHAR(11) NOT NULL,"
         " created_us BIGINT NOT NULL,"
         " justification VARCHAR(255))";
}

std::string changes_table(const char* seq_column) {
  return std::string("CREATE TABLE authz_changes (") + seq_column +
         ", estate_ssn VARCHAR(11) NOT NULL, changed_us BIGINT NOT NULL)";
}

}  // namespace

void lock_estate(soci::session& s, const std::string& estate) {
  if (store::backend_of(s) != store::Backend::kPostgres) return;
  int cls = kLockClass, key = estate_key(estate);
  s << "SELECT pg_advisory_xact_lock(:c, :k)", soci::use(cls), soci::use(key);
}

namespace {

constexpr const char* kLoadEstate =
    "SELECT id, role_code, heir_ssn, recipient_ssn, created_us, justification "
    "FROM authz_role_assignments WHERE estate_ssn = :e ORDER BY id";

std::vector<Assignment> load_estate_rowset(soci::session& s, const std::string& estate) {
  std::vector<Assignment> out;
  soci::rowset<soci::row> rows = (s.prepare << kLoadEstate, soci::use(estate));
  for (const auto& r : rows) {
    Assignment a;
    a.id = store::row_int(r, 0);
    a.role = r.get<std::string>(1);
    a.estate = estate;
    a.heir = store::row_optional<std::string>(r, 2);
    a.recipient = r.get<std::string>(3);
    a.created = store::row_time(r, 4);
    a.justification = store::row_optional<std::string>(r, 5).value_or("");
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

// The hot path of every lookup. A one-time query into vectors is one round trip on PostgreSQL
// (a SOCI rowset prepares, executes and deallocates a named statement: three). Estates have a
// handful of rows; one that fills the batch is read again through the rowset.
std::vector<Assignment> load_estate(soci::session& s, const std::string& estate) {
  constexpr size_t kBatch = 64;
  std::vector<long long> ids(kBatch), created(kBatch);
  std::vector<std::string> roles(kBatch), heirs(kBatch), recipients(kBatch), reasons(kBatch);
  std::vector<soci::indicator> heir_ind(kBatch), reason_ind(kBatch);
  s << kLoadEstate, soci::use(estate), soci::into(ids), soci::into(roles),
      soci::into(heirs, heir_ind), soci::into(recipients), soci::into(created),
      soci::into(reasons, reason_ind);
  if (ids.size() >= kBatch) return load_estate_rowset(s, estate);
  std::vector<Assignment> out(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    Assignment& a = out[i];
    a.id = ids[i];
    a.role = std::move(roles[i]);
    a.estate = estate;
    if (heir_ind[i] != soci::i_null) a.heir = std::move(heirs[i]);
    a.recipient = std::move(recipients[i]);
    a.created = core::from_unix_us(created[i]);
    if (reason_ind[i] != soci::i_null) a.justification = std::move(reasons[i]);
  }
  return out;
}

// One query for a batch of estates. The SSNs go into the statement text as literals, after
// checking that each is exactly 11 ASCII digits (nothing else can reach the SQL); a one-time
// query is a single round trip, and SOCI one-time queries cannot bind a variable-length list.
std::map<std::string, std::vector<Assignment>> load_estates(
    soci::session& s, const std::vector<std::string>& estates) {
  std::map<std::string, std::vector<Assignment>> out;
  if (estates.empty()) return out;
  std::string sql =
      "SELECT id, role_code, estate_ssn, heir_ssn, recipient_ssn, created_us, justification "
      "FROM authz_role_assignments WHERE estate_ssn IN (";
  for (size_t i = 0; i < estates.size(); ++i) {
    const std::string& e = estates[i];
    if (e.size() != 11 ||
        !std::all_of(e.begin(), e.end(), [](char c) { return c >= '0' && c <= '9'; }))
      throw std::invalid_argument("load_estates: not an SSN");
    sql += (i ? ",'" : "'") + e + "'";
  }
  sql += ") ORDER BY id";
  const size_t batch = 16 * estates.size() + 64;
  std::vector<long long> ids(batch), created(batch);
  std::vector<std::string> roles(batch), estate(batch), heirs(batch), recipients(batch),
      reasons(batch);
  std::vector<soci::indicator> heir_ind(batch), reason_ind(batch);
  s << sql, soci::into(ids), soci::into(roles), soci::into(estate), soci::into(heirs, heir_ind),
      soci::into(recipients), soci::into(created), soci::into(reasons, reason_ind);
  if (ids.size() >= batch) {  // unusually large estates: read them one by one
    for (const auto& e : estates)
      if (auto rows = load_estate(s, e); !rows.empty()) out.emplace(e, std::move(rows));
    return out;
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    Assignment a;
    a.id = ids[i];
    a.role = std::move(roles[i]);
    a.estate = std::move(estate[i]);
    if (heir_ind[i] != soci::i_null) a.heir = std::move(heirs[i]);
    a.recipient = std::move(recipients[i]);
    a.created = core::from_unix_us(created[i]);
    if (reason_ind[i] != soci::i_null) a.justification = std::move(reasons[i]);
    out[a.estate].push_back(std::move(a));
  }
  return out;
}

int64_t insert_assignment(soci::session& s, const Assignment& a) {
  store::OptionalBind<std::string> heir(a.heir);
  long long created = core::to_unix_us(a.created);
  std::string justification = a.justification.substr(0, 255);
  long long id = 0;
  s << "INSERT INTO authz_role_assignments (role_code, estate_ssn, heir_ssn, recipient_ssn, "
       "created_us, justification) VALUES (:role, :estate, :heir, :recipient, :created, :just) "
       "RETURNING id",
      soci::use(a.role), soci::use(a.estate), soci::use(heir.value, heir.indicator),
      soci::use(a.recipient), soci::use(created), soci::use(justification), soci::into(id);
  return id;
}

void delete_assignment(soci::session& s, int64_t id) {
  long long key = id;
  s << "DELETE FROM authz_role_assignments WHERE id = :id", soci::use(key);
}

std::vector<std::string> estates_of_person(soci::session& s, const std::string& person) {
  std::vector<std::string> out;
  soci::rowset<std::string> rows =
      (s.prepare << "SELECT DISTINCT estate_ssn FROM authz_role_assignments "
                    "WHERE recipient_ssn = :p OR heir_ssn = :p2 ORDER BY estate_ssn",
       soci::use(person), soci::use(person));
  for (const auto& e : rows) out.push_back(e);
  return out;
}

std::optional<core::SystemTime> read_cursor(soci::session& s, const std::string& estate,
                                            const std::string& event_type) {
  long long us = 0;
  soci::indicator ind = soci::i_null;
  s << "SELECT last_processed_us FROM authz_event_cursors WHERE estate_ssn = :e AND "
       "event_type = :t",
      soci::use(estate), soci::use(event_type), soci::into(us, ind);
  if (!s.got_data() || ind == soci::i_null) return std::nullopt;
  return core::from_unix_us(us);
}

std::vector<std::pair<std::string, core::SystemTime>> read_cursors(soci::session& s,
                                                                   const std::string& estate) {
  std::vector<std::pair<std::string, core::SystemTime>> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT event_type, last_processed_us FROM authz_event_cursors "
                    "WHERE estate_ssn = :e ORDER BY event_type",
       soci::use(estate));
  for (const auto& r : rows) out.emplace_back(r.get<std::string>(0), store::row_time(r, 1));
  return out;
}

void write_cursor(soci::session& s, const std::string& estate, const std::string& event_type,
                  core::SystemTime processed) {
  long long us = core::to_unix_us(processed);
  s << "INSERT INTO authz_event_cursors (estate_ssn, event_type, last_processed_us) "
       "VALUES (:e, :t, :u) ON CONFLICT (estate_ssn, event_type) "
       "DO UPDATE SET last_processed_us = excluded.last_processed_us",
      soci::use(estate), soci::use(event_type), soci::use(us);
}

}  // namespace registrar::authz::db

namespace registrar::authz {

std::vector<store::Migration> authz_migrations() {
  using namespace db;  // the table helpers above
  store::Migration m;
  m.version = 1;
  m.description = "role assignments and event cursors";
  m.statements.push_back(assignments_table("id INTEGER PRIMARY KEY AUTOINCREMENT"));
  m.postgres_statements.push_back(assignments_table("id BIGSERIAL PRIMARY KEY"));
  for (const char* sql : kIndexes) {
    m.statements.emplace_back(sql);
    m.postgres_statements.emplace_back(sql);
  }
  store::Migration feed;
  feed.version = 2;
  feed.description = "change feed of estates for the PIP caches";
  feed.statements.push_back(changes_table("seq INTEGER PRIMARY KEY AUTOINCREMENT"));
  feed.postgres_statements.push_back(changes_table("seq BIGSERIAL PRIMARY KEY"));
  for (auto* list : {&feed.statements, &feed.postgres_statements})
    list->emplace_back("CREATE INDEX authz_changes_time ON authz_changes (changed_us)");
  return {m, feed};
}

}  // namespace registrar::authz
