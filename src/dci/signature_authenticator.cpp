#include "dci/signature_authenticator.h"

#include "core/log.h"
#include "dci/envelope.h"
#include "dci/signature.h"

namespace registrar::dci {

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

SignatureAuthenticator::SignatureAuthenticator(const TrustedSenders& senders, SenderKeys* keys,
                                               const core::Clock& clock,
                                               SignatureAuthOptions options)
    : senders_(senders), keys_(keys), clock_(clock), options_(std::move(options)) {}

std::optional<http::Failure> SignatureAuthenticator::authenticate(http::Request& request,
                                                                  const http::Route&) {
  return decide(request, true);
}

std::unique_ptr<http::PendingAuthentication> SignatureAuthenticator::start(
    http::Request& request, const http::Route&, std::optional<http::Failure>& decision) {
  decision = decide(request, false);
  return nullptr;
}

std::optional<http::Failure> SignatureAuthenticator::check_envelope(std::string_view body,
                                                                    const std::string& log_id,
                                                                    std::string& sender_id,
                                                                    Envelope* whole) {
  return decide_body(body, log_id, true, sender_id, whole, EnvelopeParts::kWhole);
}

std::optional<http::Failure> SignatureAuthenticator::decide(http::Request& request,
                                                            bool may_fetch) {
  std::string sender_id;
  Envelope env;
  auto failure = decide_body(request.body, request.request_id, may_fetch, sender_id, &env,
                             EnvelopeParts::kForSignature);
  if (!failure) {
    request.principal = principal_for(sender_id);
    request.attachment = std::move(env);
  }
  return failure;
}

std::optional<http::Failure> SignatureAuthenticator::decide_body(
    std::string_view body, const std::string& log_id, bool may_fetch, std::string& sender_id,
    Envelope* out, EnvelopeParts parts) {
  Envelope env;
  try {
    env = parse_envelope(body, out ? parts : EnvelopeParts::kForSignature);
  } catch (const core::Error& e) {
    // A malformed envelope is the client's mistake whatever part is wrong: 400 naming it.
    std::string code =
        e.field() == "header.sender_id" ? "err.sender_id.invalid" : "err.request.bad";
    return bad_request(code, e.what(), e.field());
  }
  sender_id = env.common().sender_id;
  if (sender_id.empty())
    return bad_request("err.sender_id.invalid", "Missing sender_id in message header",
                       "header.sender_id");

  const std::string& log_prefix = senders_.table().log_prefix;
  if (!env.signature || is_unsigned(*env.signature)) {
    if (options_.allow_unsigned) {
      log::warn(log_prefix + "_unsigned_request_accepted",
                {{"sender_id", sender_id},
                 {"request_id", log_id},
                 {"why", options_.allow_unsigned_key + " is on: development only"}});
      if (out) *out = std::move(env);
      return std::nullopt;
    }
    return http::unauthenticated("err.signature.missing", "Missing signature in envelope",
                                 "signature");
  }

  auto senders = senders_.snapshot();
  auto it = senders->find(sender_id);
  const TrustedSender* sender = it == senders->end() ? nullptr : &it->second;
  SignatureParams params = parse_signature_params(*env.signature);
  auto refused = [&](std::string_view reason, const std::string& detail) {
    log::info(
        log_prefix + "_signature_refused",
        {{"sender_id", sender_id}, {"request_id", log_id}, {"reason", reason}, {"detail", detail}});
  };
  auto cached = [&] { return keys_ && sender ? keys_->cached(*sender) : nullptr; };
  // A fetch that failed this time, for the answer: the caller learns it is our side's trouble
  // with its key server, not its signature.
  std::optional<KeyFetch> failed_fetch;
  auto refetch = [&]() -> bool {
    if (!may_fetch || !keys_ || !sender) return false;
    std::optional<KeyFetch> f = keys_->refetch(*sender);
    if (f && !f->ok) failed_fetch = f;
    return f && f->ok;
  };
  auto key_refusal = [&](const std::string& detail) {
    refused(failed_fetch ? "jwks-fetch-failed" : "no-usable-key",
            failed_fetch ? failed_fetch->error : detail);
    if (failed_fetch)
      return http::unauthenticated("err.signature.invalid",
                                   "Cannot check the signature: the keys of sender " + sender_id +
                                       " could not be fetched (" + failed_fetch->error + ")",
                                   "signature");
    return http::unauthenticated("err.signature.invalid", "No usable key for sender " + sender_id,
                                 "signature");
  };

  auto select = [&] {
    return select_sender_key(sender, params.kid_id, cached().get(), options_.fallback);
  };
  KeyChoice choice = select();
  if (choice.status == KeyChoiceStatus::kUnknownKid && refetch()) choice = select();
  if (!choice.ok()) {
    if (choice.status == KeyChoiceStatus::kUnknownSender ||
        choice.status == KeyChoiceStatus::kDisabled) {
      refused(key_choice_status_name(choice.status), choice.detail);
      return http::unauthenticated("err.sender_id.invalid",
                                   "Unknown " + options_.sender_label + ": " + sender_id,
                                   "header.sender_id");
    }
    return key_refusal(choice.detail);
  }
  VerifyResult v = verify_envelope(env, *choice.key, choice.algorithm, clock_);
  // The key we chose stood in for the one the kidId names (a pinned key, a single cached key):
  // the sender may have rotated, so fetch its set once (rate-limited) and try the key it names.
  // Only for a signature that does not match: an expired one fails with any key.
  bool other_key_may_fit = v.status == VerifyStatus::kBadSignature ||
                           v.status == VerifyStatus::kWrongKey ||
                           v.status == VerifyStatus::kAlgorithmMismatch;
  if (other_key_may_fit && choice.refetch_may_help && refetch()) {
    KeyChoice again = select();
    if (again.ok() && *again.key != *choice.key)
      v = verify_envelope(env, *again.key, again.algorithm, clock_);
  }
  if (!v.ok()) {
    refused(verify_status_name(v.status), v.detail);
    return http::unauthenticated("err.signature.invalid", "Invalid signature", "signature");
  }
  if (out) *out = std::move(env);
  return std::nullopt;
}

Envelope take_verified_envelope(http::Request& request) {
  Envelope* verified = std::any_cast<Envelope>(&request.attachment);
  if (!verified) return parse_envelope(request.body);
  Envelope env = std::move(*verified);
  request.attachment.reset();
  // What EnvelopeParts::kForSignature leaves for later: the message as nlohmann's DOM.
  if (env.has_message && env.message.is_null()) env.message = to_nlohmann(env.raw_message);
  return env;
}

}  // namespace registrar::dci
