#include "core/clock.h"

#include <cstdio>
#include <ctime>

#include "core/text.h"

namespace registrar::core {

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

namespace {

// Proleptic Gregorian date of a count of days since 1970-01-01 (Howard Hinnant's civil_from_days).
// Every access-log line carries a timestamp: this avoids gmtime_r and snprintf on that path.
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);                // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                     // [0, 11]
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

char* put_digits(char* p, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
  return p + width;
}

}  // namespace

std::string format_rfc3339(SystemTime t, bool millis) {
  std::string out;
  append_rfc3339(out, t, millis);
  return out;
}

void append_rfc3339(std::string& out, SystemTime t, bool millis) {
  using namespace std::chrono;
  const int64_t ms_total = duration_cast<milliseconds>(t.time_since_epoch()).count();
  const int64_t secs = ms_total >= 0 ? ms_total / 1000 : (ms_total - 999) / 1000;  // floor
  const int64_t ms = ms_total - secs * 1000;
  const int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  const int64_t sod = secs - days * 86400;
  int64_t year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  if (year < 0 || year > 9999) {  // outside RFC 3339's four-digit years: the slow general path
    std::time_t tt = secs;
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    out += buf;
    return;
  }
  char buf[32];
  char* p = put_digits(buf, static_cast<uint64_t>(year), 4);
  *p++ = '-';
  p = put_digits(p, month, 2);
  *p++ = '-';
  p = put_digits(p, day, 2);
  *p++ = 'T';
  p = put_digits(p, static_cast<uint64_t>(sod / 3600), 2);
  *p++ = ':';
  p = put_digits(p, static_cast<uint64_t>(sod / 60 % 60), 2);
  *p++ = ':';
  p = put_digits(p, static_cast<uint64_t>(sod % 60), 2);
  if (millis) {
    *p++ = '.';
    p = put_digits(p, static_cast<uint64_t>(ms), 3);
  }
  *p++ = 'Z';
  out.append(buf, p);
}

std::optional<SystemTime> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (!read_digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !read_digits(s, 5, 2, mo) ||
      s[7] != '-' || !read_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !read_digits(s, 11, 2, h) || s[13] != ':' || !read_digits(s, 14, 2, mi) || s[16] != ':' ||
      !read_digits(s, 17, 2, se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100000, n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (scale > 0) micros += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0) return std::nullopt;
  }
  int offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!read_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !read_digits(s, pos + 4, 2, om))
      return std::nullopt;
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  std::time_t tt = timegm(&tm);
  // timegm normalises out-of-range days (Feb 30 -> Mar 2); reject those.
  std::tm check{};
  gmtime_r(&tt, &check);
  if (check.tm_mday != d && se != 60) return std::nullopt;
  using namespace std::chrono;
  return SystemTime(seconds(tt - int64_t(offset_min) * 60) + microseconds(micros));
}

}  // namespace registrar::core
