// A sync service on a real database (SQLite, or PostgreSQL when REGISTRAR_TEST_PG_URL is set)
// with two centres, A (holiday location LA) and B (LB), and one machine in each with a real
// signing key: what the cursor tests start from.
#pragma once

#include <gtest/gtest.h>

#include "core/clock.h"
#include "crypto/jws.h"
#include "store/migrations.h"
#include "support/databases.h"
#include "sync/cursor_pull.h"
#include "sync/machine_auth.h"
#include "sync/service.h"

namespace registrar::sync::testing {

class CursorFixture : public ::testing::TestWithParam<std::string> {
 protected:
  CursorFixture() : tdb_(GetParam()), db_(tdb_.options(4)), service_(db_, clock_, {}) {
    store::migrate(db_, {store::platform_schema(), {"sync", sync_migrations()}}, clock_);
    put("registration_center_types", {{"code", "T"}, {"name", "Type"}, {"langCode", "eng"}});
    for (const char* loc : {"LA", "LB"})
      put("locations", {{"code", loc}, {"name", loc}, {"hierarchyLevel", 1}, {"langCode", "eng"}});
    for (const auto& [centre, loc] : {std::pair{"A", "LA"}, std::pair{"B", "LB"}})
      put("registration_centers", {{"id", centre},
                                   {"name", centre},
                                   {"centerTypeCode", "T"},
                                   {"holidayLocationCode", loc},
                                   {"langCode", "eng"}});
    add_machine("mA", "A", enc_a_, sign_a_);
    add_machine("mB", "B", enc_b_, sign_b_);
  }

  void add_machine(const std::string& id, const std::string& centre, const crypto::PrivateKey& enc,
                   const crypto::PrivateKey& k) {
    put("machines", {{"id", id},
                     {"name", id},
                     {"publicKey", enc.public_key().to_pem()},
                     {"signPublicKey", k.public_key().to_pem()},
                     {"regCenterId", centre}});
  }
  WriteResult put(const std::string& entity, const Json& body,
                  std::optional<int64_t> expected = std::nullopt) {
    return service_.put(*find_entity(entity), body, "tester", expected);
  }
  MachineContext machine(const std::string& id) { return *service_.machine_by_id(id); }
  // A page of the machine's pull, as GET /v1/sync/pull answers it.
  Json pull(const std::string& machine_id, const std::string& cursor, int limit) {
    return pull_changes(machines_, machine_id, cursor, limit);
  }
  Json pull(const std::string& machine_id, int64_t cursor, int limit) {
    return pull(machine_id, std::to_string(cursor), limit);
  }
  std::string key_index(const crypto::PrivateKey& k) {
    return key_index_of(k.public_key().to_pem(), "key");
  }

  // A signed request as a machine sends it.
  http::Request signed_request(const crypto::PrivateKey& key, const std::string& method,
                               const std::string& target, const std::string& body,
                               Json overrides = Json::object(), std::string kid = "") {
    Json payload = {{"method", method},
                    {"path", target},
                    {"iat", core::to_unix_seconds(clock_.now())},
                    {"bodySha256", body_sha256_b64(body)}};
    payload.update(overrides);
    Json header = {{"kid", kid.empty() ? key_index(key) : kid}};
    http::Request r;
    r.method_text = method;
    r.method = http::parse_method(method);
    r.target = target;
    r.path = target.substr(0, target.find('?'));
    r.query = target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1);
    r.body = body;
    r.headers.set("Authorization",
                  "Machine " + crypto::sign_compact(payload.dump(), key,
                                                    crypto::default_alg(key.type()), header));
    return r;
  }

  registrar::testing::TestDatabase tdb_;
  core::ManualClock clock_{core::from_unix_seconds(1'800'000'000)};
  store::Database db_;
  SyncService service_;
  MachineCache machines_{service_};
  crypto::PrivateKey enc_a_ = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
  crypto::PrivateKey enc_b_ = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
  crypto::PrivateKey sign_a_ = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
  crypto::PrivateKey sign_b_ = crypto::PrivateKey::generate(crypto::KeyType::kEcP256);
};

}  // namespace registrar::sync::testing
