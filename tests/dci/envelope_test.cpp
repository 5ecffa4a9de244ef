#include "dci/envelope.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "support/refusal.h"

namespace registrar::dci {
namespace {

std::string read_example(const std::string& name) {
  std::ifstream in(std::string(DCI_EXAMPLES_DIR) + "/" + name + ".json");
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string field_of_error(std::string_view body) {
  return testing::refused_field([&] { parse_envelope(body); });
}

TEST(DciEnvelope, SpecExamplesParseAndRoundTrip) {
  for (const char* name :
       {"processflow1req", "processflow2req", "processflow3areq", "processflow4req",
        "processflow1res", "processflow2res", "processflow3ares", "processflow4res"}) {
    SCOPED_TRACE(name);
    std::string text = read_example(name);
    Envelope env = parse_envelope(text);
    EXPECT_EQ(env.common().version, "1.0.0");
    EXPECT_EQ(env.common().message_id, "0c96614c-7255-4774-b109-cd53ee851769");
    EXPECT_EQ(env.common().total_count, 1);  // "1" in the samples
    EXPECT_TRUE(env.has_message);
    EXPECT_TRUE(env.signature->starts_with("Signature:"));
    EXPECT_EQ(env.is_callback(), std::string(name).ends_with("res"));
    // The model written back and read again is the same model.
    Json once = envelope_to_json(env);
    Envelope again = parse_envelope(once.dump());
    EXPECT_EQ(envelope_to_json(again), once);
    // Unknown members survive, the message is kept whole.
    EXPECT_EQ(once["message"], nlohmann::json::parse(text)["message"]);
  }
  // The spec's empty placeholders have "headers", not "header".
  EXPECT_EQ(field_of_error(read_example("processflow3breq")), "header");
}

TEST(DciEnvelope, RequestHeaderFields) {
  Envelope env = parse_envelope(R"({"signature":"","header":{"message_id":"m","message_ts":"t",
      "action":"search","sender_id":"s","sender_uri":"https://cb","receiver_id":"r",
      "total_count":3,"is_msg_encrypted":"true","meta":{"k":1},"x-trace":"abc"},"message":{}})");
  const MsgHeader& h = env.common();
  EXPECT_FALSE(env.is_callback());
  EXPECT_EQ(env.signature, "");
  EXPECT_EQ(h.version, "1.0.0");
  EXPECT_EQ(h.action, "search");
  EXPECT_EQ(h.sender_uri, "https://cb");
  EXPECT_EQ(h.receiver_id, "r");
  EXPECT_EQ(h.total_count, 3);
  EXPECT_TRUE(h.is_msg_encrypted);
  EXPECT_EQ(h.meta, Json({{"k", 1}}));
  EXPECT_EQ(h.extra, Json({{"x-trace", "abc"}}));
  // Written back: the complete field set, nulls explicit, unknown members only on request.
  Json full = header_to_json(env.header);
  EXPECT_EQ(full.size(), 10u);
  EXPECT_FALSE(full.contains("x-trace"));
  EXPECT_EQ(header_to_json(env.header, true)["x-trace"], "abc");
}

TEST(DciEnvelope, CallbackHeaderFields) {
  Envelope env = parse_envelope(R"({"header":{"message_id":"m","message_ts":"t","action":
      "on-search","sender_id":"ibr","status":"rjct","status_reason_code":"rjct.action.invalid",
      "status_reason_message":"no","completed_count":"2"}})");
  ASSERT_TRUE(env.is_callback());
  const auto& h = std::get<MsgCallbackHeader>(env.header);
  EXPECT_EQ(h.status, RequestStatus::kRjct);
  EXPECT_EQ(parse_wire<HeaderReason>(*h.status_reason_code), HeaderReason::kActionInvalid);
  EXPECT_EQ(h.completed_count, 2);
  EXPECT_FALSE(env.has_message);  // callbacks need only a header (spec)
  EXPECT_FALSE(env.signature);
  Json full = header_to_json(env.header);
  EXPECT_EQ(full.size(), 14u);
  EXPECT_EQ(full["status"], "rjct");
  EXPECT_TRUE(full["sender_uri"].is_null());
}

