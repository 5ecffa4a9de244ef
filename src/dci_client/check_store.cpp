#include "dci_client/check_store.h"

#include <algorithm>

#include "dci/canonical_json.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

const char* kTables[] = {
    // The registrant's name parts, birth date, sex and location in their own columns, its
    // identifiers as a JSON list [{type, value}]; raw_response the answer item as JSON text.
    "CREATE TABLE dci_client_checks ("
    " id VARCHAR(64) PRIMARY KEY,"
    " source VARCHAR(255) NOT NULL,"
    " reference VARCHAR(255) NOT NULL,"
    " identifiers TEXT NOT NULL,"
    " given_name VARCHAR(255) NOT NULL,"
    " family_name VARCHAR(255) NOT NULL,"
    " other_names VARCHAR(255) NOT NULL,"
    " birth_date VARCHAR(16) NOT NULL,"
    " sex VARCHAR(16) NOT NULL,"
    " location VARCHAR(255) NOT NULL,"
    " state VARCHAR(16) NOT NULL,"
    " result VARCHAR(32),"
    " matched_programmes TEXT NOT NULL,"
    " raw_response TEXT,"
    " error_message TEXT NOT NULL,"
    " correlation_id VARCHAR(255),"
    " notes TEXT NOT NULL,"
    " batch_key VARCHAR(512),"
    " created_us BIGINT NOT NULL,"
    " updated_us BIGINT NOT NULL,"
    " checked_us BIGINT)",
    "CREATE INDEX dci_client_checks_correlation ON dci_client_checks (correlation_id)",
    "CREATE INDEX dci_client_checks_state ON dci_client_checks (state, updated_us)",
    "CREATE INDEX dci_client_checks_created ON dci_client_checks (created_us, id)",
    // A batch line is one check, whatever how often the batch is resumed.
    "CREATE UNIQUE INDEX dci_client_checks_batch ON dci_client_checks (batch_key)",
};

constexpr const char* kColumns =
    "SELECT id, source, reference, identifiers, given_name, family_name, other_names, "
    "birth_date, sex, location, state, result, matched_programmes, raw_response, error_message, "
    "correlation_id, notes, batch_key, created_us, updated_us, checked_us "
    "FROM dci_client_checks ";

std::string canonical(const Json& j) {
  std::string out;
  dci::append_canonical(out, j);
  return out;
}

Check check_of(const soci::row& r) {
  Check c;
  c.id = r.get<std::string>(0);
  c.source = r.get<std::string>(1);
  c.registrant.reference = r.get<std::string>(2);
  for (const auto& id : Json::parse(r.get<std::string>(3)))
    c.registrant.identifiers.push_back({id.value("type", ""), id.value("value", "")});
  c.registrant.given_name = r.get<std::string>(4);
  c.registrant.family_name = r.get<std::string>(5);
  c.registrant.other_names = r.get<std::string>(6);
  c.registrant.birth_date = r.get<std::string>(7);
  c.registrant.sex = r.get<std::string>(8);
  c.registrant.location = r.get<std::string>(9);
  c.state = parse_state(r.get<std::string>(10)).value_or(CheckState::kFailed);
  if (auto res = store::row_optional<std::string>(r, 11)) c.result = parse_result(*res);
  c.matched_programmes = Json::parse(r.get<std::string>(12)).get<std::vector<std::string>>();
  if (auto raw = store::row_optional<std::string>(r, 13)) c.raw_response = Json::parse(*raw);
  c.error = r.get<std::string>(14);
  c.correlation_id = store::row_optional<std::string>(r, 15).value_or("");
  c.notes = r.get<std::string>(16);
  c.batch_key = store::row_optional<std::string>(r, 17).value_or("");
  c.created = store::row_time(r, 18);
  c.updated = store::row_time(r, 19);
  c.checked = store::row_optional<core::SystemTime>(r, 20);
  return c;
}

std::vector<Check> all(soci::rowset<soci::row>& rows) {
  std::vector<Check> out;
  for (const auto& r : rows) out.push_back(check_of(r));
  return out;
}

