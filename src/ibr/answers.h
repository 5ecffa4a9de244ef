// Our signed answers: a callback-header envelope signed with the module's Ed25519 key, which
// identity keeps (sealed, in its own table) and publishes in /.well-known/jwks.json under the
// kid "{ibr.sender_id}|{ibr.key_id}|ed25519" (dci-ibr.md §6.2–6.3).
//
// Envelopes that go through the outbox (callbacks, notifications) are signed once, when they are
// queued, and sent byte for byte on every attempt: their signature window covers the whole retry
// schedule (callback_lifetime), not only the 300 s of a synchronous answer.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "dci/envelope.h"
#include "dci/signature.h"
#include "ibr/config.h"
#include "services/signing.h"

namespace registrar::ibr {

// A signed body and the message_id of its header.
struct SignedEnvelope {
  std::string body;
  std::string message_id;
};

class AnswerSigner {
 public:
  // Makes sure the key exists (blocking: call from start()).
  AnswerSigner(services::Signing& signing, const IbrSettings& settings, const core::Clock& clock);

  // The complete body answering `request`: header action `action`, status `status`, our sender
  // id, receiver_id = the request's sender, counts; `message` as given; signed.
  std::string answer(const dci::MsgHeader& request, const std::string& action,
                     dci::RequestStatus status, const nlohmann::json& message, int64_t total_count,
                     int64_t completed_count) const;
  // The same for a callback queued in the outbox, signed for callback_lifetime.
  SignedEnvelope callback(const dci::MsgHeader& request, const std::string& action,
                          dci::RequestStatus status, const nlohmann::json& message,
                          int64_t total_count, int64_t completed_count) const;
  // A request of ours to `receiver_id` (notify), signed for callback_lifetime.
  SignedEnvelope request(const std::string& action, const std::string& receiver_id,
                         const nlohmann::json& message, int64_t total_count) const;

  const std::string& kid() const { return signer_.kid(); }

 private:
  dci::MsgCallbackHeader callback_header(const dci::MsgHeader& request, const std::string& action,
                                         dci::RequestStatus status, int64_t total_count,
                                         int64_t completed_count) const;
  const IbrSettings& settings_;
  const core::Clock& clock_;
  dci::Signer signer_;
  dci::Signer outbox_signer_;
};

// OpenSPP's rule (§2.3): "on-{action}", except txn-status → txn-on-status.
std::string response_action(const std::string& action);

// How long an outbox envelope's signature must stay valid: the longest the outbox may take to
// deliver it (every backoff at its largest, every attempt to its timeout and lease), plus the
// 300 s a receiver may take. Pure.
std::chrono::seconds callback_lifetime(const IbrSettings::Outbox& outbox);

}  // namespace registrar::ibr
