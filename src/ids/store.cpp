#include "ids/store.h"

namespace registrar::ids {

std::vector<store::Migration> ids_migrations() {
  store::Migration v1;
  v1.version = 1;
  v1.description = "issued IDs, counter leases, RID and ID sequences, licence keys, settings";
  v1.statements = {
      "CREATE TABLE ids_issued ("
      " id_type VARCHAR(8) NOT NULL,"
      " id VARCHAR(40) NOT NULL,"
      " counter BIGINT NOT NULL,"
      " status VARCHAR(16) NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " updated_at BIGINT NOT NULL,"
      " expires_at BIGINT,"
      " issued_by VARCHAR(256) NOT NULL,"
      " CONSTRAINT ids_issued_unique UNIQUE (id_type, id))",
      "CREATE INDEX ids_issued_status ON ids_issued (id_type, status)",
      "CREATE TABLE ids_counters ("
      " id_type VARCHAR(8) PRIMARY KEY,"
      " next_counter BIGINT NOT NULL,"
      " generator VARCHAR(64) NOT NULL)",
      "CREATE TABLE ids_rid_sequences ("
      " centre VARCHAR(32) NOT NULL,"
      " machine VARCHAR(32) NOT NULL,"
      " current_seq BIGINT NOT NULL,"
      " updated_at BIGINT NOT NULL,"
      " PRIMARY KEY (centre, machine))",
      "CREATE TABLE ids_sequences ("
      " kind VARCHAR(16) PRIMARY KEY,"
      " last_value BIGINT NOT NULL,"
      " updated_at BIGINT NOT NULL)",
      "CREATE TABLE ids_licences ("
      " licence_key VARCHAR(128) PRIMARY KEY,"
      " partner VARCHAR(128) NOT NULL,"
      " status VARCHAR(16) NOT NULL,"
      " expires_at BIGINT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " updated_at BIGINT NOT NULL)",
      "CREATE TABLE ids_settings ("
      " name VARCHAR(64) PRIMARY KEY,"
      " value TEXT NOT NULL)",
  };
  // Unix ms become µs since the epoch (docs/ARCHITECTURE.md, "Storage conventions"). Renamed in
  // place on both backends (SQLite >= 3.25): types, NULLs and constraints stay as they were.
  store::Migration v2;
  v2.version = 2;
  v2.description = "times as microseconds since the epoch (*_us columns)";
  v2.statements = {
      "ALTER TABLE ids_issued RENAME COLUMN created_at TO created_us",
      "ALTER TABLE ids_issued RENAME COLUMN updated_at TO updated_us",
      "ALTER TABLE ids_issued RENAME COLUMN expires_at TO expires_us",
      "UPDATE ids_issued SET created_us = created_us * 1000, updated_us = updated_us * 1000,"
      " expires_us = expires_us * 1000",
      "ALTER TABLE ids_rid_sequences RENAME COLUMN updated_at TO updated_us",
      "UPDATE ids_rid_sequences SET updated_us = updated_us * 1000",
      "ALTER TABLE ids_sequences RENAME COLUMN updated_at TO updated_us",
      "UPDATE ids_sequences SET updated_us = updated_us * 1000",
      "ALTER TABLE ids_licences RENAME COLUMN expires_at TO expires_us",
      "ALTER TABLE ids_licences RENAME COLUMN created_at TO created_us",
      "ALTER TABLE ids_licences RENAME COLUMN updated_at TO updated_us",
      "UPDATE ids_licences SET expires_us = expires_us * 1000, created_us = created_us * 1000,"
      " updated_us = updated_us * 1000",
  };
  // Only UNASSIGNED rows are ever looked up by status (reissue, the unassigned count); an index
  // of every row's (type, status) cost each issuance an index insertion that no query needed.
  // The partial index holds the few UNASSIGNED rows, in the order unassigned_ids takes them.
  store::Migration v3;
  v3.version = 3;
  v3.description = "index only UNASSIGNED rows by status (issuance no longer updates it)";
  v3.statements = {
      "DROP INDEX ids_issued_status",
      "CREATE INDEX ids_issued_unassigned ON ids_issued (id_type, updated_us)"
      " WHERE status = 'UNASSIGNED'",
  };
  // The permissions mapped to a licence key (MOSIP keeps them comma-joined in one row per key;
  // a row per permission keeps a comma inside one harmless). `ordinal` keeps the order they were
  // mapped in, which GET answers with.
  store::Migration v4;
  v4.version = 4;
  v4.description = "permissions mapped to licence keys";
  v4.statements = {
      "CREATE TABLE ids_licence_permissions ("
      " licence_key VARCHAR(128) NOT NULL REFERENCES ids_licences (licence_key),"
      " ordinal INTEGER NOT NULL,"
      " permission TEXT NOT NULL,"
      " PRIMARY KEY (licence_key, ordinal),"
      " CONSTRAINT ids_licence_permissions_unique UNIQUE (licence_key, permission))",
  };
  return {v1, v2, v3, v4};
}

