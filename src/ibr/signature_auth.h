// The "dci.signature" authenticator of the ibr routes: dci::SignatureAuthenticator (the §7.8
// decision table) over the ibr module's senders, with ibr.allow_unsigned.
#pragma once

#include <memory>

#include "dci/signature_authenticator.h"
#include "ibr/sender_keys.h"
#include "ibr/senders.h"

namespace registrar::ibr {

inline constexpr const char* kDciSignatureAuthenticator = "dci.signature";

inline std::shared_ptr<dci::SignatureAuthenticator> make_signature_authenticator(
    const Senders& senders, SenderKeys* keys, const core::Clock& clock, bool allow_unsigned) {
  dci::SignatureAuthOptions options;
  options.allow_unsigned = allow_unsigned;
  options.allow_unsigned_key = "ibr.allow_unsigned";
  return std::make_shared<dci::SignatureAuthenticator>(senders, keys, clock, std::move(options));
}

}  // namespace registrar::ibr
