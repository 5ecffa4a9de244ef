#include "mosip/envelope.h"

#include "core/json_reader.h"

namespace registrar::mosip {

std::string response_time(const core::Clock& clock) {
  return core::format_rfc3339(clock.now(), true);
}

http::Response envelope(const core::Clock& clock, Json response, Json id, Json version) {
  return http::Response::json(200, {{"id", std::move(id)},
                                    {"version", std::move(version)},
                                    {"responsetime", response_time(clock)},
                                    {"metadata", nullptr},
                                    {"response", std::move(response)},
                                    {"errors", nullptr}});
}

http::Response envelope_error(const core::Clock& clock, const std::string& code,
                              const std::string& message, Json id, Json version, int status) {
  return envelope_errors(clock, {{code, message}}, std::move(id), std::move(version), status);
}

http::Response envelope_errors(const core::Clock& clock, const std::vector<ServiceError>& errors,
                               Json id, Json version, int status) {
  Json list = Json::array();
  for (const auto& e : errors) list.push_back({{"errorCode", e.code}, {"message", e.message}});
  return http::Response::json(status, {{"id", std::move(id)},
                                       {"version", std::move(version)},
                                       {"responsetime", response_time(clock)},
                                       {"metadata", nullptr},
                                       {"response", nullptr},
                                       {"errors", std::move(list)}});
}

std::optional<std::string> parse_body(const std::string& text, Json& out) {
  const core::JsonRead result = core::read_json(text, out);
  if (result == core::JsonRead::kOk || result == core::JsonRead::kDuplicateMember)
    return std::nullopt;
  if (result == core::JsonRead::kTooDeep) return core::json_error_position(text, result);
  try {
    out = Json::parse(text);
    return std::nullopt;  // a NUL byte, where nlohmann stops reading: accepted as before
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

http::Response ErrorFormat::render(const http::Failure& f, const http::Request&,
                                   const http::Route*) const {
  if (f.status == 401)
    return envelope_error(clock_, "KER-ATH-401", "Authentication Failed", nullptr, nullptr, 401);
  if (f.status == 403)
    return envelope_error(clock_, "KER-ATH-403", "Forbidden", nullptr, nullptr, 403);
  return envelope_error(clock_, "KER-HTTP-" + std::to_string(f.status), f.message, nullptr, nullptr,
                        f.status);
}

}  // namespace registrar::mosip
