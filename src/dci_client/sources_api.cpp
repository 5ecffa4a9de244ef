#include "dci_client/sources_api.h"

#include "core/error.h"

namespace registrar::dci_client {

namespace {

using http::Request;
using http::Response;
using Json = nlohmann::json;

constexpr size_t kMaxBody = 64 * 1024;

std::string code_of(const Request& r) {
  return std::string(r.param("code"));
}

}  // namespace

void add_sources_routes(http::Router& router, DataSources& sources, const std::string& scope) {
  router
      .post("/v1/dci/sources",
            [&sources](Request& r) {
              SourceInput in = source_input_from_json(r.json_body());
              return Response::json(201,
                                    source_to_json(sources.create(in, r.actor(), r.request_id)));
            })
      .require_scopes({scope})
      .max_body(kMaxBody)
      .describe("Add a DCI data source (a registry this installation asks)");
  router
      .get("/v1/dci/sources",
           [&sources](Request&) {
             Json list = Json::array();
             for (const auto& d : sources.list()) list.push_back(source_to_json(d));
             return Response::json(200, {{"sources", std::move(list)}});
           })
      .require_scopes({scope})
      .describe("List the DCI data sources (secrets shown only as set or not)");
  router
      .get("/v1/dci/sources/{code}",
           [&sources](Request& r) {
             auto d = sources.find(code_of(r));
             if (!d) throw core::not_found("no data source " + code_of(r));
             return Response::json(200, source_to_json(*d));
           })
      .require_scopes({scope})
      .describe("One DCI data source");
  router
      .put("/v1/dci/sources/{code}",
           [&sources](Request& r) {
             SourceInput in = source_input_from_json(r.json_body());
             return Response::json(
                 200, source_to_json(sources.replace(code_of(r), in, r.actor(), r.request_id)));
           })
      .require_scopes({scope})
      .max_body(kMaxBody)
      .describe("Replace a DCI data source (secrets left out are kept)");
  router
      .post("/v1/dci/sources/{code}/state",
            [&sources](Request& r) {
              Json body = r.json_body();
              auto it = body.is_object() ? body.find("state") : body.end();
              if (it == body.end() || !it->is_string())
                throw core::invalid_argument("state is draft, testing, active or error", "state");
              auto state = parse_source_state(it->get<std::string>());
              if (!state)
                throw core::invalid_argument("state is draft, testing, active or error", "state");
              return Response::json(200, source_to_json(sources.set_state(
                                             code_of(r), *state, r.actor(), r.request_id)));
            })
      .require_scopes({scope})
      .max_body(4096)
      .describe("Set a DCI data source's connection state (draft, testing, active, error)");
  for (bool active : {true, false}) {
    router
        .post(std::string("/v1/dci/sources/{code}/") + (active ? "activate" : "deactivate"),
              [&sources, active](Request& r) {
                return Response::json(200, source_to_json(sources.set_active(
                                               code_of(r), active, r.actor(), r.request_id)));
              })
        .require_scopes({scope})
        .describe(active ? "Activate a DCI data source (requests are sent to it)"
                         : "Deactivate a DCI data source (no request is sent to it)");
  }
  router
      .del("/v1/dci/sources/{code}",
           [&sources](Request& r) {
             sources.remove(code_of(r), r.actor(), r.request_id);
             return Response::no_content();
           })
      .require_scopes({scope})
      .describe("Delete a DCI data source");
}

}  // namespace registrar::dci_client
