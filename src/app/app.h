// The application: platform configuration, module wiring, and the `serve` / `db migrate` paths.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/module.h"
#include "http/server.h"

namespace registrar::app {

// The keys the platform itself reads (server.*, database.*, log.*).
void declare_platform_config(core::ConfigSchema& schema);
http::ServerOptions server_options(const core::Config& config);
store::DatabaseOptions database_options(const core::Config& config);
core::Background::Options background_options(const core::Config& config);

class App {
 public:
  explicit App(std::vector<std::unique_ptr<Module>> modules);
  ~App();

  const core::ConfigSchema& schema() const { return schema_; }
  std::vector<store::ModuleSchema> module_schemas() const;
  std::vector<std::unique_ptr<Module>>& modules() { return modules_; }

  // Opens the database and applies migrations; returns what was applied.
  std::vector<std::string> migrate(const core::Config& config);
  // Runs the server until SIGTERM/SIGINT. Returns the process exit code.
  int serve(const core::Config& config);

 private:
  std::vector<std::unique_ptr<Module>> modules_;
  core::ConfigSchema schema_;
};

}  // namespace registrar::app
