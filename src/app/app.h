// The application: platform configuration, module wiring, and the `serve` / `db migrate` paths.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
  // The API document serve() would serve with this configuration, and its problems (may be
  // null). Starts the modules as serve() does (opening, and unless told otherwise migrating, the
  // database), since they add their routes only once started; stops them before returning.
  std::string openapi(const core::Config& config, std::vector<std::string>* problems);
  // Every route serve() would serve with this configuration, as `registrar routes` prints it:
  // method, pattern, authenticator, scopes, body limit, executor, error format (a JSON array).
  // Starts the modules as openapi() does.
  nlohmann::json routes(const core::Config& config);
  // `registrar doctor`'s checks of the platform (files, database, schema, clock) and of every
  // module (Module::doctor), added to `report`. Starts no module and applies no migration.
  void doctor(const core::Config& config, DoctorReport& report);
  // After a restore into the database `config` names: migrates it, then runs every module's
  // Module::after_restore in one transaction. Prints what changed to `out`.
  void after_restore(const core::Config& config, std::ostream& out);

 private:
  struct Started;
  // Opens the database, starts the modules, adds every route and generates the API document,
  // then returns then(...); stops the modules however it ends.
  int with_routes(const core::Config& config, const std::function<int(Started&)>& then);
  int run_server(const core::Config& config, Started& started);

  std::vector<std::unique_ptr<Module>> modules_;
  core::ConfigSchema schema_;
};

}  // namespace registrar::app
