#include "intercoop/target_api.h"

#include "core/error.h"
#include "core/random.h"
#include "intercoop/continuation_page.h"
#include "intercoop/errors.h"
#include "intercoop/package.h"
#include "intercoop/receiver.h"
#include "intercoop/target_responses.h"
#include "intercoop/target_store.h"
#include "store/audit.h"

namespace registrar::intercoop {
namespace {

using http::Request;
using http::Response;

constexpr size_t kMaxPackage = 64 * 1024;

class YamlErrors final : public http::ErrorFormat {
 public:
  std::string name() const override { return "intercoop-yaml"; }
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
  // The pages speak the member's language: the transfer's `lang` when it has one, else the
  // browser's Accept-Language (`accept_language`).
  Response continuation(const std::string& uuid, const std::string& request_id, bool consume,
                        std::string_view accept_language) {
    std::string lang = page_language(nullptr, accept_language);
    if (!valid_token(uuid)) return html_page(404, not_found_page(lang));
    enum class Outcome { kShown, kUnknown, kUsed };
    Transfer t;
    Outcome outcome = db_.write([&](soci::session& s) {
      core::SystemTime now = clock_.now();
      auto found = db::find_transfer(s, uuid);
      if (!found || found->expires <= now) return Outcome::kUnknown;
      lang = page_language(&found->data, accept_language);
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
    if (outcome == Outcome::kUnknown) return html_page(404, not_found_page(lang));
    if (outcome == Outcome::kUsed) return html_page(410, used_page(lang));
    if (!consume) return html_page(200, "");
    return html_page(200, transfer_page(t, lang));
  }

  const std::string& default_service() const { return settings_.default_service; }

  // Our own base URL as the client reached us, for the default continuation URL (behind a proxy
  // that terminates TLS, set intercoop.continuation_url instead).
  static std::string own_base(const Request& r) {
    auto host = r.headers.get("Host");
    return "http://" + std::string(host ? *host : "localhost");
  }

  // The package, queued for the receiver's next batch (receiver.h).
  static void activate(Receiver& receiver, std::string service, bool by_default, Request& r,
                       http::Responder done) {
    receiver.submit(
        {std::move(service), r.body, r.request_id, own_base(r), std::move(done), by_default});
  }

 private:
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
                       const TargetSettings& settings, Receiver& receiver) {
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
      .add_async(http::Method::kPost, "/intercoop/services/{service}/activateService",
                 [&receiver](Request& r, http::Responder done) {
                   Target::activate(receiver, std::string(r.param("service")), false, r,
                                    std::move(done));
                 })
      .max_body(kMaxPackage)
      .describe("Receive a signed intercoop 1.0 or 2.0 package for a service");
  router
      .add_async(http::Method::kPost, "/intercoop/activateService",
                 [&receiver, target](Request& r, http::Responder done) {
                   Target::activate(receiver, target->default_service(), true, r, std::move(done));
                 })
      .max_body(kMaxPackage)
      .describe(
          "Receive a signed intercoop 1.0 package for the default service, or a 2.0 "
          "package for the service it names");
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
                                         r.method != http::Method::kHead,
                                         r.headers.get("Accept-Language").value_or(""));
           })
      .describe("The member's landing page: shows the data that arrived, once");
}

}  // namespace registrar::intercoop
