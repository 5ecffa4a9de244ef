// The DCI message envelope {signature, header, message} (spec dci-ibr.md §2): request header
// (MsgHeader_V1.0.0), callback header (MsgCallbackHeader_V1.0.0), the ACK / NACK / ERR body, and
// the status values, reason codes and error codes with their exact wire strings.
//
// Parsing is tolerant the way the spec's models are: unknown members are kept (in `extra`), a
// callback may come without a message, and the spec samples' quirks (total_count "1",
// completed_count "", meta "") are read rather than refused. What cannot be read throws
// core::Error(kInvalidArgument) whose field() names the member ("header.message_id").
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/clock.h"
#include "dci/canonical_json.h"

namespace registrar::dci {

using Json = nlohmann::json;

// Wire strings of the protocol's enumerations: wire_name(e) and parse_wire<E>(text).
template <typename E>
struct WireNames;

template <typename E>
std::string_view wire_name(E e) {
  return WireNames<E>::kNames[size_t(e)];
}
template <typename E>
std::optional<E> parse_wire(std::string_view text) {
  const auto& names = WireNames<E>::kNames;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == text) return E(i);
  }
  return std::nullopt;
}

// RequestStatus: header.status of a callback and status of each response item.
enum class RequestStatus { kRcvd, kPdng, kSucc, kRjct };
template <>
struct WireNames<RequestStatus> {
  static constexpr std::array<std::string_view, 4> kNames = {"rcvd", "pdng", "succ", "rjct"};
};

// ACK (callback follows), NACK (no callback), ERR (invalid; error says why). kRcvd is not the
// spec's: OpenSPP's IBR callback receiver answers "rcvd" (dci-ibr.md §2.5), so we read it.
enum class AckStatus { kAck, kNack, kErr, kRcvd };
template <>
struct WireNames<AckStatus> {
  static constexpr std::array<std::string_view, 4> kNames = {"ACK", "NACK", "ERR", "rcvd"};
};

// MsgHeaderStatusReasonCode.
enum class HeaderReason {
  kVersionInvalid,
  kMessageIdDuplicate,
  kMessageTsInvalid,
  kActionInvalid,
  kActionNotSupported,
  kTotalCountInvalid,
  kTotalCountLimitExceeded,
  kErrorsTooMany,
};
template <>
struct WireNames<HeaderReason> {
  static constexpr std::array<std::string_view, 8> kNames = {"rjct.version.invalid",
                                                             "rjct.message_id.duplicate",
                                                             "rjct.message_ts.invalid",
                                                             "rjct.action.invalid",
                                                             "rjct.action.not_supported",
                                                             "rjct.total_count.invalid",
                                                             "rjct.total_count.limit_exceeded",
                                                             "rjct.errors.too_many"};
};

// SearchStatusReasonCode (per search item).
enum class SearchReason {
  kReferenceIdInvalid,
  kReferenceIdDuplicate,
  kTimestampInvalid,
  kSearchCriteriaInvalid,
  kFilterInvalid,
  kSortInvalid,
  kPaginationInvalid,
  kTooManyRecordsFound,
};
template <>
struct WireNames<SearchReason> {
  static constexpr std::array<std::string_view, 8> kNames = {
      "rjct.reference_id.invalid", "rjct.reference_id.duplicate",
      "rjct.timestamp.invalid",    "rjct.search_criteria.invalid",
      "rjct.filter.invalid",       "rjct.sort.invalid",
      "rjct.pagination.invalid",   "rjct.search.too_many_records_found"};
};

// SubscribeStatusReasonCode.
enum class SubscribeReason {
  kReferenceIdInvalid,
  kReferenceIdDuplicate,
  kTimestampInvalid,
  kNotifyTypesInvalid,
  kNotifyDetailsInvalid,
  kPersonIdInvalid,
  kEventAlreadySubscribed,
};
template <>
struct WireNames<SubscribeReason> {
  static constexpr std::array<std::string_view, 7> kNames = {
      "rjct.reference_id.invalid",    "rjct.reference_id.duplicate", "rjct.timestamp.invalid",
      "rjct.notify_types.invalid",    "rjct.notify_details.invalid", "rjct.person_id.invalid",
      "rjct.event.already_subscribed"};
};

// UnSubscribeStatusReasonCode.
enum class UnsubscribeReason {
  kReferenceIdInvalid,
  kReferenceIdDuplicate,
  kTimestampInvalid,
  kSubscriptionCodeInvalid,
  kRequesterInvalid,
  kEventAlreadyUnsubscribed,
};
template <>
struct WireNames<UnsubscribeReason> {
  static constexpr std::array<std::string_view, 6> kNames = {
      "rjct.reference_id.invalid", "rjct.reference_id.duplicate",
      "rjct.timestamp.invalid",    "rjct.subscription_code.invalid",
      "rjct.requester.invalid",    "rjct.event.already_unsubscribed"};
};

