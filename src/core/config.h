// Configuration: a schema of known keys (declared by the platform and by each module), filled
// from an optional TOML file and then from REGISTRAR_* environment variables. Keys are dotted
// paths ("server.listen"); the environment name is the key upper-cased with dots as underscores
// (REGISTRAR_SERVER_LISTEN). Unknown keys, wrong types and values a key's check rejects are all
// collected and reported together, each with its key name, so an operator fixes them in one pass.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace registrar::core {

using Json = nlohmann::json;

enum class ConfigType { kString, kInt, kBool, kDouble, kStringList, kJson };

using ConfigValue =
    std::variant<std::string, int64_t, bool, double, std::vector<std::string>, Json>;

// Returns an error message, or nullopt when the value is acceptable.
using ConfigCheck = std::function<std::optional<std::string>(const ConfigValue&)>;

struct ConfigKey {
  std::string key;
  ConfigType type;
  ConfigValue default_value;
  std::string help;
  ConfigCheck check;    // optional
  bool secret = false;  // never printed by `config check --show`
};

class ConfigSchema {
 public:
  void add(ConfigKey key);
  // Shorthands.
  void add_string(std::string key, std::string def, std::string help, ConfigCheck check = {});
  void add_int(std::string key, int64_t def, std::string help, int64_t min, int64_t max);
  void add_bool(std::string key, bool def, std::string help);
  void add_list(std::string key, std::vector<std::string> def, std::string help,
                ConfigCheck check = {});
  void add_json(std::string key, Json def, std::string help, ConfigCheck check = {});
  void add_secret(std::string key, std::string help);

  const ConfigKey* find(const std::string& key) const;
  const std::map<std::string, ConfigKey>& keys() const { return keys_; }
  // True when some declared key starts with "prefix." (a table in TOML terms).
  bool is_table(const std::string& prefix) const;

 private:
  std::map<std::string, ConfigKey> keys_;
};

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

class Config {
 public:
  // Reads `file` (when given) and the environment; throws ConfigError listing every problem.
  static Config load(const ConfigSchema& schema, const std::optional<std::filesystem::path>& file,
                     const std::map<std::string, std::string>& env);
  // Same, from TOML text (for tests and `config check` of a string).
  static Config from_toml(const ConfigSchema& schema, std::string_view toml_text,
                          const std::map<std::string, std::string>& env = {});
  static Config defaults(const ConfigSchema& schema);

  const std::string& str(const std::string& key) const;
  int64_t integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  double real(const std::string& key) const;
  const std::vector<std::string>& list(const std::string& key) const;
  const Json& json(const std::string& key) const;
  // Where each value came from: "default", "file", or "env".
  const std::string& source(const std::string& key) const;
  // For `config check --show`: effective values, secrets redacted.
  Json describe(const ConfigSchema& schema) const;

  // Tests override single values after loading.
  void set(const std::string& key, ConfigValue value);

 private:
  const ConfigValue& get(const std::string& key) const;
  std::map<std::string, ConfigValue> values_;
  std::map<std::string, std::string> sources_;
};

// The process environment as a map (only REGISTRAR_* variables).
std::map<std::string, std::string> registrar_environment();

// Name of the environment variable for a key.
std::string env_name(const std::string& key);

}  // namespace registrar::core
