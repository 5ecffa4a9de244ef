// The "dci.signature" authenticator: a DCI envelope signed by a trusted sender (dci-ibr.md §7),
// decided by the §7.8 table with its intended answers — 400 for a missing sender_id, 401 for a
// missing signature, an unknown or disabled sender, a key we cannot use or a signature that does
// not verify; never a 500 for the client's mistake. Keys come from the in-memory sender snapshot
// and, for a sender with a JWKS URL, from SenderKeys' cache.
//
// A JWKS fetch blocks, so only authenticate() does one: the DCI routes are Exec::kWorker, and the
// server calls authenticate() on the worker that then runs the handler. start() (which a server
// calls on its I/O thread for inline and async routes) never fetches: when it would have to, it
// refuses (401) as if the key were unknown. The deferred step the server offers
// (PendingAuthentication::run_heavy) runs on the I/O thread too, so it cannot carry a fetch.
#pragma once

#include <memory>
#include <optional>

#include "core/clock.h"
#include "http/auth.h"
#include "ibr/sender_keys.h"
#include "ibr/senders.h"

namespace registrar::ibr {

inline constexpr const char* kDciSignatureAuthenticator = "dci.signature";

class DciSignatureAuthenticator final : public http::Authenticator {
 public:
  // `keys` null: pinned keys only (a sender with only a JWKS URL is refused).
  DciSignatureAuthenticator(const Senders& senders, SenderKeys* keys, const core::Clock& clock,
                            bool allow_unsigned);
  // On success the principal's subject (and client_id) is the envelope's sender_id.
  std::optional<http::Failure> authenticate(http::Request& request,
                                            const http::Route& route) override;
  std::unique_ptr<http::PendingAuthentication> start(
      http::Request& request, const http::Route& route,
      std::optional<http::Failure>& decision) override;

 private:
  std::optional<http::Failure> decide(http::Request& request, bool may_fetch);
  const Senders& senders_;
  SenderKeys* keys_;
  const core::Clock& clock_;
  bool allow_unsigned_;
};

}  // namespace registrar::ibr
