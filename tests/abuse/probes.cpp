#include "abuse/probes.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace registrar::testing {

using Json = nlohmann::json;

std::vector<CatalogueRoute> parse_catalogue(const Json& routes) {
  std::vector<CatalogueRoute> out;
  for (const Json& r : routes) {
    if (r.value("hidden", false)) continue;  // the console's static files
    CatalogueRoute c;
    c.method_name = r.at("method").get<std::string>();
    c.method = http::parse_method(c.method_name);
    c.pattern = r.at("pattern").get<std::string>();
    c.auth = r.at("auth").get<std::string>();
    c.scopes = r.at("scopes").get<std::vector<std::string>>();
    c.max_body_bytes = r.at("max_body_bytes").get<size_t>();
    c.errors = r.at("errors").get<std::string>();
    out.push_back(std::move(c));
  }
  return out;
}

const char* kind_name(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kBody:
      return "body";
    case ProbeKind::kSize:
      return "size";
    case ProbeKind::kAuth:
      return "auth";
    case ProbeKind::kPath:
      return "path";
  }
  return "?";
}

std::string fill_params(const std::string& pattern, const std::string& value) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] != '{') {
      out += pattern[i++];
      continue;
    }
    const size_t end = pattern.find('}', i);
    const std::string name = pattern.substr(i + 1, end - i - 1);
    // ID types and sequence kinds must name a real one for the body to be looked at.
    out += value.empty() ? (name == "type" || name == "kind" ? "uin" : "1") : value;
    i = end + 1;
  }
  return out;
}

namespace {

Probe body_probe(const CatalogueRoute& r, std::string name, std::string body,
                 std::string content_type = "application/json") {
  return {ProbeKind::kBody, std::move(name), fill_params(r.pattern, ""), std::move(body),
          std::move(content_type)};
}

}  // namespace

