#include "core/error.h"
#include "dci/sender_admin.h"

namespace registrar::dci {
namespace {

using http::Request;
using http::Response;
using Json = nlohmann::json;

std::string str(const Json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return "";
  if (!it->is_string()) throw core::invalid_argument(std::string(key) + " must be a string", key);
  return it->get<std::string>();
}

}  // namespace

void add_sender_admin_routes(http::Router& router, const std::string& base,
                             const std::string& scope, TrustedSenders& senders, SenderKeys& keys) {
  router
      .post(base,
            [&senders](Request& r) {
              Json body = r.json_body();
              if (!body.is_object()) throw core::invalid_argument("body must be an object");
              SenderInput in{str(body, "sender_id"),   str(body, "name"),
                             str(body, "public_key"),  str(body, "jwks_url"),
                             str(body, "algorithm"),   str(body, "notes"),
                             str(body, "callback_url")};
              return Response::json(201, sender_to_json(senders.add(in, r.actor(), r.request_id)));
            })
      .require_scopes({scope})
      .max_body(64 * 1024)
      .describe("Add or replace a trusted DCI sender");
  router
      .get(base,
           [&senders](Request&) {
             Json list = Json::array();
             for (const auto& s : senders.list()) list.push_back(sender_to_json(s));
             return Response::json(200, {{"senders", std::move(list)}});
           })
      .require_scopes({scope})
      .describe("List the trusted DCI senders");
  router
      .get(base + "/{sender_id}",
           [&senders](Request& r) {
             std::string id(r.param("sender_id"));
             auto sender = senders.find(id);
             if (!sender) throw core::not_found("no sender " + id);
             return Response::json(200, sender_to_json(*sender));
           })
      .require_scopes({scope})
      .describe("One trusted DCI sender, with the outcome of its last key fetch");
  router
      .post(base + "/{sender_id}/disable",
            [&senders](Request& r) {
              senders.disable(std::string(r.param("sender_id")), r.actor(), r.request_id);
              return Response::no_content();
            })
      .require_scopes({scope})
      .describe("Disable a trusted DCI sender (its requests are refused from now on)");
  router
      .post(base + "/{sender_id}/fetch-key",
            [&senders, &keys](Request& r) {
              std::string id(r.param("sender_id"));
              auto sender = senders.find(id);
              if (!sender) throw core::not_found("no sender " + id);
              // Blocks this worker for at most the module's jwks.timeout_ms; an operator's action.
              KeyFetch f = keys.fetch(*sender);
              senders.reload();  // the record now shows this fetch
              return Response::json(f.ok ? 200 : 502, key_fetch_to_json(*sender, f));
            })
      .require_scopes({scope})
      .describe("Fetch a sender's JWKS now and show the keys found (or why it failed)");
}

}  // namespace registrar::dci
