// AnswerTrust (seams.h) over the module's trusted IBR senders and data sources: a sync answer's
// signature is checked with the same §7.8 authenticator as a callback's (pinned key or JWKS,
// refetched on an unknown kid), and its signer must be the source's registry (its receiver_id)
// when the source names one.
#pragma once

#include <memory>

#include "app/module.h"
#include "dci/sender_keys.h"
#include "dci/signature_authenticator.h"
#include "dci/trusted_senders.h"
#include "dci_client/data_sources.h"
#include "dci_client/seams.h"

namespace registrar::dci_client {

class SignedAnswerTrust final : public AnswerTrust {
 public:
  SignedAnswerTrust(DataSources& sources, std::shared_ptr<dci::SignatureAuthenticator> auth)
      : sources_(sources), auth_(std::move(auth)) {}
  std::string signer_of(const std::string& source_code) override;
  std::string refusal(std::string_view envelope, std::string& signer,
                      nlohmann::json* whole = nullptr) override;

 private:
  DataSources& sources_;
  std::shared_ptr<dci::SignatureAuthenticator> auth_;
};

// For a process without the module's parts (the CLI): the trusted senders read once, their key
// cache and the authenticator, over `sources`.
class OwnedAnswerTrust final : public AnswerTrust {
 public:
  OwnedAnswerTrust(app::Services& s, DataSources& sources);
  std::string signer_of(const std::string& source_code) override {
    return trust_->signer_of(source_code);
  }
  std::string refusal(std::string_view envelope, std::string& signer,
                      nlohmann::json* whole = nullptr) override {
    return trust_->refusal(envelope, signer, whole);
  }

 private:
  dci::TrustedSenders senders_;
  dci::SenderKeys keys_;
  std::unique_ptr<SignedAnswerTrust> trust_;
};

}  // namespace registrar::dci_client
