#include "authz/identifiers.h"

#include <vector>

#include "core/error.h"

namespace registrar::authz {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_valid_ssn(std::string_view s) {
  if (s.size() != 11) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string estate_from_subject(const std::optional<std::string>& subject) {
  if (!subject) throw core::invalid_argument("Subject is required", "subject");
  if (is_valid_ssn(*subject)) return *subject;
  std::vector<std::string_view> parts;
  std::string_view rest = *subject;
  while (true) {
    size_t slash = rest.find('/');
    std::string_view part = trim(rest.substr(0, slash));
    if (!part.empty()) parts.push_back(part);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (parts.size() != 2 || parts[0] != "person" || !is_valid_ssn(parts[1]))
    throw core::invalid_argument("Subject must be SSN with '/person/' prefix", "subject");
  return std::string(parts[1]);
}

std::string truncate_ssn(std::string_view ssn) {
  return std::string(ssn.size() >= 6 ? ssn.substr(0, 6) : ssn);
}

}  // namespace registrar::authz
