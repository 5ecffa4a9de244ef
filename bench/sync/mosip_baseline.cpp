#include "mosip_baseline.h"

#include <libpq-fe.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <stdexcept>

namespace registrar::sync_bench {
namespace {

using PgConn = std::unique_ptr<PGconn, decltype(&PQfinish)>;

void exec(PGconn* c, const std::string& sql, ExecStatusType want = PGRES_COMMAND_OK) {
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c, sql.c_str()), PQclear);
  auto st = PQresultStatus(r.get());
  if (st != want && st != PGRES_TUPLES_OK)
    throw std::runtime_error(std::string("PostgreSQL: ") + PQerrorMessage(c));
}

// "2026-05-29 12:00:00.123456", UTC (the columns are `timestamp`, as MOSIP's).
std::string timestamp(int64_t us) {
  std::time_t secs = us / 1'000'000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(us % 1'000'000));
  return buf;
}

// COPY's text format: backslash, tab and line ends escaped.
void append_copy_text(std::string& out, const std::string& v) {
  for (char ch : v) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += ch;
    }
  }
}

// MOSIP's scoping columns from the registrar's scope: regcntr_id for centre rows (and a
// machine's centre), location_code for holidays.
struct Scoping {
  std::string centre, location;
};
Scoping scoping(const sync::RowWrite& w) {
  Scoping s;
  if (w.scope.rfind("c:", 0) == 0) s.centre = w.scope.substr(2);
  if (w.scope.rfind("l:", 0) == 0) s.location = w.scope.substr(2);
  if (w.scope.rfind("m:", 0) == 0) s.centre = w.input.data.value("regCenterId", "");
  return s;
}

std::string quoted(const std::string& v) {
  std::string out = "'";
  for (char ch : v) out += ch == '\'' ? std::string("''") : std::string(1, ch);
  return out + "'";
}

constexpr const char* kSchema = R"sql(
DROP TABLE IF EXISTS mosip_master;
CREATE TABLE mosip_master (
  entity_name varchar(64) NOT NULL,
  id varchar(600) NOT NULL,
  lang_code varchar(16) NOT NULL,
  regcntr_id varchar(36),
  location_code varchar(36),
  fields text NOT NULL,
  is_active boolean NOT NULL,
  cr_by varchar(256) NOT NULL,
  cr_dtimes timestamp NOT NULL,
  upd_by varchar(256),
  upd_dtimes timestamp,
  is_deleted boolean NOT NULL DEFAULT false,
  del_dtimes timestamp);
)sql";

constexpr const char* kIndexes = R"sql(
ALTER TABLE mosip_master ADD PRIMARY KEY (entity_name, id, lang_code);
CREATE INDEX mosip_master_centre ON mosip_master (entity_name, regcntr_id);
CREATE INDEX mosip_master_location ON mosip_master (entity_name, location_code);
)sql";

void copy_batch(PGconn* c, const std::vector<sync::RowWrite>& rows, int64_t at_us) {
  exec(c,
       "COPY mosip_master (entity_name, id, lang_code, regcntr_id, location_code, fields, "
       "is_active, cr_by, cr_dtimes) FROM STDIN",
       PGRES_COPY_IN);
  std::string buf, at = timestamp(at_us);
  buf.reserve(rows.size() * 300);
  for (const auto& w : rows) {
    Scoping s = scoping(w);
    append_copy_text(buf, w.entity);
    buf += '\t';
    append_copy_text(buf, w.input.id);
    buf += '\t';
    append_copy_text(buf, w.input.lang);
    buf += '\t';
    buf += s.centre.empty() ? "\\N" : s.centre;
    buf += '\t';
    buf += s.location.empty() ? "\\N" : s.location;
    buf += '\t';
    append_copy_text(buf, w.input.data.dump());
    buf += w.input.active ? "\tt\tbench-loader\t" : "\tf\tbench-loader\t";
    buf += at;
    buf += '\n';
  }
  if (PQputCopyData(c, buf.data(), static_cast<int>(buf.size())) != 1 ||
      PQputCopyEnd(c, nullptr) != 1)
    throw std::runtime_error(std::string("COPY: ") + PQerrorMessage(c));
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQgetResult(c), PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
    throw std::runtime_error(std::string("COPY: ") + PQerrorMessage(c));
  while (PGresult* more = PQgetResult(c)) PQclear(more);
}

