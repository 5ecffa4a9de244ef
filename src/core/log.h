// Structured logging: one JSON object per line, with "time", "level", "event" and the caller's
// fields. Secrets are never passed here; personal identifiers go through mask() first.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace registrar::log {

using Json = nlohmann::json;

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// Sends logs to `file` ("" or "-" for stderr). Call once at start; safe to call again in tests.
void init(Level level, const std::string& file = "");
Level parse_level(std::string_view name);  // throws std::invalid_argument
bool enabled(Level level);

void write(Level level, std::string_view event, const Json& fields);
inline void debug(std::string_view event, const Json& fields = Json::object()) {
  if (enabled(Level::kDebug)) write(Level::kDebug, event, fields);
}
inline void info(std::string_view event, const Json& fields = Json::object()) {
  if (enabled(Level::kInfo)) write(Level::kInfo, event, fields);
}
inline void warn(std::string_view event, const Json& fields = Json::object()) {
  if (enabled(Level::kWarn)) write(Level::kWarn, event, fields);
}
inline void error(std::string_view event, const Json& fields = Json::object()) {
  if (enabled(Level::kError)) write(Level::kError, event, fields);
}

// Writes an already-formatted JSON object (the HTTP access log builds its line without a Json
// tree, because it runs once per request).
void write_raw(Level level, std::string_view json_line);

// Keeps the last `visible` characters of an identifier: "4931839201" -> "******9201".
std::string mask(std::string_view identifier, size_t visible = 4);

// Appends `text` to `out` as the inside of a JSON string (no quotes added).
void append_json_escaped(std::string& out, std::string_view text);

// Flushes buffered lines (at shutdown).
void flush();

}  // namespace registrar::log
