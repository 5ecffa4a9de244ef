// The JWKS keys of the ibr module's senders (dci/sender_keys.h), recorded in ibr_senders and
// logged as ibr_jwks_*.
#pragma once

#include "dci/sender_keys.h"
#include "ibr/config.h"
#include "ibr/senders.h"

namespace registrar::ibr {

using dci::key_fetch_to_json;
using dci::KeyFetch;

class SenderKeys final : public dci::SenderKeys {
 public:
  SenderKeys(http::HttpClient& client, store::Database& db, const core::Clock& clock,
             JwksSettings settings)
      : dci::SenderKeys(client, db, clock, settings, ibr_sender_table()) {}
};

}  // namespace registrar::ibr
