// Shared pieces of the authz tests: SSNs and codes of the examples, event builders, and a
// fixture that runs a migrated AuthzService on one test backend.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "authz/service.h"
#include "authz/store.h"
#include "core/error.h"
#include "store/audit.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::authz::test {

inline const RoleVocabulary kRoles = RoleVocabulary::digitalt_dodsbo();
inline const std::string kProbate = kRoles.probate_certificate;
inline const std::string kAsset = "urn:domstolene:digitaltdodsbo:formuesfullmakt";
inline const std::string kIndividual = kRoles.individual_proxy;
inline const std::string kCollective = kRoles.collective_proxy;
inline const std::string kSuperadmin = kRoles.superadmin;

inline const std::string kEstate = "11111111111";
inline const std::string kA = "22222222211";
inline const std::string kB = "33333333311";
inline const std::string kC = "55555555511";
inline const std::string kX = "44444444411";

inline core::SystemTime at(const std::string& rfc3339) {
  return *core::parse_rfc3339(rfc3339);
}

// An EstateCaseUpdatedEvent payload with Person heirs {nin, role}.
inline Json case_payload(const std::vector<std::pair<std::string, std::string>>& heirs,
                         const std::string& status = "MOTTATT") {
  Json list = Json::array();
  for (const auto& [nin, role] : heirs)
    list.push_back({{"type", "Person"},
                    {"nin", nin},
                    {"role", role.empty() ? Json(nullptr) : Json(role)},
                    {"relation", "urn:digitaltdodsbo:arving:barn"},
                    {"probateCertificateRecipient", false},
                    {"signedDate", nullptr}});
  return {{"time", "2025-08-01T17:59:00+00:00"},
          {"caseId", "3f1c2d1e-0000-4000-8000-000000000001"},
          {"caseNumber", "abc123"},
          {"caseStatus", status},
          {"districtCourtName", "Oslo tingrett"},
          {"probateDeadline", "2025-10-01T00:00:00+00:00"},
          {"heirRolesV2", list}};
}

// A CloudEvent envelope; `data` is sent as a JSON string as the original's tests do.
inline Json envelope(std::string_view type, const std::string& subject, const std::string& time,
                     const Json& data, bool data_as_string = true) {
  Json e = {{"id", "evt-" + time},
            {"specversion", "1.0"},
            {"source", "https://platform.tt02.altinn.no/dd"},
            {"type", type},
            {"subject", subject},
            {"resource", "urn:altinn:resource:dd"}};
  if (!time.empty()) e["time"] = time;
  e["data"] = data_as_string && !data.is_null() ? Json(data.dump()) : data;
  return e;
}

inline Json case_event(const std::string& estate, const std::string& time,
                       const std::vector<std::pair<std::string, std::string>>& heirs,
                       const std::string& status = "MOTTATT",
                       std::string_view type = kCaseStatusUpdateValidated) {
  return envelope(type, "/person/" + estate, time, case_payload(heirs, status));
}

inline ProxyChange proxy(const std::string& heir, const std::string& recipient,
                         const std::string& estate = kEstate, const std::string& wrapper = "add") {
  return {estate, heir, recipient, kIndividual, wrapper};
}

class AuthzServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  AuthzServiceTest() : tdb_(GetParam()) {
    store::DatabaseOptions o;
    o.url = tdb_.url();
    o.pool_size = 8;
    o.busy_timeout = std::chrono::milliseconds(30'000);
    db_ = std::make_unique<store::Database>(o);
    store::migrate(*db_, {store::platform_schema(), {"authz", authz_migrations()}}, clock_);
    AuthzSettings settings;
    settings.event_secret = "s3cret-event-key";
    service_ = std::make_unique<AuthzService>(*db_, clock_, settings);
  }

  EventResult send(const Json& event) {
    return service_->ingest_event("s3cret-event-key", event.dump(), actor_);
  }

  // (recipient, role, heir or "") of every row of the estate, sorted.
  std::vector<std::tuple<std::string, std::string, std::string>> state(
      const std::string& estate = kEstate) {
    auto rows = db_->read([&](soci::session& s) { return db::load_estate(s, estate); });
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& r : rows) out.emplace_back(r.recipient, r.role, r.heir.value_or(""));
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<Assignment> rows(const std::string& estate = kEstate) {
    return db_->read([&](soci::session& s) { return db::load_estate(s, estate); });
  }

  testing::TestDatabase tdb_;
  core::ManualClock clock_{at("2026-01-15T12:00:00Z")};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<AuthzService> service_;
  Actor actor_{"test", "req-1"};
};

}  // namespace registrar::authz::test
