#include "intercoop/paging.h"

#include <charconv>

namespace registrar::intercoop {

std::string format_cursor(const PageCursor& c) {
  return std::to_string(c.us) + "." + c.id;
}

std::optional<PageCursor> parse_cursor(std::string_view text) {
  size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  PageCursor c;
  auto [end, ec] = std::from_chars(text.data(), text.data() + dot, c.us);
  if (ec != std::errc() || end != text.data() + dot || c.us <= 0) return std::nullopt;
  std::string_view id = text.substr(dot + 1);
  if (id.empty() || id.size() > 64) return std::nullopt;
  for (char ch : id) {
    bool ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              ch == '-';
    if (!ok) return std::nullopt;
  }
  c.id = std::string(id);
  return c;
}

}  // namespace registrar::intercoop
