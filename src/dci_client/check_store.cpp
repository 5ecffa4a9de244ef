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

// `column IN (:v0, ...)` over `values`, 100 at a time; `suffix` after the condition.
std::vector<Check> find_in(soci::session& s, const char* column,
                           const std::vector<std::string>& values, const char* suffix) {
  constexpr size_t kPerStatement = 100;
  std::vector<Check> out;
  out.reserve(values.size());
  for (size_t from = 0; from < values.size(); from += kPerStatement) {
    size_t n = std::min(kPerStatement, values.size() - from);
    std::string sql = std::string(kColumns) + "WHERE " + column + " IN (";
    soci::statement st(s);
    for (size_t i = 0; i < n; ++i) {
      sql += (i ? ", :v" : ":v") + std::to_string(i);
      st.exchange(soci::use(values[from + i]));
    }
    sql += std::string(")") + suffix;
    soci::row r;
    st.exchange(soci::into(r));
    st.alloc();
    st.prepare(sql);
    st.define_and_bind();
    st.execute(false);
    while (st.fetch()) out.push_back(check_of(r));
  }
  return out;
}

std::string identifiers_text(const Registrant& r) {
  Json ids = Json::array();
  for (const auto& id : r.identifiers) ids.push_back({{"type", id.type}, {"value", id.value}});
  return canonical(ids);
}

}  // namespace

store::Migration checks_migration() {
  store::Migration m;
  m.version = kChecksMigrationVersion;
  m.description = "duplication checks";
  for (const char* sql : kTables) m.statements.emplace_back(sql);
  return m;
}

store::Migration checks_indexes_migration() {
  store::Migration m;
  m.version = kChecksIndexesMigrationVersion;
  m.description = "duplication checks: partial state and correlation indexes";
  // The sweeper's query (stale_checks) names state = 'checking', which lets both backends use
  // the partial index; callbacks look a correlation id up by equality, never NULL.
  m.statements = {
      "DROP INDEX dci_client_checks_state",
      "CREATE INDEX dci_client_checks_checking ON dci_client_checks (updated_us, id) "
      "WHERE state = 'checking'",
      "DROP INDEX dci_client_checks_correlation",
      "CREATE INDEX dci_client_checks_correlation ON dci_client_checks (correlation_id) "
      "WHERE correlation_id IS NOT NULL",
  };
  return m;
}

