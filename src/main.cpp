// The `registrar` command: server and operator CLI in one binary.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "app/app.h"
#include "app/audit_cli.h"
#include "app/backup_cli.h"
#include "app/cli_services.h"
#include "core/error.h"
#include "core/log.h"

#ifndef REGISTRAR_VERSION
#define REGISTRAR_VERSION "0.0.0"
#endif

using namespace registrar;

namespace {

// `registrar doctor`: a configuration that does not load is a failed check, not an abort.
int doctor(app::App& application, app::CliServices& provider, const std::string& config_file) {
  app::DoctorReport report;
  try {
    const core::Config& config = provider.config();
    report.ok("config", config_file.empty() ? "defaults and environment" : config_file);
    application.doctor(config, report);
  } catch (const core::ConfigError& e) {
    report.fail("config", e.what());
  }
  size_t width = 0;
  for (const auto& l : report.lines()) width = std::max(width, l.check.size());
  for (const auto& l : report.lines()) std::cout << app::format_doctor_line(l, width) << "\n";
  return report.exit_code();
}

}  // namespace

int main(int argc, char** argv) {
  app::App application(app::all_modules());

  CLI::App cli{
      "registrar: identifiers, identity, authorisation and registry services for digital "
      "public infrastructure.\nConfiguration comes from a TOML file (--config or "
      "REGISTRAR_CONFIG) and REGISTRAR_* environment variables; see docs/operations.md."};
  cli.require_subcommand(1);
  std::string config_file;
  if (const char* env = std::getenv("REGISTRAR_CONFIG")) config_file = env;
  cli.add_option("-c,--config", config_file,
                 "TOML configuration file (default: $REGISTRAR_CONFIG)");

  app::CliServices provider(application, config_file);

  auto* serve = cli.add_subcommand("serve", "Run the HTTP server until SIGTERM or SIGINT.");
  std::string port_file;
  serve->add_option(
      "--port-file", port_file,
      "Write the bound port to this file once listening (overrides server.port_file).");

  cli.add_subcommand("version", "Print the version and exit.");

  auto* config_cmd = cli.add_subcommand("config", "Inspect the configuration.");
  config_cmd->require_subcommand(1);
  auto* check = config_cmd->add_subcommand(
      "check",
      "Load the configuration, report every unknown key or bad value, exit non-zero if any.");
  bool show = false;
  check->add_flag("--show", show, "Print every effective value and where it came from.");

  auto* db_cmd = cli.add_subcommand("db", "Database maintenance.");
  db_cmd->require_subcommand(1);
  db_cmd->add_subcommand("migrate", "Apply pending schema migrations and exit.");

  auto* audit_cmd = cli.add_subcommand("audit", "The audit log.");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand(
      "verify",
      "Check the audit log's hash chain: print the rows verified and the head's hash, or the "
      "first broken row; exit 1 on a break.");
  std::string expect_head;
  verify_cmd->add_option("--expect-head", expect_head,
                         "ROW:HASH, a head printed by an earlier run and kept outside the "
                         "database: fail unless that row still has that hash");

  auto* openapi_cmd = cli.add_subcommand(
      "openapi",
      "Print the API document `serve` would serve with this configuration (starts the modules "
      "against the database, as `serve` does, without listening).");
  bool openapi_check = false;
  openapi_cmd->add_flag("--check", openapi_check,
                        "Print the document's problems instead (routes without a summary, stale "
                        "entries in web/openapi.yaml); exit 1 if there are any.");

  cli.add_subcommand(
      "routes",
      "Print every route `serve` would serve with this configuration as a JSON array: method, "
      "pattern, authenticator and scopes, body limit, executor, error format (starts the modules "
      "against the database, as `openapi` does, without listening).");

  auto* backup_cmd = cli.add_subcommand(
      "backup",
      "Copy the SQLite database to FILE while the server runs (consistent: one transaction's "
      "view). The master key is not included: keep it apart. PostgreSQL: prints the pg_dump "
      "procedure.");
  std::string backup_file;
  backup_cmd->add_option("file", backup_file, "New file for the copy")->required();
  auto* restore_cmd = cli.add_subcommand(
      "restore",
      "Replace the SQLite database by a backup (checked first). Stop the server before. "
      "PostgreSQL: prints the pg_restore procedure.");
  std::string restore_file;
  bool restore_force = false;
  restore_cmd->add_option("file", restore_file, "A file written by `registrar backup`")->required();
  restore_cmd->add_flag("--force", restore_force, "Replace an existing database");
  cli.add_subcommand(
      "after-restore",
      "Run after restoring the database with other tools (pg_restore, a snapshot): migrates "
      "it and moves the ID counters past what was issued after the backup. `restore` does "
      "this itself. Run it once, before serving.");

  cli.add_subcommand("doctor",
                     "Check the configuration, secret files and their modes, the database, its "
                     "schema and clock, and the peers, IBRs and key sets this installation calls: "
                     "one line each; exit 1 if any check failed.");

  for (auto& m : application.modules()) m->add_commands(cli, provider);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  try {
    if (cli.got_subcommand("version")) {
      std::cout << "registrar " << REGISTRAR_VERSION << "\n";
      return 0;
    }
    if (cli.got_subcommand("config")) {
      const core::Config& config = provider.config();
      if (show) std::cout << config.describe(application.schema()).dump(2) << "\n";
      std::cout << "configuration OK" << (config_file.empty() ? " (defaults and environment)" : "")
                << "\n";
      return 0;
    }
    if (cli.got_subcommand("db")) {
      auto applied = application.migrate(provider.config());
      for (auto& line : applied) std::cout << "applied " << line << "\n";
      std::cout << (applied.empty() ? "database schema is current\n" : "done\n");
      return 0;
    }
    if (cli.got_subcommand("doctor")) return doctor(application, provider, config_file);
    if (cli.got_subcommand("backup"))
      return app::run_backup(provider.config(), backup_file, std::cout);
    if (cli.got_subcommand("restore"))
      return app::run_restore(application, provider.config(), restore_file, restore_force,
                              std::cout);
    if (cli.got_subcommand("after-restore")) {
      application.after_restore(provider.config(), std::cout);
      return 0;
    }
    if (cli.got_subcommand("audit"))
      return app::run_audit_verify(provider.config(), expect_head, std::cout);
    if (cli.got_subcommand("openapi")) {
      std::vector<std::string> problems;
      std::string document = application.openapi(provider.config(), &problems);
      if (!openapi_check) {
        std::cout << document;
        return 0;
      }
      for (auto& p : problems) std::cout << p << "\n";
      if (problems.empty()) std::cout << "API document OK\n";
      return problems.empty() ? 0 : 1;
    }
    if (cli.got_subcommand("routes")) {
      std::cout << application.routes(provider.config()).dump(1) << "\n";
      return 0;
    }
    if (cli.got_subcommand("serve")) {
      core::Config config = provider.config();
      if (!port_file.empty()) config.set("server.port_file", port_file);
      return application.serve(config);
    }
    return provider.run_module_command();
  } catch (const core::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const core::Error& e) {
    std::cerr << "registrar: " << e.what() << (e.field().empty() ? "" : " (" + e.field() + ")")
              << "\n";
    return e.kind() == core::ErrorKind::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "registrar: " << e.what() << "\n";
    return 1;
  }
}
