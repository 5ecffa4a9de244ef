#include "http/failure.h"

#include <algorithm>

#include "core/error.h"
#include "core/log.h"
#include "http/router.h"

namespace registrar::http {

Failure failure_of(const core::Error& e) {
  Failure f;
  f.status = core::http_status(e.kind());
  f.code = core::kind_name(e.kind());
  f.message = e.what();
  f.field = e.field();
  f.fields = e.fields();
  if (e.kind() == core::ErrorKind::kUnavailable || e.kind() == core::ErrorKind::kTooManyRequests)
    f.headers.set("Retry-After", std::to_string(std::max<int64_t>(1, e.retry_after_seconds())));
  return f;
}

Failure failure_of(std::exception_ptr error, const std::string& request_id, const Route* route) {
  try {
    std::rethrow_exception(error);
  } catch (const core::Error& e) {
    return failure_of(e);
  } catch (const std::exception& e) {
    log::error("handler_failed", {{"request_id", request_id},
                                  {"route", route ? route->pattern : std::string("unmatched")},
                                  {"error", core::loggable_message(e)}});
  } catch (...) {
    log::error("handler_failed", {{"request_id", request_id},
                                  {"route", route ? route->pattern : std::string("unmatched")},
                                  {"error", "an exception that is not a std::exception"}});
  }
  Failure f;
  f.status = 500;
  f.code = core::kind_name(core::ErrorKind::kInternal);
  f.message = "internal error; see the server log for this request id";
  return f;
}

Failure current_failure(const std::string& request_id, const Route* route) {
  return failure_of(std::current_exception(), request_id, route);
}

namespace {

class ProblemFormat final : public ErrorFormat {
 public:
  Response render(const Failure& f, const Request& req, const Route*) const override {
    Response r = Response::problem(f.status, "", f.message, f.field, req.request_id);
    if (!f.fields.empty()) {
      Json body = Json::parse(r.body);
      Json errors = Json::array();
      for (auto& e : f.fields) errors.push_back({{"field", e.field}, {"message", e.message}});
      body["errors"] = std::move(errors);
      r.body = body.dump();
    }
    return r;
  }
};

}  // namespace

std::shared_ptr<const ErrorFormat> problem_format() {
  static const auto format = std::make_shared<const ProblemFormat>();
  return format;
}

Response render_failure(const ErrorFormat& format, const Failure& failure, const Request& request,
                        const Route* route) {
  Response r = format.render(failure, request, route);
  for (const auto& [name, value] : failure.headers.all())
    if (!r.headers.has(name)) r.headers.set(name, value);  // the format may write its own
  return r;
}

}  // namespace registrar::http
