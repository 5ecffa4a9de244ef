// MOSIP's response envelope and error format, shared by the modules that speak MOSIP's APIs (ids:
// the kernel ID services; sync: the sync handler). Success: {"id", "version", "responsetime",
// "metadata": null, "response": ..., "errors": null}; an error: HTTP 200 (as MOSIP's services
// answer validation errors) with "response": null and "errors": [{"errorCode", "message"}].
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "http/failure.h"
#include "http/message.h"

namespace registrar::mosip {

using http::Json;

// "responsetime": RFC 3339 UTC with milliseconds.
std::string response_time(const core::Clock& clock);

http::Response envelope(const core::Clock& clock, Json response, Json id = nullptr,
                        Json version = nullptr);
http::Response envelope_error(const core::Clock& clock, const std::string& code,
                              const std::string& message, Json id = nullptr, Json version = nullptr,
                              int status = 200);

// Several errors in one envelope, in order (MOSIP's validators collect some before throwing).
struct ServiceError {
  std::string code, message;
};
http::Response envelope_errors(const core::Clock& clock, const std::vector<ServiceError>& errors,
                               Json id = nullptr, Json version = nullptr, int status = 200);

// A MOSIP request body, or the message of the kernel's error for it: nlohmann's parser message
// as MOSIP's Jackson-backed services give their parser's, or the depth limit's.
std::optional<std::string> parse_body(const std::string& text, Json& out);

// Every error under MOSIP's paths in the kernel envelope. Authentication failures are what MOSIP's
// auth adapter answers (HTTP 401 / 403, KER-ATH-401 "Authentication Failed" / KER-ATH-403
// "Forbidden"; clients match the code). Errors MOSIP has no code for (an unknown path, a body over
// the limit, a database outage) keep their HTTP status, with errorCode KER-HTTP-<status>
// (docs/compatibility.md).
class ErrorFormat final : public http::ErrorFormat {
 public:
  explicit ErrorFormat(const core::Clock& clock) : clock_(clock) {}
  std::string name() const override { return "mosip"; }
  http::Response render(const http::Failure& f, const http::Request&,
                        const http::Route*) const override;

 private:
  const core::Clock& clock_;
};

}  // namespace registrar::mosip
