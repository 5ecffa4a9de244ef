#include "ibr/signature_auth.h"

#include "core/log.h"
#include "dci/envelope.h"
#include "dci/signature.h"

namespace registrar::ibr {

namespace {

http::Failure bad_request(std::string code, std::string message, std::string field) {
  http::Failure f;
  f.status = 400;
  f.code = std::move(code);
  f.message = std::move(message);
  f.field = std::move(field);
  return f;
}

std::shared_ptr<const http::Principal> principal_for(const std::string& sender_id) {
  auto p = std::make_shared<http::Principal>();
  p->subject = sender_id;
  p->client_id = sender_id;
  p->issuer = "dci";
  return p;
}

}  // namespace

DciSignatureAuthenticator::DciSignatureAuthenticator(const Senders& senders,
                                                     const core::Clock& clock, bool allow_unsigned)
    : senders_(senders), clock_(clock), allow_unsigned_(allow_unsigned) {}

std::optional<http::Failure> DciSignatureAuthenticator::authenticate(http::Request& request,
                                                                     const http::Route&) {
  dci::Envelope env;
  try {
    env = dci::parse_envelope(request.body);
  } catch (const core::Error& e) {
    // A malformed envelope is the client's mistake whatever part is wrong: 400 naming it.
    std::string code =
        e.field() == "header.sender_id" ? "err.sender_id.invalid" : "err.request.bad";
    return bad_request(code, e.what(), e.field());
  }
  const std::string& sender_id = env.common().sender_id;
  if (sender_id.empty())
    return bad_request("err.sender_id.invalid", "Missing sender_id in message header",
                       "header.sender_id");

  if (!env.signature || dci::is_unsigned(*env.signature)) {
    if (allow_unsigned_) {
      log::warn("ibr_unsigned_request_accepted",
                {{"sender_id", sender_id},
                 {"request_id", request.request_id},
                 {"why", "ibr.allow_unsigned is on: development only"}});
      request.principal = principal_for(sender_id);
      return std::nullopt;
    }
    return http::unauthenticated("err.signature.missing", "Missing signature in envelope",
                                 "signature");
  }

  auto senders = senders_.snapshot();
  auto it = senders->find(sender_id);
  const dci::TrustedSender* sender = it == senders->end() ? nullptr : &it->second;
  dci::SignatureParams params = dci::parse_signature_params(*env.signature);
  dci::KeyChoice choice = dci::select_sender_key(sender, params.kid_id, nullptr);
  if (!choice.ok()) {
    log::info("ibr_signature_refused", {{"sender_id", sender_id},
                                        {"request_id", request.request_id},
                                        {"reason", dci::key_choice_status_name(choice.status)},
                                        {"detail", choice.detail}});
    if (choice.status == dci::KeyChoiceStatus::kUnknownSender ||
        choice.status == dci::KeyChoiceStatus::kDisabled)
      return http::unauthenticated("err.sender_id.invalid", "Unknown sender_id: " + sender_id,
                                   "header.sender_id");
    return http::unauthenticated("err.signature.invalid", "No usable key for sender " + sender_id,
                                 "signature");
  }
  dci::VerifyResult v = dci::verify_envelope(env, *choice.key, choice.algorithm, clock_);
  if (!v.ok()) {
    log::info("ibr_signature_refused", {{"sender_id", sender_id},
                                        {"request_id", request.request_id},
                                        {"reason", dci::verify_status_name(v.status)},
                                        {"detail", v.detail}});
    return http::unauthenticated("err.signature.invalid", "Invalid signature", "signature");
  }
  request.principal = principal_for(sender_id);
  return std::nullopt;
}

}  // namespace registrar::ibr
