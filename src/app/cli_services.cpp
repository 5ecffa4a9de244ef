#include "app/cli_services.h"

#include <set>

#include "core/error.h"
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

CliServices::~CliServices() {
  for (auto it = started_.rbegin(); it != started_.rend(); ++it) {
    try {
      (*it)->stop();
    } catch (const std::exception& e) {
      log::warn("module_stop_failed",
                {{"module", (*it)->name()}, {"error", core::loggable_message(e)}});
    }
  }
}

Services& CliServices::started(const std::vector<std::string>& wanted) {
  Services& s = services();
  auto& modules = app_.modules();  // in dependency order (App sorts them)
  std::set<std::string> need;
  for (const auto& name : wanted) {
    bool known = false;
    for (const auto& m : modules) known = known || m->name() == name;
    if (!known)
      throw core::Error(core::ErrorKind::kUnavailable,
                        "this command needs the " + name + " module, which this binary lacks");
    need.insert(name);
  }
  // Dependencies come before their dependents, so one pass from the end closes the set.
  for (auto it = modules.rbegin(); it != modules.rend(); ++it)
    if (need.count((*it)->name()))
      for (const auto& d : (*it)->dependencies()) need.insert(d);
  for (const auto& m : modules) {
    if (!need.count(m->name())) continue;
    bool already = false;
    for (Module* done : started_) already = already || done == m.get();
    if (already) continue;
    m->start(s);
    started_.push_back(m.get());
  }
  return s;
}

int CliServices::run_module_command() {
  if (!action_) return 2;
  return action_();
}

}  // namespace registrar::app
