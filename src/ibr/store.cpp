#include "ibr/store.h"

#include "dci/canonical_json.h"
#include "ibr/outbox_store.h"

namespace registrar::ibr {
namespace {

std::string senders_table() {
  return "CREATE TABLE ibr_senders ("
         " sender_id VARCHAR(255) PRIMARY KEY,"
         " name VARCHAR(255) NOT NULL,"
         " public_key TEXT NOT NULL,"
         " jwks_url VARCHAR(2048) NOT NULL,"
         " algorithm VARCHAR(16),"
         " active INTEGER NOT NULL,"
         " notes TEXT NOT NULL,"
         " last_key_fetch_us BIGINT,"
         " created_us BIGINT NOT NULL,"
         " updated_us BIGINT NOT NULL)";
}

const char* kRegistryTables[] = {
    // One row per (sender, reference id): the sender's own key for the person, so that a
    // repeated update replaces rather than duplicates.
    "CREATE TABLE ibr_beneficiaries ("
    " sender_id VARCHAR(255) NOT NULL,"
    " reference_id VARCHAR(255) NOT NULL,"
    " record TEXT NOT NULL,"
    " deleted INTEGER NOT NULL,"
    " created_us BIGINT NOT NULL,"
    " updated_us BIGINT NOT NULL,"
    " PRIMARY KEY (sender_id, reference_id))",
    "CREATE TABLE ibr_identifiers ("
    " sender_id VARCHAR(255) NOT NULL,"
    " reference_id VARCHAR(255) NOT NULL,"
    " id_type VARCHAR(255) NOT NULL,"
    " id_value VARCHAR(255) NOT NULL,"
    " PRIMARY KEY (sender_id, reference_id, id_type, id_value))",
    // Exact duplicate search goes by (type, value) across every sender.
    "CREATE INDEX ibr_identifiers_value ON ibr_identifiers (id_type, id_value)",
    "CREATE TABLE ibr_enrollments ("
    " sender_id VARCHAR(255) NOT NULL,"
    " reference_id VARCHAR(255) NOT NULL,"
    " programme_id VARCHAR(255) NOT NULL,"
    " programme_name VARCHAR(255) NOT NULL,"
    " status VARCHAR(64) NOT NULL,"
    " enrolment_date VARCHAR(64) NOT NULL,"
    " end_date VARCHAR(64) NOT NULL,"
    " PRIMARY KEY (sender_id, reference_id, programme_id))",
};

std::string canonical(const nlohmann::json& j) {
  std::string out;
  dci::append_canonical(out, j);
  return out;
}

StoredBeneficiary beneficiary_of(const soci::row& r) {
  StoredBeneficiary b;
  b.sender_id = r.get<std::string>(0);
  b.reference_id = r.get<std::string>(1);
  b.record = nlohmann::json::parse(r.get<std::string>(2));
  b.deleted = store::row_int(r, 3) != 0;
  return b;
}

void remove_children(soci::session& s, const std::string& sender, const std::string& ref) {
  s << "DELETE FROM ibr_identifiers WHERE sender_id = :s AND reference_id = :r", soci::use(sender),
      soci::use(ref);
  s << "DELETE FROM ibr_enrollments WHERE sender_id = :s AND reference_id = :r", soci::use(sender),
      soci::use(ref);
}

}  // namespace

std::vector<store::Migration> ibr_migrations() {
  store::Migration senders;
  senders.version = 1;
  senders.description = "trusted senders";
  senders.statements.push_back(senders_table());
  store::Migration registry;
  registry.version = 2;
  registry.description = "beneficiaries, their identifiers and programme enrollments";
  for (const char* sql : kRegistryTables) registry.statements.emplace_back(sql);
  store::Migration key_fetch;
  key_fetch.version = 3;
  key_fetch.description = "outcome of the last JWKS fetch of a sender";
  key_fetch.statements.emplace_back(
      "ALTER TABLE ibr_senders ADD COLUMN last_key_fetch_result TEXT");
  store::Migration by_value;
  by_value.version = 6;
  by_value.description = "identifier lookup by value alone (idtype-value with no type)";
  by_value.statements.emplace_back(
      "CREATE INDEX ibr_identifiers_by_value ON ibr_identifiers (id_value)");
  return {senders, registry, key_fetch, ibr_change_feed_migration(4), async_migration(), by_value};
}

namespace db {

std::optional<StoredBeneficiary> find_beneficiary(soci::session& s, const std::string& sender_id,
                                                  const std::string& reference_id) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT sender_id, reference_id, record, deleted FROM ibr_beneficiaries "
                    "WHERE sender_id = :s AND reference_id = :r",
       soci::use(sender_id), soci::use(reference_id));
  for (const auto& r : rows) return beneficiary_of(r);
  return std::nullopt;
}

