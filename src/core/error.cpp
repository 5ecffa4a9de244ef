#include "core/error.h"

namespace registrar::core {

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument:
      return 400;
    case ErrorKind::kUnauthenticated:
      return 401;
    case ErrorKind::kPermissionDenied:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kGone:
      return 410;
    case ErrorKind::kPayloadTooLarge:
      return 413;
    case ErrorKind::kUnprocessable:
      return 422;
    case ErrorKind::kTooManyRequests:
      return 429;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

const char* kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument:
      return "invalid-argument";
    case ErrorKind::kUnauthenticated:
      return "unauthenticated";
    case ErrorKind::kPermissionDenied:
      return "permission-denied";
    case ErrorKind::kNotFound:
      return "not-found";
    case ErrorKind::kConflict:
      return "conflict";
    case ErrorKind::kGone:
      return "gone";
    case ErrorKind::kPayloadTooLarge:
      return "payload-too-large";
    case ErrorKind::kUnprocessable:
      return "unprocessable";
    case ErrorKind::kTooManyRequests:
      return "too-many-requests";
    case ErrorKind::kUnavailable:
      return "unavailable";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

std::string loggable_message(std::string_view message) {
  // SOCI's bound values run to the end of the message, newlines and quotes included: cut there.
  const size_t bound = message.find("\" with :");
  if (bound != std::string_view::npos) message = message.substr(0, bound + 1);
  std::string out;
  out.reserve(message.size() + 32);
  while (!message.empty()) {
    const size_t eol = message.find('\n');
    std::string_view line = message.substr(0, eol);
    message = eol == std::string_view::npos ? std::string_view{} : message.substr(eol + 1);
    const size_t start = line.find_first_not_of(' ');
    if (start != std::string_view::npos && line.substr(start).rfind("DETAIL:", 0) == 0)
      out += "DETAIL: (left out)";
    else
      out.append(line);
    if (eol != std::string_view::npos) out += '\n';
  }
  if (bound != std::string_view::npos) out += " (bound values left out)";
  return out;
}

}  // namespace registrar::core
