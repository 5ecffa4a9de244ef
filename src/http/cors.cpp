#include "http/cors.h"

#include <algorithm>

namespace registrar::http {

namespace {

// RFC 9110 token characters: what a method or a header name is made of.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// A list of tokens as a preflight's Access-Control-Request-Headers carries it ("authorization,
// content-type"); reflected only when it is one, so nothing else is copied into our headers.
bool is_token_list(std::string_view s) {
  bool any = false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    std::string_view item = s.substr(start, comma - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) {
      if (!is_token(item)) return false;
      any = true;
    }
    start = comma + 1;
  }
  return any;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

bool allows_any(const CorsPolicy& policy) {
  return std::find(policy.origins.begin(), policy.origins.end(), "*") != policy.origins.end();
}

// Access-Control-Allow-Origin and Vary: Origin; true when the origin is allowed.
bool allow_origin(const CorsPolicy& policy, const Request& request, Response& response) {
  if (allows_any(policy)) {
    response.headers.set("Access-Control-Allow-Origin", "*");
    return true;
  }
  add_vary(response, "Origin");  // the answer depends on the origin, allowed or not
  auto origin = request.headers.get("Origin");
  if (!origin ||
      std::find(policy.origins.begin(), policy.origins.end(), *origin) == policy.origins.end())
    return false;
  response.headers.set("Access-Control-Allow-Origin", std::string(*origin));
  if (policy.credentials) response.headers.set("Access-Control-Allow-Credentials", "true");
  return true;
}

std::optional<std::string> tokens(const Json& config, const char* name, bool headers,
                                  std::vector<std::string>* out) {
  if (!config.contains(name)) return std::nullopt;
  const Json& list = config[name];
  if (!list.is_array()) return std::string(name) + " must be an array of strings";
  std::vector<std::string> items;
  for (const auto& item : list) {
    if (!item.is_string() || !is_token(item.get<std::string>()))
      return std::string(name) + ": each must be a " + (headers ? "header name" : "method name");
    items.push_back(item.get<std::string>());
  }
  if (!headers && items.empty()) return std::string(name) + " must not be empty";
  *out = std::move(items);
  return std::nullopt;
}

// "https://wallet.example" or "http://127.0.0.1:8080": a scheme, "://" and a host, nothing after.
bool is_origin(const std::string& s) {
  size_t sep = s.find("://");
  if (sep == std::string::npos || sep == 0) return false;
  for (size_t i = 0; i < sep; ++i) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') ||
          (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))))
      return false;
  }
  std::string_view host = std::string_view(s).substr(sep + 3);
  if (host.empty()) return false;
  for (char c : host)
    if (c == '/' || c == '?' || c == '#' || c <= ' ' || c == 0x7f) return false;
  return true;
}

}  // namespace

bool is_preflight(const Request& request) {
  return request.method == Method::kOptions && request.headers.has("Access-Control-Request-Method");
}

void add_vary(Response& response, std::string_view token) {
  auto current = response.headers.get("Vary");
  if (!current || current->empty()) {
    response.headers.set("Vary", std::string(token));
    return;
  }
  std::string_view rest = *current;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "*" || iequals(item, token)) return;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  response.headers.set("Vary", std::string(*current) + ", " + std::string(token));
}

Response preflight_response(const CorsPolicy& policy, const Request& request) {
  Response r = Response::no_content();
  allow_origin(policy, request, r);
  r.headers.set("Access-Control-Allow-Methods", join(policy.methods));
  if (policy.headers.empty()) {
    add_vary(r, "Access-Control-Request-Headers");
    auto asked = request.headers.get("Access-Control-Request-Headers");
    if (asked && is_token_list(*asked))
      r.headers.set("Access-Control-Allow-Headers", std::string(*asked));
  } else {
    r.headers.set("Access-Control-Allow-Headers", join(policy.headers));
  }
  if (policy.max_age_seconds)
    r.headers.set("Access-Control-Max-Age", std::to_string(*policy.max_age_seconds));
  if (!policy.expose_headers.empty())
    r.headers.set("Access-Control-Expose-Headers", join(policy.expose_headers));
  return r;
}

void apply_cors(const CorsPolicy& policy, const Request& request, Response& response) {
  if (!allow_origin(policy, request, response)) return;
  if (!policy.expose_headers.empty())
    response.headers.set("Access-Control-Expose-Headers", join(policy.expose_headers));
}

std::optional<std::string> parse_cors_policy(const Json& config, CorsPolicy* out) {
  if (!config.is_object()) return "must be a table";
  for (auto it = config.begin(); it != config.end(); ++it) {
    static const std::vector<std::string> kKnown = {
        "prefix",         "origins",     "methods",        "headers",
        "expose_headers", "credentials", "max_age_seconds"};
    if (std::find(kKnown.begin(), kKnown.end(), it.key()) == kKnown.end())
      return "unknown key " + it.key();
  }
  CorsPolicy p;
  if (!config.contains("origins") || !config["origins"].is_array() || config["origins"].empty())
    return "origins is required: [\"*\"] for any, or exact origins (\"https://app.example\")";
  for (const auto& o : config["origins"]) {
    if (!o.is_string() || (o != "*" && !is_origin(o.get<std::string>())))
      return "origins: each must be \"*\" or scheme://host[:port] without a path";
    p.origins.push_back(o.get<std::string>());
  }
  if (allows_any(p) && p.origins.size() > 1) return "origins: \"*\" stands alone";
  if (auto e = tokens(config, "methods", false, &p.methods)) return e;
  if (auto e = tokens(config, "headers", true, &p.headers)) return e;
  if (auto e = tokens(config, "expose_headers", true, &p.expose_headers)) return e;
  if (config.contains("credentials")) {
    if (!config["credentials"].is_boolean()) return "credentials must be true or false";
    p.credentials = config["credentials"].get<bool>();
    // Browsers refuse credentials with "*"; name the origins rather than fail in the browser.
    if (p.credentials && allows_any(p)) return "credentials = true needs exact origins, not \"*\"";
  }
  if (config.contains("max_age_seconds")) {
    const Json& m = config["max_age_seconds"];
    if (!m.is_number_integer() || m.get<long long>() < 0 || m.get<long long>() > 86'400)
      return "max_age_seconds must be an integer from 0 to 86400";
    p.max_age_seconds = m.get<long long>();
  }
  if (out) *out = std::move(p);
  return std::nullopt;
}

}  // namespace registrar::http
