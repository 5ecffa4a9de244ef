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
