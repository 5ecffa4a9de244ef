// An injectable clock. Everything that expires (tokens, nonces, VIDs, licence keys) asks a Clock,
// so that tests move time forward instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace registrar::core {

using SystemTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime now() const = 0;
  int64_t now_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  SystemTime now() const override { return std::chrono::system_clock::now(); }
  static const SystemClock& instance();
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(SystemTime start) : micros_(to_micros(start)) {}
  SystemTime now() const override { return SystemTime(std::chrono::microseconds(micros_.load())); }
  void set(SystemTime t) { micros_ = to_micros(t); }
  void advance(std::chrono::microseconds d) { micros_ += d.count(); }

 private:
  static int64_t to_micros(SystemTime t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
  std::atomic<int64_t> micros_;
};

// The storage encoding of a time: microseconds since the Unix epoch, UTC, in a BIGINT column
// named `<what>_us` (docs/ARCHITECTURE.md, "Storage conventions"). Integers compare, index and
// convert the same on SQLite and PostgreSQL; microseconds keep everything a clock gives us here.
constexpr int64_t to_unix_us(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
constexpr SystemTime from_unix_us(int64_t us) {
  return SystemTime(std::chrono::microseconds(us));
}
// Whole seconds (JWT claims, key schedules) and milliseconds (MOSIP's formats) of the models;
// conversions to them round toward the past.
constexpr int64_t to_unix_seconds(SystemTime t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}
constexpr SystemTime from_unix_seconds(int64_t s) {
  return SystemTime(std::chrono::seconds(s));
}
constexpr int64_t to_unix_ms(SystemTime t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
constexpr SystemTime from_unix_ms(int64_t ms) {
  return SystemTime(std::chrono::milliseconds(ms));
}

// RFC 3339 in UTC: "2026-11-22T01:45:51Z", or with milliseconds "2026-11-22T01:45:51.123Z".
std::string format_rfc3339(SystemTime t, bool millis = false);
// The same, appended to `out` (no temporary string: the access log calls it per request).
void append_rfc3339(std::string& out, SystemTime t, bool millis = false);
// Parses RFC 3339 date-times with 'Z' or a numeric offset and optional fraction.
std::optional<SystemTime> parse_rfc3339(std::string_view text);

}  // namespace registrar::core
