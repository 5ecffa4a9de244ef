// The pull at the head against the machine cache (docs/sync.md, "Pull at the head"), on real
// databases: an up-to-date client's pull is one statement (counted by a SOCI logger on every
// pooled session), and a machine deleted, deactivated, moved or given a new signing key after it
// was cached takes effect at its very next pull.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "core/error.h"
#include "cursor_fixture.h"
#include "http/router.h"
#include "sync/cursor_pull.h"

namespace registrar::sync {
namespace {

// Counts the statements of every session it is set on.
class CountingLogger final : public soci::logger_impl {
 public:
  explicit CountingLogger(std::shared_ptr<std::atomic<int>> n) : n_(std::move(n)) {}
  void start_query(const std::string&) override { ++*n_; }

 private:
  logger_impl* do_clone() const override { return new CountingLogger(n_); }
  std::shared_ptr<std::atomic<int>> n_;
};

class MachineCacheTest : public testing::CursorFixture {
 protected:
  MachineCacheTest() {
    // Every pooled session at once, so that each gets the logger.
    std::vector<store::Database::Lease> leases;
    for (size_t i = 0; i < db_.pool_size(); ++i) leases.push_back(db_.acquire());
    for (auto& l : leases) l->set_logger(new CountingLogger(statements_));
  }
  // Statements run by f.
  template <class F>
  int count(F&& f) {
    int before = *statements_;
    f();
    return *statements_ - before;
  }
  Json machine_body(const std::string& id) {
    auto row = *db_.read([&](soci::session& s) { return db::find_row(s, "machines", id, ""); });
    return Json::parse(row.data);
  }
  // The pull's refusal, "" when it answered.
  std::string refusal(const std::string& cursor) {
    try {
      pull("mA", cursor, 10);
      return "";
    } catch (const core::Error& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::kUnauthenticated);
      return e.what();
    }
  }
  // Pulls to the end; returns the cursor.
  std::string pull_all(std::string cursor) {
    for (;;) {
      Json page = pull("mA", cursor, 1000);
      cursor = page["cursor"];
      if (!page["more"].get<bool>()) return cursor;
    }
  }

  std::shared_ptr<std::atomic<int>> statements_ = std::make_shared<std::atomic<int>>(0);
};

TEST_P(MachineCacheTest, APullAtTheHeadIsOneStatement) {
  std::string cursor = pull_all("0");  // the first pull reads the machine and records its scopes
  EXPECT_EQ(count([&] { pull("mA", cursor, 500); }), 1);
  EXPECT_EQ(count([&] { pull("mA", cursor, 500); }), 1);
  // A change elsewhere (another centre) does not invalidate the entry.
  put("users", {{"id", "uB"}, {"name", "n"}, {"regCenterId", "B"}});
  EXPECT_EQ(count([&] { pull("mA", cursor, 500); }), 1);
  // A change of its centre does: the entry is read again, and the page read once more.
  put("registration_centers", {{"id", "A"},
                               {"name", "A renamed"},
                               {"centerTypeCode", "T"},
                               {"holidayLocationCode", "LA"},
                               {"langCode", "eng"}});
  EXPECT_GT(count([&] { pull("mA", cursor, 500); }), 1);
  cursor = pull_all(cursor);
  EXPECT_EQ(count([&] { pull("mA", cursor, 500); }), 1);
  EXPECT_EQ(machines_.size(), 1u);
}

TEST_P(MachineCacheTest, ADeletedOrDeactivatedMachineIsRefusedAtItsNextPull) {
  std::string cursor = pull_all("0");
  Json body = machine_body("mA");
  body["isActive"] = false;
  put("machines", body);
  EXPECT_EQ(refusal(cursor), "the machine is not active");
  body["isActive"] = true;
  put("machines", body);
  EXPECT_EQ(refusal(cursor), "");
  service_.remove(*find_entity("machines"), "mA", "", "tester");
  EXPECT_EQ(refusal(cursor), "the machine is deleted");
}

TEST_P(MachineCacheTest, AGetIsAuthenticatedAgainstTheCacheAndThePullChecksIt) {
  std::string cursor = pull_all("0");
  MachineAuthenticator auth(machines_, 300);
  http::Route route;
  auto get = signed_request(sign_a_, "GET", "/v1/sync/pull?cursor=" + cursor, "");
  EXPECT_FALSE(auth.authenticate(get, route));
  service_.remove(*find_entity("machines"), "mA", "", "tester");
  // The cached entry still authenticates a GET (no statement), the pull refuses it...
  auto again = signed_request(sign_a_, "GET", "/v1/sync/pull?cursor=" + cursor, "");
  EXPECT_EQ(count([&] { EXPECT_FALSE(auth.authenticate(again, route)); }), 0);
  EXPECT_EQ(refusal(cursor), "the machine is deleted");
  // ...which refreshed the entry: now the authenticator refuses too.
  auto third = signed_request(sign_a_, "GET", "/v1/sync/pull?cursor=" + cursor, "");
  auto f = auth.authenticate(third, route);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message, "the machine is deleted");
  // A push reads the machine from the database whatever the cache holds.
  auto post = signed_request(sign_b_, "POST", "/v1/sync/push", R"({"changes":[]})");
  EXPECT_GT(count([&] { EXPECT_FALSE(auth.authenticate(post, route)); }), 0);
}

TEST_P(MachineCacheTest, ANewSigningKeyRefusesTheRequestSignedUnderTheOld) {
  std::string cursor = pull_all("0");
  auto next_key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  Json body = machine_body("mA");
  body["signPublicKey"] = next_key.public_key().to_pem();
  put("machines", body);
  EXPECT_EQ(refusal(cursor), "the machine's signing key changed; sign the request again");
  // Signed again with the new key, through the same cache.
  MachineAuthenticator auth(machines_, 300);
  http::Route route;
  auto r = signed_request(next_key, "GET", "/v1/sync/pull?cursor=" + cursor, "");
  EXPECT_FALSE(auth.authenticate(r, route));
  EXPECT_EQ(refusal(cursor), "");
  auto old = signed_request(sign_a_, "GET", "/v1/sync/pull?cursor=" + cursor, "");
  EXPECT_TRUE(auth.authenticate(old, route));
}

TEST_P(MachineCacheTest, AMoveTakesEffectAtTheNextPull) {
  std::string cursor = pull_all("0");
  EXPECT_EQ(pull("mA", cursor, 10)["scopes"], Json({"", "m:mA", "c:A", "l:LA"}));
  Json body = machine_body("mA");
  body["regCenterId"] = "B";
  put("machines", body);
  Json page = pull("mA", cursor, 10);
  EXPECT_EQ(page["scopes"], Json({"", "m:mA", "c:B", "l:LB"}));
  // The whole catch-up in one page: A's centre row departs, B's arrives, and the changes after
  // the switch follow.
  std::vector<std::string> centres;
  for (const auto& c : page["changes"])
    if (c["entity"] == "registration_centers")
      centres.push_back(c["op"].get<std::string>() + " " + c["id"].get<std::string>());
  EXPECT_EQ(centres, (std::vector<std::string>{"depart A", "upsert B"}));
  EXPECT_EQ(page["more"], true);
}

INSTANTIATE_TEST_SUITE_P(Backends, MachineCacheTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::sync
