// How modules find each other's services.
//
// A module that offers something to others implements one of the interfaces in this folder and
// registers it in its start(): `services.registry.provide<services::Signing>(impl, name())`. A
// module that needs it declares the provider in Module::dependencies() (so the platform starts the
// provider first and refuses to start without it) and asks in its own start():
// `auto& signing = services.registry.find<services::Signing>();`.
//
// The interfaces live here, not in the providing module's folder, so no module includes another
// and a module builds and links without the others (userver's FindComponent<T>, by interface).
// Thread safety: provide() and find() are called from start() on the main thread only; what
// find() returns is the provider's object, thread-safe as its interface says, alive until the
// providing module's stop() (which runs after every module that depends on it stopped).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

#include "core/error.h"

namespace registrar::services {

class Registry {
 public:
  // T is an interface with `static constexpr const char* kName` ("identity.signing").
  template <class T>
  void provide(T& service, std::string provider) {
    put(typeid(T), &service, T::kName, std::move(provider));
  }
  // Throws core::Error(kUnavailable) naming the service when no started module provides it.
  template <class T>
  T& find() const {
    return *static_cast<T*>(get(typeid(T), T::kName));
  }
  // Null when nobody provides T (for optional collaborations).
  template <class T>
  T* find_optional() const {
    auto it = entries_.find(typeid(T));
    return it == entries_.end() ? nullptr : static_cast<T*>(it->second.service);
  }
  // "identity.signing (identity), ids.issuance (ids)": for the start-up log.
  std::string describe() const;

  // The platform calls this before each module's start(): find() then refuses services whose
  // provider is not among `dependencies` (nor the module itself), so that a forgotten
  // dependency fails on every start, not only when the module list happens to be in order.
  void begin_start(std::string module, std::vector<std::string> dependencies);

 private:
  struct Entry {
    void* service;
    std::string name;
    std::string provider;
  };
  void put(std::type_index type, void* service, std::string name, std::string provider);
  void* get(std::type_index type, std::string_view name) const;
  std::map<std::type_index, Entry> entries_;
  std::string starting_;  // "" outside start(): no check (tests, CLI)
  std::vector<std::string> starting_deps_;
};

}  // namespace registrar::services
