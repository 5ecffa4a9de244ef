#include "dci_client/callback_api.h"

#include "core/error.h"
#include "core/log.h"
#include "dci/envelope.h"
#include "dci/error_format.h"
#include "dci/signature_authenticator.h"

namespace registrar::dci_client {
namespace {

using http::Request;
using http::Response;
using Json = nlohmann::json;

// A callback carries one page of search results: the IBR's own page size bounds it.
constexpr size_t kCallbackMaxBody = 4 * 1024 * 1024;

// The envelope the authenticator parsed and verified, handed over on the request.
Json verified_message(Request& r) {
  dci::Envelope env = dci::take_verified_envelope(r);
  if (!env.message.is_object())
    throw core::invalid_argument("message must be an object", "message");
  return std::move(env.message);
}

Response ack(const core::Clock& clock, Json correlation_id, Json error) {
  Json message = {{"ack_status", "rcvd"},
                  {"timestamp", dci::format_message_ts(clock.now())},
                  {"error", std::move(error)},
                  {"correlation_id", std::move(correlation_id)}};
  return Response::json(200, {{"message", std::move(message)}});
}

}  // namespace

CallbackOutcome NoChecksSink::on_search(const std::string&, const Json& message) {
  CallbackOutcome out;
  auto it = message.find("correlation_id");
  std::string id = it != message.end() && it->is_string() ? it->get<std::string>() : "";
  out.note = id.empty() ? "the callback names no correlation_id"
                        : "no duplication check waits for correlation_id " + id;
  return out;
}

Json outcome_error(const CallbackOutcome& outcome) {
  if (outcome.changed) return nullptr;
  return {{"code", outcome.known ? "rjct.check.not_pending" : "rjct.correlation_id.unknown"},
          {"message", outcome.note}};
}

void add_callback_routes(http::Router& router, CallbackSink& sink, const core::Clock& clock,
                         const std::string& authenticator) {
  // OpenSPP mounts its callback router under the dci_api app, versioned or not (§12.13).
  for (const char* prefix : {"/dci_api/v1/ibr", "/dci_api/ibr"}) {
    router.set_error_format(prefix, dci::ack_error_format(clock));
    router
        .post(std::string(prefix) + "/on-search",
              [&sink, &clock](Request& r) {
                Json message = verified_message(r);
                const std::string& sender_id = r.principal->subject;
                CallbackOutcome out = sink.on_search(sender_id, message);
                // OpenSPP: `correlation_id or ""`.
                Json correlation = message.value("correlation_id", Json());
                if (correlation.is_null() || correlation == "") correlation = "";
                if (!out.changed)
                  log::warn("dci_client_callback_unmatched", {{"sender_id", sender_id},
                                                              {"correlation_id", correlation},
                                                              {"request_id", r.request_id},
                                                              {"note", out.note}});
                return ack(clock, std::move(correlation), outcome_error(out));
              })
        .authenticate_with(authenticator)
        .max_body(kCallbackMaxBody)
        .describe("DCI callback: an IBR's search results for one of our duplication checks");
    router
        .post(std::string(prefix) + "/on-subscribe",
              [&clock](Request& r) {
                Json message = verified_message(r);
                // OpenSPP: message.get("correlation_id", "") — a JSON null stays null.
                return ack(clock, message.value("correlation_id", Json("")), nullptr);
              })
        .authenticate_with(authenticator)
        .max_body(kCallbackMaxBody)
        .describe("DCI callback: an IBR's subscription answer (acknowledged, nothing changes)");
  }
}

}  // namespace registrar::dci_client
