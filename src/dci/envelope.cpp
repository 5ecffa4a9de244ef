// Envelope and header reading and writing (envelope.h). The typed model reads nlohmann's view of
// the header; the signature digest keeps to the raw JsonValue, which loses nothing.
#include "dci/envelope.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/error.h"

namespace registrar::dci {

namespace {

[[noreturn]] void bad(const std::string& field, const std::string& what) {
  throw core::invalid_argument(field + " " + what, field);
}

const Json* get(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string required_string(const Json& h, const char* key, const std::string& prefix) {
  const Json* v = get(h, key);
  if (!v || v->is_null()) bad(prefix + key, "is required");
  if (!v->is_string()) bad(prefix + key, "must be a string");
  return v->get<std::string>();
}

std::optional<std::string> optional_string(const Json& h, const char* key,
                                           const std::string& prefix) {
  const Json* v = get(h, key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) bad(prefix + key, "must be a string");
  return v->get<std::string>();
}

// An integer, an integral string ("1", the spec samples' form) or "" / absent for the default.
int64_t lenient_count(const Json& h, const char* key, const std::string& prefix) {
  const Json* v = get(h, key);
  if (!v || v->is_null()) return 0;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    if (s.empty()) return 0;
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && ptr == s.data() + s.size()) return n;
  }
  bad(prefix + key, "must be an integer");
}

// pydantic's lax bool: true/false, 0/1 and the usual words.
std::optional<bool> lax_bool(const Json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer() || v.is_number_float()) {
    double d = v.get<double>();
    if (d == 0 || d == 1) return d == 1;
    return std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  std::string s = v.get<std::string>();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* t : {"1", "on", "t", "true", "y", "yes"}) {
    if (s == t) return true;
  }
  for (const char* f : {"0", "off", "f", "false", "n", "no"}) {
    if (s == f) return false;
  }
  return std::nullopt;
}

constexpr const char* kRequestFields[] = {
    "version",    "message_id",  "message_ts",  "action",           "sender_id",
    "sender_uri", "receiver_id", "total_count", "is_msg_encrypted", "meta"};
constexpr const char* kCallbackFields[] = {"status", "status_reason_code", "status_reason_message",
                                           "completed_count"};

bool known_field(const std::string& key) {
  for (const char* k : kRequestFields) {
    if (key == k) return true;
  }
  for (const char* k : kCallbackFields) {
    if (key == k) return true;
  }
  return false;
}

void read_common(const Json& h, MsgHeader& out) {
  const std::string p = "header.";
  if (auto v = optional_string(h, "version", p)) out.version = *v;
  out.message_id = required_string(h, "message_id", p);
  out.message_ts = required_string(h, "message_ts", p);
  out.action = required_string(h, "action", p);
  out.sender_id = required_string(h, "sender_id", p);
  out.sender_uri = optional_string(h, "sender_uri", p);
  out.receiver_id = optional_string(h, "receiver_id", p);
  out.total_count = lenient_count(h, "total_count", p);
  if (const Json* v = get(h, "is_msg_encrypted"); v && !v->is_null()) {
    auto b = lax_bool(*v);
    if (!b) bad("header.is_msg_encrypted", "must be a boolean");
    out.is_msg_encrypted = *b;
  }
  if (const Json* v = get(h, "meta")) out.meta = *v;
  for (const auto& [key, value] : h.items()) {
    if (!known_field(key)) out.extra[key] = value;
  }
}

}  // namespace

Header parse_header(const JsonValue& raw) {
  if (!raw.is_object()) bad("header", "must be an object");
  Json h = to_nlohmann(raw);
  if (!h.contains("status")) {
    MsgHeader out;
    read_common(h, out);
    return out;
  }
  MsgCallbackHeader out;
  read_common(h, out);
  const std::string p = "header.";
  auto status = parse_wire<RequestStatus>(required_string(h, "status", p));
  if (!status) bad("header.status", "must be one of rcvd, pdng, succ, rjct");
  out.status = *status;
  out.status_reason_code = optional_string(h, "status_reason_code", p);
  out.status_reason_message = optional_string(h, "status_reason_message", p);
  out.completed_count = lenient_count(h, "completed_count", p);
  return out;
}

