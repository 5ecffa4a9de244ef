#include "identity/dhp_http.h"

#include "core/random.h"
#include "core/text.h"

namespace registrar::identity {

namespace {

std::string_view media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return type;
}

bool echoable(std::string_view id) {
  if (id.empty() || id.size() > 256) return false;
  for (char c : id)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

using core::html_escape;

http::Response html(int status, std::string body) {
  // serve-static's and swagger-ui-express's spelling of the charset.
  return http::Response::text(status, std::move(body), "text/html; charset=UTF-8");
}

}  // namespace

DhpBody dhp_body_kind(const http::Request& request) {
  auto ct = request.headers.get("Content-Type");
  if (!ct) return DhpBody::kJson;
  std::string_view type = media_type(*ct);
  if (http::iequals(type, "application/x-www-form-urlencoded")) return DhpBody::kForm;
  if (http::iequals(type, "application/json") ||
      (type.size() > 5 && http::iequals(type.substr(type.size() - 5), "+json")))
    return DhpBody::kJson;
  return DhpBody::kIgnored;
}

std::string correlation_id(const http::Request& request) {
  for (const char* name : {"x-correlation-id", "x-global-k8fdic-transaction-id"})
    if (auto v = request.headers.get(name); v && echoable(*v)) return std::string(*v);
  return core::uuid_v4();
}

void dhp_response_headers(const http::Request& request, http::Response& response) {
  response.headers.set("x-correlation-id", correlation_id(request));
  if (auto ct = response.headers.get("Content-Type"); ct && http::iequals(*ct, "application/json"))
    response.headers.set("Content-Type", "application/json; charset=utf-8");
}

http::Response dhp_api_docs(const http::Request& request, const std::string& prefix) {
  const std::string docs = prefix + "/api-docs/";
  if (request.path.empty() || request.path.back() != '/') {
    // Express's static middleware redirects a directory without its slash.
    http::Response r =
        html(301,
             "<!DOCTYPE html>\n<html><head><title>Redirecting</title></head><body>"
             "Redirecting to <a href=\"" +
                 html_escape(docs) + "\">" + html_escape(docs) + "</a></body></html>\n");
    r.headers.set("Location", docs);
    return r;
  }
  std::string items;
  for (const auto& path : dhp_paths())
    items += "<li><code>" + html_escape(prefix + path) + "</code></li>\n";
  return html(200,
              "<!DOCTYPE html>\n<html><head><title>Healthpass Challenge API</title></head><body>\n"
              "<h1>Healthpass Challenge API</h1>\n<p>Served by registrar. Routes:</p>\n<ul>\n" +
                  items +
                  "</ul>\n<p>The OpenAPI description of every route of this server: <a "
                  "href=\"/openapi.yaml\">/openapi.yaml</a>.</p>\n</body></html>\n");
}

const std::vector<std::string>& dhp_paths() {
  static const std::vector<std::string> paths = {"/login", "/generate", "/verify", "/health",
                                                 "/api-docs"};
  return paths;
}

std::vector<std::string> dhp_groups(const std::string& prefix) {
  if (!prefix.empty()) return {prefix};
  return dhp_paths();
}

}  // namespace registrar::identity
