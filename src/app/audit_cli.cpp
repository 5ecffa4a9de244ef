#include "app/audit_cli.h"

#include <ostream>

#include "app/app.h"
#include "store/audit.h"
#include "store/database.h"

namespace registrar::app {

int run_audit_verify(const core::Config& config, std::ostream& out) {
  store::DatabaseOptions options = database_options(config);
  options.pool_size = 1;
  store::Database db(options);
  const int platform = db.read([](soci::session& s) {
    int v = 0;
    soci::indicator ind = soci::i_null;
    s << "SELECT MAX(version) FROM schema_migrations WHERE module = 'platform'", soci::into(v, ind);
    return ind == soci::i_ok ? v : 0;
  });
  if (platform < 3) {
    out << "the audit log has no hash chain yet (platform schema v" << platform
        << ", the chain came with v3): run `registrar db migrate`\n";
    return 2;
  }
  store::AuditChainReport report = db.read([&](soci::session& s) {
    return store::verify_audit_chain(s, [&](size_t rows) {
      out << "... " << rows << " rows read\n" << std::flush;
    });
  });
  out << "audit chain: " << report.verified << " rows verified";
  if (report.unchained) out << ", " << report.unchained << " older rows before the chain began";
  out << "\n";
  if (report.broken_id) {
    out << "BROKEN at row " << *report.broken_id << " (" << report.broken_field
        << "): " << report.message << "\n";
    return 1;
  }
  if (report.head_id)
    out << "head: row " << report.head_id << " hash " << report.head_hash << "\n";
  else
    out << "head: none (no chained rows yet)\n";
  return 0;
}

}  // namespace registrar::app
