#include "dci_client/sources_store.h"

#include "core/error.h"

namespace registrar::dci_client {
namespace {

// Every column but code and created_us, in the order Bound binds them.
constexpr const char* kColumns[] = {
    "name",
    "registry_type",
    "base_url",
    "sync_search_endpoint",
    "search_endpoint",
    "subscribe_endpoint",
    "token_endpoint",
    "our_sender_id",
    "our_callback_uri",
    "receiver_id",
    "auth_type",
    "bearer_token_sealed",
    "basic_username",
    "basic_password_sealed",
    "oauth2_token_url",
    "oauth2_client_id",
    "oauth2_client_secret_sealed",
    "oauth2_scope",
    "oauth2_credential_location",
    "timeout_ms",
    "verify_tls",
    "max_concurrency",
    "active",
    "state",
    "notes",
    "updated_us",
};

std::string joined(const char* prefix) {
  std::string out;
  int i = 0;
  for (const char* c : kColumns) {
    if (!out.empty()) out += ", ";
    out += prefix[0] ? std::string(prefix) + std::to_string(++i) : std::string(c);
  }
  return out;
}

// The values of a source as bound to a statement; alive until the statement has run.
struct Bound {
  Bound(const DataSource& d, core::SystemTime now)
      : registry_type(registry_type_name(d.registry_type)),
        auth(auth_type_name(d.auth)),
        location(credential_location_name(d.oauth2_credential_location)),
        state(source_state_name(d.state)),
        timeout_ms(d.timeout.count()),
        verify_tls(d.verify_tls ? 1 : 0),
        max_concurrency(d.max_concurrency),
        active(d.active ? 1 : 0),
        updated_us(core::to_unix_us(now)),
        d(d) {}
  void exchange(soci::statement& st) {
    st.exchange(soci::use(d.name));
    st.exchange(soci::use(registry_type));
    st.exchange(soci::use(d.base_url));
    st.exchange(soci::use(d.sync_search_endpoint));
    st.exchange(soci::use(d.search_endpoint));
    st.exchange(soci::use(d.subscribe_endpoint));
    st.exchange(soci::use(d.token_endpoint));
    st.exchange(soci::use(d.our_sender_id));
    st.exchange(soci::use(d.our_callback_uri));
    st.exchange(soci::use(d.receiver_id));
    st.exchange(soci::use(auth));
    st.exchange(soci::use(d.secrets.bearer_token));
    st.exchange(soci::use(d.basic_username));
    st.exchange(soci::use(d.secrets.basic_password));
    st.exchange(soci::use(d.oauth2_token_url));
    st.exchange(soci::use(d.oauth2_client_id));
    st.exchange(soci::use(d.secrets.oauth2_client_secret));
    st.exchange(soci::use(d.oauth2_scope));
    st.exchange(soci::use(location));
    st.exchange(soci::use(timeout_ms));
    st.exchange(soci::use(verify_tls));
    st.exchange(soci::use(max_concurrency));
    st.exchange(soci::use(active));
    st.exchange(soci::use(state));
    st.exchange(soci::use(d.notes));
    st.exchange(soci::use(updated_us));
  }
  std::string registry_type, auth, location, state;
  long long timeout_ms;
  int verify_tls, max_concurrency, active;
  long long updated_us;
  const DataSource& d;
};

// Runs `sql` with the source's values, then `code`, then (insert) its created time.
int64_t run(soci::session& s, const std::string& sql, const DataSource& d, core::SystemTime now,
            bool with_created) {
  Bound b(d, now);
  std::string code = d.code;
  long long created = core::to_unix_us(now);
  soci::statement st(s);
  b.exchange(st);
  st.exchange(soci::use(code));
  if (with_created) st.exchange(soci::use(created));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute(true);
  return st.get_affected_rows();
}

template <typename E>
E parsed(std::optional<E> value, const std::string& text, const char* column) {
  if (!value)
    throw core::Error(core::ErrorKind::kInternal,
                      std::string("dci_client_sources.") + column + ": " + text);
  return *value;
}

DataSource source_of(const soci::row& r) {
  DataSource d;
  size_t i = 0;
  d.code = r.get<std::string>(i++);
  d.name = r.get<std::string>(i++);
  std::string type = r.get<std::string>(i++);
  d.registry_type = parsed(parse_registry_type(type), type, "registry_type");
  d.base_url = r.get<std::string>(i++);
  d.sync_search_endpoint = r.get<std::string>(i++);
  d.search_endpoint = r.get<std::string>(i++);
  d.subscribe_endpoint = r.get<std::string>(i++);
  d.token_endpoint = r.get<std::string>(i++);
  d.our_sender_id = r.get<std::string>(i++);
  d.our_callback_uri = r.get<std::string>(i++);
  d.receiver_id = r.get<std::string>(i++);
  std::string auth = r.get<std::string>(i++);
  d.auth = parsed(parse_auth_type(auth), auth, "auth_type");
  d.secrets.bearer_token = r.get<std::string>(i++);
  d.basic_username = r.get<std::string>(i++);
  d.secrets.basic_password = r.get<std::string>(i++);
  d.oauth2_token_url = r.get<std::string>(i++);
  d.oauth2_client_id = r.get<std::string>(i++);
  d.secrets.oauth2_client_secret = r.get<std::string>(i++);
  d.oauth2_scope = r.get<std::string>(i++);
  std::string location = r.get<std::string>(i++);
  d.oauth2_credential_location =
      parsed(parse_credential_location(location), location, "oauth2_credential_location");
  d.timeout = std::chrono::milliseconds(store::row_int(r, i++));
  d.verify_tls = store::row_int(r, i++) != 0;
  d.max_concurrency = int(store::row_int(r, i++));
  d.active = store::row_int(r, i++) != 0;
  std::string state = r.get<std::string>(i++);
  d.state = parsed(parse_source_state(state), state, "state");
  d.notes = r.get<std::string>(i++);
  d.updated = store::row_time(r, i++);
  d.created = store::row_time(r, i++);
  return d;
}

std::string select_sql() {
  return "SELECT code, " + joined("") + ", created_us FROM dci_client_sources ";
}

// Sets one column (and updated_us) of the source `code`; false when there is none.
template <typename T>
bool changed(soci::session& s, const char* column, T value, const std::string& code,
             core::SystemTime now) {
  long long us = core::to_unix_us(now);
  soci::statement st = (s.prepare << std::string("UPDATE dci_client_sources SET ") + column +
                                         " = :v, updated_us = :u WHERE code = :c",
                        soci::use(value), soci::use(us), soci::use(code));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

}  // namespace

store::Migration sources_migration() {
  store::Migration m;
  m.version = 1;
  m.description = "data sources: the DCI registries we ask, their endpoints and sealed secrets";
  m.statements.emplace_back(
      "CREATE TABLE dci_client_sources ("
      " code VARCHAR(64) PRIMARY KEY,"
      " name VARCHAR(255) NOT NULL,"
      " registry_type VARCHAR(16) NOT NULL,"
      " base_url VARCHAR(2048) NOT NULL,"
      " sync_search_endpoint VARCHAR(1024) NOT NULL,"
      " search_endpoint VARCHAR(1024) NOT NULL,"
      " subscribe_endpoint VARCHAR(1024) NOT NULL,"
      " token_endpoint VARCHAR(1024) NOT NULL,"
      " our_sender_id VARCHAR(255) NOT NULL,"
      " our_callback_uri VARCHAR(2048) NOT NULL,"
      " receiver_id VARCHAR(2048) NOT NULL,"
      " auth_type VARCHAR(16) NOT NULL,"
      // Sealed with identity's master key, context bound to the code and the field; "" = none.
      " bearer_token_sealed TEXT NOT NULL,"
      " basic_username VARCHAR(255) NOT NULL,"
      " basic_password_sealed TEXT NOT NULL,"
      " oauth2_token_url VARCHAR(2048) NOT NULL,"
      " oauth2_client_id VARCHAR(255) NOT NULL,"
      " oauth2_client_secret_sealed TEXT NOT NULL,"
      " oauth2_scope VARCHAR(1024) NOT NULL,"
      " oauth2_credential_location VARCHAR(8) NOT NULL,"
      " timeout_ms BIGINT NOT NULL,"
      " verify_tls INTEGER NOT NULL,"
      " max_concurrency INTEGER NOT NULL,"
      " active INTEGER NOT NULL,"
      " state VARCHAR(16) NOT NULL,"
      " notes TEXT NOT NULL,"
      " updated_us BIGINT NOT NULL,"
      " created_us BIGINT NOT NULL)");
  return m;
}

namespace db {

void insert_source(soci::session& s, const DataSource& d, core::SystemTime now) {
  try {
    run(s,
        "INSERT INTO dci_client_sources (" + joined("") + ", code, created_us) VALUES (" +
            joined(":v") + ", :code, :created)",
        d, now, true);
  } catch (const std::exception& e) {
    if (store::is_unique_violation(e))
      throw core::conflict("Data source code must be unique. Please choose a different code.",
                           "code");
    throw;
  }
}

bool update_source(soci::session& s, const DataSource& d, core::SystemTime now) {
  // Row-value assignment (SQLite 3.15+, PostgreSQL): the same column list as the insert.
  return run(s,
             "UPDATE dci_client_sources SET (" + joined("") + ") = (" + joined(":v") +
                 ") WHERE code = :code",
             d, now, false) > 0;
}

std::optional<DataSource> find_source(soci::session& s, const std::string& code) {
  soci::rowset<soci::row> rows = (s.prepare << select_sql() + "WHERE code = :c", soci::use(code));
  for (const auto& r : rows) return source_of(r);
  return std::nullopt;
}

std::vector<DataSource> all_sources(soci::session& s) {
  std::vector<DataSource> out;
  soci::rowset<soci::row> rows = (s.prepare << select_sql() + "ORDER BY name, code");
  for (const auto& r : rows) out.push_back(source_of(r));
  return out;
}

bool set_source_state(soci::session& s, const std::string& code, SourceState state,
                      core::SystemTime now) {
  return changed(s, "state", std::string(source_state_name(state)), code, now);
}

bool set_source_active(soci::session& s, const std::string& code, bool active,
                       core::SystemTime now) {
  return changed(s, "active", active ? 1 : 0, code, now);
}

bool delete_source(soci::session& s, const std::string& code) {
  soci::statement st =
      (s.prepare << "DELETE FROM dci_client_sources WHERE code = :c", soci::use(code));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

}  // namespace db
}  // namespace registrar::dci_client
