// Errors that cross module boundaries. Services throw core::Error with a kind that says what went
// wrong from the caller's point of view; the HTTP layer maps the kind to a status code and a
// problem+json body, the CLI maps it to a message and an exit code. Services never see HTTP types.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace registrar::core {

enum class ErrorKind {
  kInvalidArgument,   // the caller sent something malformed or out of range (400)
  kUnauthenticated,   // no or bad credentials (401)
  kPermissionDenied,  // credentials fine, not allowed (403)
  kNotFound,          // (404)
  kConflict,          // violates a uniqueness or state rule (409)
  kGone,              // existed, expired or consumed (410)
  kPayloadTooLarge,   // (413)
  kUnprocessable,     // well-formed but semantically rejected (422)
  kTooManyRequests,   // (429)
  kUnavailable,       // a dependency (database, peer) is not reachable now (503)
  kInternal,          // a bug or an unexpected failure (500)
};

// One problem with one input field, for errors that report several at once.
struct FieldError {
  std::string field;
  std::string message;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message, std::string field = {})
      : std::runtime_error(message), kind_(kind), field_(std::move(field)) {}
  Error(ErrorKind kind, std::string message, std::vector<FieldError> fields)
      : std::runtime_error(message), kind_(kind), fields_(std::move(fields)) {}

  ErrorKind kind() const { return kind_; }
  // The input field this error is about ("" when not about one field). JSON-pointer-like paths
  // such as "request.uin" are fine.
  const std::string& field() const { return field_; }
  const std::vector<FieldError>& fields() const { return fields_; }
  // For kTooManyRequests / kUnavailable: how long the caller should wait (the HTTP layer's
  // Retry-After); 0 = the default of one second.
  int64_t retry_after_seconds() const { return retry_after_seconds_; }
  Error&& with_retry_after(int64_t seconds) && {
    retry_after_seconds_ = seconds;
    return std::move(*this);
  }

 private:
  ErrorKind kind_;
  int64_t retry_after_seconds_ = 0;
  std::string field_;
  std::vector<FieldError> fields_;
};

inline Error invalid_argument(std::string message, std::string field = {}) {
  return Error(ErrorKind::kInvalidArgument, std::move(message), std::move(field));
}
inline Error not_found(std::string message) {
  return Error(ErrorKind::kNotFound, std::move(message));
}
inline Error conflict(std::string message, std::string field = {}) {
  return Error(ErrorKind::kConflict, std::move(message), std::move(field));
}

// HTTP status for an error kind (the one mapping the whole product uses).
int http_status(ErrorKind kind);
// Short machine-readable name of the kind ("invalid-argument", ...), used in problem types.
const char* kind_name(ErrorKind kind);

// An exception's message as it may be logged: without the values bound to a database statement
// (SOCI appends them, `... "INSERT ..." with :a="12345678Z", ...`) and without PostgreSQL's
// DETAIL lines (`Key (nif)=(12345678Z) already exists.`), which carry personal data and secrets.
// The statement's text and the database's error stay. Every log line that carries e.what() of an
// exception that may come from the database goes through this.
std::string loggable_message(std::string_view message);
inline std::string loggable_message(const std::exception& e) {
  return loggable_message(std::string_view(e.what()));
}

}  // namespace registrar::core
