#include "core/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "core/clock.h"
#include "core/log_file.h"

namespace registrar::log {
namespace {

std::atomic<int> g_level{int(Level::kInfo)};
// Where lines go: a LogFile, or stderr (written at once, one write(2) per line) when null.
std::atomic<LogFile*> g_file{nullptr};

// Files replaced by a later init() stay open (idle) to the end: another thread may still hold
// the pointer it loaded. Reachable from here, so not a leak to the sanitizers.
std::vector<std::unique_ptr<LogFile>>& all_files() {
  static auto* files = new std::vector<std::unique_ptr<LogFile>>;
  return *files;
}
std::mutex g_init_mu;

void write_stderr(std::string_view line) {
  thread_local std::string buffer;
  buffer.assign(line);
  buffer += '\n';
  std::string_view rest = buffer;
  while (!rest.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere left to report it
    rest.remove_prefix(size_t(n));
  }
}

void emit(Level level, std::string_view line) {
  LogFile* file = g_file.load(std::memory_order_acquire);
  if (!file) return write_stderr(line);
  // Warnings wake the writer at once; an error is on disk before the caller goes on (it may be
  // the last thing the process says).
  file->append(line, level >= Level::kWarn);
  if (level >= Level::kError) file->flush();
}

void flush_at_exit() {
  flush();
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

}  // namespace

void init(Level level, const std::string& file) {
  g_level = int(level);
  std::lock_guard lock(g_init_mu);
  static bool exit_hook = (std::atexit(flush_at_exit), true);
  (void)exit_hook;
  if (LogFile* old = g_file.load()) old->flush();
  if (file.empty() || file == "-") {
    g_file.store(nullptr, std::memory_order_release);
    return;
  }
  all_files().push_back(std::make_unique<LogFile>(file));
  g_file.store(all_files().back().get(), std::memory_order_release);
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
  emit(level, line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void write_raw(Level level, std::string_view json_line) {
  emit(level, json_line);
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
  if (LogFile* file = g_file.load(std::memory_order_acquire)) file->flush();
}

}  // namespace registrar::log
