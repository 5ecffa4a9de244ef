// What the kill -9 tests share: a registrar on one test backend that a test kills with SIGKILL
// and starts again on the same database, master key and port (so URLs and tokens stay true),
// and a load of client threads that records every write the server acknowledged.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/databases.h"
#include "support/registrar_process.h"
#include "support/temp_dir.h"

namespace registrar::reliability {

using Json = nlohmann::json;

// A write the server answered with something else than the acknowledgement the test expects.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws Refused naming `what` unless `r` has status `want`.
inline void expect_status(const http::Response& r, int want, const std::string& what) {
  if (r.status != want)
    throw Refused(what + ": " + std::to_string(r.status) + " (want " + std::to_string(want) +
                  "): " + r.body);
}

// Client threads, each sending writes one after the other until stopped or the server goes
// away. `write(thread, i)` sends the i-th write of its thread and returns the key of what was
// acknowledged; it throws when the server refused it or could not be reached. Failures before
// kill_started() are errors of the test; after it they end the thread, as a client whose server
// died.
class WriteLoad {
 public:
  using Write = std::function<std::string(int thread, int i)>;

  WriteLoad(int threads, Write write)
      : write_(std::move(write)), attempts_(size_t(threads)), running_(threads) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { run(t); });
  }
  ~WriteLoad() { stop(); }

  // Waits until `n` writes were acknowledged or every thread ended; the loop count bounds it.
  bool wait_for(size_t n) {
    for (int loop = 0; loop < 12'000 && acknowledged_ < n && running_ > 0; ++loop)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return acknowledged_ >= n;
  }
  // Waits until `n` writes were acknowledged and, for each (prefix, at_least) of `kinds`, at
  // least that many whose key starts with the prefix (the threads' mix depends on the machine's
  // load, so a test asserting per-kind counts waits for them), or every thread ended.
  bool wait_for(size_t n, const std::vector<std::pair<std::string, size_t>>& kinds) {
    auto enough = [&] {
      if (acknowledged_ < n) return false;
      std::lock_guard lk(mu_);
      for (const auto& [prefix, at_least] : kinds) {
        size_t count = 0;
        for (const auto& k : keys_) count += k.rfind(prefix, 0) == 0;
        if (count < at_least) return false;
      }
      return true;
    };
    for (int loop = 0; loop < 12'000 && !enough() && running_ > 0; ++loop)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return enough();
  }
  void kill_started() { killing_ = true; }
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

  std::vector<std::string> acknowledged() const {
    std::lock_guard lk(mu_);
    return keys_;
  }
  std::vector<std::string> errors() const {
    std::lock_guard lk(mu_);
    return errors_;
  }
  // How many writes thread `t` started (acknowledged or not): writes 0 .. attempts(t) - 1.
  int attempts(int t) const { return attempts_[size_t(t)]; }
  int threads() const { return int(attempts_.size()); }

 private:
  void run(int t) {
    for (int i = 0; !stop_; ++i) {
      attempts_[size_t(t)] = i + 1;
      try {
        std::string key = write_(t, i);
        std::lock_guard lk(mu_);
        keys_.push_back(std::move(key));
        ++acknowledged_;
      } catch (const std::exception& e) {
        if (!killing_) {
          std::lock_guard lk(mu_);
          errors_.push_back(e.what());
        }
        break;
      }
    }
    --running_;
  }

  Write write_;
  std::vector<int> attempts_;  // each written by its own thread only, read after stop()
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false}, killing_{false};
  std::atomic<size_t> acknowledged_{0};
  std::atomic<int> running_{0};
  mutable std::mutex mu_;
  std::vector<std::string> keys_, errors_;
};

class CrashTest : public ::testing::TestWithParam<std::string> {
 protected:
  CrashTest() : db_(GetParam()) {}

  // Starts registrar with `extra_config` (TOML) and `env` on the test database.
  void start(const std::string& extra_config = "", std::map<std::string, std::string> env = {}) {
    config_ = extra_config;
    env_ = std::move(env);
    env_["REGISTRAR_IDENTITY_MASTER_KEY_FILE"] = keys_.file("master.key");
    launch(0);
  }
  // A new process with the same database, config, master key and port (after kill9()).
  void restart() { launch(p_->port()); }

  // Kills the server under `load` and waits for its clients to notice.
  void kill_under(WriteLoad& load) {
    load.kill_started();
    p_->kill9();
    load.stop();
  }

  std::string token(const std::string& scope_args, const std::string& client = "ops") {
    return testing::issue_token(p_->env(), client, scope_args);
  }
  http::Response post_json(const std::string& path, const Json& body, const std::string& bearer) {
    return p_->post(path, body.dump(), "application/json", testing::bearer(bearer));
  }

  testing::TestDatabase db_;
  testing::TempDir keys_;
  std::unique_ptr<testing::RegistrarProcess> p_;

 private:
  void launch(uint16_t port) {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    o.extra_config = config_;
    o.env = env_;
    o.port = port;
    p_ = std::make_unique<testing::RegistrarProcess>(o);
  }

  std::string config_;
  std::map<std::string, std::string> env_;
};

// Every backend of this run, as the parameter's name; "reliability/" begins every test name,
// so that `ctest -R reliability` selects these.
#define RELIABILITY_BACKENDS(suite)                                                           \
  INSTANTIATE_TEST_SUITE_P(reliability, suite, ::testing::ValuesIn(testing::test_backends()), \
                           [](const auto& info) { return info.param; })

}  // namespace registrar::reliability
