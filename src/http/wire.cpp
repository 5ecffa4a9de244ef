#include "http/wire.h"

#include <atomic>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"

namespace registrar::http::wire {
namespace {

void append_number(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, size_t(end - buf));
}

bool safe_header_text(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

}  // namespace

void serialize_response(std::string& out, const Response& r, std::string_view request_id, bool head,
                        bool keep_alive, std::string_view server_request_id) {
  out.reserve(out.size() + 160 + r.body.size());
  out += "HTTP/1.1 ";
  append_number(out, uint64_t(r.status));
  out += ' ';
  out += reason_phrase(r.status);
  out += "\r\n";
  for (auto& [name, value] : r.headers.all()) {
    if (name.empty() || !safe_header_text(name) || !safe_header_text(value)) continue;
    if (iequals(name, "Content-Length") || iequals(name, "Connection") ||
        iequals(name, "Transfer-Encoding"))
      continue;  // framing is ours to decide
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Server: registrar\r\nDate: ";
  out += http_date();
  out += "\r\nX-Request-Id: ";
  out += request_id;
  if (!server_request_id.empty()) {
    out += "\r\nX-Server-Request-Id: ";
    out += server_request_id;
  }
  if (r.stream) {
    // The pieces follow as chunks (append_chunk), or nothing for a HEAD.
    out += "\r\nTransfer-Encoding: chunked";
  } else {
    out += "\r\nContent-Length: ";
    append_number(out, r.body.size());
  }
  out += keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
  if (!head && !r.stream) out += r.body;
}

void append_chunk(std::string& out, std::string_view piece) {
  if (piece.empty()) return;  // an empty chunk would end the body
  static constexpr char kHex[] = "0123456789abcdef";
  char digits[16];
  size_t n = 0;
  for (size_t v = piece.size(); v > 0; v >>= 4) digits[n++] = kHex[v & 0xf];
  while (n > 0) out += digits[--n];
  out += "\r\n";
  out += piece;
  out += "\r\n";
}

const std::string& http_date() {
  thread_local std::string cached;
  thread_local std::time_t cached_at = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_at) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
    cached_at = now;
  }
  return cached;
}

std::string next_request_id() {
  static const std::string prefix = core::random_token(6) + "-";
  static std::atomic<uint64_t> counter{0};
  uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  std::string id = prefix;
  char buf[20];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n, 16);
  id.append(buf, size_t(end - buf));
  return id;
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

void append_access_log(std::string& line, const Request& req, std::string_view route, int status,
                       double seconds, size_t bytes_out, std::string_view server_request_id) {
  line.reserve(256);
  line += "{\"time\":\"";
  core::append_rfc3339(line, core::SystemClock::instance().now(), true);
  line += "\",\"level\":\"info\",\"event\":\"access\",\"request_id\":\"";
  log::append_json_escaped(line, req.request_id);
  if (!server_request_id.empty()) {
    line += "\",\"server_request_id\":\"";
    log::append_json_escaped(line, server_request_id);
  }
  line += "\",\"remote\":\"";
  log::append_json_escaped(line, req.remote);
  line += "\",\"method\":\"";
  log::append_json_escaped(line, req.method_text);
  line += "\",\"route\":\"";
  log::append_json_escaped(line, route);
  line += "\",\"status\":";
  append_number(line, uint64_t(status));
  // Milliseconds with three decimals, from whole microseconds (snprintf's %f cost more than the
  // rest of the line).
  const uint64_t micros = seconds > 0 ? uint64_t(seconds * 1e6 + 0.5) : 0;
  line += ",\"duration_ms\":";
  append_number(line, micros / 1000);
  const char frac[4] = {char('.'), char('0' + micros / 100 % 10), char('0' + micros / 10 % 10),
                        char('0' + micros % 10)};
  line.append(frac, 4);
  line += ",\"bytes_in\":";
  append_number(line, req.body.size());
  line += ",\"bytes_out\":";
  append_number(line, bytes_out);
  if (req.principal) {
    line += ",\"client\":\"";
    log::append_json_escaped(line, req.principal->client_id);
    line += "\"";
  }
  line += "}";
}

}  // namespace registrar::http::wire
