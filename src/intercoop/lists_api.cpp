#include "intercoop/lists_api.h"

#include <cstdint>

#include "core/error.h"
#include "intercoop/source_store.h"
#include "intercoop/target_store.h"

namespace registrar::intercoop {
namespace {

using http::Request;
using http::Response;
using Json = nlohmann::json;

// The refusal's error class from a target's stored answer; "" when there is none or it is not a
// string (the answer comes from the peer: anything may be in it).
std::string error_class(const Json& answer) {
  if (!answer.is_object()) return "";
  auto e = answer.find("error");
  return e != answer.end() && e->is_string() ? e->get<std::string>() : "";
}

constexpr int kMaxPage = 200;

// A filter value: at most 255 characters (the longest id stored).
std::string filter_param(const Request& r, std::string_view name) {
  auto v = r.query_param(name);
  if (!v) return {};
  if (v->size() > 255)
    throw core::invalid_argument(std::string(name) + " must be at most 255 characters",
                                 std::string(name));
  return *v;
}

std::optional<PageCursor> before_param(const Request& r) {
  auto v = r.query_param("before");
  if (!v || v->empty()) return std::nullopt;
  auto c = parse_cursor(*v);
  if (!c) throw core::invalid_argument("before must be a next_before of an earlier page", "before");
  return c;
}

Json names_of(const yaml::Value& fields) {
  Json out = Json::array();
  if (fields.is_object())
    for (const auto& [name, value] : fields.items()) out.push_back(name);
  return out;
}

Json optional_time(const std::optional<core::SystemTime>& t) {
  return t ? Json(core::format_rfc3339(*t)) : Json(nullptr);
}

// The next page's `before`: there may be more when this page is full.
template <typename Row, typename CursorOf>
Json next_before(const std::vector<Row>& rows, int limit, CursorOf cursor_of) {
  return int(rows.size()) == limit ? Json(format_cursor(cursor_of(rows.back()))) : Json(nullptr);
}

}  // namespace

void add_list_routes(http::Router& router, store::Database& db, const std::string& admin_scope) {
  router
      .get("/v1/intercoop/transfers/received",
           [&db](Request& r) {
             TransferQuery q;
             q.peer = filter_param(r, "peer");
             q.service = filter_param(r, "service");
             q.before = before_param(r);
             q.limit = int(r.integer_query_param("limit", 1, kMaxPage, 50));
             auto rows = db.read([&](soci::session& s) { return db::received_transfers(s, q); });
             Json list = Json::array();
             for (const auto& t : rows)
               list.push_back({{"uuid", t.uuid},
                               {"peer", t.peer},
                               {"service", t.service},
                               {"fields", names_of(t.data)},
                               {"received", core::format_rfc3339(t.received)},
                               {"expires", core::format_rfc3339(t.expires)},
                               {"consumed", optional_time(t.consumed)}});
             return Response::json(
                 200, {{"transfers", std::move(list)},
                       {"next_before", next_before(rows, q.limit, [](const Transfer& t) {
                          return PageCursor{core::to_unix_us(t.received), t.uuid};
                        })}});
           })
      .require_scopes({admin_scope})
      .describe(
          "Transfers this target received, newest first, paged (?peer, ?service, ?before, "
          "?limit): field names, not values");
  router
      .get("/v1/intercoop/consents",
           [&db](Request& r) {
             ConsentQuery q;
             q.member = filter_param(r, "member");
             q.peer = filter_param(r, "peer");
             q.before = before_param(r);
             q.limit = int(r.integer_query_param("limit", 1, kMaxPage, 50));
             auto rows = db.read([&](soci::session& s) { return db::consents_page(s, q); });
             Json list = Json::array();
             for (const auto& c : rows) {
               Json answer = Json::parse(c.answer.dump());
               list.push_back({{"id", c.id},
                               {"member", c.member},
                               {"peer", c.peer},
                               {"service", c.service},
                               {"fields", names_of(c.fields)},
                               {"version", c.version},
                               {"sent", core::format_rfc3339(c.sent)},
                               {"outcome", c.outcome},
                               {"error", error_class(answer)},
                               {"answered", optional_time(c.answered)}});
             }
             return Response::json(
                 200, {{"consents", std::move(list)},
                       {"next_before", next_before(rows, q.limit, [](const Consent& c) {
                          return PageCursor{core::to_unix_us(c.sent), c.id};
                        })}});
           })
      .require_scopes({admin_scope})
      .describe(
          "Every member's consent log for operators, newest first, paged (?member, ?peer, "
          "?before, ?limit): field names, not values");
}

}  // namespace registrar::intercoop
