// The ibr module's HTTP routes: the DCI registry operations (signed envelopes in and out) under
// /registry and the /ibr alias, and the trusted-sender admin API under /v1/ibr (bearer scope
// ibr.scopes.admin, problem+json).
#pragma once

#include "http/router.h"
#include "ibr/answers.h"
#include "ibr/sender_keys.h"
#include "ibr/senders.h"
#include "ibr/service.h"

namespace registrar::ibr {

void add_ibr_routes(http::Router& router, IbrService& service, Senders& senders, SenderKeys& keys,
                    const AnswerSigner& answers, const core::Clock& clock);

}  // namespace registrar::ibr
