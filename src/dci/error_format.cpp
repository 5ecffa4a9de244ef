#include "dci/error_format.h"

#include "core/random.h"
#include "dci/envelope.h"

namespace registrar::dci {

namespace {

class DciErrors final : public http::ErrorFormat {
 public:
  explicit DciErrors(const core::Clock& clock) : clock_(clock) {}
  std::string name() const override { return "dci-ack"; }
  http::Response render(const http::Failure& f, const http::Request&,
                        const http::Route*) const override {
    Ack ack;
    ack.status = AckStatus::kErr;
    ack.timestamp = format_message_ts(clock_.now());
    ack.correlation_id = core::uuid_v4();
    ack.error_code = error_code(f);
    std::string message = f.message;
    if (!f.field.empty()) message += " (" + f.field + ")";
    if (message.size() > 999) message.resize(999);  // the spec's limit
    ack.error_message = message;
    return http::Response::json(f.status, ack_to_json(ack));
  }

 private:
  const core::Clock& clock_;
};

}  // namespace

std::string error_code(const http::Failure& f) {
  if (f.code.rfind("err.", 0) == 0) return f.code;
  // The one refusal the spec names by the member it concerns (async routes, callback_url.h).
  if (f.status == 400 && f.field == "header.sender_uri") return "err.sender_uri.invalid";
  switch (f.status) {
    case 401:
      return "err.request.unauthorized";
    case 403:
      return "err.request.forbidden";
    case 404:
    case 405:
      return "err.request.not_found";
    case 408:
      return "err.request.timeout";
    case 429:
      return "err.request.too_many_requests";
    case 500:
    case 503:
      return "err.service.unavailable";
    default:
      return "err.request.bad";
  }
}

std::shared_ptr<const http::ErrorFormat> ack_error_format(const core::Clock& clock) {
  return std::make_shared<DciErrors>(clock);
}

}  // namespace registrar::dci
