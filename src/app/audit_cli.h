// `registrar audit verify`: walks the audit log's hash chain and reports the first break.
#pragma once

#include <iosfwd>
#include <string>

#include "core/config.h"

namespace registrar::app {

// Opens the configured database (without migrating it: an auditor may hold read-only
// credentials), verifies the chain, prints the result to `out`. Returns 0 when the chain holds,
// 1 at a break, 2 when the database's schema predates the chain.
// `expect_head` ("ROW:HASH", as an earlier run printed it; empty: none) must still be in the
// chain with that hash: a rewritten chain or a cut tail fails it (exit 1).
int run_audit_verify(const core::Config& config, const std::string& expect_head, std::ostream& out);

}  // namespace registrar::app
