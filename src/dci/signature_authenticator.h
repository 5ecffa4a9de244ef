// An http::Authenticator for DCI envelopes signed by a trusted sender (dci-ibr.md §7), decided by
// the §7.8 table with its intended answers — 400 for a missing sender_id, 401 for a missing
// signature, an unknown or disabled sender, a key we cannot use or a signature that does not
// verify; never a 500 for the client's mistake. Keys come from the in-memory sender snapshot
// and, for a sender with a JWKS URL, from SenderKeys' cache. The IBR server registers one as
// "dci.signature" over ibr_senders, the DCI client one as "dci_client.signature" over its own.
//
// A JWKS fetch blocks, so only authenticate() does one: DCI routes are Exec::kWorker, and the
// server calls authenticate() on the worker that then runs the handler. start() (which a server
// calls on its I/O thread for inline and async routes) never fetches: when it would have to, it
// refuses (401) as if the key were unknown. The deferred step the server offers
// (PendingAuthentication::run_heavy) runs on the I/O thread too, so it cannot carry a fetch.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "dci/envelope.h"
#include "dci/sender_keys.h"
#include "dci/trusted_senders.h"
#include "http/auth.h"

namespace registrar::dci {

struct SignatureAuthOptions {
  // Development only: accept envelopes whose signature is "", "unsigned-stub" or absent.
  bool allow_unsigned = false;
  // The config key that turned allow_unsigned on, for the warning each such request logs.
  std::string allow_unsigned_key;
  // How the 401 for an unknown or disabled sender names it: "Unknown {label}: {sender_id}".
  std::string sender_label = "sender_id";
  KeyFallback fallback = KeyFallback::kOnlyKey;
};

class SignatureAuthenticator final : public http::Authenticator {
 public:
  // `keys` null: pinned keys only (a sender with only a JWKS URL is refused).
  SignatureAuthenticator(const TrustedSenders& senders, SenderKeys* keys, const core::Clock& clock,
                         SignatureAuthOptions options);
  // On success the principal's subject (and client_id) is the envelope's sender_id, and the
  // envelope as parsed for the check (EnvelopeParts::kForSignature) is the request's attachment,
  // for the handler to take with take_verified_envelope instead of parsing the body again.
  std::optional<http::Failure> authenticate(http::Request& request,
                                            const http::Route& route) override;
  std::unique_ptr<http::PendingAuthentication> start(
      http::Request& request, const http::Route& route,
      std::optional<http::Failure>& decision) override;

  // The same decision for an envelope outside a request (a sync answer we received): nullopt
  // when it is signed by a trusted sender's key. `sender_id` receives the header's sender_id
  // ("" when there is none). May fetch a JWKS: blocking. With `whole`, a signed envelope is
  // also given back whole there (parsed once for both).
  std::optional<http::Failure> check_envelope(std::string_view body, const std::string& log_id,
                                              std::string& sender_id, Envelope* whole = nullptr);

 private:
  std::optional<http::Failure> decide(http::Request& request, bool may_fetch);
  // `out` receives the envelope when it is accepted: whole (parsed whole before the check) when
  // `parts` says so, else as far as the check needed it.
  std::optional<http::Failure> decide_body(std::string_view body, const std::string& log_id,
                                           bool may_fetch, std::string& sender_id, Envelope* out,
                                           EnvelopeParts parts);
  const TrustedSenders& senders_;
  SenderKeys* keys_;
  const core::Clock& clock_;
  const SignatureAuthOptions options_;
};

// The envelope of a request that a SignatureAuthenticator accepted, taken from the request's
// attachment and completed (`message` converted from the parse the check made; unknown top-level
// members are not kept), so a request's body is parsed once. A request without one (another
// authenticator, a test calling the handler) has its body parsed here. Throws
// core::Error(kInvalidArgument) naming the field when that parse fails.
Envelope take_verified_envelope(http::Request& request);

}  // namespace registrar::dci
