#include "dci_client/cli_source_client.h"

#include "dci_client/answer_trust.h"
#include "dci_client/config.h"
#include "dci_client/data_sources.h"
#include "dci_client/source_client.h"
#include "services/sealing.h"
#include "services/signing.h"

namespace registrar::dci_client {
namespace {

// Owns what the HttpSourceClient refers to, and stops it before that goes.
class CliSourceClient final : public SourceClient {
 public:
  explicit CliSourceClient(app::Services& s)
      : sources_(s.db, s.clock, s.registry.find_optional<services::Sealing>()) {
    sources_.reload();
    client_ =
        HttpSourceClient::create(sources_, s.registry.find<services::Signing>(), s.http_client,
                                 s.background, s.clock, read_dci_client_config(s.config).client);
    client_->ensure_keys();
    trust_ = std::make_unique<OwnedAnswerTrust>(s, sources_);
  }
  ~CliSourceClient() override { client_->stop(); }
  AnswerTrust* answer_trust() override { return trust_.get(); }

  void post(const std::string& source_code, Endpoint endpoint, nlohmann::json message,
            std::function<void(PeerAnswer)> done) override {
    client_->post(source_code, endpoint, std::move(message), std::move(done));
  }

 private:
  DataSources sources_;
  std::shared_ptr<HttpSourceClient> client_;
  std::unique_ptr<OwnedAnswerTrust> trust_;
};

}  // namespace

std::unique_ptr<SourceClient> make_cli_source_client(app::Services& services) {
  return std::make_unique<CliSourceClient>(services);
}

}  // namespace registrar::dci_client
