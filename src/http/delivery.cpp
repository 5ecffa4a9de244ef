// DeliveryBatch (http/delivery.h) and the hold it offers the server's Responders (server_impl.h).
#include "http/delivery.h"

#include <functional>
#include <utility>
#include <vector>

#include "http/server_impl.h"

namespace registrar::http {

namespace {

struct Held {
  IoExecutor executor;
  std::function<void()> deliver;
};

// The open batch's answers; `open` while a DeliveryBatch is alive on this thread.
thread_local bool t_open = false;
thread_local std::vector<Held> t_held;

}  // namespace

DeliveryBatch::DeliveryBatch() : outermost_(!t_open) {
  t_open = true;
}

DeliveryBatch::~DeliveryBatch() {
  if (!outermost_) return;
  t_open = false;
  std::vector<Held> held;
  held.swap(t_held);
  // One post per I/O thread, carrying that thread's answers in the order given. A batch is
  // answered by one or a few I/O threads, so the search below stays short.
  std::vector<std::pair<IoExecutor, std::vector<std::function<void()>>>> by_thread;
  for (auto& h : held) {
    auto it = by_thread.begin();
    while (it != by_thread.end() && it->first != h.executor) ++it;
    if (it == by_thread.end())
      it = by_thread.emplace(by_thread.end(), h.executor, std::vector<std::function<void()>>{});
    it->second.push_back(std::move(h.deliver));
  }
  for (auto& [executor, answers] : by_thread)
    asio::post(executor, [answers = std::move(answers)] {
      for (const auto& deliver : answers) deliver();
    });
}

bool hold_answer(IoExecutor executor, std::function<void()>& deliver) {
  if (!t_open) return false;
  t_held.push_back({executor, std::move(deliver)});
  return true;
}

}  // namespace registrar::http
