// The "dci.signature" authenticator: a DCI envelope signed by a trusted sender (dci-ibr.md §7),
// decided by the §7.8 table with its intended answers — 400 for a missing sender_id, 401 for a
// missing signature, an unknown or disabled sender, a key we cannot use or a signature that does
// not verify; never a 500 for the client's mistake. Keys come from the in-memory sender snapshot.
#pragma once

#include <memory>
#include <optional>

#include "core/clock.h"
#include "http/auth.h"
#include "ibr/senders.h"

namespace registrar::ibr {

inline constexpr const char* kDciSignatureAuthenticator = "dci.signature";

class DciSignatureAuthenticator final : public http::Authenticator {
 public:
  DciSignatureAuthenticator(const Senders& senders, const core::Clock& clock, bool allow_unsigned);
  // On success the principal's subject (and client_id) is the envelope's sender_id.
  std::optional<http::Failure> authenticate(http::Request& request,
                                            const http::Route& route) override;

 private:
  const Senders& senders_;
  const core::Clock& clock_;
  bool allow_unsigned_;
};

}  // namespace registrar::ibr
