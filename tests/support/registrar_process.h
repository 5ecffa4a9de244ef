// Runs the real `registrar` binary for integration tests: writes a config into a temp dir, starts
// `registrar serve` on an ephemeral loopback port, waits until it listens, and stops it (SIGTERM,
// or SIGKILL for crash tests). Requests go over real HTTP on loopback.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>

#include "http/client.h"
#include "support/temp_dir.h"

namespace registrar::testing {

struct ProcessOptions {
  std::string database_url;                // empty: a SQLite file in the temp dir
  std::string extra_config;                // TOML appended to the generated config
  std::map<std::string, std::string> env;  // extra environment (REGISTRAR_* overrides)
  std::chrono::milliseconds start_timeout{15'000};
  uint16_t port = 0;  // 0: any free port (a restarted peer keeps its old one, so URLs stay true)
};

struct CommandResult {
  int exit_code;
  std::string output;
};

class RegistrarProcess {
 public:
  explicit RegistrarProcess(ProcessOptions options = {});
  ~RegistrarProcess();  // SIGTERM and wait
  RegistrarProcess(const RegistrarProcess&) = delete;
  RegistrarProcess& operator=(const RegistrarProcess&) = delete;

  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "") const;
  const TempDir& dir() const { return dir_; }
  std::string log() const;  // everything the process wrote to stderr/stdout so far

  http::Response get(const std::string& path, http::Headers headers = {}) const;
  http::Response post(const std::string& path, const std::string& body,
                      const std::string& content_type = "application/json",
                      http::Headers headers = {}) const;
  http::Response request(http::Method method, const std::string& path, const std::string& body = "",
                         http::Headers headers = {}) const;

  // Sends SIGTERM and waits; returns the exit status (as from waitpid's WEXITSTATUS), or -1.
  int terminate(std::chrono::milliseconds wait = std::chrono::milliseconds(20'000));
  // Runs a CLI verb against this instance's database and master key (e.g. "token issue ...").
  CommandResult cli(const std::string& args) const;
  // The REGISTRAR_* environment this instance runs with (database URL, master key file, ...).
  const std::map<std::string, std::string>& env() const { return env_; }
  void kill9();
  bool running() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::map<std::string, std::string> env_;
};

// Runs `registrar <args>` to completion; returns exit code and combined output.
CommandResult run_registrar(const std::string& args,
                            const std::map<std::string, std::string>& env = {});

// An access token from `registrar token issue --client CLIENT SCOPE_ARGS` ("--scope a --scope
// b") run with `env` (a RegistrarProcess's env(): its database and master key): the output's
// last line (log lines come first). Throws std::runtime_error with the output when it fails.
std::string issue_token(const std::map<std::string, std::string>& env, const std::string& client,
                        const std::string& scope_args);

// "Authorization: Bearer <token>", for requests to a RegistrarProcess.
http::Headers bearer(const std::string& token);

// Path to the registrar binary under test (REGISTRAR_TEST_BINARY, set by CTest).
std::string registrar_binary();

}  // namespace registrar::testing
