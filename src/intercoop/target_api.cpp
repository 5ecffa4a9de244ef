#include "intercoop/target_api.h"

#include "core/error.h"
#include "core/random.h"
#include "intercoop/continuation_page.h"
#include "intercoop/errors.h"
#include "intercoop/package.h"
#include "intercoop/target_store.h"
#include "intercoop/yaml_emit.h"
#include "store/audit.h"

namespace registrar::intercoop {
namespace {

using http::Request;
using http::Response;

constexpr size_t kMaxPackage = 64 * 1024;
// Every answer under /intercoop, success or error: exactly this, no charset (spec §4.6).
constexpr std::string_view kYaml = kErrorContentType;

Response yaml_response(int status, const yaml::Value& body) {
  return Response::text(status, yaml::dump(body), std::string(kYaml));
}

Response protocol_error(const ProtocolError& e, int status = 0) {
  return Response::text(status ? status : e.http_status(), error_body_yaml(e), std::string(kYaml));
}

// A refusal that is none of the protocol's classes (no such service, no route, body too large,
// a failure of ours): BadMessage's shape, so that a 1.0 client rebuilds an error it knows, with
// the platform's status.
Response bad_message(int status, const std::string& detail) {
  return protocol_error(ProtocolError(ErrorClass::kBadMessage, {detail}), status);
}

class YamlErrors final : public http::ErrorFormat {
 public:
  Response render(const http::Failure& f, const Request&, const http::Route*) const override {
    std::string detail = f.message;
    if (!f.field.empty()) detail += " (" + f.field + ")";
    return bad_message(f.status, detail);
  }
};

class Target {
 public:
  Target(store::Database& db, const core::Clock& clock, TargetSettings settings)
      : db_(db), clock_(clock), settings_(std::move(settings)) {}

  Response activate(const std::string& service_name, const Request& r) {
    auto service = active_service(service_name);
    if (!service) return bad_message(404, "unknown service '" + service_name + "'");
    try {
      // §3.1a steps 1-8; an inactive peer, one that does not accept 1.0 or has no usable key is
      // BadPeer (403), never the original's 500 (§7.5).
      ReceivedPackage package = receive_package(r.body, [this](std::string_view id) {
        auto peer = db_.read([&](soci::session& s) { return db::find_peer(s, std::string(id)); });
        if (!peer || !peer->active || !accepts_1_0(*peer))
          return std::optional<crypto::PublicKey>();
        return parse_peer_key(peer->public_key_pem);
      });
      // Step 9: the service's own rules.
      if (auto field = missing_field(package.values, *service))
        throw ProtocolError(ErrorClass::kMissingField, {*field});
      if (!peer_allowed(*service, package.origin_peer))
        throw ProtocolError(ErrorClass::kBadPeer, {package.origin_peer});
      Transfer t = store_transfer(package, service->name, r.request_id);
      yaml::Value answer = yaml::Value::object();
      answer["uuid"] = t.uuid;
      answer["continuationUrl"] = continuation_url(settings_.continuation_url, own_base(r), t.uuid);
      return yaml_response(200, answer);
    } catch (const ProtocolError& e) {
      return protocol_error(e);
    }
  }

  // §4.5: the data stored under a token, for the target's own service flow. Consumed tokens
  // still answer until they expire (the flow reads the data after the member arrived).
  Response stored(const std::string& service_name, const std::string& uuid) {
    ProtocolError none(ErrorClass::kNoSuchUuid, {uuid});
    if (!valid_token(uuid)) return protocol_error(none);
    auto t = db_.read([&](soci::session& s) { return db::find_transfer(s, uuid); });
    if (!t || t->service != service_name || t->expires <= clock_.now()) return protocol_error(none);
    return yaml_response(200, t->data);
  }

  // `consume` false (HEAD, which the router serves with this GET route): the status only, so
  // that a link checker's HEAD does not use up the member's token.
  Response continuation(const std::string& uuid, const std::string& request_id, bool consume) {
    if (!valid_token(uuid)) return html_page(404, not_found_page());
    enum class Outcome { kShown, kUnknown, kUsed };
    Transfer t;
    Outcome outcome = db_.write([&](soci::session& s) {
      core::SystemTime now = clock_.now();
      auto found = db::find_transfer(s, uuid);
      if (!found || found->expires <= now) return Outcome::kUnknown;
      if (!consume) return found->consumed ? Outcome::kUsed : Outcome::kShown;
      if (!db::consume_transfer(s, uuid, now)) return Outcome::kUsed;
      t = std::move(*found);
      store::append_audit(s,
                          {"intercoop:" + t.peer,
                           "intercoop.transfer.consume",
                           t.uuid,
                           request_id,
                           {{"peer", t.peer}, {"service", t.service}}},
                          now);
      return Outcome::kShown;
    });
    if (outcome == Outcome::kUnknown) return html_page(404, not_found_page());
    if (outcome == Outcome::kUsed) return html_page(410, used_page());
    if (!consume) return html_page(200, "");
    return html_page(200, transfer_page(t));
  }

