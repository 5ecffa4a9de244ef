#include "ibr/answers.h"

#include "core/random.h"

namespace registrar::ibr {

namespace {
dci::Signer make_signer(services::Signing& signing, const IbrSettings& s,
                        const core::Clock& clock) {
  std::string kid = signing_kid(s);
  signing.ensure_key(kid, crypto::JwsAlg::kEdDSA, "ibr");
  // The key stays in identity; the signer only asks it for signature bytes.
  return dci::Signer([&signing, kid](std::string_view data) { return signing.sign(kid, data); },
                     dci::SignatureAlgorithm::kEd25519, s.sender_id, s.key_id, clock);
}
}  // namespace

AnswerSigner::AnswerSigner(services::Signing& signing, const IbrSettings& settings,
                           const core::Clock& clock)
    : settings_(settings), clock_(clock), signer_(make_signer(signing, settings, clock)) {}

std::string AnswerSigner::answer(const dci::MsgHeader& request, const std::string& action,
                                 dci::RequestStatus status, const nlohmann::json& message,
                                 int64_t total_count, int64_t completed_count) const {
  dci::MsgCallbackHeader h;
  h.message_id = core::uuid_v4();
  h.message_ts = dci::format_message_ts(clock_.now());
  h.action = action;
  h.sender_id = settings_.sender_id;
  h.receiver_id = request.sender_id;
  h.total_count = total_count;
  h.completed_count = completed_count;
  h.status = status;
  return signer_.sign_envelope(h, message);
}

std::string response_action(const std::string& action) {
  if (action == "txn-status") return "txn-on-status";
  return "on-" + action;
}

}  // namespace registrar::ibr