TEST(DciEnvelope, ErrorsNameTheField) {
  EXPECT_EQ(field_of_error("[]"), "body");
  EXPECT_EQ(field_of_error("{"), "body");
  EXPECT_EQ(field_of_error(R"({"message":{}})"), "header");
  EXPECT_EQ(field_of_error(R"({"header":[]})"), "header");
  EXPECT_EQ(field_of_error(R"({"header":{"message_ts":"t","action":"a","sender_id":"s"}})"),
            "header.message_id");
  EXPECT_EQ(field_of_error(R"({"header":{"message_id":"m","message_ts":"t","action":"a"}})"),
            "header.sender_id");
  EXPECT_EQ(field_of_error(
                R"({"header":{"message_id":7,"message_ts":"t","action":"a","sender_id":"s"}})"),
            "header.message_id");
  EXPECT_EQ(field_of_error(R"({"header":{"message_id":"m","message_ts":"t","action":"a",
      "sender_id":"s","total_count":"many"}})"),
            "header.total_count");
  EXPECT_EQ(field_of_error(R"({"header":{"message_id":"m","message_ts":"t","action":"a",
      "sender_id":"s","is_msg_encrypted":"maybe"}})"),
            "header.is_msg_encrypted");
  EXPECT_EQ(field_of_error(R"({"header":{"message_id":"m","message_ts":"t","action":"a",
      "sender_id":"s","status":"done"}})"),
            "header.status");
  EXPECT_EQ(field_of_error(R"({"signature":1,"header":{"message_id":"m","message_ts":"t",
      "action":"a","sender_id":"s"}})"),
            "signature");
}

TEST(DciEnvelope, WireNames) {
  EXPECT_EQ(wire_name(RequestStatus::kPdng), "pdng");
  EXPECT_EQ(wire_name(AckStatus::kNack), "NACK");
  EXPECT_EQ(wire_name(ErrorCode::kSignatureInvalid), "err.signature.invalid");
  EXPECT_EQ(wire_name(ErrorCode::kServiceUnavailable), "err.service.unavailable");
  EXPECT_EQ(wire_name(SearchReason::kTooManyRecordsFound), "rjct.search.too_many_records_found");
  EXPECT_EQ(wire_name(SubscribeReason::kEventAlreadySubscribed), "rjct.event.already_subscribed");
  EXPECT_EQ(wire_name(UnsubscribeReason::kRequesterInvalid), "rjct.requester.invalid");
  EXPECT_EQ(wire_name(HeaderReason::kErrorsTooMany), "rjct.errors.too_many");
  EXPECT_EQ(parse_wire<ErrorCode>("err.request.bad"), ErrorCode::kRequestBad);
  EXPECT_FALSE(parse_wire<RequestStatus>("SUCC"));
}

TEST(DciEnvelope, Ack) {
  Ack ack{AckStatus::kAck, "2024-01-15T10:30:00Z", "9876543210"};
  EXPECT_EQ(
      ack_to_json(ack).dump(),
      R"({"message":{"ack_status":"ACK","correlation_id":"9876543210","timestamp":"2024-01-15T10:30:00Z"}})");
  ack.status = AckStatus::kErr;
  ack.error_code = std::string(wire_name(ErrorCode::kSignatureInvalid));
  ack.error_message = "Invalid signature";
  Ack back = parse_ack(ack_to_json(ack));
  EXPECT_EQ(back.status, AckStatus::kErr);
  EXPECT_EQ(back.error_code, "err.signature.invalid");
  EXPECT_EQ(back.error_message, "Invalid signature");
  // OpenSPP's IBR callback receiver: "rcvd" and an explicit null error.
  back = parse_ack(Json::parse(
      R"({"message":{"ack_status":"rcvd","timestamp":"t","error":null,"correlation_id":""}})"));
  EXPECT_EQ(back.status, AckStatus::kRcvd);
  EXPECT_FALSE(back.error_code);
  EXPECT_THROW(parse_ack(Json::parse(R"({"message":{"ack_status":"OK"}})")), core::Error);
}

