#include "app/audit_cli.h"

#include <optional>
#include <ostream>
#include <stdexcept>

#include "app/app.h"
#include "core/error.h"
#include "store/audit.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::app {

namespace {

struct Anchor {
  long long id = 0;
  std::string hash;
};

Anchor parse_anchor(const std::string& text) {
  auto colon = text.find(':');
  Anchor a;
  try {
    size_t used = 0;
    a.id = std::stoll(text.substr(0, colon), &used);
    if (colon == std::string::npos || used != colon || a.id <= 0) throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw core::Error(core::ErrorKind::kInvalidArgument,
                      "--expect-head takes ROW:HASH, as `audit verify` printed them",
                      "expect-head");
  }
  a.hash = text.substr(colon + 1);
  return a;
}

}  // namespace

int run_audit_verify(const core::Config& config, const std::string& expect_head,
                     std::ostream& out) {
  std::optional<Anchor> anchor;
  if (!expect_head.empty()) anchor = parse_anchor(expect_head);
  store::DatabaseOptions options = database_options(config);
  options.pool_size = 1;
  store::Database db(options);
  // Read-only: a schema without the chain is reported, not migrated.
  store::SchemaStatus schema = store::schema_status(db, {store::platform_schema()});
  if (!schema.current) {
    for (const auto& p : schema.problems) out << p << "\n";
    out << "the audit log's hash chain needs the current platform schema: run `registrar db "
           "migrate`\n";
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
  if (anchor) {
    // The chain verified up to its head; a recorded row at or below it that still has the
    // recorded hash proves every row up to it unchanged.
    auto stored = db.read([&](soci::session& s) { return store::read_audit_hash(s, anchor->id); });
    if (anchor->id > report.head_id || !stored) {
      out << "BROKEN: the recorded head, row " << anchor->id
          << ", is no longer in the chain: rows were removed from its end\n";
      return 1;
    }
    if (*stored != anchor->hash) {
      out << "BROKEN: row " << anchor->id << " has hash " << *stored << ", the recorded head "
          << anchor->hash << ": the chain was rewritten\n";
      return 1;
    }
    out << "recorded head row " << anchor->id << " is in the chain\n";
  }
  return 0;
}

}  // namespace registrar::app