  const std::string& default_service() const { return settings_.default_service; }

 private:
  static bool accepts_1_0(const Peer& p) {
    for (const auto& v : p.versions)
      if (v == kProtocolVersion) return true;
    return false;
  }

  std::optional<Service> active_service(const std::string& name) {
    if (!valid_service_name(name)) return std::nullopt;
    auto s = db_.read([&](soci::session& s) { return db::find_service(s, name); });
    if (!s || !s->active) return std::nullopt;
    return s;
  }

  // Durable before the answer: the transfer and its audit entry in one committed transaction.
  Transfer store_transfer(const ReceivedPackage& package, const std::string& service,
                          const std::string& request_id) {
    Transfer t;
    t.uuid = core::uuid_v4();
    t.peer = package.origin_peer;
    t.service = service;
    t.data = package.values;
    t.received = clock_.now();
    t.expires = t.received + settings_.token_ttl;
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& [key, value] : t.data.items()) fields.push_back(key);
    db_.write([&](soci::session& s) {
      db::insert_transfer(s, t);
      store::append_audit(s,
                          {"intercoop:" + t.peer,
                           "intercoop.transfer.receive",
                           t.uuid,
                           request_id,
                           {{"peer", t.peer}, {"service", service}, {"fields", fields}}},
                          t.received);
    });
    return t;
  }

  // Our own base URL as the client reached us, for the default continuation URL (behind a proxy
  // that terminates TLS, set intercoop.continuation_url instead).
  static std::string own_base(const Request& r) {
    auto host = r.headers.get("Host");
    return "http://" + std::string(host ? *host : "localhost");
  }

  static Response html_page(int status, std::string html) {
    Response res = Response::text(status, std::move(html), "text/html; charset=utf-8");
    // Personal data: kept out of caches and of the next site's Referer.
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("Referrer-Policy", "no-referrer");
    return res;
  }

  store::Database& db_;
  const core::Clock& clock_;
  TargetSettings settings_;
};

}  // namespace

void add_target_routes(http::Router& router, store::Database& db, const core::Clock& clock,
                       const TargetSettings& settings) {
  router.set_error_format("/intercoop", std::make_shared<YamlErrors>());
  auto target = std::make_shared<Target>(db, clock, settings);

  router
      .get("/intercoop/protocolVersion",
           [](Request&) {
             yaml::Value v = yaml::Value::object();
             v["protocolVersion"] = std::string(kProtocolVersion);
             return yaml_response(200, v);
           })
      .run_inline()
      .describe("The intercoop protocol version this target speaks ('1.0')");
  router
      .post("/intercoop/services/{service}/activateService",
            [target](Request& r) { return target->activate(std::string(r.param("service")), r); })
      .max_body(kMaxPackage)
      .describe("Receive a signed intercoop 1.0 package for a service");
  router
      .post("/intercoop/activateService",
            [target](Request& r) { return target->activate(target->default_service(), r); })
      .max_body(kMaxPackage)
      .describe("Receive a signed intercoop 1.0 package for the default service");
  router
      .get("/intercoop/services/{service}/activateService/{uuid}",
           [target](Request& r) {
             return target->stored(std::string(r.param("service")), std::string(r.param("uuid")));
           })
      .describe("The data received under a token (until it expires)");
  router
      .get("/intercoop/activateService/{uuid}",
           [target](Request& r) {
             return target->stored(target->default_service(), std::string(r.param("uuid")));
           })
      .describe("The data received under a token for the default service");
  router
      .get("/intercoop/continuation/{uuid}",
           [target](Request& r) {
             return target->continuation(std::string(r.param("uuid")), r.request_id,
                                         r.method != http::Method::kHead);
           })
      .describe("The member's landing page: shows the data that arrived, once");
}

}  // namespace registrar::intercoop
