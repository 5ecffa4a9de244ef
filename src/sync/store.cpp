#include "sync/store.h"

#include <algorithm>

#include "core/error.h"

namespace registrar::sync {

store::Migration rows_migration() {
  store::Migration m;
  m.version = 1;
  m.description = "sync: master-data rows, change sequence, machine key indexes, pushes";
  m.statements = {
      "CREATE TABLE sync_rows ("
      " entity VARCHAR(64) NOT NULL,"
      " id VARCHAR(600) NOT NULL,"
      " lang VARCHAR(16) NOT NULL,"    // '' for entities that are not per language
      " scope VARCHAR(300) NOT NULL,"  // catalogue.h: '', c:<centre>, m:<machine>, l:<loc>, -
      " data TEXT NOT NULL,"           // compact JSON object of the entity's fields
      " is_active INTEGER NOT NULL,"
      " is_deleted INTEGER NOT NULL,"
      " version BIGINT NOT NULL,"
      " seq BIGINT NOT NULL,"
      " cr_by VARCHAR(255) NOT NULL,"
      " cr_us BIGINT NOT NULL,"
      " upd_by VARCHAR(255),"
      " upd_us BIGINT,"
      " del_us BIGINT,"
      " changed_us BIGINT NOT NULL,"  // the latest of cr_us, upd_us, del_us (index for windows)
      " PRIMARY KEY (entity, id, lang))",
      "CREATE INDEX sync_rows_scope_seq ON sync_rows (scope, seq)",
      "CREATE INDEX sync_rows_window ON sync_rows (entity, scope, changed_us)",
      // A row that left a scope, so that the scope's machines hear of it (pull).
      "CREATE TABLE sync_departures ("
      " seq BIGINT PRIMARY KEY,"
      " entity VARCHAR(64) NOT NULL,"
      " id VARCHAR(600) NOT NULL,"
      " lang VARCHAR(16) NOT NULL,"
      " scope VARCHAR(300) NOT NULL)",
      "CREATE INDEX sync_departures_scope_seq ON sync_departures (scope, seq)",
      "CREATE TABLE sync_counter (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL)",
      "INSERT INTO sync_counter (id, seq) VALUES (1, 0)",
      "CREATE TABLE sync_machine_keys ("
      " key_index VARCHAR(100) PRIMARY KEY,"  // lower-case hex pairs joined by ':'
      " machine_id VARCHAR(256) NOT NULL,"
      " signing INTEGER NOT NULL)",
      "CREATE INDEX sync_machine_keys_machine ON sync_machine_keys (machine_id)",
      "CREATE TABLE sync_pushes ("
      " machine_id VARCHAR(256) NOT NULL,"
      " change_id VARCHAR(100) NOT NULL,"
      " answer TEXT NOT NULL,"  // the JSON result the client got
      " received_us BIGINT NOT NULL,"
      " PRIMARY KEY (machine_id, change_id))",
  };
  return m;
}

const char* write_status_name(WriteStatus status) {
  switch (status) {
    case WriteStatus::kCreated:
      return "created";
    case WriteStatus::kUpdated:
      return "updated";
    case WriteStatus::kDeleted:
      return "deleted";
    case WriteStatus::kUnchanged:
      return "unchanged";
    case WriteStatus::kNotFound:
      return "not_found";
    case WriteStatus::kConflict:
      return "conflict";
  }
  return "unknown";
}

namespace db {
namespace {

constexpr const char* kRowColumns =
    "entity, id, lang, scope, data, is_active, is_deleted, version, seq, cr_by, cr_us, upd_by, "
    "upd_us, del_us";

RowState row_state(const soci::row& r) {
  RowState s;
  s.entity = r.get<std::string>(0);
  s.id = r.get<std::string>(1);
  s.lang = r.get<std::string>(2);
  s.scope = r.get<std::string>(3);
  s.data = r.get<std::string>(4);
  s.active = store::row_int(r, 5) != 0;
  s.deleted = store::row_int(r, 6) != 0;
  s.version = store::row_int(r, 7);
  s.seq = store::row_int(r, 8);
  s.created_by = r.get<std::string>(9);
  s.created_us = store::row_int(r, 10);
  s.updated_by = store::row_optional<std::string>(r, 11);
  s.updated_us = store::row_optional<int64_t>(r, 12);
  s.deleted_us = store::row_optional<int64_t>(r, 13);
  return s;
}

// The counter of the change sequence, locked for the rest of the transaction on first use.
class SequenceLease {
 public:
  explicit SequenceLease(soci::session& s) : s_(s) {}
  int64_t next() {
    if (!locked_) {
      // The no-op update takes the row lock (PostgreSQL) before the read; SQLite already holds
      // the database's write lock (BEGIN IMMEDIATE).
      s_ << "UPDATE sync_counter SET seq = seq WHERE id = 1";
      long long v = 0;
      s_ << "SELECT seq FROM sync_counter WHERE id = 1", soci::into(v);
      value_ = v;
      locked_ = true;
    }
    return ++value_;
  }
  void commit() {
    if (!locked_) return;
    long long v = value_;
    s_ << "UPDATE sync_counter SET seq = :v WHERE id = 1", soci::use(v);
  }