std::vector<Probe> probes_for(const CatalogueRoute& r) {
  std::vector<Probe> out;
  const std::string path = fill_params(r.pattern, "");
  if (r.takes_body()) {
    out.push_back(body_probe(r, "malformed-json", "{\"request\": {\"id\": "));
    out.push_back(body_probe(r, "not-an-object", "[1, 2, 3]"));
    out.push_back(body_probe(r, "wrong-types",
                             R"({"id": {}, "name": [], "type": 5, "request": "x", "header": 1,)"
                             R"( "message": true, "requesttime": [], "version": {}, "data": 7})"));
    out.push_back(body_probe(r, "missing-fields", "{}"));
    out.push_back(body_probe(r, "extra-fields", R"({"unexpected_member": "x", "__proto__": {}})"));
    out.push_back(body_probe(r, "invalid-utf8",
                             "{\"name\": \"\xff\xfe\xc3\x28\", \"id\": \"\xed\xa0\x80\"}"));
    out.push_back(body_probe(r, "wrong-content-type", "{}", "text/plain"));
    // Nested as deep as the body limit allows (the JSON reader's depth limit must hold).
    const size_t depth = std::min<size_t>(50'000, (r.max_body_bytes - 16) / 2);
    out.push_back(
        body_probe(r, "deeply-nested", std::string(depth, '[') + std::string(depth, ']')));
    if (r.errors == "intercoop-yaml") {
      out.push_back(
          body_probe(r, "malformed-yaml", "package: [unclosed\n  - {", "application/yaml"));
      out.push_back(body_probe(r, "yaml-wrong-types", "- 1\n- 2\n", "application/yaml"));
      out.push_back(body_probe(r, "yaml-deeply-nested",
                               std::string(std::min<size_t>(depth, 5'000), '[') + "\n",
                               "application/yaml"));
    }
  }
  // One byte over the limit, declared; a route that reads no body (a GET) has limit 0.
  Probe huge{ProbeKind::kSize, "over-body-limit", path, "{\"a\":", "application/json"};
  huge.declared_length = r.max_body_bytes + 1;
  out.push_back(huge);

  if (r.auth == "bearer") {
    for (const char* c : {"none", "garbage", "expired", "forged", "untrusted", "wrong-audience"}) {
      Probe p{ProbeKind::kAuth, std::string(c) + "-token", path, r.takes_body() ? "{}" : "",
              r.takes_body() ? "application/json" : ""};
      p.credential = c;
      out.push_back(p);
    }
    if (!r.scopes.empty()) {
      Probe p{ProbeKind::kAuth, "no-scopes-token", path, r.takes_body() ? "{}" : "",
              r.takes_body() ? "application/json" : ""};
      p.credential = "no-scopes";
      out.push_back(p);
    }
  } else if (!r.auth.empty()) {
    // Another scheme (DCI signature, machine signature, a shared secret): none, and a bearer
    // token where that scheme's credential belongs.
    for (const char* c : {"none", "valid-bearer-elsewhere"}) {
      Probe p{ProbeKind::kAuth, std::string(c), path, r.takes_body() ? "{}" : "",
              r.takes_body() ? "application/json" : ""};
      p.credential = c;
      out.push_back(p);
    }
  }

  if (r.has_params()) {
    for (const auto& [name, value] :
         std::vector<std::pair<std::string, std::string>>{{"dot-dot", ".."},
                                                          {"nul-byte", "%00"},
                                                          {"invalid-utf8", "%FF%FE"},
                                                          {"negative", "-1"},
                                                          {"very-long", std::string(600, '9')},
                                                          {"sql", "1%27%20OR%20%271%27%3D%271"},
                                                          {"unicode", "%E2%80%AE%F0%9F%92%A9"}}) {
      Probe p{ProbeKind::kPath, "param-" + name, fill_params(r.pattern, value),
              r.takes_body() ? "{}" : "", r.takes_body() ? "application/json" : ""};
      out.push_back(p);
    }
  }
  return out;
}

namespace {

// Values of other types than `v`'s, with the name of each type.
std::vector<std::pair<const char*, Json>> other_types(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object:
      return {{"array", Json::array()}, {"string", "x"}, {"null", nullptr}};
    case Json::value_t::array:
      return {{"object", Json::object()}, {"string", "x"}, {"null", nullptr}};
    case Json::value_t::string:
      return {{"number", 7}, {"object", Json::object()}, {"null", nullptr}};
    case Json::value_t::boolean:
      return {{"string", "true"}, {"object", Json::object()}, {"null", nullptr}};
    case Json::value_t::null:
      return {{"object", Json::object()}, {"string", "x"}};
    default:  // numbers
      return {{"string", "7"}, {"array", Json::array()}, {"null", nullptr}};
  }
}

// Every member below `v` (at `pointer`, named `where`), then each of its own members.
void mutate_below(const Json& example, const Json& v, const Json::json_pointer& pointer,
                  const std::string& where, std::vector<WrongType>& out) {
  auto visit = [&](const Json& child, const Json::json_pointer& at, const std::string& name) {
    for (auto& [type, value] : other_types(child)) {
      Json body = example;
      body[at] = value;
      out.push_back({name + ": " + type, std::move(body)});
    }
    mutate_below(example, child, at, name, out);
  };
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it)
      visit(it.value(), pointer / it.key(), where.empty() ? it.key() : where + "." + it.key());
  } else if (v.is_array() && !v.empty()) {
    visit(v[0], pointer / 0, where + "[0]");
  }
}

}  // namespace

std::vector<WrongType> wrong_types(const Json& example) {
  std::vector<WrongType> out;
  mutate_below(example, example, Json::json_pointer(), "", out);
  return out;
}

namespace {

bool is_json(const std::string& body, Json* out = nullptr) {
  try {
    Json j = Json::parse(body);
    if (out) *out = std::move(j);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// Whether `body` is an error in `format`; the reason when not.
bool route_pattern_is_oauth2(const std::string& pattern) {
  return pattern.rfind("/oauth2/", 0) == 0;
}

std::string format_problem(const std::string& format, const std::string& pattern, int status,
                           const std::string& content_type, const std::string& body) {
  Json j;
  // OAuth2's endpoints answer RFC 6749's error object (section 5.2), as clients expect.
  if (route_pattern_is_oauth2(pattern) && is_json(body, &j) && j.is_object() &&
      j.value("error", Json()).is_string())
    return "";
  // A page for a person's browser (intercoop's continuation link): HTML, whatever the format.
  if (content_type.rfind("text/html", 0) == 0 && body.find("<html") != std::string::npos) return "";
  if (format == "problem+json") {
    if (content_type.rfind("application/problem+json", 0) != 0)
      return "content type " + content_type;
    if (!is_json(body, &j) || !j.is_object() || j.value("status", 0) != status)
      return "not a problem with status " + std::to_string(status);
    return "";
  }
  if (format == "mosip") {
    if (!is_json(body, &j) || !j.contains("errors") || !j["errors"].is_array() ||
        j["errors"].empty() || !j["errors"][0].contains("errorCode"))
      return "not a MOSIP envelope with errors";
    return "";
  }
  if (format == "dci-ack") {
    if (!is_json(body, &j) || !j.contains("message") ||
        j["message"].value("ack_status", "") != "ERR" || !j["message"].contains("error"))
      return "not a DCI ERR ack";
    return "";
  }
  if (format == "dhp") {
    if (status == 401) return body == "Unauthorized" ? "" : "not DHP's plain-text 401";
    return is_json(body, &j) && j.is_object() ? "" : "not a DHP JSON error";
  }
  if (format == "intercoop-yaml") {
    if (content_type.find("yaml") == std::string::npos) return "content type " + content_type;
    try {
      YAML::Node n = YAML::Load(body);
      if (!n.IsMap()) return "not a YAML mapping";
    } catch (const std::exception&) {
      return "not YAML";
    }
    return "";
  }
  return "unknown format " + format;
}

}  // namespace

Verdict judge(const CatalogueRoute& route, const Probe&, int status,
              const std::string& content_type, const std::string& body) {
  Verdict v;
  static const std::vector<int> kRefusals = {400, 401, 403, 404, 405, 413, 415, 422};
  if (std::find(kRefusals.begin(), kRefusals.end(), status) != kRefusals.end()) {
    v.refused = v.status_ok = true;
    const std::string problem =
        format_problem(route.errors, route.pattern, status, content_type, body);
    v.format_ok = problem.empty();
    v.why = problem;
    return v;
  }
  Json j;
  if (route.errors == "mosip" && status == 200 && is_json(body, &j) && j.contains("errors") &&
      j["errors"].is_array() && !j["errors"].empty()) {
    v.refused = v.status_ok = v.format_ok = true;  // MOSIP's own validation error
    return v;
  }
  // A check that answers its verdict in the body (DHP's verify, a licence key's validity).
  if (status == 200 && is_json(body, &j) && j.is_object() &&
      (j.value("verified", Json()) == false || j.value("valid", Json()) == false)) {
    v.refused = v.status_ok = v.format_ok = true;
    return v;
  }
  v.why = "status " + std::to_string(status);
  v.format_ok = true;  // not a refusal: the format is not the question
  return v;
}

}  // namespace registrar::testing