TEST(DciEnvelope, MessageTimestamps) {
  EXPECT_EQ(format_message_ts(core::from_unix_seconds(1705314600)), "2024-01-15T10:30:00Z");
  EXPECT_EQ(format_message_ts(core::from_unix_us(1705314600000001)), "2024-01-15T10:30:00.000001Z");
  const std::pair<const char*, const char*> cases[] = {
      {"2023-07-19T12:15:04.555Z", "2023-07-19T12:15:04.555000Z"},
      {"2024-01-15T10:30:00.000Z", "2024-01-15T10:30:00Z"},
      {"2024-01-15T10:30:00.123456+00:00", "2024-01-15T10:30:00.123456Z"},
      {"2024-01-15t10:30:00-00:00", "2024-01-15T10:30:00Z"},
      {"2024-01-15 10:30+0530", "2024-01-15T10:30:00+05:30"},
      {"2024-01-15T10:30:00", "2024-01-15T10:30:00"},  // naive stays naive
      {"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(normalize_datetime(in), out) << in;
  for (const char* bad : {"", "2024-01-15", "2023-02-29T00:00:00Z", "2024-01-15T25:00:00Z",
                          "2024-01-15T10:30:00.1234567Z", "2024-01-15T10:30:00+5", "1705314600"}) {
    EXPECT_FALSE(normalize_datetime(bad)) << bad;
  }
}

TEST(DciEnvelope, NormalisedHeader) {
  auto norm = [](std::string_view header) {
    return normalized_header_canonical(*parse_json(header));
  };
  // The callback model when status validates; its extra fields with defaults.
  EXPECT_EQ(
      norm(R"({"message_id":"m","message_ts":"2024-01-15T10:30:00Z","action":"a",
      "sender_id":"s","receiver_id":"r","status":"succ","is_msg_encrypted":"no","total_count":2.0})"),
      R"({"action":"a","completed_count":0,"is_msg_encrypted":false,"message_id":"m","message_ts":"2024-01-15T10:30:00Z","meta":null,"receiver_id":"r","sender_id":"s","sender_uri":null,"status":"succ","status_reason_code":null,"status_reason_message":null,"total_count":2,"version":"1.0.0"})");
  // An invalid status: pydantic's union falls back to the request model, dropping it.
  auto request = norm(R"({"message_id":"m","message_ts":"2024-01-15T10:30:00Z","action":"a",
      "sender_id":"s","receiver_id":"r","status":"done"})");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->find("status"), std::string::npos);
  // What pydantic refuses has no normalised form.
  EXPECT_FALSE(norm(R"({"message_id":"m","message_ts":"2024-01-15T10:30:00Z","action":"a",
      "sender_id":"s"})"));  // receiver_id is required by OpenSPP's model
  EXPECT_FALSE(norm(R"({"message_id":"m","message_ts":"2024-01-15T10:30:00Z","action":"a",
      "sender_id":"s","receiver_id":"r","total_count":"1.5"})"));
  EXPECT_FALSE(norm(R"({"message_id":"m","message_ts":"2024-01-15T10:30:00Z","action":"a",
      "sender_id":"s","receiver_id":"r","meta":""})"));
  EXPECT_FALSE(norm(R"({"message_id":"m","message_ts":"2024-01-15T10:30:00Z","action":"a",
      "sender_id":"s","receiver_id":"r","is_msg_encrypted":null})"));
}

}  // namespace
}  // namespace registrar::dci
