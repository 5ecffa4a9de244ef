#include "intercoop/source_api.h"

#include "core/error.h"
#include "intercoop/continuation_page.h"

namespace registrar::intercoop {
namespace {

using http::Request;
using http::Response;
using Json = nlohmann::json;
// Answers keep the order of a member's fields and of what was sent (the consent page and the
// payload use it), which nlohmann::json's sorted objects would lose.
using Ordered = yaml::Value;

constexpr size_t kMaxBody = 64 * 1024;

Response ordered_json(int status, const Ordered& body) {
  return Response::text(status, body.dump(-1, ' ', false, Ordered::error_handler_t::replace),
                        "application/json");
}

Ordered member_json(const Member& m) {
  return {{"member", m.id},
          {"fields", m.fields},
          {"lang", m.lang},
          {"created", core::format_rfc3339(m.created)},
          {"updated", core::format_rfc3339(m.updated)}};
}

Ordered consent_json(const Consent& c) {
  Ordered j = {{"id", c.id},           {"member", c.member},
               {"peer", c.peer},       {"service", c.service},
               {"fields", c.fields},   {"url", c.url},
               {"version", c.version}, {"sent", core::format_rfc3339(c.sent)},
               {"outcome", c.outcome}, {"answer", c.answer}};
  j["answered"] = c.answered ? Ordered(core::format_rfc3339(*c.answered)) : Ordered(nullptr);
  return j;
}

Json object_body(const Request& r) {
  Json body = r.json_body();
  if (!body.is_object()) throw core::invalid_argument("the body must be a JSON object");
  return body;
}

std::string text_member(const Json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty())
    throw core::invalid_argument(std::string(key) + " is required (text)", key);
  return it->get<std::string>();
}

// A member acts only for themself: the token's subject (the audit actor, "iss|sub" for another
// issuer's token) must be the member. An admin token has no say here.
void require_self(const Request& r, const std::string& member) {
  if (r.actor() != member)
    throw core::Error(core::ErrorKind::kPermissionDenied,
                      "a member acts only for themself: the token's subject is not " + member,
                      "member");
}

// `?lang=`: the language of the texts shown ("" : the member's own). Two lowercase letters; a
// text without that language falls back as §4.2 says.
std::string lang_param(const Request& r) {
  auto lang = r.query_param("lang");
  if (!lang || lang->empty()) return "";
  bool ok = lang->size() == 2;
  for (char c : *lang) ok = ok && c >= 'a' && c <= 'z';
  if (!ok) throw core::invalid_argument("lang must be a two-letter language code (es)", "lang");
  return *lang;
}

Ordered catalogue_json(const CatalogueEntry& e) {
  Ordered services = Ordered::array();
  for (const auto& s : e.services)
    services.push_back({{"service", s.name},
                        {"title", s.title},
                        {"description", s.description},
                        {"fields", s.fields}});
  return {{"peer", e.peer},
          {"name", e.peer_name},
          {"description", e.description},
          {"url", e.url},
          {"logo", e.logo},
          {"privacy_policy_url", e.privacy_policy_url},
          {"version", e.version},
          {"services", std::move(services)}};
}

}  // namespace

