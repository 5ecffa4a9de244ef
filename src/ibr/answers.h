// Our signed answers: a callback-header envelope signed with the module's Ed25519 key, which
// identity keeps (sealed, in its own table) and publishes in /.well-known/jwks.json under the
// kid "{ibr.sender_id}|{ibr.key_id}|ed25519" (dci-ibr.md §6.2–6.3).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "dci/envelope.h"
#include "dci/signature.h"
#include "ibr/config.h"
#include "services/signing.h"

namespace registrar::ibr {

class AnswerSigner {
 public:
  // Makes sure the key exists (blocking: call from start()).
  AnswerSigner(services::Signing& signing, const IbrSettings& settings, const core::Clock& clock);

  // The complete body answering `request`: header action `action`, status `status`, our sender
  // id, receiver_id = the request's sender, counts; `message` as given; signed.
  std::string answer(const dci::MsgHeader& request, const std::string& action,
                     dci::RequestStatus status, const nlohmann::json& message, int64_t total_count,
                     int64_t completed_count) const;

  const std::string& kid() const { return signer_.kid(); }

 private:
  const IbrSettings& settings_;
  const core::Clock& clock_;
  dci::Signer signer_;
};

// OpenSPP's rule (§2.3): "on-{action}", except txn-status → txn-on-status.
std::string response_action(const std::string& action);

}  // namespace registrar::ibr
