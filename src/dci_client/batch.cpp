#include "dci_client/batch.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "core/error.h"
#include "core/thread_annotations.h"

namespace registrar::dci_client {
namespace {

bool finished(const Check& c) {
  return c.state == CheckState::kCompleted || c.state == CheckState::kFailed;
}

// The index in file.lines of the line a batch key ends with ("<source>:<digest>:<line>").
std::optional<size_t> line_index(const BatchFile& file, const std::string& key) {
  auto colon = key.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  size_t line = 0;
  for (size_t i = colon + 1; i < key.size(); ++i) {
    if (key[i] < '0' || key[i] > '9') return std::nullopt;
    line = line * 10 + size_t(key[i] - '0');
  }
  auto it = std::lower_bound(file.lines.begin(), file.lines.end(), line,
                             [](const BatchLine& l, size_t n) { return l.line < n; });
  if (it == file.lines.end() || it->line != line) return std::nullopt;
  return size_t(it - file.lines.begin());
}

// After the sends: async answers arrive at the server, which writes them to the shared
// database, so they are read there, as is any sync check this run could not complete itself
// (something else changed it first). Then the summary's counts.
std::vector<std::optional<Check>> finish_batch(CheckService& checks, const BatchFile& file,
                                               const BatchOptions& options,
                                               const std::string& prefix,
                                               std::vector<std::optional<Check>> out, size_t total,
                                               BatchSummary& summary) {
  auto count_done = [&] {
    size_t n = 0;
    for (const auto& c : out) n += c && finished(*c) ? 1 : 0;
    return n;
  };
  auto reload = [&] {
    for (auto& c : checks.batch(prefix)) {
      auto index = line_index(file, c.batch_key);
      if (!index) continue;
      c.registrant = {};
      out[*index] = std::move(c);
    }
    return count_done();
  };
  size_t done = count_done();
  if (done < total) done = reload();
  if (options.progress) options.progress(done, total);
  const bool async = options.mode == RunMode::kAsync;
  auto give_up = std::chrono::steady_clock::now() + options.async_wait;
  while (done < total && async && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    done = reload();
    if (options.progress) options.progress(done, total);
  }
  for (const auto& c : out) {
    if (!c) continue;
    if (c->state == CheckState::kFailed)
      ++summary.failed;
    else if (c->state != CheckState::kCompleted)
      ++summary.pending;
    else if (c->result == CheckResult::kConfirmedMatch)
      ++summary.confirmed;
    else if (c->result == CheckResult::kPossibleMatch)
      ++summary.possible;
    else
      ++summary.no_match;
  }
  return out;
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
  const bool async = options.mode == RunMode::kAsync;
  // Each line's check as last known, without what the result file does not show (the
  // registrant, the raw answer): a batch of 100,000 is held in a few tens of MB.
  std::vector<std::optional<Check>> out(file.lines.size());
  auto keep = [&out](size_t index, const Check& c) {
    Check slim;
    slim.id = c.id;
    slim.source = c.source;
    slim.state = c.state;
    slim.result = c.result;
    slim.matched_programmes = c.matched_programmes;
    slim.error = c.error;
    slim.correlation_id = c.correlation_id;
    slim.batch_key = c.batch_key;
    slim.created = c.created;
    slim.updated = c.updated;
    slim.checked = c.checked;
    out[index] = std::move(slim);
  };
  size_t total = 0;
  for (const auto& l : file.lines) total += l.error.empty() ? 1 : 0;
  summary.invalid = file.lines.size() - total;
  // A batch never started has no check to find: its lines are created without lookups.
  BatchSend how;
  how.mode = options.mode;
  how.retry_failed = options.retry_failed;
  how.look_up = checks.batch_started(prefix);

  // `window` envelopes in flight, sent `group` at a time: each group's checks are created (or
  // taken back to `checking`) in one transaction, which then sends them, as soon as the
  // window has room for a whole group. What a resumed batch finds done is counted, not sent.
  auto waiter = std::make_shared<Waiter>();
  const size_t window = size_t(std::max(1, options.window));
  const size_t group = std::max<size_t>(1, window / 2);
  const size_t per_envelope = size_t(std::max(1, checks.settings().batch_size));
  auto envelopes_for = [per_envelope](size_t n) { return (n + per_envelope - 1) / per_envelope; };
  auto wait_below = [&](size_t limit) {
    core::MutexLock l(waiter->mu);
    while (waiter->in_flight >= limit) {
      waiter->cv.wait(waiter->mu);
      if (options.progress) options.progress(waiter->checks_done, total);
    }
  };
  std::vector<NewCheck> slice;
  std::vector<size_t> slice_lines;  // indexes into file.lines
  bool reported = false;
  auto send_slice = [&] {
    if (slice.empty()) return;
    wait_below(window - group + 1);
    RunObserver observer;
    // On the Background (possibly before send_batch returns): a check finds its line by its
    // batch key. Held by reference: this function waits for every envelope before it returns.
    observer.on_chunk = [&keep, &file, waiter, async](const std::vector<Check>& done) {
      core::MutexLock l(waiter->mu);
      for (const auto& c : done) {
        auto index = line_index(file, c.batch_key);
        if (!index) continue;
        keep(*index, c);
        if (!async && finished(c)) ++waiter->checks_done;
      }
      --waiter->in_flight;
      waiter->cv.notify_all();
    };
    // Counted before the call (an envelope may be answered before it returns), as many as
    // the lines could fill; what was not sent is taken back after.
    const size_t most = envelopes_for(slice.size());
    {
      core::MutexLock l(waiter->mu);
      waiter->in_flight += most;
    }
    std::vector<Check> now;
    const size_t sent_before = summary.sent;
    try {
      now = checks.send_batch(slice, options.source, how, actor, observer, summary.sent);
    } catch (...) {
      core::MutexLock l(waiter->mu);
      waiter->in_flight -= most;
      waiter->cv.notify_all();
      throw;
    }
    core::MutexLock l(waiter->mu);
    waiter->in_flight -= most - envelopes_for(summary.sent - sent_before);
    waiter->cv.notify_all();
    for (size_t i = 0; i < now.size(); ++i) {
      if (finished(now[i])) {
        ++summary.already_done;
        ++waiter->checks_done;
      }
      if (!out[slice_lines[i]]) keep(slice_lines[i], now[i]);
    }
    if (!reported && options.progress) options.progress(waiter->checks_done, total);
    reported = true;
    slice.clear();
    slice_lines.clear();
  };
  for (size_t i = 0; i < file.lines.size(); ++i) {
    const BatchLine& l = file.lines[i];
    if (!l.error.empty()) continue;
    slice.push_back({l.registrant, batch_key(prefix, l.line)});
    slice_lines.push_back(i);
    if (slice.size() >= per_envelope * group) send_slice();
  }
  send_slice();
  wait_below(1);
  return finish_batch(checks, file, options, prefix, std::move(out), total, summary);
}

}  // namespace registrar::dci_client