void put_beneficiary(soci::session& s, const Beneficiary& b, core::SystemTime now) {
  long long us = core::to_unix_us(now);
  std::string record = canonical(b.record);
  s << "INSERT INTO ibr_beneficiaries (sender_id, reference_id, record, deleted, created_us, "
       "updated_us) VALUES (:s, :r, :rec, 0, :c, :u) "
       "ON CONFLICT (sender_id, reference_id) DO UPDATE SET record = excluded.record, "
       "deleted = 0, updated_us = excluded.updated_us",
      soci::use(b.sender_id), soci::use(b.reference_id), soci::use(record), soci::use(us),
      soci::use(us);
  remove_children(s, b.sender_id, b.reference_id);
  for (const auto& id : b.identifiers)
    s << "INSERT INTO ibr_identifiers (sender_id, reference_id, id_type, id_value) "
         "VALUES (:s, :r, :t, :v) ON CONFLICT DO NOTHING",
        soci::use(b.sender_id), soci::use(b.reference_id), soci::use(id.type), soci::use(id.value);
  for (const auto& e : b.enrollments)
    s << "INSERT INTO ibr_enrollments (sender_id, reference_id, programme_id, programme_name, "
         "status, enrolment_date, end_date) VALUES (:s, :r, :p, :n, :st, :d, :e) "
         "ON CONFLICT (sender_id, reference_id, programme_id) DO UPDATE SET "
         "programme_name = excluded.programme_name, status = excluded.status, "
         "enrolment_date = excluded.enrolment_date, end_date = excluded.end_date",
        soci::use(b.sender_id), soci::use(b.reference_id), soci::use(e.programme_id),
        soci::use(e.programme_name), soci::use(e.status), soci::use(e.enrolment_date),
        soci::use(e.end_date);
  append_change(s, b.sender_id, b.reference_id, now);
}

void delete_beneficiary(soci::session& s, const std::string& sender_id,
                        const std::string& reference_id, core::SystemTime now) {
  long long us = core::to_unix_us(now);
  s << "UPDATE ibr_beneficiaries SET deleted = 1, updated_us = :u "
       "WHERE sender_id = :s AND reference_id = :r",
      soci::use(us), soci::use(sender_id), soci::use(reference_id);
  remove_children(s, sender_id, reference_id);
  append_change(s, sender_id, reference_id, now);
}

std::vector<StoredBeneficiary> find_by_identifier(soci::session& s, const std::string& type,
                                                  const std::string& value, int64_t offset,
                                                  int64_t limit, int64_t& total) {
  return IdentifierLookup(s).find(type, value, offset, limit, total);
}

std::vector<Enrollment> enrollments_of(soci::session& s, const std::string& sender_id,
                                       const std::string& reference_id) {
  return IdentifierLookup(s).enrollments(sender_id, reference_id);
}

namespace {

// Driven from ibr_identifiers so that each backend walks an index ((id_type, id_value), or
// id_value alone for "any type") rather than every beneficiary; an "(:any = 1 OR ...)" filter
// hid both indexes from the planner and made this a full scan.
std::string holders_sql(bool any_type) {
  return any_type ? "SELECT DISTINCT sender_id, reference_id FROM ibr_identifiers "
                    "WHERE id_value = :v"
                  : "SELECT DISTINCT sender_id, reference_id FROM ibr_identifiers "
                    "WHERE id_type = :t AND id_value = :v";
}

}  // namespace

// Bound by reference to their statements: the values are declared before the statements.
struct IdentifierLookup::Statements {
  // One kind of identifier query (typed, or any type): its count and its page.
  struct Find {
    std::string type, value;
    long long count = 0, limit = 0, offset = 0;
    std::string sender, reference, record;
    int deleted = 0;
    std::optional<soci::statement> count_st, page_st;
  };
  Find typed, any;
  struct Enrollments {
    std::string sender, reference;
    Enrollment row;
    std::optional<soci::statement> st;
  } enrollments;
};

