#include "http/message.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/error.h"
#include "core/json_reader.h"

namespace registrar::http {

std::string_view method_name(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

Method parse_method(std::string_view n) {
  if (n == "GET") return Method::kGet;
  if (n == "POST") return Method::kPost;
  if (n == "PUT") return Method::kPut;
  if (n == "DELETE") return Method::kDelete;
  if (n == "HEAD") return Method::kHead;
  if (n == "PATCH") return Method::kPatch;
  if (n == "OPTIONS") return Method::kOptions;
  return Method::kOther;
}

// ASCII case folding: header names and the tokens compared here are ASCII, and std::tolower
// consults the locale on every character (it showed in the request-path profile).
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    if ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z') return false;
  }
  return true;
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (auto& [k, v] : items_)
    if (iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

void Headers::set(std::string name, std::string value) {
  std::erase_if(items_, [&](auto& kv) { return iequals(kv.first, name); });
  items_.emplace_back(std::move(name), std::move(value));
}

void Headers::add(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
}

bool Principal::has_scope(std::string_view scope) const {
  for (auto& s : scopes)
    if (s == scope) return true;
  return false;
}

std::string_view Request::param(std::string_view name) const {
  for (auto& [k, v] : path_params)
    if (k == name) return v;
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto pairs = parse_form(query);
  if (!pairs) return std::nullopt;
  for (auto& [k, v] : *pairs)
    if (k == name) return v;
  return std::nullopt;
}

int64_t Request::integer_query_param(std::string_view name, int64_t min, int64_t max,
                                     int64_t absent) const {
  auto v = query_param(name);
  if (!v) return absent;
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size() || out < min || out > max)
    throw core::invalid_argument(std::string(name) + " must be an integer from " +
                                     std::to_string(min) + " to " + std::to_string(max),
                                 std::string(name));
  return out;
}

Json Request::json_body() const {
  if (auto ct = headers.get("Content-Type")) {
    std::string_view type = ct->substr(0, ct->find(';'));
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    bool is_json = iequals(type, "application/json") ||
                   (type.size() > 5 && iequals(type.substr(type.size() - 5), "+json"));
    if (!is_json)
      throw core::Error(core::ErrorKind::kUnprocessable,
                        "Content-Type must be application/json, got '" + std::string(type) + "'",
                        "Content-Type");
  }
  if (body.empty())
    throw core::invalid_argument("request body is empty; a JSON document is required", "body");
  Json out;
  // Duplicate member names: the last one counts, as it always has with nlohmann's parser.
  const core::JsonRead result = core::read_json(body, out);
  if (result == core::JsonRead::kOk || result == core::JsonRead::kDuplicateMember) return out;
  throw core::invalid_argument(
      "request body is not valid JSON (" + core::json_error_position(body, result) + ")", "body");
}

std::string Request::actor() const {
  if (principal && !principal->actor.empty()) return principal->actor;
  if (principal && !principal->subject.empty()) return principal->subject;
  return "anonymous";
}

Response Response::json(int status, const Json& body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

std::string problem_type(std::string_view kind) {
  return "urn:registrar:problem:" + std::string(kind);
}

Response Response::problem(int status, std::string_view title, std::string_view detail,
                           std::string_view field, std::string_view request_id) {
  Json body = {{"type", "about:blank"},
               {"title", title.empty() ? std::string(reason_phrase(status)) : std::string(title)},
               {"status", status}};
  if (!detail.empty()) body["detail"] = detail;
  if (!field.empty()) body["field"] = field;
  if (!request_id.empty()) body["request_id"] = request_id;
  Response r = json(status, body);
  r.headers.set("Content-Type", "application/problem+json");
  return r;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
  }
  return "Unknown";
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  // Runs without '%' (or '+') are copied whole: most paths have none at all, and a character at a
  // time was 3 % of a small request's instructions.
  const std::string_view special = plus_is_space ? "%+" : "%";
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    const size_t next = std::min(in.find_first_of(special, i), in.size());
    out.append(in.data() + i, next - i);
    if (next == in.size()) break;
    if (in[next] == '+') {
      out += ' ';
      i = next + 1;
      continue;
    }
    if (next + 2 >= in.size()) return std::nullopt;
    const int hi = hex_value(in[next + 1]), lo = hex_value(in[next + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += char(hi * 16 + lo);
    i = next + 3;
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view pair = body.substr(pos, amp - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      auto name = percent_decode(pair.substr(0, eq), true);
      auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
      if (!name || !value) return std::nullopt;
      out.emplace_back(std::move(*name), std::move(*value));
    }
    pos = amp + 1;
  }
  return out;
}

}  // namespace registrar::http
