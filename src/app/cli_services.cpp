#include "app/cli_services.h"

#include "core/log.h"

namespace registrar::app {

const core::Config& CliServices::config() {
  if (!config_) {
    std::optional<std::filesystem::path> file;
    if (!config_file_.empty()) file = config_file_;
    config_ = core::Config::load(app_.schema(), file, core::registrar_environment());
    log::init(log::parse_level(config_->str("log.level")), config_->str("log.file"));
  }
  return *config_;
}

Services& CliServices::services() {
  if (!services_) {
    const core::Config& c = config();
    db_ = std::make_unique<store::Database>(database_options(c));
    store::migrate(*db_, app_.module_schemas(), core::SystemClock::instance());
    metrics_ = std::make_unique<core::Metrics>();
    registry_ = std::make_unique<services::Registry>();
    background_ = std::make_unique<core::Background>(background_options(c));
    http_client_ = std::make_unique<http::HttpClient>();
    services_ =
        std::make_unique<Services>(Services{c, *db_, core::SystemClock::instance(), *metrics_,
                                            *registry_, *background_, *http_client_});
  }
  return *services_;
}

int CliServices::run_module_command() {
  if (!action_) return 2;
  return action_();
}

}  // namespace registrar::app
