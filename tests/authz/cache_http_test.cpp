// The PIP cache over real HTTP with real `registrar serve` processes, on every backend: a local
// change is seen at once, a change made through another instance on the same database is seen
// within the poll bound, a cached answer has the bytes of an uncached instance's, and when the
// change feed cannot be read the PIP falls back to the database. Waits are deadline loops on
// observable state (responses, /metrics), never assertions on how fast something happened.
#include <gtest/gtest.h>

#include <thread>

#include "authz/http_fixture.h"
#include "store/database.h"

namespace registrar::authz::test {
namespace {

using namespace std::chrono_literals;
using testing::ProcessOptions;
using testing::RegistrarProcess;

// Polls `done` until it holds or the deadline passes; returns whether it held.
template <class F>
bool eventually(F&& done, std::chrono::seconds limit = 30s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

class CacheHttpTest : public ::testing::TestWithParam<std::string> {
 protected:
  CacheHttpTest() : db_(GetParam()) {}

  // An instance on the shared database; `master_key` from another instance lets its tokens work.
  std::unique_ptr<RegistrarProcess> start(const std::string& authz_config,
                                          const std::string& master_key = "") {
    ProcessOptions o;
    o.database_url = db_.url();
    o.extra_config = "[authz]\n" + authz_config + "\n";
    o.env["REGISTRAR_AUTHZ_EVENT_SECRET"] = kSecret;
    if (!master_key.empty()) o.env["REGISTRAR_IDENTITY_MASTER_KEY_FILE"] = master_key;
    return std::make_unique<RegistrarProcess>(o);
  }

  static std::string token(const RegistrarProcess& p) {
    return testing::issue_token(p.env(), "bank", "--scope " + std::string(kInternalScope));
  }

  http::Response post(const RegistrarProcess& p, const std::string& path, const Json& body) {
    http::Headers h;
    h.set("Authorization", "Bearer " + token_);
    return p.post(path, body.dump(), "application/json", h);
  }
  // The PIP's body (expecting 200).
  std::string pip(const RegistrarProcess& p, const std::string& estate = kEstate,
                  const std::optional<std::string>& to = std::nullopt) {
    Json body = {{"from", estate}};
    if (to) body["to"] = *to;
    auto r = post(p, kPip, body);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
  void event(const RegistrarProcess& p, const Json& e) {
    auto r = p.post(kEvents + "?auth=" + kSecret, e.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  }
  static Json change(const std::string& wrapper, const std::string& heir, const std::string& to) {
    return {{wrapper,
             {{"estateSsn", kEstate},
              {"heirSsn", heir},
              {"recipientSsn", to},
              {"urn:digitaltdodsbo:rolecode", kIndividual}}}};
  }
  void add(const RegistrarProcess& p, const std::string& heir, const std::string& to) {
    auto r = post(p, kProxiesAdd, change("add", heir, to));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  void remove(const RegistrarProcess& p, const std::string& heir, const std::string& to) {
    auto r = post(p, kProxiesRemove, change("remove", heir, to));
    ASSERT_EQ(r.status, 204) << r.body;
  }

  // A series of /metrics ("name" or "name{labels}"), or -1 when the process does not have it.
  static double metric(const RegistrarProcess& p, const std::string& series) {
    std::string text = p.get("/metrics").body;
    size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
  }
  static double hits(const RegistrarProcess& p) {
    return metric(p, "registrar_authz_pip_cache_hits_total");
  }
  // Repeats the lookup until one is answered from the cache (the first poll of the feed may not
  // have happened yet, or a late poll may have made the cache stale for a moment); returns that
  // answer.
  std::string cached_pip(const RegistrarProcess& p, const std::string& estate = kEstate,
                         const std::optional<std::string>& to = std::nullopt) {
    std::string body;
    bool hit = eventually([&] {
      double before = hits(p);
      body = pip(p, estate, to);
      return hits(p) > before;
    });
    EXPECT_TRUE(hit) << "the PIP never answered from its cache";
    return body;
  }

  // Changes the database behind registrar's back (as an operator with psql would).
  void sql(const std::string& statement) {
    store::DatabaseOptions o;
    o.url = db_.url();
    o.pool_size = 1;
    store::Database db(o);
    db.read([&](soci::session& s) { s << statement; });
  }

  testing::TestDatabase db_;
  std::string token_;
};

TEST_P(CacheHttpTest, ALocalChangeIsSeenAtOnce) {
  // The feed is polled once at start and then not for a minute: only the local eviction can
  // make the changes below visible.
  auto p = start("change_poll_ms = 60000");
  token_ = token(*p);
  event(*p, case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  std::string before = cached_pip(*p);
  EXPECT_EQ(before.find(kX), std::string::npos);

  add(*p, kA, kX);
  EXPECT_NE(pip(*p).find(kX), std::string::npos);
  EXPECT_EQ(cached_pip(*p), pip(*p));
  remove(*p, kA, kX);
  EXPECT_EQ(pip(*p), before);
  event(*p, case_event(kEstate, "2025-08-02T18:00:00Z", {{kA, kProbate}}, "FEILFORT"));
  EXPECT_EQ(pip(*p), "{\"roleAssignments\":[]}");
}

TEST_P(CacheHttpTest, AnotherInstancesChangeIsSeenWithinThePollBound) {
  // A answers every lookup from the database; B caches and follows the feed.
  auto a = start("pip_cache_estates = 0");
  auto b = start("change_poll_ms = 100", a->env().at("REGISTRAR_IDENTITY_MASTER_KEY_FILE"));
  token_ = token(*a);
  event(*a, case_event(kEstate, "2023-02-20T10:00:06.401416+00:00",
                       {{kA, kProbate}, {kB, kProbate}, {kC, kAsset}}));
  add(*a, kA, kX);
  add(*a, kB, kX);  // X holds the collective proxy too

  // Byte for byte what the uncached instance answers.
  EXPECT_EQ(cached_pip(*b), pip(*a));
  EXPECT_EQ(cached_pip(*b, "10000000001"), pip(*a, "10000000001"));
  for (const auto& to : {kA, kX, kC, std::string("99999999999")})
    EXPECT_EQ(cached_pip(*b, kEstate, to), pip(*a, kEstate, to)) << to;
  EXPECT_EQ(hits(*a), -1) << "cache disabled: no cache metrics";

  // Changes through A reach B's PIP through the feed.
  remove(*a, kB, kX);
  EXPECT_TRUE(eventually([&] { return pip(*b) == pip(*a); })) << pip(*b);
  EXPECT_EQ(pip(*b).find(kCollective), std::string::npos);
  event(*a, case_event(kEstate, "2025-08-02T18:00:00Z", {{kA, kProbate}}, "FEILFORT"));
  EXPECT_TRUE(eventually([&] { return pip(*b) == "{\"roleAssignments\":[]}"; })) << pip(*b);
}

TEST_P(CacheHttpTest, WhenTheFeedCannotBeReadThePipReadsTheDatabase) {
  auto p = start("change_poll_ms = 100");
  token_ = token(*p);
  event(*p, case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  std::string before = cached_pip(*p);
  EXPECT_EQ(metric(*p, "registrar_authz_pip_cache_fresh"), 1);

  // Polls fail; once the bound has passed, the cache stops answering.
  sql("ALTER TABLE authz_changes RENAME TO authz_changes_away");
  ASSERT_TRUE(eventually([&] { return metric(*p, "registrar_authz_pip_cache_fresh") == 0; }));
  EXPECT_GT(metric(*p, "registrar_authz_change_polls_failed_total"), 0);
  // A change the feed does not carry is then read from the database.
  sql("INSERT INTO authz_role_assignments (role_code, estate_ssn, heir_ssn, recipient_ssn, "
      "created_us, justification) VALUES ('" +
      kAsset + "', '" + kEstate + "', NULL, '" + kC + "', 0, 'direct')");
  std::string after = pip(*p);
  EXPECT_NE(after, before);
  EXPECT_NE(after.find(kC), std::string::npos);

  // Polls work again: the cache answers again, with what the database holds.
  sql("ALTER TABLE authz_changes_away RENAME TO authz_changes");
  ASSERT_TRUE(eventually([&] { return metric(*p, "registrar_authz_pip_cache_fresh") == 1; }));
  EXPECT_EQ(cached_pip(*p), after);
}

INSTANTIATE_TEST_SUITE_P(Backends, CacheHttpTest, ::testing::ValuesIn(testing::test_backends()));

}  // namespace
}  // namespace registrar::authz::test
