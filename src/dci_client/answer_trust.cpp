#include "dci_client/answer_trust.h"

#include "dci_client/senders.h"

namespace registrar::dci_client {

std::string SignedAnswerTrust::signer_of(const std::string& source_code) {
  auto sources = sources_.snapshot();
  auto it = sources->find(source_code);
  return it == sources->end() ? "" : it->second.receiver_id;
}

std::string SignedAnswerTrust::refusal(std::string_view envelope, std::string& signer,
                                       nlohmann::json* whole) {
  dci::Envelope env;
  auto failure = auth_->check_envelope(envelope, "", signer, whole ? &env : nullptr);
  if (!failure) {
    if (whole) {
      *whole = nlohmann::json::object();
      (*whole)["header"] = dci::header_to_json(env.header, true);
      if (env.has_message) (*whole)["message"] = std::move(env.message);
    }
    return "";
  }
  return failure->message.empty() ? failure->code : failure->message;
}

OwnedAnswerTrust::OwnedAnswerTrust(app::Services& s, DataSources& sources)
    : senders_(s.db, s.clock, sender_table()),
      keys_(s.http_client, s.db, s.clock, read_senders_config(s.config).jwks, sender_table()) {
  senders_.reload();
  trust_ = std::make_unique<SignedAnswerTrust>(
      sources, make_callback_authenticator(senders_, &keys_, s.clock,
                                           read_senders_config(s.config).allow_unsigned));
}

}  // namespace registrar::dci_client
