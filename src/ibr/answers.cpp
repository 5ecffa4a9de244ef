#include "ibr/answers.h"

#include "core/random.h"
#include "ibr/outbox_store.h"

namespace registrar::ibr {

namespace {
dci::Signer make_signer(services::Signing& signing, const IbrSettings& s, const core::Clock& clock,
                        std::chrono::seconds lifetime) {
  std::string kid = signing_kid(s);
  signing.ensure_key(kid, crypto::JwsAlg::kEdDSA, "ibr");
  // The key stays in identity; the signer only asks it for signature bytes.
  return dci::Signer([&signing, kid](std::string_view data) { return signing.sign(kid, data); },
                     dci::SignatureAlgorithm::kEd25519, s.sender_id, s.key_id, clock, lifetime);
}
}  // namespace

AnswerSigner::AnswerSigner(services::Signing& signing, const IbrSettings& settings,
                           const core::Clock& clock)
    : settings_(settings),
      clock_(clock),
      signer_(make_signer(signing, settings, clock, dci::kDefaultLifetime)),
      outbox_signer_(make_signer(signing, settings, clock, callback_lifetime(settings.outbox))) {}

dci::MsgCallbackHeader AnswerSigner::callback_header(const dci::MsgHeader& request,
                                                     const std::string& action,
                                                     dci::RequestStatus status, int64_t total_count,
                                                     int64_t completed_count) const {
  dci::MsgCallbackHeader h;
  h.message_id = core::uuid_v4();
  h.message_ts = dci::format_message_ts(clock_.now());
  h.action = action;
  h.sender_id = settings_.sender_id;
  h.receiver_id = request.sender_id;
  h.total_count = total_count;
  h.completed_count = completed_count;
  h.status = status;
  return h;
}

std::string AnswerSigner::answer(const dci::MsgHeader& request, const std::string& action,
                                 dci::RequestStatus status, const nlohmann::json& message,
                                 int64_t total_count, int64_t completed_count) const {
  return signer_.sign_envelope(
      callback_header(request, action, status, total_count, completed_count), message);
}

SignedEnvelope AnswerSigner::callback(const dci::MsgHeader& request, const std::string& action,
                                      dci::RequestStatus status, const nlohmann::json& message,
                                      int64_t total_count, int64_t completed_count) const {
  dci::MsgCallbackHeader h = callback_header(request, action, status, total_count, completed_count);
  return {outbox_signer_.sign_envelope(h, message), h.message_id};
}

SignedEnvelope AnswerSigner::request(const std::string& action, const std::string& receiver_id,
                                     const nlohmann::json& message, int64_t total_count) const {
  dci::MsgHeader h;
  h.message_id = core::uuid_v4();
  h.message_ts = dci::format_message_ts(clock_.now());
  h.action = action;
  h.sender_id = settings_.sender_id;
  h.receiver_id = receiver_id;
  h.total_count = total_count;
  return {outbox_signer_.sign_envelope(h, message), h.message_id};
}

std::string response_action(const std::string& action) {
  if (action == "txn-status") return "txn-on-status";
  return "on-" + action;
}

std::chrono::seconds callback_lifetime(const IbrSettings::Outbox& o) {
  std::chrono::milliseconds span{0};
  for (int64_t attempt = 1; attempt < o.max_attempts; ++attempt)
    span += outbox_backoff(attempt, o.backoff_base, o.backoff_cap, 1.0);
  span += o.max_attempts * o.lease();
  return dci::kDefaultLifetime + std::chrono::ceil<std::chrono::seconds>(span);
}

}  // namespace registrar::ibr
