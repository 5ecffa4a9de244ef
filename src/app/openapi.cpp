#include "app/openapi.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <utility>

namespace registrar::app {

namespace {

// The operation keys this generator writes itself, in the order it writes them; any other key of
// a base operation (operationId, deprecated, x-*) follows them unchanged.
const std::vector<std::string> kOwnKeys = {"summary",  "description", "tags",        "security",
                                           "x-scopes", "parameters",  "requestBody", "responses"};
const std::vector<std::string> kMethods = {"get",     "put",  "post",  "delete",
                                           "options", "head", "patch", "trace"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A scalar parsed from YAML text: plain ones ("true", "200") keep the type a reader resolves
// them to, unlike a Node built from a C++ value, which the emitter below treats as a string.
YAML::Node plain(const char* text) {
  return YAML::Load(text);
}

YAML::Node flow_sequence() {
  YAML::Node n(YAML::NodeType::Sequence);
  n.SetStyle(YAML::EmitterStyle::Flow);
  return n;
}

// n[key] when n is a map whose `key` is a map, else an undefined node. Lookups go through a const
// node: yaml-cpp's non-const operator[] would insert the key.
YAML::Node member(const YAML::Node& n, const std::string& key) {
  if (n.IsDefined() && n.IsMap())
    if (const YAML::Node v = n[key]; v && v.IsMap()) return v;
  return YAML::Node(YAML::NodeType::Undefined);
}

std::vector<std::string> path_parameters(const std::string& pattern) {
  std::vector<std::string> out;
  size_t i = 0;
  while ((i = pattern.find('{', i)) != std::string::npos) {
    size_t end = pattern.find('}', i);
    if (end == std::string::npos) break;
    out.push_back(pattern.substr(i + 1, end - i - 1));
    i = end + 1;
  }
  return out;
}

// Would a reader resolve this text, written plain, to something other than a string (YAML 1.1
// or 1.2 core: null, booleans, numbers)? Response codes ("200") are the common case: OpenAPI
// wants them as strings, and yaml-cpp's emitter writes them plain.
bool resolves_to_non_string(const std::string& s) {
  static const std::regex kNonString(
      "|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|"
      "OFF|y|Y|n|N|[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|"
      "0o[0-7]+|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  return std::regex_match(s, kNonString);
}

// Emits `n`, keeping the base document's flow collections compact and quoting the strings that
// would otherwise read back as another type. A scalar parsed plain (tag "?") keeps its meaning by
// staying plain; quoted ones from the base (tag "!") and those built here are strings.
void emit(YAML::Emitter& out, const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out << YAML::Null;
      break;
    case YAML::NodeType::Scalar:
      if (n.Tag() != "?" && resolves_to_non_string(n.Scalar()))
        out << YAML::DoubleQuoted << n.Scalar();
      else
        out << n.Scalar();
      break;
    case YAML::NodeType::Sequence:
      if (n.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : n) emit(out, item);
      out << YAML::EndSeq;
      break;
    case YAML::NodeType::Map:
      if (n.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& kv : n) {
        out << YAML::Key;
        emit(out, kv.first);
        out << YAML::Value;
        emit(out, kv.second);
      }
      out << YAML::EndMap;
      break;
  }
}

YAML::Node schema_ref(const std::string& name) {
  YAML::Node ref(YAML::NodeType::Map);
  ref.SetStyle(YAML::EmitterStyle::Flow);
  ref["$ref"] = "#/components/schemas/" + name;
  return ref;
}

// Sets the schema of every media type of `holder` (a requestBody or a response) to `ref`, or
// declares application/json when it lists none.
void set_content_schema(YAML::Node holder, const YAML::Node& ref) {
  YAML::Node content = holder["content"];
  if (!content.IsMap() || content.size() == 0) {
    YAML::Node json(YAML::NodeType::Map);
    json["schema"] = YAML::Clone(ref);
    YAML::Node fresh(YAML::NodeType::Map);
    fresh["application/json"] = json;
    holder["content"] = fresh;
    return;
  }
  for (auto kv : content) kv.second["schema"] = YAML::Clone(ref);
}

class Generator {
 public:
  Generator(const YAML::Node& base, std::vector<std::string>* problems)
      : base_(base), problems_(problems) {
    const YAML::Node components = member(base_, "components");
    components_ = components ? YAML::Clone(components) : YAML::Node(YAML::NodeType::Map);
  }

  void add(const http::Route& route) {
    std::string method = lower(http::method_name(route.method));
    const std::string& documented =
        route.doc.documented_as.empty() ? route.pattern : route.doc.documented_as;
    used_.insert({documented, method});
    if (route.doc.hidden) return;
    std::string name = upper(method) + " " + route.pattern;

    const YAML::Node base_item = member(member(base_, "paths"), documented);
    const YAML::Node base_op = member(base_item, method);

    YAML::Node op(YAML::NodeType::Map);
    if (!route.doc.summary.empty())
      op["summary"] = route.doc.summary;
    else if (base_op && base_op["summary"] && !base_op["summary"].Scalar().empty())
      op["summary"] = YAML::Clone(base_op["summary"]);
    else
      problem(name + ": no summary");
    if (base_op && base_op["description"]) op["description"] = YAML::Clone(base_op["description"]);
    if (!route.doc.tag.empty()) {
      YAML::Node tags = flow_sequence();
      tags.push_back(route.doc.tag);
      op["tags"] = tags;
    } else if (base_op && base_op["tags"]) {
      op["tags"] = YAML::Clone(base_op["tags"]);
    }
    add_security(op, route, name);
    add_parameters(op, route, base_item, base_op);
    add_bodies(op, route, base_op, name);
    if (base_op && base_op.IsMap())
      for (const auto& kv : base_op) {
        std::string key = kv.first.Scalar();
        if (std::find(kOwnKeys.begin(), kOwnKeys.end(), key) == kOwnKeys.end())
          op[key] = YAML::Clone(kv.second);
      }
    paths_[route.pattern][method] = op;
  }

  std::string finish() {
    // Base operations no route claimed: documentation of something this process does not serve.
    if (const YAML::Node base_paths = member(base_, "paths"); base_paths)
      for (const auto& item : base_paths)
        for (const auto& m : kMethods)
          if (member(item.second, m) && !used_.count({item.first.Scalar(), m}))
            problem("stale: " + upper(m) + " " + item.first.Scalar());

    YAML::Node doc(YAML::NodeType::Map);
    if (!base_["openapi"]) doc["openapi"] = "3.0.3";
    bool wrote_paths = false;
    for (const auto& kv : base_) {
      std::string key = kv.first.Scalar();
      if (key == "paths") {
        doc["paths"] = paths_;
        wrote_paths = true;
      } else if (key == "components") {
        doc["components"] = components_;
      } else {
        doc[key] = YAML::Clone(kv.second);
      }
    }
    if (!wrote_paths) doc["paths"] = paths_;
    if (!base_["components"] && components_.size() > 0) doc["components"] = components_;

    YAML::Emitter out;
    out.SetIndent(2);
    emit(out, doc);
    return std::string(out.c_str()) + "\n";
  }

 private:
  void problem(std::string line) {
    if (problems_) problems_->push_back(std::move(line));
  }

  // OpenAPI 3.0 allows scope lists only for OAuth2 and OpenID Connect schemes, so a bearer
  // route's scopes go in x-scopes and its requirement names the scheme with an empty list.
  void add_security(YAML::Node op, const http::Route& route, const std::string& name) {
    if (route.auth.empty()) return;
    const YAML::Node& components = components_;
    if (!member(member(components, "securitySchemes"), route.auth)) {
      if (route.auth == http::kBearerAuthenticator) {
        components_["securitySchemes"][route.auth] = YAML::Load("{type: http, scheme: bearer}");
      } else if (!reported_schemes_.count(route.auth)) {
        reported_schemes_.insert(route.auth);
        problem(name + ": security scheme " + route.auth +
                " is not declared under components/securitySchemes");
      }
    }
    YAML::Node requirement(YAML::NodeType::Map);
    requirement.SetStyle(YAML::EmitterStyle::Flow);
    requirement[route.auth] = flow_sequence();
    YAML::Node security = flow_sequence();
    security.push_back(requirement);
    op["security"] = security;
    if (!route.scopes.empty()) {
      YAML::Node scopes = flow_sequence();
      for (auto& s : route.scopes) scopes.push_back(s);
      op["x-scopes"] = scopes;
    }
  }

  // One entry per {name} of the route's own pattern (the base's entry for that name when it has
  // one), then the base's other parameters (query, header).
  void add_parameters(YAML::Node op, const http::Route& route, const YAML::Node& base_item,
                      const YAML::Node& base_op) {
    std::vector<YAML::Node> base_params;
    for (const YAML::Node& holder : {base_item, base_op})
      if (holder && holder.IsMap() && holder["parameters"] && holder["parameters"].IsSequence())
        for (const auto& p : holder["parameters"]) base_params.push_back(p);
    auto is_path = [](const YAML::Node& p) {
      return p.IsMap() && p["in"] && p["in"].Scalar() == "path";
    };
    YAML::Node params(YAML::NodeType::Sequence);
    for (const auto& pname : path_parameters(route.pattern)) {
      auto it = std::find_if(base_params.begin(), base_params.end(), [&](const YAML::Node& p) {
        return is_path(p) && p["name"] && p["name"].Scalar() == pname;
      });
      if (it != base_params.end()) {
        params.push_back(YAML::Clone(*it));
        continue;
      }
      YAML::Node p(YAML::NodeType::Map);
      p.SetStyle(YAML::EmitterStyle::Flow);
      p["name"] = pname;
      p["in"] = "path";
      p["required"] = plain("true");
      p["schema"] = YAML::Load("{type: string}");
      params.push_back(p);
    }
    for (const auto& p : base_params)
      if (!is_path(p)) params.push_back(YAML::Clone(p));
    if (params.size() > 0) op["parameters"] = params;
  }

  void add_bodies(YAML::Node op, const http::Route& route, const YAML::Node& base_op,
                  const std::string& name) {
    if (base_op && base_op["requestBody"]) op["requestBody"] = YAML::Clone(base_op["requestBody"]);
    if (!route.doc.request_schema.empty()) {
      check_schema(route.doc.request_schema, name);
      if (!op["requestBody"]) {
        YAML::Node body(YAML::NodeType::Map);
        body["required"] = plain("true");
        op["requestBody"] = body;
      }
      set_content_schema(op["requestBody"], schema_ref(route.doc.request_schema));
    }

    YAML::Node responses = base_op && base_op["responses"] ? YAML::Clone(base_op["responses"])
                                                           : YAML::Node(YAML::NodeType::Map);
    if (!route.doc.response_schema.empty()) {
      check_schema(route.doc.response_schema, name);
      // The success response is the lowest 2xx the base documents, else a plain 200.
      std::string success;
      for (const auto& kv : responses) {
        std::string code = kv.first.Scalar();
        if (code.size() == 3 && code[0] == '2' && (success.empty() || code < success))
          success = code;
      }
      if (success.empty()) {
        success = "200";
        YAML::Node ok(YAML::NodeType::Map);
        ok["description"] = "OK";
        responses[success] = ok;
      }
      set_content_schema(responses[success], schema_ref(route.doc.response_schema));
    }
    // OpenAPI requires at least one response; say plainly that none is described.
    if (responses.size() == 0) {
      YAML::Node any(YAML::NodeType::Map);
      any.SetStyle(YAML::EmitterStyle::Flow);
      any["description"] = "Not described";
      responses["default"] = any;
    }
    op["responses"] = responses;
  }

  void check_schema(const std::string& schema, const std::string& name) {
    const YAML::Node& components = components_;
    if (!member(member(components, "schemas"), schema))
      problem(name + ": schema " + schema + " is not declared under components/schemas");
  }

  const YAML::Node base_;
  std::vector<std::string>* problems_;
  YAML::Node components_;
  YAML::Node paths_{YAML::NodeType::Map};
  std::set<std::pair<std::string, std::string>> used_;  // (base path, method) some route claims
  std::set<std::string> reported_schemes_;
};

}  // namespace

std::string openapi_document(const http::Router& router, std::string_view base_yaml,
                             std::vector<std::string>* problems) {
  YAML::Node base = YAML::Load(std::string(base_yaml));
  if (!base.IsMap()) base = YAML::Node(YAML::NodeType::Map);
  Generator g(base, problems);
  for (const http::Route* r : router.routes()) g.add(*r);
  return g.finish();
}

}  // namespace registrar::app
