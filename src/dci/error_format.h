// Every error of the DCI routes — the IBR's /registry/... and /ibr/..., the DCI client's
// /dci_api/... callbacks — in the protocol's own shape (dci-ibr.md §2.5): {"message":
// {"ack_status": "ERR", "timestamp", "correlation_id", "error": {code, message}}} with the HTTP
// status of the failure. Codes are the spec's Error.code values (err.signature.invalid...), chosen
// from the status when the failure names none.
#pragma once

#include <memory>

#include "core/clock.h"
#include "http/failure.h"

namespace registrar::dci {

std::shared_ptr<const http::ErrorFormat> ack_error_format(const core::Clock& clock);

// The spec's code for a failure: its own when it already is one ("err.…"), else by status.
std::string error_code(const http::Failure& failure);

}  // namespace registrar::dci