Envelope parse_envelope(JsonValue document, EnvelopeParts parts) {
  const bool whole = parts == EnvelopeParts::kWhole;
  if (!document.is_object()) bad("body", "must be a JSON object");
  Envelope env;
  bool has_header = false;
  for (auto& m : document.members) {
    if (m.key == "signature") {
      if (m.value.kind == JsonValue::Kind::kNull) continue;
      if (!m.value.is_string()) bad("signature", "must be a string");
      env.signature = to_nlohmann(m.value).get<std::string>();
    } else if (m.key == "header") {
      env.header = parse_header(m.value);
      env.raw_header = std::move(m.value);
      has_header = true;
    } else if (m.key == "message") {
      if (whole) env.message = to_nlohmann(m.value);
      env.raw_message = std::move(m.value);
      env.has_message = true;
    } else if (whole) {
      env.extra[to_utf8(m.key)] = to_nlohmann(m.value);
    }
  }
  if (!has_header) bad("header", "is required");
  return env;
}

Envelope parse_envelope(std::string_view body, EnvelopeParts parts) {
  JsonParseError error;
  auto document = parse_json(body, &error);
  if (!document) {
    throw core::invalid_argument(
        "body is not JSON (byte " + std::to_string(error.offset) + ": " + error.message + ")",
        "body");
  }
  return parse_envelope(std::move(*document), parts);
}

Json header_to_json(const Header& header, bool with_extra) {
  const MsgHeader& h = std::visit([](const MsgHeader& x) -> const MsgHeader& { return x; }, header);
  Json out = with_extra ? h.extra : Json::object();
  auto opt = [](const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); };
  out["version"] = h.version;
  out["message_id"] = h.message_id;
  out["message_ts"] = h.message_ts;
  out["action"] = h.action;
  out["sender_id"] = h.sender_id;
  out["sender_uri"] = opt(h.sender_uri);
  out["receiver_id"] = opt(h.receiver_id);
  out["total_count"] = h.total_count;
  out["is_msg_encrypted"] = h.is_msg_encrypted;
  out["meta"] = h.meta;
  if (const auto* cb = std::get_if<MsgCallbackHeader>(&header)) {
    out["status"] = wire_name(cb->status);
    out["status_reason_code"] = opt(cb->status_reason_code);
    out["status_reason_message"] = opt(cb->status_reason_message);
    out["completed_count"] = cb->completed_count;
  }
  return out;
}

Json envelope_to_json(const Envelope& envelope) {
  Json out = envelope.extra;
  if (envelope.signature) out["signature"] = *envelope.signature;
  out["header"] = header_to_json(envelope.header, true);
  if (envelope.has_message) out["message"] = envelope.message;
  return out;
}

Json ack_to_json(const Ack& ack) {
  Json m = {{"ack_status", wire_name(ack.status)},
            {"timestamp", ack.timestamp},
            {"correlation_id", ack.correlation_id}};
  if (ack.error_code || ack.error_message) {
    m["error"] = {{"code", ack.error_code.value_or("")},
                  {"message", ack.error_message.value_or("")}};
  }
  return {{"message", m}};
}

Ack parse_ack(const Json& body) {
  if (!body.is_object()) bad("body", "must be a JSON object");
  const Json* m = get(body, "message");
  if (!m || !m->is_object()) bad("message", "is required");
  Ack ack;
  const std::string p = "message.";
  std::string status = required_string(*m, "ack_status", p);
  auto parsed = parse_wire<AckStatus>(status);
  if (!parsed) bad("message.ack_status", "must be one of ACK, NACK, ERR");
  ack.status = *parsed;
  ack.timestamp = optional_string(*m, "timestamp", p).value_or("");
  ack.correlation_id = optional_string(*m, "correlation_id", p).value_or("");
  if (const Json* e = get(*m, "error"); e && !e->is_null()) {
    if (!e->is_object()) bad("message.error", "must be an object");
    ack.error_code = optional_string(*e, "code", "message.error.");
    ack.error_message = optional_string(*e, "message", "message.error.");
  }
  return ack;
}

}  // namespace registrar::dci
