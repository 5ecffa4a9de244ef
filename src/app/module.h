// How a module plugs in. A module is one folder under src/ (ids, authz, identity, ...) that
// exposes one factory returning a Module; src/app/modules.cpp lists the factories. Nothing else
// in the program knows a module's insides: its config keys, migrations, routes and CLI verbs are
// all declared through this interface.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "app/doctor.h"
#include "core/background.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/metrics.h"
#include "http/async_client.h"
#include "http/router.h"
#include "services/registry.h"
#include "store/database.h"
#include "store/migrations.h"

namespace CLI {
class App;
}

namespace registrar::app {

// What the platform hands a module when it starts.
struct Services {
  const core::Config& config;
  store::Database& db;
  const core::Clock& clock;
  core::Metrics& metrics;
  // Other modules' services (services/registry.h): find() what dependencies() provide, and
  // provide() what this module offers.
  services::Registry& registry;
  // The one door for background work (queues, timers, periodic jobs): modules start no threads
  // of their own. It outlives every module's stop(): at shutdown the server stops, then the
  // modules, then the Background.
  core::Background& background;
  // Outgoing HTTP that never blocks the caller (http/async_client.h): callbacks, JWKS, peers.
  // Stopped after every module's stop().
  http::HttpClient& http_client;
};

// Lazily opened services for CLI verbs: the config and the database are only opened when a verb
// that needs them runs, so `--help` works without either.
class ServiceProvider {
 public:
  virtual ~ServiceProvider() = default;
  virtual Services& services() = 0;
  // The same services with `modules` (and what they depend on) started as `serve` starts them,
  // so that a verb reaches their services through Services::registry (identity's sealing and
  // signing keys). Started once per process, stopped when the CLI exits. Throws core::Error
  // (kUnavailable) naming a module this binary lacks.
  virtual Services& started(const std::vector<std::string>& modules) = 0;
  // CLI11 runs callbacks while parsing; a verb records its action here instead, and main runs it
  // after parsing, inside its error handling. The action returns the exit code.
  virtual void set_action(std::function<int()> action) = 0;
};

// What a module gets after a restore (`registrar restore`, `registrar after-restore`): the
// restored database, migrated, in one write transaction shared by every module.
struct RestoreContext {
  const core::Config& config;
  soci::session& session;
  store::Backend backend;
  int64_t now_us;
};

class Module {
 public:
  virtual ~Module() = default;
  // Lowercase, used for config sections, the migrations table and logs.
  virtual std::string name() const = 0;
  // Modules whose services or authenticators this one uses. The platform starts them first and
  // stops them after this one; a name missing from the binary refuses the start, naming both.
  virtual std::vector<std::string> dependencies() const { return {}; }
  // Keys under "<name>." that this module reads.
  virtual void declare_config(core::ConfigSchema& /*schema*/) const {}
  // Versioned migrations (see store/migrations.h).
  virtual std::vector<store::Migration> migrations() const { return {}; }
  // Called after migrations, in dependency order; builds the module's services, finds the ones
  // it uses and provides the ones it offers (Services::registry). Throws to refuse start (for
  // example a policy in the config that would reject every identifier).
  virtual void start(Services& /*services*/) {}
  // Its routes, and the authenticators and error formats they name (http/router.h).
  virtual void add_routes(http::Router& /*router*/) {}
  // The base paths of the Spring services whose API this module serves (MOSIP's
  // "/v1/idgenerator"): the platform answers <base>/actuator/health there as a readiness probe
  // (app/builtin_routes.h), as those deployments' orchestrators expect.
  virtual std::vector<std::string> actuator_bases() const { return {}; }
  // `registrar doctor`: this module's checks (secret files, peers it calls), added to `report`.
  // Runs without start(); the database may be missing (ctx.db null) or not migrated.
  virtual void doctor(const DoctorContext& /*ctx*/, DoctorReport& /*report*/) const {}
  // After a restore: put right what the database cannot know it lost (ids moves its counters
  // past the IDs issued since the backup). Prints one line per change to `out`; throws to abort
  // the restore. Runs without start().
  virtual void after_restore(const RestoreContext& /*ctx*/, std::ostream& /*out*/) {}
  // Subcommands of the `registrar` CLI.
  virtual void add_commands(CLI::App& /*root*/, ServiceProvider& /*provider*/) {}
  // Called on shutdown, after the server stopped and before the Background stops; also when
  // start() failed or never ran (for this or another module), so it must cope with that. Finish
  // or cancel this module's background work here.
  virtual void stop() {}
};

// Every module compiled into this binary (any order: App orders them by dependencies()).
std::vector<std::unique_ptr<Module>> all_modules();

// `modules` in start order: each after its dependencies, otherwise as listed. Throws
// core::ConfigError naming a dependency missing from the list, or a cycle.
std::vector<std::unique_ptr<Module>> in_dependency_order(
    std::vector<std::unique_ptr<Module>> modules);

}  // namespace registrar::app
