#include "ibr/api.h"

#include "core/error.h"
#include "dci/envelope.h"
#include "dci/error_format.h"
#include "dci/sender_admin.h"
#include "dci/signature_authenticator.h"
#include "ibr/signature_auth.h"

namespace registrar::ibr {
namespace {

using http::Request;
using http::Response;
using Json = nlohmann::json;

// Enrollment updates carry whole households; searches are a few kilobytes.
constexpr size_t kUpdatesMaxBody = 8 * 1024 * 1024;
constexpr size_t kSearchMaxBody = 256 * 1024;

void add_registry_routes(http::Router& router, const std::string& prefix, IbrService& service,
                         const AnswerSigner& answers) {
  router
      .post(prefix + "/sync/enrollment/updates",
            [&service, &answers](Request& r) {
              // The spec's action is notify; its processflow1 sample says register.
              dci::Envelope env = request_envelope(r, {"notify", "register"});
              Json msg = service.apply_updates(env.message, r.principal->subject, r.request_id);
              int64_t n = int64_t(msg["enrolled_response"].size());
              return signed_json(answers.answer(env.common(), response_action(env.common().action),
                                                dci::RequestStatus::kSucc, msg, n, n));
            })
      .authenticate_with(kDciSignatureAuthenticator)
      .max_body(kUpdatesMaxBody)
      .describe("DCI: beneficiaries and their programme enrollments reported by a sender");
  // Both answer a SearchResponse in an on-search envelope.
  auto search_route = [&](const std::string& path, Json (IbrService::*answer)(const Json&),
                          const char* summary) {
    router
        .post(prefix + path,
              [&service, &answers, answer](Request& r) {
                dci::Envelope env = request_envelope(r, {"search"});
                Json msg = (service.*answer)(env.message);
                int64_t n = int64_t(msg["search_response"].size());
                return signed_json(answers.answer(env.common(), "on-search",
                                                  dci::RequestStatus::kSucc, msg, n, n));
              })
        .authenticate_with(kDciSignatureAuthenticator)
        .max_body(kSearchMaxBody)
        .describe(summary);
  };
  search_route("/sync/search", &IbrService::sync_search,
               "DCI: synchronous search of the registry (idtype-value)");
  search_route("/sync/enrolled", &IbrService::sync_enrolled,
               "DCI: the programmes a person is enrolled in, by identifier");
}

}  // namespace

Response signed_json(std::string body) {
  Response r;
  r.headers.set("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

// The envelope the authenticator parsed and verified, handed over on the request: the body is
// parsed once.
dci::Envelope request_envelope(Request& r, std::initializer_list<const char*> actions) {
  dci::Envelope env = dci::take_verified_envelope(r);
  const std::string& action = env.common().action;
  for (const char* a : actions)
    if (action == a) return env;
  throw core::invalid_argument("action " + action + " is not served here", "header.action");
}

void add_ibr_routes(http::Router& router, IbrService& service, AsyncOperations& async,
                    Senders& senders, SenderKeys& keys, const AnswerSigner& answers,
                    const core::Clock& clock) {
  router.set_tag("ibr");
  auto errors = dci::ack_error_format(clock);
  // The spec's paths, and the SPDCI IBR mock's /ibr copies (dci-ibr.md §1.3).
  for (const char* prefix : {"/registry", "/ibr"}) {
    router.set_error_format(prefix, errors);
    add_registry_routes(router, prefix, service, answers);
    add_async_routes(router, prefix, async);
  }
  dci::add_sender_admin_routes(router, "/v1/ibr/senders", service.settings().admin_scope, senders,
                               keys);
}

}  // namespace registrar::ibr
