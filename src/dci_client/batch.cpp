#include "dci_client/batch.h"

#include <algorithm>
#include <map>
#include <thread>

#include "core/error.h"
#include "core/thread_annotations.h"

namespace registrar::dci_client {
namespace {

bool finished(const Check& c) {
  return c.state == CheckState::kCompleted || c.state == CheckState::kFailed;
}

// The envelopes of a batch in flight, for a caller that keeps `window` of them going.
struct Waiter {
  core::Mutex mu;
  core::CondVar cv;
  size_t in_flight GUARDED_BY(mu) = 0;
  size_t checks_done GUARDED_BY(mu) = 0;
};

}  // namespace

std::vector<std::optional<Check>> run_batch(CheckService& checks, const BatchFile& file,
                                            const BatchOptions& options, const Actor& actor,
                                            BatchSummary& summary) {
  summary = {};
  summary.lines = file.lines.size();
  const std::string prefix = batch_prefix(options.source, file.digest);
  // 1. One check per valid line; a resumed batch finds its own.
  std::map<size_t, Check> by_line;
  std::vector<NewCheck> wanted;
  std::vector<size_t> wanted_lines;
  auto flush = [&] {
    if (wanted.empty()) return;
    std::vector<Check> made = checks.create_many(wanted, options.source, actor);
    for (size_t i = 0; i < made.size(); ++i) by_line[wanted_lines[i]] = std::move(made[i]);
    wanted.clear();
    wanted_lines.clear();
  };
  for (const auto& l : file.lines) {
    if (!l.error.empty()) {
      ++summary.invalid;
      continue;
    }
    wanted.push_back({l.registrant, batch_key(prefix, l.line)});
    wanted_lines.push_back(l.line);
    if (wanted.size() >= 500) flush();
  }
  flush();
  // 2. What to send: ready checks, and sync ones an interrupted run left `checking` (that
  // process is gone, and its answer with it; a search is read-only, asking again is harmless).
  std::vector<std::string> to_send;
  size_t total = by_line.size(), done = 0;
  for (auto& [line, c] : by_line) {
    if ((c.state == CheckState::kChecking && c.correlation_id.empty()) ||
        (c.state == CheckState::kFailed && options.retry_failed))
      c = checks.retry(c.id, actor);
    if (c.state == CheckState::kReady)
      to_send.push_back(c.id);
    else if (finished(c))
      ++done;
  }
  summary.already_done = done;
  if (options.progress) options.progress(done, total);
  // 3. Send one envelope per run, keeping `window` of them in flight (a sliding window: the
  // next goes as soon as any answer is written).
  auto waiter = std::make_shared<Waiter>();
  const size_t window = size_t(std::max(1, options.window));
  const size_t per_envelope = size_t(std::max(1, checks.settings().batch_size));
  const bool async = options.mode == RunMode::kAsync;
  RunObserver observer;
  observer.on_chunk = [waiter, async](const std::vector<std::string>& chunk) {
    core::MutexLock l(waiter->mu);
    if (!async) waiter->checks_done += chunk.size();
  };
  observer.on_all = [waiter] {
    core::MutexLock l(waiter->mu);
    --waiter->in_flight;
    waiter->cv.notify_all();
  };
  auto wait_below = [&](size_t limit) {
    core::MutexLock l(waiter->mu);
    while (waiter->in_flight >= limit) {
      waiter->cv.wait(waiter->mu);
      if (options.progress) options.progress(done + waiter->checks_done, total);
    }
  };
  for (size_t from = 0; from < to_send.size(); from += per_envelope) {
    wait_below(window);
    std::vector<std::string> ids(
        to_send.begin() + long(from),
        to_send.begin() + long(std::min(to_send.size(), from + per_envelope)));
    {
      core::MutexLock l(waiter->mu);
      ++waiter->in_flight;  // on_all takes it back, even when nothing was sent
    }
    for (const auto& e : checks.run(ids, options.mode, actor, observer)) summary.sent += e.sent;
  }
  wait_below(1);
  // 4. Async answers arrive at the server: wait for them in the database.
  auto reload = [&] {
    std::map<std::string, Check> now;
    for (auto& c : checks.batch(prefix)) {
      std::string id = c.id;
      now.emplace(std::move(id), std::move(c));
    }
    size_t n = 0;
    for (auto& [line, c] : by_line) {
      if (auto it = now.find(c.id); it != now.end()) c = std::move(it->second);
      n += finished(c) ? 1 : 0;
    }
    return n;
  };
  size_t now_done = reload();
  if (options.progress) options.progress(now_done, total);
  auto give_up = std::chrono::steady_clock::now() + options.async_wait;
  while (now_done < total && async && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    now_done = reload();
    if (options.progress) options.progress(now_done, total);
  }
  // 5. Every line's check, in file order.
  std::vector<std::optional<Check>> out;
  for (const auto& l : file.lines) {
    auto it = by_line.find(l.line);
    if (it == by_line.end()) {
      out.push_back(std::nullopt);
      continue;
    }
    const Check& c = it->second;
    if (c.state == CheckState::kFailed)
      ++summary.failed;
    else if (c.state != CheckState::kCompleted)
      ++summary.pending;
    else if (c.result == CheckResult::kConfirmedMatch)
      ++summary.confirmed;
    else if (c.result == CheckResult::kPossibleMatch)
      ++summary.possible;
    else
      ++summary.no_match;
    out.push_back(c);
  }
  return out;
}

}  // namespace registrar::dci_client