// The changes as MOSIP's admin services would make them: an update sets upd_by / upd_dtimes, a
// delete is_deleted / del_dtimes.
void apply_changes(PGconn* c, const std::vector<sync::RowWrite>& changes, int64_t t1_us) {
  exec(c, "BEGIN");
  std::string at = quoted(timestamp(t1_us));
  for (const auto& w : changes) {
    std::string key = " WHERE entity_name = " + quoted(w.entity) +
                      " AND id = " + quoted(w.input.id) +
                      " AND lang_code = " + quoted(w.input.lang);
    if (w.remove)
      exec(c, "UPDATE mosip_master SET is_deleted = true, del_dtimes = " + at +
                  ", upd_by = 'bench-operator'" + key);
    else
      exec(c, "UPDATE mosip_master SET fields = " + quoted(w.input.data.dump()) +
                  ", upd_dtimes = " + at + ", upd_by = 'bench-operator'" + key);
  }
  exec(c, "COMMIT");
}

}  // namespace

double load_mosip_baseline(const std::string& pg_url, const Shape& shape, size_t batch,
                           const MachineKeys& keys, int64_t t0_us,
                           const std::vector<sync::RowWrite>& changes, int64_t t1_us) {
  PgConn conn(PQconnectdb(pg_url.c_str()), PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error(std::string("PostgreSQL: ") + PQerrorMessage(conn.get()));
  auto start = std::chrono::steady_clock::now();
  exec(conn.get(), "SET client_min_messages = warning");
  exec(conn.get(), kSchema);
  int64_t b = 0;
  generate(shape, batch, keys, [&](std::vector<sync::RowWrite>& rows) {
    copy_batch(conn.get(), rows, t0_us + b * 1'000'000);
    ++b;
  });
  // Indexes after the rows, as a bulk load would build them.
  exec(conn.get(), kIndexes);
  apply_changes(conn.get(), changes, t1_us);
  exec(conn.get(), "VACUUM ANALYZE mosip_master");
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string mosip_sync_script(int64_t from_us, int64_t to_us) {
  std::string from = quoted(timestamp(from_us)), to = quoted(timestamp(to_us));
  std::string window = " AND ((cr_dtimes BETWEEN " + from + " AND " + to +
                       ") OR (upd_dtimes BETWEEN " + from + " AND " + to +
                       ") OR (del_dtimes BETWEEN " + from + " AND " + to + "))";
  std::string centre = quoted(centre_id(0));
  std::string script;
  for (const auto& e : sync::catalogue()) {
    if (e.mosip_name.empty() || !e.in_v1) continue;
    std::string where = "entity_name = " + quoted(e.name);
    switch (e.scope) {
      case sync::ScopeRule::kGlobal:
      case sync::ScopeRule::kTemplateModule:  // no template rows in the workload
        break;
      case sync::ScopeRule::kCentreField:
        where += " AND regcntr_id = " + centre;
        break;
      case sync::ScopeRule::kMachineId:
        where += " AND regcntr_id = " + centre + " AND id = " + quoted(machine_id(0));
        break;
      case sync::ScopeRule::kConfigLevel:  // configurations: not a clientsettings entity
        continue;
      case sync::ScopeRule::kLocationField:
        // MOSIP joins registration_center for the holiday location; given here.
        where += " AND location_code = " + quoted(holiday_location(0));
        break;
    }
    script += "SELECT id, lang_code, fields, is_active, is_deleted FROM mosip_master WHERE " +
              where + window + ";\n";
  }
  return script;
}

}  // namespace registrar::sync_bench