 private:
  soci::session& s_;
  bool locked_ = false;
  int64_t value_ = 0;
};

void insert_departure(soci::session& s, int64_t seq, const RowState& old) {
  long long q = seq;
  s << "INSERT INTO sync_departures (seq, entity, id, lang, scope) VALUES (:q, :e, :i, :l, :s)",
      soci::use(q), soci::use(old.entity), soci::use(old.id), soci::use(old.lang),
      soci::use(old.scope);
}

WriteResult apply_one(soci::session& s, SequenceLease& seqs, const RowWrite& w,
                      const std::string& actor, int64_t now_us) {
  std::optional<RowState> current = find_row(s, w.entity, w.input.id, w.input.lang);
  if (w.expected_version) {
    int64_t have = current ? current->version : 0;
    if (have != *w.expected_version) return {WriteStatus::kConflict, current};
  }
  if (w.remove) {
    if (!current) return {WriteStatus::kNotFound, std::nullopt};
    if (current->deleted) return {WriteStatus::kUnchanged, current};
    RowState next = *current;
    next.deleted = true;
    next.deleted_us = now_us;
    next.updated_by = actor;
    next.version += 1;
    next.seq = seqs.next();
    long long version = next.version, seq = next.seq, at = now_us;
    s << "UPDATE sync_rows SET is_deleted = 1, del_us = :at, upd_by = :by, version = :v, "
         "seq = :q, changed_us = :at2 WHERE entity = :e AND id = :i AND lang = :l",
        soci::use(at), soci::use(actor), soci::use(version), soci::use(seq), soci::use(at),
        soci::use(w.entity), soci::use(w.input.id), soci::use(w.input.lang);
    return {WriteStatus::kDeleted, next};
  }
  std::string data = w.input.data.dump();
  if (!current) {
    RowState next;
    next.entity = w.entity;
    next.id = w.input.id;
    next.lang = w.input.lang;
    next.scope = w.scope;
    next.data = data;
    next.active = w.input.active;
    next.version = 1;
    next.seq = seqs.next();
    next.created_by = actor;
    next.created_us = now_us;
    int active = next.active ? 1 : 0;
    long long seq = next.seq, at = now_us;
    s << "INSERT INTO sync_rows (entity, id, lang, scope, data, is_active, is_deleted, version, "
         "seq, cr_by, cr_us, changed_us) VALUES (:e, :i, :l, :sc, :d, :a, 0, 1, :q, :by, :at, "
         ":at2)",
        soci::use(next.entity), soci::use(next.id), soci::use(next.lang), soci::use(next.scope),
        soci::use(next.data), soci::use(active), soci::use(seq), soci::use(actor), soci::use(at),
        soci::use(at);
    return {WriteStatus::kCreated, next};
  }
  if (!current->deleted && current->data == data && current->active == w.input.active &&
      current->scope == w.scope)
    return {WriteStatus::kUnchanged, current};
  RowState next = *current;
  next.scope = w.scope;
  next.data = data;
  next.active = w.input.active;
  next.deleted = false;
  next.deleted_us.reset();
  next.updated_by = actor;
  next.updated_us = now_us;
  next.version += 1;
  if (current->scope != w.scope) insert_departure(s, seqs.next(), *current);
  next.seq = seqs.next();
  int active = next.active ? 1 : 0;
  long long version = next.version, seq = next.seq, at = now_us;
  s << "UPDATE sync_rows SET scope = :sc, data = :d, is_active = :a, is_deleted = 0, "
       "del_us = NULL, upd_by = :by, upd_us = :at, version = :v, seq = :q, changed_us = :at2 "
       "WHERE entity = :e AND id = :i AND lang = :l",
      soci::use(next.scope), soci::use(next.data), soci::use(active), soci::use(actor),
      soci::use(at), soci::use(version), soci::use(seq), soci::use(at), soci::use(w.entity),
      soci::use(w.input.id), soci::use(w.input.lang);
  return {WriteStatus::kUpdated, next};
}

}  // namespace

std::vector<WriteResult> apply(soci::session& s, const std::vector<RowWrite>& writes,
                               const std::string& actor, int64_t now_us) {
  SequenceLease seqs(s);
  std::vector<WriteResult> results;
  results.reserve(writes.size());
  for (const auto& w : writes) results.push_back(apply_one(s, seqs, w, actor, now_us));
  seqs.commit();
  return results;
}

std::optional<RowState> find_row(soci::session& s, const std::string& entity, const std::string& id,
                                 const std::string& lang) {
  soci::rowset<soci::row> rs =
      (s.prepare << "SELECT " << kRowColumns
                 << " FROM sync_rows WHERE entity = :e AND id = :i AND lang = :l",
       soci::use(entity), soci::use(id), soci::use(lang));
  for (const auto& r : rs) return row_state(r);
  return std::nullopt;
}

bool live_row_exists(soci::session& s, const std::string& entity, const std::string& id) {
  int n = 0;
  s << "SELECT COUNT(*) FROM sync_rows WHERE entity = :e AND id = :i AND is_deleted = 0",
      soci::use(entity), soci::use(id), soci::into(n);
  return n > 0;
}

std::vector<RowState> list_rows(soci::session& s, const ListQuery& q) {
  // Every filter is always bound; an unset one is switched off by its flag, so that the
  // statement's text (and SQLite's prepared plan) does not vary with the filters.
  int by_lang = q.lang ? 1 : 0, by_scope = q.scope ? 1 : 0, by_active = q.active ? 1 : 0;
  int with_deleted = q.include_deleted ? 1 : 0;
  std::string lang = q.lang.value_or(""), scope = q.scope.value_or("");
  int active = q.active.value_or(true) ? 1 : 0;
  int limit = q.limit;
  soci::rowset<soci::row> rs =
      (s.prepare << "SELECT " << kRowColumns
                 << " FROM sync_rows WHERE entity = :e AND (id > :ai OR (id = :ai2 AND lang > :al))"
                    " AND (:bl = 0 OR lang = :l) AND (:bs = 0 OR scope = :s)"
                    " AND (:wd = 1 OR is_deleted = 0) AND (:ba = 0 OR is_active = :a)"
                    " ORDER BY id, lang LIMIT :lim",
       soci::use(q.entity), soci::use(q.after_id), soci::use(q.after_id), soci::use(q.after_lang),
       soci::use(by_lang), soci::use(lang), soci::use(by_scope), soci::use(scope),
       soci::use(with_deleted), soci::use(by_active), soci::use(active), soci::use(limit));
  std::vector<RowState> out;
  for (const auto& r : rs) out.push_back(row_state(r));
  return out;
}

void for_each_row(soci::session& s, ListQuery q, const std::function<void(const RowState&)>& row) {
  for (;;) {
    auto rows = list_rows(s, q);
    for (const auto& r : rows) row(r);
    if (rows.size() < static_cast<size_t>(q.limit)) return;
    q.after_id = rows.back().id;
    q.after_lang = rows.back().lang;
  }
}

void select_window(soci::session& s, const WindowQuery& q,
                   const std::function<void(const RowState&)>& row) {
  if (q.entities.empty()) return;
  // changed_us >= from narrows each entity's index range (entity, scope, changed_us); the three
  // BETWEENs are MOSIP's rule.
  std::string sql =
      "SELECT entity, id, lang, data, is_active, is_deleted FROM sync_rows WHERE entity IN (";
  for (size_t i = 0; i < q.entities.size(); ++i) sql += i == 0 ? ":e0" : ", :e" + std::to_string(i);
  sql +=
      ") AND scope = :s AND changed_us >= :f AND ((cr_us BETWEEN :f1 AND :t1) OR (upd_us BETWEEN"
      " :f2 AND :t2) OR (del_us BETWEEN :f3 AND :t3)) ORDER BY entity, id, lang";
  std::string scope = q.scope;
  long long from = q.from_us, to = q.to_us;
  RowState r;
  r.scope = q.scope;
  int active = 0, deleted = 0;
  soci::statement st(s);
  for (const auto& e : q.entities) st.exchange(soci::use(e));
  st.exchange(soci::use(scope));
  for (int i = 0; i < 4; ++i) {
    st.exchange(soci::use(from));
    if (i > 0) st.exchange(soci::use(to));
  }
  st.exchange(soci::into(r.entity));
  st.exchange(soci::into(r.id));
  st.exchange(soci::into(r.lang));
  st.exchange(soci::into(r.data));
  st.exchange(soci::into(active));
  st.exchange(soci::into(deleted));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute(false);
  while (st.fetch()) {
    r.active = active != 0;
    r.deleted = deleted != 0;
    row(r);
  }
}

std::map<std::string, int64_t> count_rows(soci::session& s) {
  std::map<std::string, int64_t> out;
  std::string entity;
  long long n = 0;
  soci::statement st = (s.prepare << "SELECT entity, COUNT(*) FROM sync_rows "
                                     "WHERE is_deleted = 0 GROUP BY entity",
                        soci::into(entity), soci::into(n));
  st.execute(false);
  while (st.fetch()) out[entity] = n;
  return out;
}

int64_t head_seq(soci::session& s) {
  long long v = 0;
  s << "SELECT seq FROM sync_counter WHERE id = 1", soci::into(v);
  return v;
}

void set_machine_keys(soci::session& s, const std::string& machine_id, const std::string& key_index,
                      const std::string& sign_key_index) {
  s << "DELETE FROM sync_machine_keys WHERE machine_id = :m", soci::use(machine_id);
  auto put = [&](const std::string& index, int signing) {
    if (index.empty()) return;
    try {
      s << "INSERT INTO sync_machine_keys (key_index, machine_id, signing) VALUES (:k, :m, :s)",
          soci::use(index), soci::use(machine_id), soci::use(signing);
    } catch (const std::exception& e) {
      if (!store::is_unique_violation(e)) throw;
      throw core::conflict("this public key is already the key of another machine", "publicKey");
    }
  };
  put(key_index, 0);
  if (sign_key_index != key_index) put(sign_key_index, 1);
}

std::optional<MachineKeyHit> machine_for_key_index(soci::session& s, const std::string& key_index) {
  std::string machine;
  int signing = 0;
  soci::indicator ind = soci::i_null;
  s << "SELECT machine_id, signing FROM sync_machine_keys WHERE key_index = :k",
      soci::use(key_index), soci::into(machine, ind), soci::into(signing);
  if (!s.got_data() || ind != soci::i_ok) return std::nullopt;
  return MachineKeyHit{machine, signing != 0};
}

std::optional<std::string> find_push(soci::session& s, const std::string& machine_id,
                                     const std::string& change_id) {
  std::string answer;
  soci::indicator ind = soci::i_null;
  s << "SELECT answer FROM sync_pushes WHERE machine_id = :m AND change_id = :c",
      soci::use(machine_id), soci::use(change_id), soci::into(answer, ind);
  if (!s.got_data() || ind != soci::i_ok) return std::nullopt;
  return answer;
}

void record_push(soci::session& s, const std::string& machine_id, const std::string& change_id,
                 const std::string& answer, int64_t now_us) {
  long long at = now_us;
  s << "INSERT INTO sync_pushes (machine_id, change_id, answer, received_us) VALUES (:m, :c, "
       ":a, :t)",
      soci::use(machine_id), soci::use(change_id), soci::use(answer), soci::use(at);
}

}  // namespace db
}  // namespace registrar::sync
