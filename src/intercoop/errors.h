// intercoop 1.0's error classes (spec §3): each a name, the HTTP status the target answers with,
// a message template in Python's str.format style and its arguments. Pure: the HTTP layer (later)
// writes error_body_yaml() with Content-Type exactly "application/yaml" and the class's status;
// the client side rebuilds the class from a received body's `error` name.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "intercoop/yaml_scalar.h"

namespace registrar::intercoop {

inline constexpr std::string_view kErrorContentType = "application/yaml";

enum class ErrorClass {
  kBadPeer,       // 403 The entity '{}' is not a recognized one
  kBadSignature,  // 403 Signature verification failed, untrusted content
  kNoSuchUuid,    // 404 No personal data available for uuid '{}'
  kMissingField,  // 400 Required field '{}' missing on the payload
  kBadFormat,     // 400 Error while parsing message as YAML:\n{}
  kBadMessage,    // 400 Malformed message: {}
  kWrongVersion,  // 400 Wrong protocol version, expected {}, received {}
  kBackendError,  // client side only: Error comunicating with the other entity\n{}
  // intercoop 2.0 only (hardened.h; not in the original, docs/compatibility.md):
  kWrongTarget,      // 403 Message addressed to peer '{}' for service '{}', not to this one
  kExpiredMessage,   // 403 Message valid from {} to {}, not at {}
  kReplayedMessage,  // 409 Message '{}' from '{}' was already received
  // A service's rules (service_rules.h; not in the original, docs/compatibility.md):
  kNotAvailable,  // 403 Service '{}' is not available for {} '{}'
  kLimitReached,  // 429 Service '{}' accepts at most {} transfers per {} every {} s
};

struct ErrorClassInfo {
  std::string_view name;              // "BadPeer", as on the wire
  int http_status;                    // 0 for kBackendError: never a target's answer
  std::string_view message_template;  // the original's, spelling included
  size_t arguments;                   // how many `{}` the template has
};

const ErrorClassInfo& info(ErrorClass error);
// The class of a wire name ("BadPeer"); nullopt for a name this protocol does not define.
std::optional<ErrorClass> error_class_named(std::string_view name);
// The template with each `{}` replaced by the next argument, as Python's str.format does.
// Missing arguments leave "" (never a crash on a peer's short list); extra ones are ignored.
std::string format_message(ErrorClass error, const std::vector<std::string>& arguments);

// One protocol failure, thrown by the package functions.
class ProtocolError : public std::runtime_error {
 public:
  ProtocolError(ErrorClass error, std::vector<std::string> arguments);
  ErrorClass error_class() const { return class_; }
  const std::vector<std::string>& arguments() const { return arguments_; }
  int http_status() const { return info(class_).http_status; }

 private:
  ErrorClass class_;
  std::vector<std::string> arguments_;
};

// The error body of §3.3: error, message, arguments (in that order).
yaml::Value error_body(const ProtocolError& error);
std::string error_body_yaml(const ProtocolError& error);
// A received error body back into its class and arguments (§3.4); nullopt when the body has no
// `error` / `arguments` or names an unknown class (the client then reports a BackendError).
std::optional<ProtocolError> error_from_body(const yaml::Value& body);

// How Python's str() shows a parsed value inside a message (None, True, 1.0, text as is).
std::string python_str(const yaml::Value& value);

}  // namespace registrar::intercoop
