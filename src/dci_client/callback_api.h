// The callback routes an IBR answers us on (dci-ibr.md §8.4): POST /dci_api/v1/ibr/on-search and
// /dci_api/v1/ibr/on-subscribe, and the /dci_api/ibr/... aliases. Each is authenticated by the
// module's signature authenticator (kCallbackAuthenticator, the §7.8 table over the client's
// trusted senders) before its handler runs, so a refused callback never reaches the checks.
//
// on-search hands the verified message and sender id to the CallbackSink (on the worker that
// runs the route: the sink blocks on the database) and answers OpenSPP's ack, 200
// {"message": {"ack_status": "rcvd", "timestamp", "error": null, "correlation_id"}}; when the
// sink changed nothing, `error` says why ({"code", "message"}; docs/dci-client.md). on-subscribe
// is verified and acked, and changes nothing. Errors: the DCI ERR ack (dci/error_format.h), as
// OpenSPP's dci_api app rewrites its FastAPI errors (docs/compatibility.md).
#pragma once

#include <string>

#include "core/clock.h"
#include "dci_client/seams.h"
#include "http/router.h"

namespace registrar::dci_client {

// The sink of a module that keeps no checks (the checks part not built in, or not yet): every
// callback is acknowledged and said to have matched nothing.
class NoChecksSink final : public CallbackSink {
 public:
  CallbackOutcome on_search(const std::string& sender_id, const nlohmann::json& message) override;
};

// The ack's `error` for an outcome: null when a check changed, else {"code", "message"} with
// code "rjct.correlation_id.unknown" (no check waited for it) or "rjct.check.not_pending" (its
// check was already completed or failed).
nlohmann::json outcome_error(const CallbackOutcome& outcome);

// The routes, authenticated with `authenticator` (the name it was registered under); `sink`
// outlives the router.
void add_callback_routes(http::Router& router, CallbackSink& sink, const core::Clock& clock,
                         const std::string& authenticator);

}  // namespace registrar::dci_client
