#include "core/request_context.h"

namespace registrar::core {
namespace {

const std::string kNone;
thread_local const std::string* current = nullptr;

}  // namespace

const std::string& current_server_request_id() {
  return current ? *current : kNone;
}

ServerRequestScope::ServerRequestScope(const std::string& id) : previous_(current) {
  current = &id;
}

ServerRequestScope::~ServerRequestScope() {
  current = previous_;
}

}  // namespace registrar::core
