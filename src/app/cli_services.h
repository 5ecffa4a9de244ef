// Lazily loaded configuration and database for CLI verbs (see Module::add_commands).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/app.h"

namespace registrar::app {

class CliServices : public ServiceProvider {
 public:
  CliServices(App& app, std::string& config_file) : app_(app), config_file_(config_file) {}
  // Stops the modules started() started, before the services they used go.
  ~CliServices() override;

  // Loads (once) and returns the configuration; also configures logging from it.
  const core::Config& config();
  // Opens the database, applies pending migrations, returns the services.
  Services& services() override;
  Services& started(const std::vector<std::string>& modules) override;

  // Module verbs register what to run here (CLI11 callbacks run during parsing, before the
  // config is known, so verbs record their action and main runs it after parsing).
  void set_action(std::function<int()> action) override { action_ = std::move(action); }
  int run_module_command();

 private:
  App& app_;
  std::string& config_file_;
  std::optional<core::Config> config_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<core::Metrics> metrics_;
  // What started() modules provide; empty for verbs that start none.
  std::unique_ptr<services::Registry> registry_;
  // After db_ and metrics_: destroyed (stopped) before them.
  std::unique_ptr<core::Background> background_;
  std::unique_ptr<http::HttpClient> http_client_;
  std::unique_ptr<Services> services_;
  std::function<int()> action_;
  std::vector<Module*> started_;  // in start order
};

}  // namespace registrar::app