namespace {

// The records' unix ms as the tables' µs, and back.
long long us(int64_t ms) {
  return core::to_unix_us(core::from_unix_ms(ms));
}
int64_t ms_of(core::SystemTime t) {
  return core::to_unix_ms(t);
}
std::optional<int64_t> ms_of(const std::optional<core::SystemTime>& t) {
  if (!t) return std::nullopt;
  return ms_of(*t);
}
store::OptionalBind<long long> bind_ms(const std::optional<int64_t>& ms) {
  return store::bind_time(ms ? std::optional(core::from_unix_ms(*ms)) : std::nullopt);
}

}  // namespace

namespace {

// One prepared statement executed per row (SOCI bulk): fastest on SQLite, in process.
void insert_bulk(soci::session& s, const std::vector<IssuedRow>& rows) {
  std::vector<std::string> types, ids, statuses, actors;
  std::vector<long long> counters, created, updated, expires;
  std::vector<soci::indicator> expires_ind;
  for (const auto& r : rows) {
    types.push_back(r.type);
    ids.push_back(r.id);
    counters.push_back(r.counter);
    statuses.push_back(r.status);
    created.push_back(us(r.created_ms));
    updated.push_back(us(r.updated_ms));
    auto ex = bind_ms(r.expires_ms);
    expires.push_back(ex.value);
    expires_ind.push_back(ex.indicator);
    actors.push_back(r.issued_by);
  }
  s << "INSERT INTO ids_issued (id_type, id, counter, status, created_us, updated_us, expires_us, "
       "issued_by) VALUES (:t, :id, :c, :s, :cr, :up, :ex, :by)",
      soci::use(types), soci::use(ids), soci::use(counters), soci::use(statuses),
      soci::use(created), soci::use(updated), soci::use(expires, expires_ind), soci::use(actors);
}

void insert_multirow(soci::session& s, const std::vector<IssuedRow>& rows) {
  // Multi-row INSERTs of up to kChunk rows: one statement (one round trip on PostgreSQL) per
  // chunk instead of per row. The bound values must stay put until the statement has run.
  constexpr size_t kChunk = 100;
  for (size_t first = 0; first < rows.size(); first += kChunk) {
    const size_t n = std::min(kChunk, rows.size() - first);
    std::vector<long long> numbers;
    std::vector<soci::indicator> expires_ind;
    numbers.reserve(n * 4);
    expires_ind.reserve(n);
    std::string sql =
        "INSERT INTO ids_issued (id_type, id, counter, status, created_us, updated_us, "
        "expires_us, issued_by) VALUES ";
    soci::statement st(s);
    for (size_t i = 0; i < n; ++i) {
      const IssuedRow& r = rows[first + i];
      const std::string k = std::to_string(i);
      sql += (i ? ", (" : "(") + (":t" + k) + ", :i" + k + ", :c" + k + ", :s" + k + ", :cr" + k +
             ", :up" + k + ", :ex" + k + ", :by" + k + ")";
      auto ex = bind_ms(r.expires_ms);
      numbers.push_back(r.counter);
      numbers.push_back(us(r.created_ms));
      numbers.push_back(us(r.updated_ms));
      numbers.push_back(ex.value);
      expires_ind.push_back(ex.indicator);
      long long* v = &numbers[numbers.size() - 4];
      st.exchange(soci::use(r.type));
      st.exchange(soci::use(r.id));
      st.exchange(soci::use(v[0]));
      st.exchange(soci::use(r.status));
      st.exchange(soci::use(v[1]));
      st.exchange(soci::use(v[2]));
      st.exchange(soci::use(v[3], expires_ind.back()));
      st.exchange(soci::use(r.issued_by));
    }
    st.alloc();
    st.prepare(sql);
    st.define_and_bind();
    st.execute(true);
  }
}

}  // namespace

