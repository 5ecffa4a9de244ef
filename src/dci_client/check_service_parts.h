// The insides of CheckService shared by its two files: check_service.cpp (the lifecycle:
// create, run, send a batch, retry, delete, sweep) and check_answers.cpp (what comes back:
// sync answers, async ACKs, callbacks, and the group commit that writes them). Not for other
// files.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/thread_annotations.h"
#include "dci_client/check_service.h"
#include "store/audit.h"

namespace registrar::dci_client {

using Json = nlohmann::json;

struct CheckService::Life {
  core::Mutex mu;
  core::CondVar idle;
  bool alive GUARDED_BY(mu) = true;
  int running GUARDED_BY(mu) = 0;

  bool enter() EXCLUDES(mu) {
    core::MutexLock l(mu);
    if (!alive) return false;
    ++running;
    return true;
  }
  void leave() EXCLUDES(mu) {
    core::MutexLock l(mu);
    if (--running == 0) idle.notify_all();
  }
  bool ended() EXCLUDES(mu) {
    core::MutexLock l(mu);
    return !alive;
  }
  // After this, enter() refuses; waits for those inside.
  void end() EXCLUDES(mu) {
    core::MutexLock l(mu);
    alive = false;
    while (running > 0) idle.wait(mu);
  }
};

struct CheckService::RunState {
  RunObserver observer;
  std::atomic<size_t> left{0};  // on_all when the last envelope is finished
};

// One envelope of a run: checks of one source, in the order of the items.
struct CheckService::Chunk {
  std::string source;
  RunMode mode = RunMode::kSync;
  std::string transaction_id;  // the envelope's; the subject of its audit entries
  std::string correlation_id;  // async
  std::vector<Check> checks;
  Actor actor;
  std::shared_ptr<RunState> run;
};

struct CheckService::Writes {
  explicit Writes(soci::session& s) : checks(s), audit(s) {}
  db::CheckWriter checks;
  store::AuditWriter audit;
};

namespace check_detail {

// By id, for a loop over the ids in their own order.
inline std::map<std::string, Check> by_id(std::vector<Check> checks) {
  std::map<std::string, Check> out;
  for (auto& c : checks) {
    std::string id = c.id;
    out.emplace(std::move(id), std::move(c));
  }
  return out;
}

inline std::vector<std::string> ids_of(const std::vector<Check>& checks) {
  std::vector<std::string> out;
  out.reserve(checks.size());
  for (const auto& c : checks) out.push_back(c.id);
  return out;
}

inline std::string reason_of(const PeerAnswer& a) {
  if (!a.error.empty()) return a.error;
  return "HTTP " + std::to_string(a.http_status);
}

// "correlation: <id>" (§12.5: what OpenSPP's callback looks for in notes).
inline std::string correlation_note(const std::string& id) {
  return id.empty() ? "" : "correlation: " + id;
}

inline Json audit_line(const Check& c) {
  Json line = {{"id", c.id}, {"state", std::string(state_name(c.state))}};
  if (c.state == CheckState::kCompleted && c.result)
    line["result"] = std::string(result_name(*c.result));
  if (!c.error.empty()) line["error"] = c.error;
  return line;
}

}  // namespace check_detail
}  // namespace registrar::dci_client