std::optional<std::string> optional_text(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

store::Migration checks_migration() {
  store::Migration m;
  m.version = kChecksMigrationVersion;
  m.description = "duplication checks";
  for (const char* sql : kTables) m.statements.emplace_back(sql);
  return m;
}

namespace db {

void insert_check(soci::session& s, const Check& c) {
  Json ids = Json::array();
  for (const auto& id : c.registrant.identifiers)
    ids.push_back({{"type", id.type}, {"value", id.value}});
  std::string identifiers = canonical(ids);
  std::string state(state_name(c.state));
  std::string programmes = canonical(Json(c.matched_programmes));
  store::OptionalBind<std::string> batch(optional_text(c.batch_key));
  long long created = core::to_unix_us(c.created);
  long long updated = core::to_unix_us(c.updated);
  const Registrant& r = c.registrant;
  s << "INSERT INTO dci_client_checks (id, source, reference, identifiers, given_name, "
       "family_name, other_names, birth_date, sex, location, state, matched_programmes, "
       "error_message, notes, batch_key, created_us, updated_us) VALUES (:id, :src, :ref, :ids, "
       ":gn, :fn, :on, :bd, :sex, :loc, :st, :mp, :err, :notes, :bk, :cr, :up)",
      soci::use(c.id), soci::use(c.source), soci::use(r.reference), soci::use(identifiers),
      soci::use(r.given_name), soci::use(r.family_name), soci::use(r.other_names),
      soci::use(r.birth_date), soci::use(r.sex), soci::use(r.location), soci::use(state),
      soci::use(programmes), soci::use(c.error), soci::use(c.notes),
      soci::use(batch.value, batch.indicator), soci::use(created), soci::use(updated);
}

std::optional<Check> find_check(soci::session& s, const std::string& id) {
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kColumns) + "WHERE id = :id", soci::use(id));
  for (const auto& r : rows) return check_of(r);
  return std::nullopt;
}

std::optional<Check> find_check_for_update(soci::session& s, const std::string& id) {
  if (store::backend_of(s) == store::Backend::kSqlite) return find_check(s, id);
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kColumns) + "WHERE id = :id FOR UPDATE", soci::use(id));
  for (const auto& r : rows) return check_of(r);
  return std::nullopt;
}

std::optional<Check> find_by_batch_key(soci::session& s, const std::string& batch_key) {
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kColumns) + "WHERE batch_key = :k", soci::use(batch_key));
  for (const auto& r : rows) return check_of(r);
  return std::nullopt;
}

std::vector<Check> list_checks(soci::session& s, const CheckFilter& f) {
  std::string state = f.state ? std::string(state_name(*f.state)) : "";
  std::string after = f.after;
  long long after_us = 0;
  if (!after.empty()) {
    if (auto a = find_check(s, after))
      after_us = core::to_unix_us(a->created);
    else
      after.clear();
  }
  int limit = std::clamp(f.limit, 1, 1000);
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kColumns) +
                        "WHERE (:st1 = '' OR state = :st2) AND (:src1 = '' OR source = :src2) "
                        "AND (:a1 = '' OR created_us < :aus1 OR (created_us = :aus2 AND id < "
                        ":a2)) ORDER BY created_us DESC, id DESC LIMIT :lim",
       soci::use(state), soci::use(state), soci::use(f.source), soci::use(f.source),
       soci::use(after), soci::use(after_us), soci::use(after_us), soci::use(after),
       soci::use(limit));
  return all(rows);
}

void update_check(soci::session& s, const Check& c) {
  std::string state(state_name(c.state));
  store::OptionalBind<std::string> result(
      c.result ? std::optional<std::string>(std::string(result_name(*c.result))) : std::nullopt);
  std::string programmes = canonical(Json(c.matched_programmes));
  store::OptionalBind<std::string> raw(
      c.raw_response.is_null() ? std::nullopt : std::optional<std::string>(c.raw_response.dump()));
  store::OptionalBind<std::string> correlation(optional_text(c.correlation_id));
  long long updated = core::to_unix_us(c.updated);
  auto checked = store::bind_time(c.checked);
  s << "UPDATE dci_client_checks SET state = :st, result = :res, matched_programmes = :mp, "
       "raw_response = :raw, error_message = :err, correlation_id = :cor, notes = :notes, "
       "updated_us = :up, checked_us = :ch WHERE id = :id",
      soci::use(state), soci::use(result.value, result.indicator), soci::use(programmes),
      soci::use(raw.value, raw.indicator), soci::use(c.error),
      soci::use(correlation.value, correlation.indicator), soci::use(c.notes), soci::use(updated),
      soci::use(checked.value, checked.indicator), soci::use(c.id);
}

bool delete_check(soci::session& s, const std::string& id) {
  soci::statement st = (s.prepare << "DELETE FROM dci_client_checks WHERE id = :id", soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<Check> checks_by_correlation(soci::session& s, const std::string& correlation_id) {
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kColumns) + "WHERE correlation_id = :c ORDER BY created_us, id",
       soci::use(correlation_id));
  return all(rows);
}

std::vector<Check> stale_checks(soci::session& s, core::SystemTime before, int limit) {
  long long us = core::to_unix_us(before);
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kColumns) +
                        "WHERE state = 'checking' AND updated_us < :b ORDER BY updated_us, id "
                        "LIMIT :lim",
       soci::use(us), soci::use(limit));
  return all(rows);
}

std::vector<Check> batch_checks(soci::session& s, const std::string& prefix) {
  std::string low = prefix + ":";
  std::string high = prefix + ";";  // ':' + 1: every key starting with "<prefix>:"
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kColumns) + "WHERE batch_key >= :lo AND batch_key < :hi",
       soci::use(low), soci::use(high));
  return all(rows);
}

}  // namespace db
}  // namespace registrar::dci_client
