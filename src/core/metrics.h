// Process metrics in the Prometheus text format (version 0.0.4). The HTTP layer records one
// observation per request; other parts register gauges (database pool use) or counters (IDs
// issued). Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace registrar::core {

class Counter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Metrics {
 public:
  Metrics();

  // Returns a small integer for a route name, used by observe_request (so the per-request path
  // does not hash strings).
  uint32_t route_id(std::string_view route);
  void observe_request(uint32_t route_id, std::string_view method, int status, double seconds);

  // A counter with a fixed label set, e.g. ("registrar_ids_issued_total", "type=\"uin\"").
  Counter& counter(const std::string& name, const std::string& help,
                   const std::string& labels = "");
  void gauge(const std::string& name, const std::string& help, std::function<double()> read);

  std::string render() const;

 private:
  struct Series {
    std::string method;
    uint32_t route;
    int status;
    uint64_t count = 0;
    double sum = 0;
    std::vector<uint64_t> buckets;
  };
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  struct CounterEntry {
    std::string name, help, labels;
    std::unique_ptr<Counter> counter;
  };

  mutable std::mutex mu_;
  std::vector<std::string> routes_;
  std::unordered_map<uint64_t, Series> series_;
  std::vector<Gauge> gauges_;
  std::vector<CounterEntry> counters_;
};

// Latency buckets (seconds) for request histograms.
const std::vector<double>& latency_buckets();

}  // namespace registrar::core
