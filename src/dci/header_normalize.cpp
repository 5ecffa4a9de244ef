// The pydantic-normalised header that OpenSPP's verifier hashes (dci-ibr.md §7.4), and the
// message_ts renderings (envelope.h). Where we cannot be sure what pydantic would do, we give
// nullopt and the verifier falls back to the raw header rather than guessing.
#include <algorithm>
#include <charconv>
#include <cstdio>

#include "core/text.h"
#include "dci/envelope.h"

namespace registrar::dci {

namespace {

bool valid_date(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

JsonValue str(std::string s) {
  return {.kind = JsonValue::Kind::kString, .text = std::move(s)};
}
JsonValue integer(int64_t n) {
  return {.kind = JsonValue::Kind::kInteger, .text = std::to_string(n)};
}
JsonValue boolean(bool b) {
  return {.kind = JsonValue::Kind::kBool, .boolean = b};
}

// pydantic v2 lax int: an int, an integral float, a bool, or a string of an int.
std::optional<int64_t> lax_int(const JsonValue& v) {
  using K = JsonValue::Kind;
  std::string_view text;
  if (v.kind == K::kBool) return v.boolean ? 1 : 0;
  if (v.kind == K::kFloat) {
    if (v.number != v.number || v.number != double(int64_t(v.number))) return std::nullopt;
    return int64_t(v.number);
  }
  if (v.kind != K::kInteger && v.kind != K::kString) return std::nullopt;
  text = v.text;
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return n;
}

std::optional<bool> lax_bool(const JsonValue& v) {
  using K = JsonValue::Kind;
  if (v.kind == K::kBool) return v.boolean;
  if (v.kind == K::kInteger && (v.text == "0" || v.text == "1")) return v.text == "1";
  if (v.kind == K::kFloat && (v.number == 0 || v.number == 1)) return v.number == 1;
  if (v.kind != K::kString) return std::nullopt;
  std::string s;
  for (char c : v.text) s += char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (const char* t : {"1", "on", "t", "true", "y", "yes"}) {
    if (s == t) return true;
  }
  for (const char* f : {"0", "off", "f", "false", "n", "no"}) {
    if (s == f) return false;
  }
  return std::nullopt;
}

size_t code_points(std::string_view wtf8) {
  size_t n = 0;
  for (char c : wtf8) n += (uint8_t(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string format_message_ts(core::SystemTime t) {
  int64_t us = core::to_unix_us(t);
  int64_t micros = ((us % 1000000) + 1000000) % 1000000;
  std::string out = core::format_rfc3339(core::from_unix_us(us - micros));  // "...:SSZ"
  if (micros != 0) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
    out.insert(out.size() - 1, frac);
  }
  return out;
}

// YYYY-MM-DD(T|t| |_)HH:MM[:SS[.f{1,6}]][Z|z|±HH:MM|±HHMM|±HH]
std::optional<std::string> normalize_datetime(std::string_view s) {
  int y, mo, d, h, mi, sec = 0;
  if (!core::read_digits(s, 0, 4, y) || s.size() < 16 || s[4] != '-' ||
      !core::read_digits(s, 5, 2, mo) || s[7] != '-' || !core::read_digits(s, 8, 2, d) ||
      !valid_date(y, mo, d)) {
    return std::nullopt;
  }
  char sep = s[10];
  if (sep != 'T' && sep != 't' && sep != ' ' && sep != '_') return std::nullopt;
  if (!core::read_digits(s, 11, 2, h) || s[13] != ':' || !core::read_digits(s, 14, 2, mi) ||
      h > 23 || mi > 59) {
    return std::nullopt;
  }
  size_t i = 16;
  int micros = 0;
  if (i < s.size() && s[i] == ':') {
    if (!core::read_digits(s, i + 1, 2, sec) || sec > 59) return std::nullopt;
    i += 3;
    if (i < s.size() && s[i] == '.') {
      size_t start = ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      size_t n = i - start;
      if (n == 0 || n > 6) return std::nullopt;
      core::read_digits(s, start, n, micros);
      for (size_t k = n; k < 6; ++k) micros *= 10;
    }
  }
  std::string zone;
  if (i < s.size()) {
    std::string_view z = s.substr(i);
    int oh = 0, om = 0;
    if (z == "Z" || z == "z") {
      zone = "Z";
    } else if ((z[0] == '+' || z[0] == '-') && core::read_digits(z, 1, 2, oh) &&
               ((z.size() == 3) ||
                (z.size() == 6 && z[3] == ':' && core::read_digits(z, 4, 2, om)) ||
                (z.size() == 5 && core::read_digits(z, 3, 2, om))) &&
               oh < 24 && om < 60) {
      char buf[32];  // room for any int, so that -Wformat-truncation can see none is cut
      std::snprintf(buf, sizeof buf, "%c%02d:%02d", z[0], oh, om);
      zone = oh == 0 && om == 0 ? "Z" : buf;
    } else {
      return std::nullopt;
    }
  }
  char out[80];  // room for any six ints (the values are range-checked above)
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, sec);
  std::string result = out;
  if (micros != 0) {
    std::snprintf(out, sizeof out, ".%06d", micros);
    result += out;
  }
  return result + zone;
}

std::optional<std::string> normalized_header_canonical(const JsonValue& raw) {
  using K = JsonValue::Kind;
  if (!raw.is_object()) return std::nullopt;
  auto field = [&](const char* key) { return raw.find(key); };
  auto is_null = [](const JsonValue* v) { return !v || v->kind == K::kNull; };
  std::vector<JsonValue::Member> out;
  auto put = [&](const char* key, JsonValue v) { out.push_back({key, std::move(v)}); };
  auto required_str = [&](const char* key) {
    const JsonValue* v = field(key);
    if (!v || !v->is_string()) return false;
    put(key, *v);
    return true;
  };
  auto optional_str = [&](const char* key) {
    const JsonValue* v = field(key);
    if (is_null(v)) return put(key, {}), true;
    if (!v->is_string()) return false;
    put(key, *v);
    return true;
  };
  auto count = [&](const char* key) {
    const JsonValue* v = field(key);
    auto n = v ? lax_int(*v) : std::optional<int64_t>(0);
    if (!n) return false;
    put(key, integer(*n));
    return true;
  };

  // pydantic's smart union picks the callback model when "status" validates as one.
  const JsonValue* status = field("status");
  bool callback = status && status->is_string() && parse_wire<RequestStatus>(status->text);

  const JsonValue* version = field("version");
  if (version && !version->is_string()) return std::nullopt;
  put("version", version ? *version : str("1.0.0"));
  if (!required_str("message_id") || !required_str("action") || !required_str("sender_id") ||
      !required_str("receiver_id") || !optional_str("sender_uri") || !count("total_count")) {
    return std::nullopt;
  }
  const JsonValue* ts = field("message_ts");
  if (!ts || !ts->is_string()) return std::nullopt;
  auto normalized_ts = normalize_datetime(ts->text);
  if (!normalized_ts) return std::nullopt;
  put("message_ts", str(*normalized_ts));
  const JsonValue* encrypted = field("is_msg_encrypted");
  auto enc = is_null(encrypted) ? std::optional<bool>(false) : lax_bool(*encrypted);
  if (!enc || (encrypted && encrypted->kind == K::kNull)) return std::nullopt;
  put("is_msg_encrypted", boolean(*enc));
  const JsonValue* meta = field("meta");
  if (!is_null(meta) && !meta->is_object()) return std::nullopt;
  put("meta", meta ? *meta : JsonValue{});
  if (callback) {
    put("status", *status);
    if (!optional_str("status_reason_code") || !optional_str("status_reason_message") ||
        !count("completed_count")) {
      return std::nullopt;
    }
    const JsonValue* message = field("status_reason_message");
    if (message && message->is_string() && code_points(message->text) > 999) return std::nullopt;
  }
  JsonValue object{.kind = K::kObject, .members = std::move(out)};
  std::sort(object.members.begin(), object.members.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  return to_canonical(object);
}

}  // namespace registrar::dci
