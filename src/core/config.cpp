#include "core/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

extern char** environ;

namespace registrar::core {
namespace {

const char* type_name(ConfigType t) {
  switch (t) {
    case ConfigType::kString:
      return "a string";
    case ConfigType::kInt:
      return "an integer";
    case ConfigType::kBool:
      return "a boolean";
    case ConfigType::kDouble:
      return "a number";
    case ConfigType::kStringList:
      return "a list of strings";
    case ConfigType::kJson:
      return "a table or array";
  }
  return "a value";
}

Json toml_to_json(const toml::node& node) {
  if (auto* t = node.as_table()) {
    Json j = Json::object();
    for (auto&& [k, v] : *t) j[std::string(k.str())] = toml_to_json(v);
    return j;
  }
  if (auto* a = node.as_array()) {
    Json j = Json::array();
    for (auto&& v : *a) j.push_back(toml_to_json(v));
    return j;
  }
  if (auto v = node.value<int64_t>(); v && node.is_integer()) return *v;
  if (auto v = node.value<double>(); v && node.is_floating_point()) return *v;
  if (auto v = node.value<bool>()) return *v;
  if (auto v = node.value<std::string>()) return *v;
  std::ostringstream os;
  node.visit([&os](auto&& n) { os << n; });
  return os.str();  // dates and times: their TOML text
}

// Converts a TOML node to the key's type; nullopt with a message on mismatch.
std::optional<ConfigValue> from_toml_node(const toml::node& node, ConfigType type,
                                          std::string& why) {
  switch (type) {
    case ConfigType::kString:
      if (auto v = node.value_exact<std::string>()) return ConfigValue(*v);
      break;
    case ConfigType::kInt:
      if (auto v = node.value_exact<int64_t>()) return ConfigValue(*v);
      break;
    case ConfigType::kBool:
      if (auto v = node.value_exact<bool>()) return ConfigValue(*v);
      break;
    case ConfigType::kDouble:
      if (node.is_number()) return ConfigValue(*node.value<double>());
      break;
    case ConfigType::kStringList:
      if (auto* a = node.as_array()) {
        std::vector<std::string> out;
        for (auto&& v : *a) {
          auto s = v.value_exact<std::string>();
          if (!s) {
            why = "must be a list of strings";
            return std::nullopt;
          }
          out.push_back(*s);
        }
        return ConfigValue(std::move(out));
      }
      break;
    case ConfigType::kJson:
      if (node.is_table() || node.is_array()) return ConfigValue(toml_to_json(node));
      break;
  }
  why = std::string("must be ") + type_name(type);
  return std::nullopt;
}

std::optional<ConfigValue> from_env_text(const std::string& text, ConfigType type,
                                         std::string& why) {
  switch (type) {
    case ConfigType::kString:
      return ConfigValue(text);
    case ConfigType::kInt: {
      try {
        size_t used = 0;
        int64_t v = std::stoll(text, &used, 10);
        if (used == text.size()) return ConfigValue(v);
      } catch (...) {
      }
      break;
    }
    case ConfigType::kBool:
      if (text == "true" || text == "1") return ConfigValue(true);
      if (text == "false" || text == "0") return ConfigValue(false);
      break;
    case ConfigType::kDouble: {
      try {
        size_t used = 0;
        double v = std::stod(text, &used);
        if (used == text.size()) return ConfigValue(v);
      } catch (...) {
      }
      break;
    }
    case ConfigType::kStringList: {
      std::vector<std::string> out;
      std::string item;
      std::istringstream is(text);
      while (std::getline(is, item, ',')) {
        if (!item.empty()) out.push_back(item);
      }
      return ConfigValue(std::move(out));
    }
    case ConfigType::kJson: {
      Json j = Json::parse(text, nullptr, false);
      if (!j.is_discarded() && (j.is_object() || j.is_array())) return ConfigValue(std::move(j));
      break;
    }
  }
  why = std::string("must be ") + type_name(type) + (type == ConfigType::kJson ? " in JSON" : "") +
        (type == ConfigType::kStringList ? " (comma-separated)" : "");
  return std::nullopt;
}

void walk_table(const toml::table& table, const std::string& prefix, const ConfigSchema& schema,
                std::map<std::string, ConfigValue>& values,
                std::map<std::string, std::string>& sources, std::vector<std::string>& problems) {
  for (auto&& [k, node] : table) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const ConfigKey* spec = schema.find(key)) {
      std::string why;
      if (auto v = from_toml_node(node, spec->type, why)) {
        values[key] = std::move(*v);
        sources[key] = "file";
      } else {
        problems.push_back(key + ": " + why);
      }
    } else if (node.is_table() && schema.is_table(key)) {
      walk_table(*node.as_table(), key, schema, values, sources, problems);
    } else {
      problems.push_back(key + ": unknown key");
    }
  }
}

