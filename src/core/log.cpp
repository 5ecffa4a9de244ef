#include "core/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <stdexcept>

#include "core/clock.h"

namespace registrar::log {
namespace {

std::atomic<int> g_level{int(Level::kInfo)};

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> l = [] {
    auto lg = std::make_shared<spdlog::logger>("registrar",
                                               std::make_shared<spdlog::sinks::stderr_sink_mt>());
    lg->set_pattern("%v");
    lg->set_level(spdlog::level::trace);
    return lg;
  }();
  return l;
}

const char* level_name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
    case Level::kOff:
      return "off";
  }
  return "info";
}

spdlog::level::level_enum to_spdlog(Level l) {
  switch (l) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

void init(Level level, const std::string& file) {
  g_level = int(level);
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (file.empty() || file == "-") {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file);
  }
  auto lg = std::make_shared<spdlog::logger>("registrar", sink);
  lg->set_pattern("%v");
  lg->set_level(spdlog::level::trace);
  lg->flush_on(spdlog::level::warn);
  logger() = lg;
}

Level parse_level(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn") return Level::kWarn;
  if (name == "error") return Level::kError;
  if (name == "off") return Level::kOff;
  throw std::invalid_argument("log level must be one of debug, info, warn, error, off");
}

bool enabled(Level level) {
  return int(level) >= g_level.load(std::memory_order_relaxed);
}

void write(Level level, std::string_view event, const Json& fields) {
  Json line = Json::object();
  line["time"] = core::format_rfc3339(core::SystemClock::instance().now(), true);
  line["level"] = level_name(level);
  line["event"] = event;
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  }
  logger()->log(to_spdlog(level), "{}",
                line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void write_raw(Level level, std::string_view json_line) {
  logger()->log(to_spdlog(level), "{}", json_line);
}

std::string mask(std::string_view id, size_t visible) {
  if (id.size() <= visible) return std::string(id.size(), '*');
  return std::string(id.size() - visible, '*') + std::string(id.substr(id.size() - visible));
}

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Runs of characters that need no escape are appended at once (access-log fields are usually
  // one such run).
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const bool plain = c >= 0x20 && c != '"' && c != '\\' && c != 0x7f;
    if (plain) continue;  // UTF-8 passes through; invalid bytes are the caller's concern
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(text.data() + run, text.size() - run);
}

void flush() {
  logger()->flush();
}

}  // namespace registrar::log
