#include "support/registrar_process.h"
#include "support/temp_dir.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace registrar::testing {

std::string registrar_binary() {
  const char* b = std::getenv("REGISTRAR_TEST_BINARY");
  if (!b)
    throw std::runtime_error("REGISTRAR_TEST_BINARY is not set (run the tests through ctest)");
  return b;
}

namespace {

// Child environment: the parent's, minus REGISTRAR_* (so a developer's shell does not leak into
// tests), plus `extra`.
std::vector<std::string> child_env(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    if (kv.rfind("REGISTRAR_", 0) == 0) continue;
    env.push_back(kv);
  }
  for (auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

pid_t spawn(const std::vector<std::string>& args, const std::vector<std::string>& env,
            const std::string& output_file) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int fd = open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

RegistrarProcess::RegistrarProcess(ProcessOptions options) {
  std::string db =
      options.database_url.empty() ? "sqlite:" + dir_.file("registrar.db") : options.database_url;
  std::string config_path = dir_.file("registrar.toml");
  {
    std::ofstream cfg(config_path);
    cfg << "[server]\nlisten = \"127.0.0.1:" << options.port << "\"\nport_file = \""
        << dir_.file("port") << "\"\n"
        << "[database]\nurl = \"" << db << "\"\npool_size = 4\n"
        << "[log]\nlevel = \"debug\"\n"
        << options.extra_config << "\n";
  }
  // Identity defaults for tests: a master key in the temp dir and cheap password hashing.
  std::map<std::string, std::string> env{
      {"REGISTRAR_IDENTITY_MASTER_KEY_FILE", dir_.file("master.key")},
      {"REGISTRAR_IDENTITY_PASSWORD_HASH_COST", "minimal"}};
  for (auto& [k, v] : options.env) env[k] = v;
  env_ = env;
  env_["REGISTRAR_DATABASE_URL"] = db;
  env_["REGISTRAR_CONFIG"] = config_path;
  pid_ = spawn({registrar_binary(), "--config", config_path, "serve"}, child_env(env),
               dir_.file("output.log"));
  auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string p = read_file(dir_.file("port"));
    if (!p.empty() && p.back() == '\n') {
      port_ = uint16_t(std::stoi(p));
      return;
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("registrar exited during start:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill9();
  throw std::runtime_error("registrar did not start listening in time:\n" + log());
}

RegistrarProcess::~RegistrarProcess() {
  if (pid_ > 0) terminate();
}

std::string RegistrarProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string RegistrarProcess::log() const {
  return read_file(dir_.file("output.log"));
}

http::Response RegistrarProcess::request(http::Method method, const std::string& path,
                                         const std::string& body, http::Headers headers) const {
  http::ClientRequest req;
  req.method = method;
  req.url = url(path);
  req.headers = std::move(headers);
  req.body = body;
  return http::fetch(req);
}

http::Response RegistrarProcess::get(const std::string& path, http::Headers headers) const {
  return request(http::Method::kGet, path, "", std::move(headers));
}

http::Response RegistrarProcess::post(const std::string& path, const std::string& body,
                                      const std::string& content_type,
                                      http::Headers headers) const {
  if (!content_type.empty() && !headers.has("Content-Type"))
    headers.set("Content-Type", content_type);
  return request(http::Method::kPost, path, body, std::move(headers));
}

int RegistrarProcess::terminate(std::chrono::milliseconds wait) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + wait;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill9();
  return -1;
}

void RegistrarProcess::kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool RegistrarProcess::running() const {
  if (pid_ <= 0) return false;
  return kill(pid_, 0) == 0;
}

CommandResult RegistrarProcess::cli(const std::string& args) const {
  return run_registrar(args, env_);
}

CommandResult run_registrar(const std::string& args,
                            const std::map<std::string, std::string>& env) {
  TempDir dir;
  std::vector<std::string> argv{"/bin/sh", "-c", "exec \"" + registrar_binary() + "\" " + args};
  pid_t pid = spawn(argv, child_env(env), dir.file("out"));
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(dir.file("out"))};
}

std::string issue_token(const std::map<std::string, std::string>& env, const std::string& client,
                        const std::string& scope_args) {
  CommandResult r = run_registrar("token issue --client " + client + " " + scope_args, env);
  if (r.exit_code != 0)
    throw std::runtime_error("token issue failed (" + std::to_string(r.exit_code) + "):\n" +
                             r.output);
  std::string t = r.output;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  if (auto nl = t.rfind('\n'); nl != std::string::npos) t = t.substr(nl + 1);
  return t;
}

http::Headers bearer(const std::string& token) {
  http::Headers h;
  h.set("Authorization", "Bearer " + token);
  return h;
}

}  // namespace registrar::testing