IdentifierLookup::IdentifierLookup(soci::session& s) : s_(s), st_(std::make_unique<Statements>()) {}
IdentifierLookup::~IdentifierLookup() = default;

std::vector<StoredBeneficiary> IdentifierLookup::find(const std::string& type,
                                                      const std::string& value, int64_t offset,
                                                      int64_t limit, int64_t& total) {
  const bool any_type = type.empty();
  Statements::Find& f = any_type ? st_->any : st_->typed;
  if (!f.count_st) {
    const std::string holders = holders_sql(any_type);
    const std::string count_sql = "SELECT COUNT(*) FROM (" + holders + ") h";
    const std::string page_sql =
        "SELECT b.sender_id, b.reference_id, b.record, b.deleted FROM ibr_beneficiaries b JOIN (" +
        holders +
        ") h ON b.sender_id = h.sender_id AND b.reference_id = h.reference_id "
        "WHERE b.deleted = 0 ORDER BY b.sender_id, b.reference_id LIMIT :l OFFSET :o";
    if (any_type) {
      f.count_st.emplace((s_.prepare << count_sql, soci::into(f.count), soci::use(f.value)));
      f.page_st.emplace((s_.prepare << page_sql, soci::into(f.sender), soci::into(f.reference),
                         soci::into(f.record), soci::into(f.deleted), soci::use(f.value),
                         soci::use(f.limit), soci::use(f.offset)));
    } else {
      f.count_st.emplace(
          (s_.prepare << count_sql, soci::into(f.count), soci::use(f.type), soci::use(f.value)));
      f.page_st.emplace((s_.prepare << page_sql, soci::into(f.sender), soci::into(f.reference),
                         soci::into(f.record), soci::into(f.deleted), soci::use(f.type),
                         soci::use(f.value), soci::use(f.limit), soci::use(f.offset)));
    }
  }
  f.type = type;
  f.value = value;
  f.limit = limit;
  f.offset = offset;
  f.count_st->execute(true);
  total = f.count;
  std::vector<StoredBeneficiary> out;
  if (f.count == 0) return out;
  f.page_st->execute(false);
  while (f.page_st->fetch()) {
    StoredBeneficiary b;
    b.sender_id = f.sender;
    b.reference_id = f.reference;
    b.record = nlohmann::json::parse(f.record);
    b.deleted = f.deleted != 0;
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<Enrollment> IdentifierLookup::enrollments(const std::string& sender_id,
                                                      const std::string& reference_id) {
  auto& e = st_->enrollments;
  if (!e.st)
    e.st.emplace((s_.prepare << "SELECT programme_id, programme_name, status, enrolment_date, "
                                "end_date FROM ibr_enrollments WHERE sender_id = :s AND "
                                "reference_id = :r ORDER BY programme_id",
                  soci::into(e.row.programme_id), soci::into(e.row.programme_name),
                  soci::into(e.row.status), soci::into(e.row.enrolment_date),
                  soci::into(e.row.end_date), soci::use(e.sender), soci::use(e.reference)));
  e.sender = sender_id;
  e.reference = reference_id;
  std::vector<Enrollment> out;
  e.st->execute(false);
  while (e.st->fetch()) out.push_back(e.row);
  return out;
}

std::vector<StoredBeneficiary> beneficiaries_after(soci::session& s, const std::string& sender_id,
                                                   const std::string& reference_id, size_t limit) {
  std::vector<StoredBeneficiary> out;
  long long lim = static_cast<long long>(limit);
  // (a, b) > (x, y) spelled out: both backends use the primary key for it.
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT sender_id, reference_id, record, deleted FROM ibr_beneficiaries "
                    "WHERE deleted = 0 AND (sender_id > :s1 OR (sender_id = :s2 AND "
                    "reference_id > :r)) ORDER BY sender_id, reference_id LIMIT :l",
       soci::use(sender_id), soci::use(sender_id), soci::use(reference_id), soci::use(lim));
  for (const auto& r : rows) out.push_back(beneficiary_of(r));
  return out;
}

int64_t count_beneficiaries(soci::session& s) {
  long long n = 0;
  s << "SELECT COUNT(*) FROM ibr_beneficiaries WHERE deleted = 0", soci::into(n);
  return n;
}

}  // namespace db
}  // namespace registrar::ibr