namespace db {

void insert_check(soci::session& s, const Check& c) {
  CheckWriter(s).insert(c);
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
  CheckWriter(s).update(c);
}

// Bound by reference to their statements: the values are declared before the statements.
struct CheckWriter::Statements {
  struct Insert {
    std::string id, source, reference, identifiers, given_name, family_name, other_names,
        birth_date, sex, location, state, programmes, error, notes, batch_key, correlation;
    soci::indicator batch_ind = soci::i_null, correlation_ind = soci::i_null;
    long long created = 0, updated = 0;
    std::optional<soci::statement> st;
  };
  // What an answer (or a failure) sets: shared by update and finish.
  struct Outcome {
    std::string id, state, result, programmes, raw, error;
    soci::indicator result_ind = soci::i_null, raw_ind = soci::i_null, checked_ind = soci::i_null;
    long long updated = 0, checked = 0;
    void set(const Check& c) {
      id = c.id;
      state = state_name(c.state);
      result = c.result ? std::string(result_name(*c.result)) : std::string();
      result_ind = c.result ? soci::i_ok : soci::i_null;
      programmes = canonical(Json(c.matched_programmes));
      raw = c.raw_response.is_null() ? std::string() : c.raw_response.dump();
      raw_ind = c.raw_response.is_null() ? soci::i_null : soci::i_ok;
      error = c.error;
      updated = core::to_unix_us(c.updated);
      checked = c.checked ? core::to_unix_us(*c.checked) : 0;
      checked_ind = c.checked ? soci::i_ok : soci::i_null;
    }
  };
  struct Update : Outcome {
    std::string correlation, notes;
    soci::indicator correlation_ind = soci::i_null;
    std::optional<soci::statement> st;
  };
  struct Start {
    std::string id, from, correlation, notes;
    soci::indicator correlation_ind = soci::i_null;
    long long updated = 0;
    std::optional<soci::statement> st;
  };
  struct Finish : Outcome {
    std::string correlation;
    std::optional<soci::statement> st;
  };
  Insert insert;
  Update update;
  Start start;
  Finish finish;
};

CheckWriter::CheckWriter(soci::session& s) : s_(s) {}
CheckWriter::~CheckWriter() = default;

CheckWriter::Statements& CheckWriter::statements() {
  if (!st_) st_ = std::make_unique<Statements>();
  return *st_;
}

void CheckWriter::insert(const Check& c) {
  auto& v = statements().insert;
  if (!v.st)
    v.st.emplace(
        (s_.prepare << "INSERT INTO dci_client_checks (id, source, reference, identifiers, "
                       "given_name, family_name, other_names, birth_date, sex, location, state, "
                       "matched_programmes, error_message, notes, batch_key, correlation_id, "
                       "created_us, updated_us) VALUES (:id, :src, :ref, :ids, :gn, :fn, :on, :bd, "
                       ":sex, :loc, :st, :mp, :err, :notes, :bk, :cor, :cr, :up)",
         soci::use(v.id), soci::use(v.source), soci::use(v.reference), soci::use(v.identifiers),
         soci::use(v.given_name), soci::use(v.family_name), soci::use(v.other_names),
         soci::use(v.birth_date), soci::use(v.sex), soci::use(v.location), soci::use(v.state),
         soci::use(v.programmes), soci::use(v.error), soci::use(v.notes),
         soci::use(v.batch_key, v.batch_ind), soci::use(v.correlation, v.correlation_ind),
         soci::use(v.created), soci::use(v.updated)));
  const Registrant& r = c.registrant;
  v.id = c.id;
  v.source = c.source;
  v.reference = r.reference;
  v.identifiers = identifiers_text(r);
  v.given_name = r.given_name;
  v.family_name = r.family_name;
  v.other_names = r.other_names;
  v.birth_date = r.birth_date;
  v.sex = r.sex;
  v.location = r.location;
  v.state = state_name(c.state);
  v.programmes = canonical(Json(c.matched_programmes));
  v.error = c.error;
  v.notes = c.notes;
  v.batch_key = c.batch_key;
  v.batch_ind = c.batch_key.empty() ? soci::i_null : soci::i_ok;
  v.correlation = c.correlation_id;
  v.correlation_ind = c.correlation_id.empty() ? soci::i_null : soci::i_ok;
  v.created = core::to_unix_us(c.created);
  v.updated = core::to_unix_us(c.updated);
  v.st->execute(true);
}

void CheckWriter::update(const Check& c) {
  auto& v = statements().update;
  if (!v.st)
    v.st.emplace((s_.prepare << "UPDATE dci_client_checks SET state = :st, result = :res, "
                                "matched_programmes = :mp, raw_response = :raw, error_message = "
                                ":err, correlation_id = :cor, notes = :notes, updated_us = :up, "
                                "checked_us = :ch WHERE id = :id",
                  soci::use(v.state), soci::use(v.result, v.result_ind), soci::use(v.programmes),
                  soci::use(v.raw, v.raw_ind), soci::use(v.error),
                  soci::use(v.correlation, v.correlation_ind), soci::use(v.notes),
                  soci::use(v.updated), soci::use(v.checked, v.checked_ind), soci::use(v.id)));
  v.set(c);
  v.correlation = c.correlation_id;
  v.correlation_ind = c.correlation_id.empty() ? soci::i_null : soci::i_ok;
  v.notes = c.notes;
  v.st->execute(true);
}

bool CheckWriter::start(const Check& c, CheckState from) {
  auto& v = statements().start;
  if (!v.st)
    v.st.emplace((s_.prepare << "UPDATE dci_client_checks SET state = 'checking', error_message = "
                                "'', correlation_id = :cor, notes = :notes, updated_us = :up "
                                "WHERE id = :id AND state = :from",
                  soci::use(v.correlation, v.correlation_ind), soci::use(v.notes),
                  soci::use(v.updated), soci::use(v.id), soci::use(v.from)));
  v.id = c.id;
  v.from = state_name(from);
  v.correlation = c.correlation_id;
  v.correlation_ind = c.correlation_id.empty() ? soci::i_null : soci::i_ok;
  v.notes = c.notes;
  v.updated = core::to_unix_us(c.updated);
  v.st->execute(true);
  return v.st->get_affected_rows() > 0;
}

bool CheckWriter::finish(const Check& c, const std::string& sent_correlation_id) {
  auto& v = statements().finish;
  // A sync run sends no correlation id: its checks are `checking` with none (a later async run
  // of a retried check has one, and this answer is not its).
  if (!v.st)
    v.st.emplace((s_.prepare << "UPDATE dci_client_checks SET state = :st, result = :res, "
                                "matched_programmes = :mp, raw_response = :raw, error_message = "
                                ":err, updated_us = :up, checked_us = :ch WHERE id = :id AND state "
                                "= 'checking' AND COALESCE(correlation_id, '') = :cor",
                  soci::use(v.state), soci::use(v.result, v.result_ind), soci::use(v.programmes),
                  soci::use(v.raw, v.raw_ind), soci::use(v.error), soci::use(v.updated),
                  soci::use(v.checked), soci::use(v.id), soci::use(v.correlation)));
  v.set(c);
  if (!c.checked) v.checked = v.updated;  // an outcome is always checked
  v.correlation = sent_correlation_id;
  v.st->execute(true);
  return v.st->get_affected_rows() > 0;
}

bool batch_started(soci::session& s, const std::string& prefix) {
  std::string low = prefix + ":";
  std::string high = prefix + ";";
  int one = 0;
  soci::indicator ind = soci::i_null;
  s << "SELECT 1 FROM dci_client_checks WHERE batch_key >= :lo AND batch_key < :hi LIMIT 1",
      soci::use(low), soci::use(high), soci::into(one, ind);
  return s.got_data() && ind == soci::i_ok;
}

bool delete_check(soci::session& s, const std::string& id) {
  soci::statement st = (s.prepare << "DELETE FROM dci_client_checks WHERE id = :id", soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<Check> checks_by_correlation(soci::session& s, const std::string& correlation_id,
                                         bool for_update) {
  bool lock = for_update && store::backend_of(s) == store::Backend::kPostgres;
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kColumns) + "WHERE correlation_id = :c ORDER BY created_us, id" +
                        (lock ? " FOR UPDATE" : ""),
       soci::use(correlation_id));
  return all(rows);
}

std::vector<Check> find_checks(soci::session& s, const std::vector<std::string>& ids,
                               bool for_update) {
  bool lock = for_update && store::backend_of(s) == store::Backend::kPostgres;
  return find_in(s, "id", ids, lock ? " FOR UPDATE" : "");
}

std::vector<Check> find_by_batch_keys(soci::session& s, const std::vector<std::string>& keys) {
  return find_in(s, "batch_key", keys, "");
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

std::vector<Check> batch_checks(soci::session& s, const std::string& prefix, bool with_raw) {
  std::string low = prefix + ":";
  std::string high = prefix + ";";  // ':' + 1: every key starting with "<prefix>:"
  std::string columns = kColumns;
  if (!with_raw) columns.replace(columns.find("raw_response"), 12, "NULL");
  soci::rowset<soci::row> rows =
      (s.prepare << columns + "WHERE batch_key >= :lo AND batch_key < :hi", soci::use(low),
       soci::use(high));
  return all(rows);
}

std::map<std::string, StateNow> check_states(soci::session& s, const std::vector<std::string>& ids,
                                             bool for_update) {
  constexpr size_t kPerStatement = 100;
  const bool lock = for_update && store::backend_of(s) == store::Backend::kPostgres;
  std::map<std::string, StateNow> out;
  for (size_t from = 0; from < ids.size(); from += kPerStatement) {
    size_t n = std::min(kPerStatement, ids.size() - from);
    std::string sql = "SELECT id, state, correlation_id FROM dci_client_checks WHERE id IN (";
    soci::statement st(s);
    for (size_t i = 0; i < n; ++i) {
      sql += (i ? ", :v" : ":v") + std::to_string(i);
      st.exchange(soci::use(ids[from + i]));
    }
    sql += lock ? ") FOR UPDATE" : ")";
    std::string id, state, correlation;
    soci::indicator correlation_ind = soci::i_null;
    st.exchange(soci::into(id));
    st.exchange(soci::into(state));
    st.exchange(soci::into(correlation, correlation_ind));
    st.alloc();
    st.prepare(sql);
    st.define_and_bind();
    st.execute(false);
    while (st.fetch())
      out[id] = {parse_state(state).value_or(CheckState::kFailed),
                 correlation_ind == soci::i_ok ? correlation : std::string()};
  }
  return out;
}

}  // namespace db
}  // namespace registrar::dci_client