// Error.code of an ERR acknowledgement.
enum class ErrorCode {
  kRequestBad,
  kRequestUnauthorized,
  kRequestForbidden,
  kRequestNotFound,
  kRequestTimeout,
  kVersionNotSupported,
  kRequestTooManyRequests,
  kSenderIdInvalid,
  kSenderUriInvalid,
  kReceiverIdInvalid,
  kSignatureMissing,
  kSignatureInvalid,
  kEncryptionInvalid,
  kServiceUnavailable,
};
template <>
struct WireNames<ErrorCode> {
  static constexpr std::array<std::string_view, 14> kNames = {"err.request.bad",
                                                              "err.request.unauthorized",
                                                              "err.request.forbidden",
                                                              "err.request.not_found",
                                                              "err.request.timeout",
                                                              "err.version.not_supported",
                                                              "err.request.too_many_requests",
                                                              "err.sender_id.invalid",
                                                              "err.sender_uri.invalid",
                                                              "err.receiver_id.invalid",
                                                              "err.signature.missing",
                                                              "err.signature.invalid",
                                                              "err.encryption.invalid",
                                                              "err.service.unavailable"};
};

// MsgHeader_V1.0.0. Optional members absent on the wire are nullopt / their default.
struct MsgHeader {
  std::string version = "1.0.0";
  std::string message_id;
  std::string message_ts;  // as received; see format_message_ts for what we send
  std::string action;
  std::string sender_id;
  std::optional<std::string> sender_uri;
  std::optional<std::string> receiver_id;
  int64_t total_count = 0;
  bool is_msg_encrypted = false;
  Json meta = nullptr;          // an object, null, or whatever a peer sent ("" in spec samples)
  Json extra = Json::object();  // members this model does not know, in received form
};

// MsgCallbackHeader_V1.0.0: OpenSPP's model is the request header (sender_uri included) plus
// these; the spec's lacks sender_uri. We carry it, as OpenSPP's verifier hashes it.
struct MsgCallbackHeader : MsgHeader {
  RequestStatus status = RequestStatus::kRcvd;
  // An open set in practice (OpenSPP's rjct.subscribe.error, "" in spec samples), so a string;
  // HeaderReason and friends give the spec's values.
  std::optional<std::string> status_reason_code;
  std::optional<std::string> status_reason_message;  // ≤ 999 characters
  int64_t completed_count = 0;
};

using Header = std::variant<MsgHeader, MsgCallbackHeader>;

struct Envelope {
  std::optional<std::string> signature;  // absent (nullopt) differs from "" in OpenSPP's model
  Header header;
  Json message;  // null when absent
  bool has_message = false;
  Json extra = Json::object();  // unknown top-level members

  // The envelope as Python read it: the signature digest is computed over these.
  JsonValue raw_header;
  JsonValue raw_message;

  const MsgHeader& common() const {
    return std::visit([](const MsgHeader& h) -> const MsgHeader& { return h; }, header);
  }
  bool is_callback() const { return std::holds_alternative<MsgCallbackHeader>(header); }
};

// What parse_envelope builds: the whole envelope, or only what a signature is checked over
// (the header, the signature and the raw parts; `message` and `extra` stay empty, has_message
// still says whether there was one). Converting a large message costs more than checking it.
enum class EnvelopeParts { kWhole, kForSignature };
// Parses a request body. Throws core::Error(kInvalidArgument) naming the field.
Envelope parse_envelope(std::string_view body, EnvelopeParts parts = EnvelopeParts::kWhole);
Envelope parse_envelope(JsonValue document, EnvelopeParts parts = EnvelopeParts::kWhole);
// A header object alone: a callback header when it has "status".
Header parse_header(const JsonValue& header);

// The complete field set of the header's model with nulls explicit — what OpenSPP's verifier
// hashes (§7.4), so what registrar must send. `with_extra` adds the unknown members back (for
// round trips; never when signing).
Json header_to_json(const Header& header, bool with_extra = false);
// {signature?, header, message?} with the unknown members.
Json envelope_to_json(const Envelope& envelope);

// What we put in message_ts: "2024-01-15T10:30:00Z", or with exactly 6 fractional digits when
// the time has microseconds (pydantic's rendering, so sent and normalised forms agree).
std::string format_message_ts(core::SystemTime t);
// pydantic's JSON rendering of a datetime string (§7.4): "Z" for a zero offset, 6 fractional
// digits when non-zero, none otherwise, other offsets as ±HH:MM, naive stays naive. nullopt for
// forms we cannot be sure pydantic renders the same way (date only, > 6 fraction digits, ...).
std::optional<std::string> normalize_datetime(std::string_view text);

// The header as OpenSPP's pydantic model dumps it (model_dump(mode="json")), canonical JSON:
// the model's full field set, defaults filled in, unknown members dropped, lax coercions applied
// ("1" → 1, "false" → false), message_ts re-rendered. nullopt where pydantic would refuse the
// header (then only the raw header can match a signature).
std::optional<std::string> normalized_header_canonical(const JsonValue& raw_header);

// The synchronous acknowledgement (Response.yaml): {"message": {ack_status, timestamp,
// correlation_id, error?}}.
struct Ack {
  AckStatus status = AckStatus::kAck;
  std::string timestamp;  // RFC 3339
  std::string correlation_id;
  std::optional<std::string> error_code;  // ErrorCode wire names, or a peer's own (err.401)
  std::optional<std::string> error_message;
};
Json ack_to_json(const Ack& ack);
// Throws core::Error(kInvalidArgument) naming the field.
Ack parse_ack(const Json& body);

}  // namespace registrar::dci
