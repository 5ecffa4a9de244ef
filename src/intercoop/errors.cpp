#include "intercoop/errors.h"

#include <array>

#include "intercoop/yaml_emit.h"

namespace registrar::intercoop {
namespace {

constexpr std::array<ErrorClassInfo, 13> kInfos{{
    {"BadPeer", 403, "The entity '{}' is not a recognized one", 1},
    {"BadSignature", 403, "Signature verification failed, untrusted content", 0},
    {"NoSuchUuid", 404, "No personal data available for uuid '{}'", 1},
    {"MissingField", 400, "Required field '{}' missing on the payload", 1},
    // 400 as intended: the Python original answers 500 here (spec §7.6).
    {"BadFormat", 400, "Error while parsing message as YAML:\n{}", 1},
    {"BadMessage", 400, "Malformed message: {}", 1},
    {"WrongVersion", 400, "Wrong protocol version, expected {}, received {}", 2},
    {"BackendError", 0, "Error comunicating with the other entity\n{}", 1},
    // intercoop 2.0 (hardened.h): a redirected, stale or replayed package.
    {"WrongTarget", 403, "Message addressed to peer '{}' for service '{}', not to this one", 2},
    {"ExpiredMessage", 403, "Message valid from {} to {}, not at {}", 3},
    {"ReplayedMessage", 409, "Message '{}' from '{}' was already received", 2},
    // A service's rules (service_rules.h): the member or the peer may not use it (now).
    {"NotAvailable", 403, "Service '{}' is not available for {} '{}'", 3},
    {"LimitReached", 429, "Service '{}' accepts at most {} transfers per {} every {} s", 4},
}};

constexpr std::array<ErrorClass, 13> kAll{
    ErrorClass::kBadPeer,        ErrorClass::kBadSignature,    ErrorClass::kNoSuchUuid,
    ErrorClass::kMissingField,   ErrorClass::kBadFormat,       ErrorClass::kBadMessage,
    ErrorClass::kWrongVersion,   ErrorClass::kBackendError,    ErrorClass::kWrongTarget,
    ErrorClass::kExpiredMessage, ErrorClass::kReplayedMessage, ErrorClass::kNotAvailable,
    ErrorClass::kLimitReached};

}  // namespace

const ErrorClassInfo& info(ErrorClass error) {
  return kInfos[static_cast<size_t>(error)];
}

std::optional<ErrorClass> error_class_named(std::string_view name) {
  for (ErrorClass c : kAll)
    if (info(c).name == name) return c;
  return std::nullopt;
}

std::string format_message(ErrorClass error, const std::vector<std::string>& arguments) {
  std::string_view tmpl = info(error).message_template;
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl.compare(i, 2, "{}") == 0) {
      if (next < arguments.size()) out += arguments[next];
      ++next;
      ++i;
    } else {
      out += tmpl[i];
    }
  }
  return out;
}

ProtocolError::ProtocolError(ErrorClass error, std::vector<std::string> arguments)
    : std::runtime_error(format_message(error, arguments)),
      class_(error),
      arguments_(std::move(arguments)) {}

yaml::Value error_body(const ProtocolError& error) {
  yaml::Value body = yaml::Value::object();
  body["error"] = std::string(info(error.error_class()).name);
  body["message"] = error.what();
  body["arguments"] = yaml::Value::array();
  for (const auto& a : error.arguments()) body["arguments"].push_back(a);
  return body;
}

std::string error_body_yaml(const ProtocolError& error) {
  return yaml::dump(error_body(error));
}

std::optional<ProtocolError> error_from_body(const yaml::Value& body) {
  if (!body.is_object() || !body.contains("error") || !body.contains("arguments"))
    return std::nullopt;
  const auto& name = body["error"];
  const auto& args = body["arguments"];
  if (!name.is_string() || !args.is_array()) return std::nullopt;
  auto error = error_class_named(name.get<std::string>());
  if (!error) return std::nullopt;
  std::vector<std::string> arguments;
  for (const auto& a : args) arguments.push_back(python_str(a));
  return ProtocolError(*error, std::move(arguments));
}

std::string python_str(const yaml::Value& value) {
  switch (value.type()) {
    case yaml::Value::value_t::string:
      return value.get<std::string>();
    case yaml::Value::value_t::null:
      return "None";
    case yaml::Value::value_t::boolean:
      return value.get<bool>() ? "True" : "False";
    case yaml::Value::value_t::number_float:
      return yaml::python_repr(value.get<double>());
    default:
      return value.dump();
  }
}

}  // namespace registrar::intercoop
