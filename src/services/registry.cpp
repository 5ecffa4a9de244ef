#include "services/registry.h"

#include <algorithm>

namespace registrar::services {

void Registry::put(std::type_index type, void* service, std::string name, std::string provider) {
  auto [it, added] = entries_.emplace(type, Entry{service, name, provider});
  if (!added)
    throw core::Error(core::ErrorKind::kInternal, "service " + name + " is provided twice (by " +
                                                      it->second.provider + " and " + provider +
                                                      ")");
}

void* Registry::get(std::type_index type, std::string_view name) const {
  auto it = entries_.find(type);
  if (it == entries_.end())
    throw core::Error(core::ErrorKind::kUnavailable,
                      "service " + std::string(name) +
                          " is not available: the module that provides it is not in this binary, "
                          "or is not among this module's dependencies()");
  const std::string& provider = it->second.provider;
  if (!starting_.empty() && provider != starting_ &&
      std::find(starting_deps_.begin(), starting_deps_.end(), provider) == starting_deps_.end())
    throw core::Error(core::ErrorKind::kInternal,
                      "module " + starting_ + " uses service " + std::string(name) + " of module " +
                          provider + " without naming " + provider + " in its dependencies()");
  return it->second.service;
}

void Registry::begin_start(std::string module, std::vector<std::string> dependencies) {
  starting_ = std::move(module);
  starting_deps_ = std::move(dependencies);
}

std::string Registry::describe() const {
  std::vector<std::string> items;
  for (const auto& [type, e] : entries_) items.push_back(e.name + " (" + e.provider + ")");
  std::sort(items.begin(), items.end());
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace registrar::services
