#include "sync/mosip_window.h"

#include <chrono>
#include <cstdio>

#include "core/clock.h"

namespace registrar::sync {
namespace {

constexpr int64_t kUsPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// Reads exactly `n` ASCII digits at `pos`, advancing it.
std::optional<int> digits(std::string_view s, size_t& pos, size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

std::optional<int64_t> parse_last_updated(std::string_view text) {
  // Both forms start "yyyy-MM-ddTHH:mm"; MOSIP's adds ":ss.SSSZ", ISO's optionally ":ss" and a
  // fraction of 1 to 9 digits, without a zone.
  size_t pos = 0;
  auto year = digits(text, pos, 4);
  if (!year || !expect(text, pos, '-')) return std::nullopt;
  auto month = digits(text, pos, 2);
  if (!month || !expect(text, pos, '-')) return std::nullopt;
  auto day = digits(text, pos, 2);
  if (!day || !expect(text, pos, 'T')) return std::nullopt;
  auto hour = digits(text, pos, 2);
  if (!hour || !expect(text, pos, ':')) return std::nullopt;
  auto minute = digits(text, pos, 2);
  if (!minute) return std::nullopt;
  int second = 0;
  int64_t micros = 0;
  if (pos < text.size()) {
    if (!expect(text, pos, ':')) return std::nullopt;
    auto s = digits(text, pos, 2);
    if (!s) return std::nullopt;
    second = *s;
    if (pos < text.size()) {
      if (!expect(text, pos, '.')) return std::nullopt;
      size_t start = pos;
      int64_t scale = 100'000;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        micros += (text[pos] - '0') * scale;  // beyond microseconds: truncated
        scale /= 10;
        ++pos;
      }
      size_t n = pos - start;
      if (n == 0 || n > 9) return std::nullopt;
      // 'Z' only in MOSIP's form, which has exactly three fraction digits.
      if (pos < text.size() && !(n == 3 && text[pos] == 'Z' && pos + 1 == text.size()))
        return std::nullopt;
    }
  }
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                     std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok() || *hour > 23 || *minute > 59 || second > 59) return std::nullopt;
  int64_t days = sys_days(ymd).time_since_epoch().count();
  int64_t seconds = days * kSecondsPerDay + *hour * 3600 + *minute * 60 + second;
  return seconds * kUsPerSecond + micros;
}

SyncWindow sync_window(int64_t now_us, std::optional<int64_t> last_updated_us,
                       const WindowSettings& settings) {
  SyncWindow w;
  if (!last_updated_us) {
    w.full = true;
    w.from_us = 0;
    w.to_us = settings.full_sync_to_now ? now_us
                                        : floor_div(now_us, kSecondsPerDay * kUsPerSecond) *
                                              kSecondsPerDay * kUsPerSecond;
    return w;
  }
  int64_t step = (settings.delta_interval_s > 0 ? settings.delta_interval_s : 1) * kUsPerSecond;
  w.from_us = *last_updated_us;
  w.to_us = floor_div(now_us, step) * step;
  return w;
}

std::string format_sync_time(int64_t us) {
  // From microseconds directly: a SystemTime counts nanoseconds and ends in 2262, before the
  // years parse_last_updated reads (found by sync_params_fuzz: "6024-06-15T08:30" overflowed).
  using namespace std::chrono;
  const int64_t ms = floor_div(us, 1000);
  const int64_t days = floor_div(ms, kSecondsPerDay * 1000);
  const int64_t ms_of_day = ms - days * kSecondsPerDay * 1000;
  const year_month_day ymd{sys_days(std::chrono::days(days))};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(ms_of_day / 3'600'000),
                int(ms_of_day / 60'000 % 60), int(ms_of_day / 1000 % 60), int(ms_of_day % 1000));
  return buf;
}

void append_dto(std::string& out, std::string_view data, std::string_view lang_json, bool active,
                bool deleted) {
  // `data` is the store's compact object: "{}" or "{...}". The three fields go at its end.
  std::string_view body = data.substr(0, data.size() - 1);  // without the closing brace
  out.append(body);
  if (body.size() > 1) out += ',';
  out.append("\"langCode\":");
  out.append(lang_json);
  out.append(active ? ",\"isActive\":true" : ",\"isActive\":false");
  out.append(deleted ? ",\"isDeleted\":true}" : ",\"isDeleted\":false}");
}

}  // namespace registrar::sync