Config finish(const ConfigSchema& schema, std::map<std::string, ConfigValue> values,
              std::map<std::string, std::string> sources,
              const std::map<std::string, std::string>& env, std::vector<std::string> problems);

}  // namespace

void ConfigSchema::add(ConfigKey key) {
  std::string name = key.key;
  keys_[name] = std::move(key);
}

void ConfigSchema::add_string(std::string key, std::string def, std::string help,
                              ConfigCheck check) {
  add({std::move(key), ConfigType::kString, std::move(def), std::move(help), std::move(check)});
}

void ConfigSchema::add_int(std::string key, int64_t def, std::string help, int64_t min,
                           int64_t max) {
  ConfigCheck check = [min, max](const ConfigValue& v) -> std::optional<std::string> {
    int64_t i = std::get<int64_t>(v);
    if (i < min || i > max)
      return "must be between " + std::to_string(min) + " and " + std::to_string(max);
    return std::nullopt;
  };
  add({std::move(key), ConfigType::kInt, def, std::move(help), std::move(check)});
}

void ConfigSchema::add_bool(std::string key, bool def, std::string help) {
  add({std::move(key), ConfigType::kBool, def, std::move(help), {}});
}

void ConfigSchema::add_list(std::string key, std::vector<std::string> def, std::string help,
                            ConfigCheck check) {
  add({std::move(key), ConfigType::kStringList, std::move(def), std::move(help), std::move(check)});
}

void ConfigSchema::add_json(std::string key, Json def, std::string help, ConfigCheck check) {
  add({std::move(key), ConfigType::kJson, std::move(def), std::move(help), std::move(check)});
}

void ConfigSchema::add_secret(std::string key, std::string help) {
  ConfigKey k{std::move(key), ConfigType::kString, std::string(), std::move(help), {}};
  k.secret = true;
  add(std::move(k));
}

const ConfigKey* ConfigSchema::find(const std::string& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

bool ConfigSchema::is_table(const std::string& prefix) const {
  auto it = keys_.lower_bound(prefix + ".");
  return it != keys_.end() && it->first.compare(0, prefix.size() + 1, prefix + ".") == 0;
}

static std::string join_problems(const std::vector<std::string>& problems) {
  std::string s = "configuration has " + std::to_string(problems.size()) + " problem(s):";
  for (auto& p : problems) s += "\n  " + p;
  return s;
}

ConfigError::ConfigError(std::vector<std::string> problems)
    : std::runtime_error(join_problems(problems)), problems_(std::move(problems)) {}

std::string env_name(const std::string& key) {
  std::string out = "REGISTRAR_";
  for (char c : key) out += (c == '.' || c == '-') ? '_' : char(std::toupper((unsigned char)c));
  return out;
}

std::map<std::string, std::string> registrar_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("REGISTRAR_", 0) != 0) continue;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

