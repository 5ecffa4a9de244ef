// defer_to_burst_end (http/burst.h) and the I/O-thread marker the server sets (server_impl.h).
#include "http/burst.h"

#include <memory>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "http/server_impl.h"

namespace registrar::http {

namespace {

// defer_to_burst_end (http/burst.h): the I/O thread's io_context and its queue of deferred work.
thread_local asio::io_context* t_io_context = nullptr;
thread_local std::vector<std::unique_ptr<DeferredWork>> t_burst;

template <class Step>
void run_guarded(Step&& step) {
  try {
    step();
  } catch (const std::exception& e) {
    log::error("deferred_work_failed", {{"error", core::loggable_message(e)}});
  }
}

class FunctionWork final : public DeferredWork {
 public:
  FunctionWork(std::function<void()> heavy, std::function<void()> then)
      : heavy_(std::move(heavy)), then_(std::move(then)) {}
  void heavy() override { heavy_(); }
  void then() override { then_(); }

 private:
  std::function<void()> heavy_, then_;
};

// Runs every queued job's heavy part, then every `then`. Posted once per burst, when the first job
// is queued: the read completions already queued on the io_context run before it, so the jobs
// that their handlers queue join this same drain.
void drain_burst() {
  std::vector<std::unique_ptr<DeferredWork>> jobs;
  jobs.swap(t_burst);
  for (auto& j : jobs) run_guarded([&j] { j->heavy(); });
  for (auto& j : jobs) run_guarded([&j] { j->then(); });
}

}  // namespace

IoThreadScope::IoThreadScope(asio::io_context& ctx) {
  t_io_context = &ctx;
}

IoThreadScope::~IoThreadScope() {
  t_io_context = nullptr;
  t_burst.clear();
}

void defer_to_burst_end(std::unique_ptr<DeferredWork> work) {
  if (!t_io_context) {
    run_guarded([&work] { work->heavy(); });
    run_guarded([&work] { work->then(); });
    return;
  }
  const bool first = t_burst.empty();
  t_burst.push_back(std::move(work));
  if (first) asio::post(*t_io_context, drain_burst);
}

void defer_to_burst_end(std::function<void()> heavy, std::function<void()> then) {
  defer_to_burst_end(std::make_unique<FunctionWork>(std::move(heavy), std::move(then)));
}

}  // namespace registrar::http