void insert_issued(soci::session& s, store::Backend b, const std::vector<IssuedRow>& rows) {
  if (rows.empty()) return;
  if (b == store::Backend::kPostgres)
    insert_multirow(s, rows);
  else
    insert_bulk(s, rows);
}

std::vector<std::string> unassigned_ids(soci::session& s, store::Backend b, const std::string& type,
                                        int64_t now_ms, size_t max) {
  std::vector<std::string> out;
  long long now = us(now_ms), limit = static_cast<long long>(max);
  std::string sql =
      "SELECT id FROM ids_issued WHERE id_type = :t AND status = 'UNASSIGNED' AND "
      "(expires_us IS NULL OR expires_us > :now) ORDER BY updated_us LIMIT :n";
  if (b == store::Backend::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
  soci::rowset<std::string> rows =
      (s.prepare << sql, soci::use(type), soci::use(now), soci::use(limit));
  for (auto& id : rows) out.push_back(id);
  return out;
}

void reissue(soci::session& s, const std::string& type, const std::string& id, int64_t now_ms,
             std::optional<int64_t> expires_ms, const std::string& actor) {
  long long now = us(now_ms);
  auto ex = bind_ms(expires_ms);
  s << "UPDATE ids_issued SET status = 'ISSUED', updated_us = :now, expires_us = :ex, "
       "issued_by = :by WHERE id_type = :t AND id = :id AND status = 'UNASSIGNED'",
      soci::use(now), soci::use(ex.value, ex.indicator), soci::use(actor), soci::use(type),
      soci::use(id);
}

std::optional<IssuedRow> find_issued(soci::session& s, store::Backend b, const std::string& type,
                                     const std::string& id, bool for_update) {
  std::string sql =
      "SELECT id_type, id, counter, status, created_us, updated_us, expires_us, issued_by "
      "FROM ids_issued WHERE id_type = :t AND id = :id";
  if (for_update && b == store::Backend::kPostgres) sql += " FOR UPDATE";
  soci::row r;
  s << sql, soci::use(type), soci::use(id), soci::into(r);
  if (!s.got_data()) return std::nullopt;
  IssuedRow out;
  out.type = r.get<std::string>(0);
  out.id = r.get<std::string>(1);
  out.counter = store::row_int(r, 2);
  out.status = r.get<std::string>(3);
  out.created_ms = ms_of(store::row_time(r, 4));
  out.updated_ms = ms_of(store::row_time(r, 5));
  out.expires_ms = ms_of(store::row_optional<core::SystemTime>(r, 6));
  out.issued_by = r.get<std::string>(7);
  return out;
}

void set_status(soci::session& s, const std::string& type, const std::string& id,
                const std::string& status, int64_t now_ms) {
  long long now = us(now_ms);
  s << "UPDATE ids_issued SET status = :s, updated_us = :now WHERE id_type = :t AND id = :id",
      soci::use(status), soci::use(now), soci::use(type), soci::use(id);
}

int64_t count_issued(soci::session& s, const std::string& type) {
  long long n = 0;
  s << "SELECT COUNT(*) FROM ids_issued WHERE id_type = :t", soci::use(type), soci::into(n);
  return n;
}

int64_t count_unassigned(soci::session& s, const std::string& type) {
  long long n = 0;
  s << "SELECT COUNT(*) FROM ids_issued WHERE id_type = :t AND status = 'UNASSIGNED'",
      soci::use(type), soci::into(n);
  return n;
}

CounterUseRow counter_use(soci::session& s, const std::string& type, int64_t window_us) {
  CounterUseRow out;
  long long newest = 0;
  soci::indicator ind = soci::i_null;
  s << "SELECT MAX(created_us) FROM ids_issued WHERE id_type = :t", soci::use(type),
      soci::into(newest, ind);
  if (ind != soci::i_ok) return out;
  out.newest_us = newest;
  long long from = newest - window_us, lo = 0, hi = 0;
  s << "SELECT MIN(counter), MAX(counter) FROM ids_issued WHERE id_type = :t AND created_us >= "
       ":f",
      soci::use(type), soci::use(from), soci::into(lo), soci::into(hi);
  out.min_counter = lo;
  out.max_counter = hi;
  return out;
}

std::vector<std::string> counter_types(soci::session& s) {
  std::vector<std::string> types(16);
  s << "SELECT id_type FROM ids_counters ORDER BY id_type", soci::into(types);
  return types;
}

int64_t hold_unassigned(soci::session& s, int64_t now_ms) {
  long long now = us(now_ms);
  soci::statement st = (s.prepare << "UPDATE ids_issued SET status = 'ISSUED', updated_us = :now "
                                     "WHERE status = 'UNASSIGNED'",
                        soci::use(now));
  st.execute(true);
  return st.get_affected_rows();
}

std::optional<CounterState> counter_state(soci::session& s, const std::string& type) {
  soci::row r;
  s << "SELECT next_counter, generator FROM ids_counters WHERE id_type = :t", soci::use(type),
      soci::into(r);
  if (!s.got_data()) return std::nullopt;
  return CounterState{store::row_int(r, 0), r.get<std::string>(1)};
}

void set_counter_generator(soci::session& s, const std::string& type,
                           const std::string& generator) {
  s << "INSERT INTO ids_counters (id_type, next_counter, generator) VALUES (:t, 0, :g) "
       "ON CONFLICT (id_type) DO NOTHING",
      soci::use(type), soci::use(generator);
  s << "UPDATE ids_counters SET generator = :g WHERE id_type = :t", soci::use(generator),
      soci::use(type);
}

int64_t lease_counters(soci::session& s, store::Backend b, const std::string& type, int64_t n) {
  long long step = n, next = 0;
  if (b == store::Backend::kPostgres) {
    s << "UPDATE ids_counters SET next_counter = next_counter + :n WHERE id_type = :t "
         "RETURNING next_counter",
        soci::use(step), soci::use(type), soci::into(next);
  } else {
    s << "UPDATE ids_counters SET next_counter = next_counter + :n WHERE id_type = :t",
        soci::use(step), soci::use(type);
    s << "SELECT next_counter FROM ids_counters WHERE id_type = :t", soci::use(type),
        soci::into(next);
  }
  if (!s.got_data()) throw std::runtime_error("ids_counters has no row for " + type);
  return next - step;
}

int64_t next_rid_sequence(soci::session& s, store::Backend b, const std::string& centre,
                          const std::string& machine, int64_t initial, int64_t max,
                          int64_t now_ms) {
  long long init = initial, top = max, now = us(now_ms), current = 0;
  const char* upsert =
      "INSERT INTO ids_rid_sequences (centre, machine, current_seq, updated_us) "
      "VALUES (:c, :m, :init, :now) ON CONFLICT (centre, machine) DO UPDATE SET "
      "current_seq = CASE WHEN ids_rid_sequences.current_seq >= :top THEN :init2 "
      "ELSE ids_rid_sequences.current_seq + 1 END, updated_us = :now2";
  if (b == store::Backend::kPostgres) {
    s << std::string(upsert) + " RETURNING current_seq", soci::use(centre), soci::use(machine),
        soci::use(init), soci::use(now), soci::use(top), soci::use(init), soci::use(now),
        soci::into(current);
  } else {
    s << upsert, soci::use(centre), soci::use(machine), soci::use(init), soci::use(now),
        soci::use(top), soci::use(init), soci::use(now);
    s << "SELECT current_seq FROM ids_rid_sequences WHERE centre = :c AND machine = :m",
        soci::use(centre), soci::use(machine), soci::into(current);
  }
  return current;
}

std::optional<int64_t> sequence_last(soci::session& s, store::Backend b, const std::string& kind) {
  std::string sql = "SELECT last_value FROM ids_sequences WHERE kind = :k";
  if (b == store::Backend::kPostgres) sql += " FOR UPDATE";
  long long v = 0;
  s << sql, soci::use(kind), soci::into(v);
  if (!s.got_data()) return std::nullopt;
  return v;
}

void sequence_store(soci::session& s, const std::string& kind, std::optional<int64_t> previous,
                    int64_t value, int64_t now_ms) {
  long long v = value, now = us(now_ms);
  if (!previous) {
    // A concurrent first insert fails on the primary key; the caller's transaction retries.
    s << "INSERT INTO ids_sequences (kind, last_value, updated_us) VALUES (:k, :v, :now)",
        soci::use(kind), soci::use(v), soci::use(now);
    return;
  }
  long long prev = *previous;
  s << "UPDATE ids_sequences SET last_value = :v, updated_us = :now WHERE kind = :k AND "
       "last_value = :prev",
      soci::use(v), soci::use(now), soci::use(kind), soci::use(prev);
}

void insert_licence(soci::session& s, const LicenceRow& r) {
  long long ex = us(r.expires_ms), cr = us(r.created_ms), up = us(r.updated_ms);
  s << "INSERT INTO ids_licences (licence_key, partner, status, expires_us, created_us, "
       "updated_us) VALUES (:k, :p, :s, :ex, :cr, :up)",
      soci::use(r.key), soci::use(r.partner), soci::use(r.status), soci::use(ex), soci::use(cr),
      soci::use(up);
}

std::optional<LicenceRow> find_licence(soci::session& s, store::Backend b, const std::string& key,
                                       bool for_update) {
  std::string sql =
      "SELECT licence_key, partner, status, expires_us, created_us, updated_us FROM ids_licences "
      "WHERE licence_key = :k";
  if (for_update && b == store::Backend::kPostgres) sql += " FOR UPDATE";
  soci::row r;
  s << sql, soci::use(key), soci::into(r);
  if (!s.got_data()) return std::nullopt;
  LicenceRow out;
  out.key = r.get<std::string>(0);
  out.partner = r.get<std::string>(1);
  out.status = r.get<std::string>(2);
  out.expires_ms = ms_of(store::row_time(r, 3));
  out.created_ms = ms_of(store::row_time(r, 4));
  out.updated_ms = ms_of(store::row_time(r, 5));
  return out;
}

void update_licence(soci::session& s, const std::string& key, const std::string& status,
                    int64_t expires_ms, int64_t now_ms) {
  long long ex = us(expires_ms), now = us(now_ms);
  s << "UPDATE ids_licences SET status = :s, expires_us = :ex, updated_us = :now "
       "WHERE licence_key = :k",
      soci::use(status), soci::use(ex), soci::use(now), soci::use(key);
}

std::vector<std::string> licence_permissions(soci::session& s, const std::string& key) {
  std::vector<std::string> out;
  soci::rowset<std::string> rows =
      (s.prepare << "SELECT permission FROM ids_licence_permissions WHERE licence_key = :k "
                    "ORDER BY ordinal",
       soci::use(key));
  for (auto& p : rows) out.push_back(p);
  return out;
}

void set_licence_permissions(soci::session& s, const std::string& key,
                             const std::vector<std::string>& permissions) {
  s << "DELETE FROM ids_licence_permissions WHERE licence_key = :k", soci::use(key);
  int ordinal = 0;
  for (const auto& p : permissions) {
    s << "INSERT INTO ids_licence_permissions (licence_key, ordinal, permission) "
         "VALUES (:k, :o, :p)",
        soci::use(key), soci::use(ordinal), soci::use(p);
    ++ordinal;
  }
}

std::optional<std::string> setting(soci::session& s, const std::string& name) {
  std::string value;
  s << "SELECT value FROM ids_settings WHERE name = :n", soci::use(name), soci::into(value);
  if (!s.got_data()) return std::nullopt;
  return value;
}

void insert_setting(soci::session& s, const std::string& name, const std::string& value) {
  s << "INSERT INTO ids_settings (name, value) VALUES (:n, :v)", soci::use(name), soci::use(value);
}

void delete_setting(soci::session& s, const std::string& name) {
  s << "DELETE FROM ids_settings WHERE name = :n", soci::use(name);
}

}  // namespace registrar::ids