namespace {
Config finish(const ConfigSchema& schema, std::map<std::string, ConfigValue> values,
              std::map<std::string, std::string> sources,
              const std::map<std::string, std::string>& env, std::vector<std::string> problems) {
  std::map<std::string, const ConfigKey*> by_env;
  for (auto& [key, spec] : schema.keys()) by_env[env_name(key)] = &spec;
  for (auto& [name, text] : env) {
    // REGISTRAR_CONFIG names the file; REGISTRAR_TEST_* belong to the test harness.
    if (name == "REGISTRAR_CONFIG" || name.rfind("REGISTRAR_TEST_", 0) == 0) continue;
    auto it = by_env.find(name);
    if (it == by_env.end()) {
      problems.push_back(name + ": unknown environment variable (no such configuration key)");
      continue;
    }
    std::string why;
    if (auto v = from_env_text(text, it->second->type, why)) {
      values[it->second->key] = std::move(*v);
      sources[it->second->key] = "env";
    } else {
      problems.push_back(it->second->key + " (from " + name + "): " + why);
    }
  }
  for (auto& [key, spec] : schema.keys()) {
    if (!values.count(key)) {
      values[key] = spec.default_value;
      sources[key] = "default";
    }
    if (spec.check) {
      if (auto why = spec.check(values[key])) problems.push_back(key + ": " + *why);
    }
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  Config c = Config::defaults(ConfigSchema{});
  for (auto& [k, v] : values) c.set(k, std::move(v));
  for (auto& [k, s] : sources) c.set(k + "#source", s);
  return c;
}
}  // namespace

Config Config::from_toml(const ConfigSchema& schema, std::string_view text,
                         const std::map<std::string, std::string>& env) {
  std::map<std::string, ConfigValue> values;
  std::map<std::string, std::string> sources;
  std::vector<std::string> problems;
  try {
    toml::table table = toml::parse(text);
    walk_table(table, "", schema, values, sources, problems);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "TOML syntax error at line " << e.source().begin.line << ", column "
       << e.source().begin.column << ": " << e.description();
    problems.push_back(os.str());
  }
  return finish(schema, std::move(values), std::move(sources), env, std::move(problems));
}

Config Config::load(const ConfigSchema& schema, const std::optional<std::filesystem::path>& file,
                    const std::map<std::string, std::string>& env) {
  if (!file) return finish(schema, {}, {}, env, {});
  std::error_code ec;
  if (!std::filesystem::exists(*file, ec))
    throw ConfigError({file->string() + ": configuration file not found"});
  std::ifstream in(*file);
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return from_toml(schema, ss.str(), env);
  } catch (const ConfigError& e) {
    std::vector<std::string> problems;
    for (auto& p : e.problems()) problems.push_back(file->string() + ": " + p);
    throw ConfigError(std::move(problems));
  }
}

Config Config::defaults(const ConfigSchema& schema) {
  Config c;
  for (auto& [key, spec] : schema.keys()) {
    c.values_[key] = spec.default_value;
    c.sources_[key] = "default";
  }
  return c;
}

void Config::set(const std::string& key, ConfigValue value) {
  // "key#source" is the internal channel finish() uses to carry provenance.
  if (key.size() > 7 && key.compare(key.size() - 7, 7, "#source") == 0) {
    sources_[key.substr(0, key.size() - 7)] = std::get<std::string>(value);
    return;
  }
  values_[key] = std::move(value);
}

const ConfigValue& Config::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("configuration key not declared: " + key);
  return it->second;
}

const std::string& Config::str(const std::string& key) const {
  return std::get<std::string>(get(key));
}
int64_t Config::integer(const std::string& key) const {
  return std::get<int64_t>(get(key));
}
bool Config::boolean(const std::string& key) const {
  return std::get<bool>(get(key));
}
double Config::real(const std::string& key) const {
  return std::get<double>(get(key));
}
const std::vector<std::string>& Config::list(const std::string& key) const {
  return std::get<std::vector<std::string>>(get(key));
}
const Json& Config::json(const std::string& key) const {
  return std::get<Json>(get(key));
}

const std::string& Config::source(const std::string& key) const {
  static const std::string kUnknown = "default";
  auto it = sources_.find(key);
  return it == sources_.end() ? kUnknown : it->second;
}

Json Config::describe(const ConfigSchema& schema) const {
  Json out = Json::object();
  for (auto& [key, spec] : schema.keys()) {
    Json entry;
    if (spec.secret) {
      entry["value"] = str(key).empty() ? "" : "(set)";
    } else {
      std::visit([&](auto&& v) { entry["value"] = v; }, get(key));
    }
    entry["source"] = source(key);
    out[key] = entry;
  }
  return out;
}

}  // namespace registrar::core
