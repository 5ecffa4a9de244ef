#include "core/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace registrar::core {

const std::vector<double>& latency_buckets() {
  static const std::vector<double> b{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                     0.05,   0.1,     0.25,   0.5,   1,      2.5,   10};
  return b;
}

Metrics::Metrics() {
  routes_.push_back("unmatched");
}

uint32_t Metrics::route_id(std::string_view route) {
  std::lock_guard lock(mu_);
  for (uint32_t i = 0; i < routes_.size(); ++i)
    if (routes_[i] == route) return i;
  routes_.emplace_back(route);
  return uint32_t(routes_.size() - 1);
}

static uint32_t method_code(std::string_view m) {
  uint32_t h = 0;
  for (char c : m) h = h * 31 + uint8_t(c);
  return h & 0xffff;
}

void Metrics::observe_request(uint32_t route, std::string_view method, int status, double seconds) {
  uint64_t key = (uint64_t(route) << 32) | (uint64_t(method_code(method)) << 16) | uint16_t(status);
  const auto& bounds = latency_buckets();
  size_t bucket = std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
  std::lock_guard lock(mu_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    Series s{std::string(method), route, status, 0, 0, std::vector<uint64_t>(bounds.size() + 1)};
    it = series_.emplace(key, std::move(s)).first;
  }
  Series& s = it->second;
  s.count++;
  s.sum += seconds;
  s.buckets[bucket]++;
}

Counter& Metrics::counter(const std::string& name, const std::string& help,
                          const std::string& labels) {
  std::lock_guard lock(mu_);
  for (auto& c : counters_)
    if (c.name == name && c.labels == labels) return *c.counter;
  counters_.push_back({name, help, labels, std::make_unique<Counter>()});
  return *counters_.back().counter;
}

void Metrics::gauge(const std::string& name, const std::string& help,
                    std::function<double()> read) {
  std::lock_guard lock(mu_);
  gauges_.push_back({name, help, std::move(read)});
}

std::string Metrics::render() const {
  std::vector<Series> series;
  std::vector<std::string> routes;
  std::vector<Gauge> gauges;
  std::vector<std::tuple<std::string, std::string, std::string, uint64_t>> counters;
  {
    std::lock_guard lock(mu_);
    for (auto& [k, s] : series_) series.push_back(s);
    routes = routes_;
    gauges = gauges_;
    for (auto& c : counters_) counters.emplace_back(c.name, c.help, c.labels, c.counter->value());
  }
  std::sort(series.begin(), series.end(), [](const Series& a, const Series& b) {
    return std::tie(a.route, a.method, a.status) < std::tie(b.route, b.method, b.status);
  });
  std::string out;
  out += "# HELP registrar_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE registrar_http_requests_total counter\n";
  for (auto& s : series)
    out += fmt::format(
        "registrar_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
        routes[s.route], s.method, s.status, s.count);
  out +=
      "# HELP registrar_http_request_duration_seconds Time from request read to response "
      "written.\n";
  out += "# TYPE registrar_http_request_duration_seconds histogram\n";
  const auto& bounds = latency_buckets();
  for (auto& s : series) {
    std::string labels = fmt::format("route=\"{}\",method=\"{}\",status=\"{}\"", routes[s.route],
                                     s.method, s.status);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds.size(); ++i) {
      cumulative += s.buckets[i];
      out += fmt::format("registrar_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                         labels, bounds[i], cumulative);
    }
    cumulative += s.buckets[bounds.size()];
    out += fmt::format("registrar_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                       labels, cumulative);
    out += fmt::format("registrar_http_request_duration_seconds_sum{{{}}} {}\n", labels, s.sum);
    out += fmt::format("registrar_http_request_duration_seconds_count{{{}}} {}\n", labels, s.count);
  }
  std::string last;
  for (auto& [name, help, labels, value] : counters) {
    if (name != last) {
      out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
      last = name;
    }
    out += labels.empty() ? fmt::format("{} {}\n", name, value)
                          : fmt::format("{}{{{}}} {}\n", name, labels, value);
  }
  for (auto& g : gauges)
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", g.name, g.help, g.name, g.name,
                       g.read());
  return out;
}

}  // namespace registrar::core
