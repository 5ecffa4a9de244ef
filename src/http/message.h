// HTTP request and response as the rest of registrar sees them. Deliberately free of Boost.Beast
// types: modules include this header, and Beast stays inside src/http/*.cpp.
#pragma once

#include <nlohmann/json.hpp>

#include <any>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace registrar::http {

using Json = nlohmann::json;

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view method_name(Method m);
Method parse_method(std::string_view name);

// Header list with case-insensitive lookup. Order is kept (it matters for repeated headers).
class Headers {
 public:
  // First value of `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  void set(std::string name, std::string value);  // replaces every existing `name`
  void add(std::string name, std::string value);
  void reserve(size_t n) { items_.reserve(n); }
  bool has(std::string_view name) const { return get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

bool iequals(std::string_view a, std::string_view b);

// Who made the request, as established by the authenticator (identity module).
struct Principal {
  std::string subject;    // "sub" of the token (a user or a client id)
  std::string client_id;  // the OAuth2 client the token was issued to
  std::string issuer;     // "iss"
  std::vector<std::string> scopes;
  long long expires_at = 0;  // unix seconds
  // Who the audit log names, when not `subject`: "iss|sub" for another issuer's token, so that a
  // subject of one issuer is never taken for the same name at another.
  std::string actor;
  bool has_scope(std::string_view scope) const;
};

struct Request {
  Method method = Method::kGet;
  std::string method_text;  // as received ("GET", or an unknown verb)
  std::string target;       // path + query as received
  std::string path;         // percent-decoded path, no query
  std::string query;        // raw query string without '?'
  Headers headers;
  std::string body;
  std::string remote;      // "ip:port" of the peer
  std::string request_id;  // from X-Request-Id or generated
  std::vector<std::pair<std::string, std::string>> path_params;
  std::shared_ptr<const Principal> principal;  // set by the authenticator; shared, immutable
  // What the authenticator worked out from this request that its handler needs too, so that the
  // handler need not do it again (dci::SignatureAuthenticator: the envelope it parsed to check
  // the signature; dci::take_verified_envelope takes it). Empty unless the route's authenticator
  // fills it; a Request is one request's, so it never carries another request's.
  std::any attachment;

  // Value of a {name} segment of the route pattern ("" when absent).
  std::string_view param(std::string_view name) const;
  // First value of a query parameter, percent-decoded.
  std::optional<std::string> query_param(std::string_view name) const;
  // A query parameter that must be an integer in [min, max]; `absent` when it is not given.
  // Throws core::Error (400, naming the parameter) otherwise.
  int64_t integer_query_param(std::string_view name, int64_t min, int64_t max,
                              int64_t absent) const;
  // Parses the body as JSON, throwing core::Error (400, naming the position) when it is not, or
  // (415) when the Content-Type is present and not JSON.
  Json json_body() const;
  // The actor for the audit log: principal subject, or "anonymous".
  std::string actor() const;
};

// A response body produced piece by piece (docs/ARCHITECTURE.md, "Streamed responses"): the
// server sends it with chunked transfer-encoding, calling next() on a worker for each piece and
// writing it before asking for the next, so at most one piece is in memory and the first bytes
// leave before the last are made. next() returns nullopt after the last piece; it is called one
// call at a time, never again after nullopt. An exception ends the response without its last
// chunk (the client sees it truncated) and closes the connection.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  virtual std::optional<std::string> next() = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::shared_ptr<BodyStream> stream;  // when set, the body (`body` is then ignored)

  static Response json(int status, const Json& body);
  static Response text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  static Response no_content() { return Response{204, {}, {}}; }
  // RFC 9457 problem+json. `field` names the offending input when there is one.
  static Response problem(int status, std::string_view title, std::string_view detail,
                          std::string_view field = {}, std::string_view request_id = {});
};

// Problem type URI for a kind name: "urn:registrar:problem:<kind>".
std::string problem_type(std::string_view kind);
std::string_view reason_phrase(int status);

// Decodes %XX (and '+' as space when `plus_is_space`). Returns nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);
// application/x-www-form-urlencoded body or query string to name/value pairs.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view body);

}  // namespace registrar::http
