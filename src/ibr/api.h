// The ibr module's HTTP routes: the DCI registry operations (signed envelopes in and out) under
// /registry and the /ibr alias, and the trusted-sender admin API under /v1/ibr (bearer scope
// ibr.scopes.admin, problem+json).
#pragma once

#include <initializer_list>

#include "dci/envelope.h"
#include "http/router.h"
#include "ibr/answers.h"
#include "ibr/async.h"
#include "ibr/sender_keys.h"
#include "ibr/senders.h"
#include "ibr/service.h"

namespace registrar::ibr {

void add_ibr_routes(http::Router& router, IbrService& service, AsyncOperations& async,
                    Senders& senders, SenderKeys& keys, const AnswerSigner& answers,
                    const core::Clock& clock);

// The async operations (async_api.cpp): search, txn/status, subscribe, unsubscribe, and
// sync/txn/status, under `prefix`.
void add_async_routes(http::Router& router, const std::string& prefix, AsyncOperations& async);

// For the route files: the request's envelope, as the authenticator parsed it (taken from the
// request: dci::take_verified_envelope), whose header.action must be one of `actions` (else
// kInvalidArgument naming header.action), and a signed body as the response.
dci::Envelope request_envelope(http::Request& request, std::initializer_list<const char*> actions);
http::Response signed_json(std::string body);

}  // namespace registrar::ibr