void add_source_routes(http::Router& router, SourceSide& side, const std::string& admin_scope,
                       const std::string& member_scope) {
  router
      .get("/v1/intercoop/members",
           [&side](Request&) {
             Ordered list = Ordered::array();
             for (const auto& m : side.members()) list.push_back(member_json(m));
             return ordered_json(200, {{"members", std::move(list)}});
           })
      .require_scopes({admin_scope})
      .describe("List our intercoop members and their personal data");
  router
      .get("/v1/intercoop/members/{id}",
           [&side](Request& r) {
             auto m = side.member(std::string(r.param("id")));
             if (!m) throw core::not_found("no member " + std::string(r.param("id")));
             return ordered_json(200, member_json(*m));
           })
      .require_scopes({admin_scope})
      .describe("One intercoop member");
  router
      .put("/v1/intercoop/members/{id}",
           [&side](Request& r) {
             Json body = object_body(r);
             Member m;
             m.id = std::string(r.param("id"));
             // Read again in order (the checked body's objects are sorted).
             if (body.contains("fields")) m.fields = Ordered::parse(r.body)["fields"];
             if (auto l = body.find("lang"); l != body.end() && !l->is_null()) {
               if (!l->is_string()) throw core::invalid_argument("lang: es, ca or en", "lang");
               m.lang = l->get<std::string>();
             }
             bool added = side.put_member(m, r.actor(), r.request_id);
             return ordered_json(added ? 201 : 200, member_json(*side.member(m.id)));
           })
      .require_scopes({admin_scope})
      .max_body(kMaxBody)
      .describe("Add or replace an intercoop member ({fields: {name: value}, lang})");
  router
      .del("/v1/intercoop/members/{id}",
           [&side](Request& r) {
             side.delete_member(std::string(r.param("id")), r.actor(), r.request_id);
             return Response::no_content();
           })
      .require_scopes({admin_scope})
      .describe("Delete an intercoop member (their consent log stays)");

  router
      .post("/v1/intercoop/transfers",
            [&side](Request& r) {
              Json body = object_body(r);
              std::string member = text_member(body, "member");
              require_self(r, member);
              // The refusal's words: in ?lang=, else the member's language, else the browser's.
              SendResult sent =
                  side.send(member, text_member(body, "peer"), text_member(body, "service"),
                            r.actor(), r.request_id, lang_param(r),
                            page_language(nullptr, r.headers.get("Accept-Language").value_or("")));
              if (sent.answer.accepted)
                return Response::json(200, {{"consent", sent.consent.id},
                                            {"continuation_url", sent.answer.continuation_url}});
              // The target refused or could not be reached: the member reads `detail`.
              Json problem = {{"type", http::problem_type("target-refused")},
                              {"title", "The other organisation did not accept the data"},
                              {"status", 502},
                              {"detail", sent.words},
                              {"consent", sent.consent.id},
                              {"error", sent.answer.error},
                              {"message", sent.answer.message},
                              {"request_id", r.request_id}};
              Response resp = Response::json(502, problem);
              resp.headers.set("Content-Type", "application/problem+json");
              return resp;
            })
      .require_scopes({member_scope})
      .max_body(kMaxBody)
      .describe(
          "Send a member's data to a peer's service with their consent; a refusal's words in "
          "?lang=, else the member's language, else Accept-Language");
  router
      .get("/v1/intercoop/transfers/preview",
           [&side](Request& r) {
             auto member = r.query_param("member");
             auto peer = r.query_param("peer");
             auto service = r.query_param("service");
             if (!member || !peer || !service)
               throw core::invalid_argument("?member=&peer=&service= are required");
             require_self(r, *member);
             Preview v = side.preview(*member, *peer, *service, lang_param(r));
             return ordered_json(200, {{"member", v.member},
                                       {"peer", v.peer},
                                       {"peer_name", v.peer_name},
                                       {"service", v.service},
                                       {"title", v.title},
                                       {"description", v.description},
                                       {"privacy_policy_url", v.privacy_policy_url},
                                       {"fields", v.fields},
                                       {"url", v.url},
                                       {"version", v.version}});
           })
      .require_scopes({member_scope})
      .describe(
          "What a transfer would send (fields and values, in order) for the member's "
          "consent, texts in ?lang= or the member's language; sends nothing");
  router
      .get("/v1/intercoop/catalogue",
           [&side](Request& r) {
             auto member = r.query_param("member");
             if (!member || member->empty())
               throw core::invalid_argument("?member= is required", "member");
             require_self(r, *member);
             std::string lang = lang_param(r);
             Catalogue c = side.catalogue(*member, lang);
             Ordered peers = Ordered::array();
             for (const auto& e : c.peers) peers.push_back(catalogue_json(e));
             return ordered_json(
                 200, {{"member", *member}, {"lang", c.member_lang}, {"peers", std::move(peers)}});
           })
      .require_scopes({member_scope})
      .describe(
          "The peers and services a member can send their data to, texts in ?lang= or the "
          "member's language");
  router
      .get("/v1/intercoop/transfers",
           [&side](Request& r) {
             auto member = r.query_param("member");
             if (!member || member->empty())
               throw core::invalid_argument("?member= is required", "member");
             require_self(r, *member);
             Ordered list = Ordered::array();
             for (const auto& c : side.consents(*member)) list.push_back(consent_json(c));
             return ordered_json(200, {{"transfers", std::move(list)}});
           })
      .require_scopes({member_scope})
      .describe("A member's own consent log: what went to whom, when, and the answer");
}

}  // namespace registrar::intercoop
