#include "authz/store.h"

#include <cstdint>

#include "store/database.h"

namespace registrar::authz::db {
namespace {

// First half of the PostgreSQL advisory-lock key: "azlk". The two-int key space does not overlap
// the single-bigint space the migrations lock uses.
constexpr int32_t kLockClass = 0x617a6c6b;

int64_t to_micros(core::SystemTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
core::SystemTime from_micros(int64_t us) {
  return core::SystemTime(std::chrono::microseconds(us));
}

int32_t estate_key(const std::string& estate) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : estate) h = (h ^ c) * 16777619u;
  return int32_t(h);
}

bool is_postgres(soci::session& s) {
  return s.get_backend_name() == "postgresql";
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

}  // namespace

std::vector<store::Migration> migrations() {
  store::Migration m;
  m.version = 1;
  m.description = "role assignments and event cursors";
  m.statements.push_back(assignments_table("id INTEGER PRIMARY KEY AUTOINCREMENT"));
  m.postgres_statements.push_back(assignments_table("id BIGSERIAL PRIMARY KEY"));
  for (const char* sql : kIndexes) {
    m.statements.emplace_back(sql);
    m.postgres_statements.emplace_back(sql);
  }
  return {m};
}

void lock_estate(soci::session& s, const std::string& estate) {
  if (!is_postgres(s)) return;
  int cls = kLockClass, key = estate_key(estate);
  s << "SELECT pg_advisory_xact_lock(:c, :k)", soci::use(cls), soci::use(key);
}

std::vector<Assignment> load_estate(soci::session& s, const std::string& estate) {
  std::vector<Assignment> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT id, role_code, estate_ssn, heir_ssn, recipient_ssn, created_us, "
                    "justification FROM authz_role_assignments WHERE estate_ssn = :e ORDER BY id",
       soci::use(estate));
  for (const auto& r : rows) {
    Assignment a;
    a.id = store::row_int(r, 0);
    a.role = r.get<std::string>(1);
    a.estate = r.get<std::string>(2);
    if (r.get_indicator(3) != soci::i_null) a.heir = r.get<std::string>(3);
    a.recipient = r.get<std::string>(4);
    a.created = from_micros(store::row_int(r, 5));
    if (r.get_indicator(6) != soci::i_null) a.justification = r.get<std::string>(6);
    out.push_back(std::move(a));
  }
  return out;
}

int64_t insert_assignment(soci::session& s, const Assignment& a) {
  std::string heir = a.heir.value_or("");
  soci::indicator heir_ind = a.heir ? soci::i_ok : soci::i_null;
  long long created = to_micros(a.created);
  std::string justification = a.justification.substr(0, 255);
  long long id = 0;
  s << "INSERT INTO authz_role_assignments (role_code, estate_ssn, heir_ssn, recipient_ssn, "
       "created_us, justification) VALUES (:role, :estate, :heir, :recipient, :created, :just) "
       "RETURNING id",
      soci::use(a.role), soci::use(a.estate), soci::use(heir, heir_ind), soci::use(a.recipient),
      soci::use(created), soci::use(justification), soci::into(id);
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
  return from_micros(us);
}

std::vector<std::pair<std::string, core::SystemTime>> read_cursors(soci::session& s,
                                                                   const std::string& estate) {
  std::vector<std::pair<std::string, core::SystemTime>> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT event_type, last_processed_us FROM authz_event_cursors "
                    "WHERE estate_ssn = :e ORDER BY event_type",
       soci::use(estate));
  for (const auto& r : rows)
    out.emplace_back(r.get<std::string>(0), from_micros(store::row_int(r, 1)));
  return out;
}

void write_cursor(soci::session& s, const std::string& estate, const std::string& event_type,
                  core::SystemTime processed) {
  long long us = to_micros(processed);
  s << "INSERT INTO authz_event_cursors (estate_ssn, event_type, last_processed_us) "
       "VALUES (:e, :t, :u) ON CONFLICT (estate_ssn, event_type) "
       "DO UPDATE SET last_processed_us = excluded.last_processed_us",
      soci::use(estate), soci::use(event_type), soci::use(us);
}

}  // namespace registrar::authz::db
