// The async DCI routes (dci-ibr.md §1.1): each answers at once with the spec's ACK (HTTP 202, as
// OpenSPP's server) and leaves its signed callback in the outbox; sync/txn/status answers the
// signed txn-on-status envelope itself.
#include "ibr/api.h"
#include "ibr/signature_auth.h"

namespace registrar::ibr {

namespace {

using http::Request;
using http::Response;

constexpr size_t kAsyncMaxBody = 256 * 1024;

using Operation = dci::Ack (AsyncOperations::*)(const dci::Envelope&, const std::string&);

struct AsyncRoute {
  const char* path;
  const char* action;
  Operation operation;
  const char* summary;
};

const AsyncRoute kRoutes[] = {
    {"/search", "search", &AsyncOperations::search,
     "DCI: asynchronous search; the on-search callback goes to header.sender_uri"},
    {"/txn/status", "txn-status", &AsyncOperations::txn_status,
     "DCI: status of an async transaction and of its callbacks (txn-on-status callback)"},
    {"/subscribe", "subscribe", &AsyncOperations::subscribe,
     "DCI: subscribe to enrollment events about people matching a filter (on-subscribe)"},
    {"/unsubscribe", "unsubscribe", &AsyncOperations::unsubscribe,
     "DCI: end subscriptions (on-unsubscribe callback)"},
};

}  // namespace

void add_async_routes(http::Router& router, const std::string& prefix, AsyncOperations& async) {
  for (const auto& route : kRoutes) {
    router
        .post(prefix + route.path,
              [&async, route](Request& r) {
                dci::Envelope env = request_envelope(r, {route.action});
                dci::Ack ack = (async.*route.operation)(env, r.principal->subject);
                return Response::json(202, dci::ack_to_json(ack));
              })
        .authenticate_with(kDciSignatureAuthenticator)
        .max_body(kAsyncMaxBody)
        .describe(route.summary);
  }
  router
      .post(prefix + "/sync/txn/status",
            [&async](Request& r) {
              dci::Envelope env = request_envelope(r, {"txn-status"});
              return signed_json(async.sync_txn_status(env, r.principal->subject));
            })
      .authenticate_with(kDciSignatureAuthenticator)
      .max_body(kAsyncMaxBody)
      .describe("DCI: status of an async transaction, answered at once (txn-on-status)");
}

}  // namespace registrar::ibr
