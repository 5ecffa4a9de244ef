// The authz routes over real HTTP: a `registrar serve` process on one test backend with an event
// secret, bearer tokens issued by its CLI, and helpers that call the routes and read the estate's
// state back through them.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <tuple>

#include "authz/authz_fixture.h"
#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar::authz::test {

inline const std::string kSecret = "ev3nt-s3cret";
inline const std::string kInternalScope = "altinn:dd:internal";
inline const std::string kLookupScope = "altinn:dd:authlookup";

inline const std::string kPip = "/api/v1/pip";
inline const std::string kRolesSearch = "/api/v1/authorization/roles/search";
inline const std::string kProxiesSearch = "/api/v1/authorization/proxies/search";
inline const std::string kProxiesAdd = "/api/v1/authorization/proxies/add";
inline const std::string kProxiesRemove = "/api/v1/authorization/proxies/remove";
inline const std::string kEvents = "/api/v1/eventhandler";

// (recipient, role, heir or "")
using Row = std::tuple<std::string, std::string, std::string>;
using State = std::set<Row>;

class AuthzHttpTest : public ::testing::TestWithParam<std::string> {
 protected:
  AuthzHttpTest() : db_(GetParam()) {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    o.env["REGISTRAR_AUTHZ_EVENT_SECRET"] = kSecret;
    p_ = std::make_unique<testing::RegistrarProcess>(o);
    internal_ = token(kInternalScope);
    lookup_ = token(kLookupScope);
  }

  std::string token(const std::string& scope, const std::string& client = "bank") {
    return testing::issue_token(p_->env(), client, "--scope " + scope);
  }

  http::Response call(const std::string& path, const std::string& body, const std::string& bearer) {
    http::Headers h;
    if (!bearer.empty()) h.set("Authorization", "Bearer " + bearer);
    return p_->post(path, body, "application/json", h);
  }
  http::Response call(const std::string& path, const Json& body, const std::string& bearer) {
    return call(path, body.dump(), bearer);
  }
  http::Response event(const Json& e, const std::string& secret = kSecret) {
    return p_->post(kEvents + "?auth=" + secret, e.dump());
  }
  // Sends the event and expects 200.
  void send(const Json& e) {
    auto r = event(e);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  static Json change(const std::string& wrapper, const std::string& heir,
                     const std::string& recipient, const std::string& estate = kEstate,
                     const std::string& role = kIndividual) {
    return {{wrapper,
             {{"estateSsn", estate},
              {"heirSsn", heir},
              {"recipientSsn", recipient},
              {"urn:digitaltdodsbo:rolecode", role},
              {"created", "2023-02-20T10:00:06.401416+00:00"}}}};
  }
  http::Response add(const std::string& heir, const std::string& recipient,
                     const std::string& estate = kEstate) {
    return call(kProxiesAdd, change("add", heir, recipient, estate), internal_);
  }
  http::Response remove(const std::string& heir, const std::string& recipient,
                        const std::string& estate = kEstate) {
    return call(kProxiesRemove, change("remove", heir, recipient, estate), internal_);
  }

  // Every row of the estate: the PIP for recipients and roles, proxies/search for the heirs.
  State state(const std::string& estate = kEstate) {
    State out;
    auto pip = call(kPip, Json{{"from", estate}}, internal_);
    EXPECT_EQ(pip.status, 200) << pip.body;
    Json pip_rows = Json::parse(pip.body)["roleAssignments"];
    for (const auto& r : pip_rows)
      if (!kRoles.is_proxy_role(r["urn:digitaltdodsbo:rolecode"].get<std::string>()))
        out.emplace(r["to"], r["urn:digitaltdodsbo:rolecode"], "");
    auto proxies = call(kProxiesSearch, Json{{"estateSsn", estate}}, lookup_);
    EXPECT_EQ(proxies.status, 200) << proxies.body;
    Json proxy_rows = Json::parse(proxies.body)["proxyAssignments"];
    for (const auto& r : proxy_rows)
      out.emplace(r["recipientSsn"], r["urn:digitaltdodsbo:rolecode"],
                  r["heirSsn"].is_null() ? "" : r["heirSsn"].get<std::string>());
    return out;
  }

  // The problem body of an error response, checking status and field.
  static Json problem(const http::Response& r, int status, const std::string& field) {
    EXPECT_EQ(r.status, status) << r.body;
    Json p = r.body.empty() ? Json::object() : Json::parse(r.body);
    EXPECT_EQ(p.value("field", ""), field) << r.body;
    return p;
  }

  testing::TestDatabase db_;
  std::unique_ptr<testing::RegistrarProcess> p_;
  std::string internal_;
  std::string lookup_;
};

}  // namespace registrar::authz::test
