// How the target side answers under /intercoop (spec §3.3, §4.6): YAML bodies with Content-Type
// exactly application/yaml, success or error. Shared by the routes and the receiver.
#pragma once

#include <string>

#include "http/message.h"
#include "intercoop/errors.h"
#include "intercoop/yaml_emit.h"

namespace registrar::intercoop {

inline http::Response yaml_response(int status, const yaml::Value& body) {
  return http::Response::text(status, yaml::dump(body), std::string(kErrorContentType));
}

inline http::Response protocol_error(const ProtocolError& e, int status = 0) {
  return http::Response::text(status ? status : e.http_status(), error_body_yaml(e),
                              std::string(kErrorContentType));
}

// A refusal that is none of the protocol's classes (no such service, no route, body too large,
// a failure of ours): BadMessage's shape, so that a 1.0 client rebuilds an error it knows, with
// the platform's status.
inline http::Response bad_message(int status, const std::string& detail) {
  return protocol_error(ProtocolError(ErrorClass::kBadMessage, {detail}), status);
}

}  // namespace registrar::intercoop
