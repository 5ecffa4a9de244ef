// Concurrent proxy add/remove on one estate from several threads: whatever the interleaving, the
// final rows are a fixed point of the collective rule applied to the final individual grants.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "authz/authz_fixture.h"

namespace registrar::authz::test {
namespace {

class ConcurrencyTest : public AuthzServiceTest {};

TEST_P(ConcurrencyTest, ConcurrentAddRemoveEndsInTheDerivedState) {
  const std::vector<std::string> heirs{kA, kB, kC};
  const std::vector<std::string> recipients{kA, kB, kC, kX, "66666666666"};
  send(case_event(kEstate, "2025-08-01T18:00:00Z",
                  {{kA, kProbate}, {kB, kProbate}, {kC, kProbate}}));
  constexpr int kThreads = 4, kOps = 40;
  std::atomic<int> unexpected{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1234 + t);
      for (int i = 0; i < kOps; ++i) {
        const std::string& heir = heirs[rng() % heirs.size()];
        const std::string& to = recipients[rng() % recipients.size()];
        Actor actor{"thread-" + std::to_string(t), ""};
        try {
          if (rng() % 3 == 0)
            service_->remove_proxy(proxy(heir, to, kEstate, "remove"), actor);
          else
            service_->add_proxy(proxy(heir, to), actor);
        } catch (const core::Error& e) {
          if (e.kind() == core::ErrorKind::kConflict)
            conflicts++;
          else
            unexpected++, ADD_FAILURE() << e.what();
        } catch (const std::exception& e) {
          unexpected++;
          ADD_FAILURE() << e.what();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(unexpected, 0);
  auto final_rows = rows();
  CollectivePlan plan = plan_collective(final_rows, kRoles);
  EXPECT_TRUE(plan.empty()) << plan.grant_collective.size() << " to grant, "
                            << plan.revoke_collective.size() << " to revoke";
  // Exactly the eligible recipients hold the collective proxy, once each.
  std::vector<std::string> holders, eligible;
  for (const auto& r : final_rows)
    if (r.role == kCollective) holders.push_back(r.recipient);
  for (const auto& e : plan.eligible) eligible.push_back(e.recipient);
  std::sort(holders.begin(), holders.end());
  EXPECT_EQ(holders, eligible);
  // The audit log replays to the same rows: every grant and revoke was recorded.
  auto audit =
      db_->read([](soci::session& s) { return store::read_audit(s, "estate/" + kEstate, 100000); });
  long grants = 0, revokes = 0;
  for (const auto& a : audit) (a.action == "authz.role.grant" ? grants : revokes)++;
  EXPECT_EQ(grants - revokes, long(final_rows.size()));
  RecordProperty("conflicts", conflicts.load());
}

TEST_P(ConcurrencyTest, ConcurrentEventsAndProxyChangesStayConsistent) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  std::atomic<int> unexpected{0};
  std::thread events([&] {
    for (int i = 0; i < 20; ++i) {
      char time[32];
      std::snprintf(time, sizeof time, "2025-08-02T10:%02d:00Z", i);
      auto heirs =
          i % 2 ? std::vector<std::pair<std::string, std::string>>{{kA, kProbate}}
                : std::vector<std::pair<std::string, std::string>>{{kA, kProbate}, {kB, kProbate}};
      try {
        send(case_event(kEstate, time, heirs));
      } catch (const std::exception& e) {
        unexpected++;
        ADD_FAILURE() << e.what();
      }
    }
  });
  std::thread proxies([&] {
    for (int i = 0; i < 40; ++i) {
      try {
        service_->add_proxy(proxy(i % 2 ? kA : kB, kX), actor_);
      } catch (const core::Error&) {
        // conflict, or B without probate at that moment: both fine
      } catch (const std::exception& e) {
        unexpected++;
        ADD_FAILURE() << e.what();
      }
    }
  });
  events.join();
  proxies.join();
  EXPECT_EQ(unexpected, 0);
  EXPECT_TRUE(plan_collective(rows(), kRoles).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ConcurrencyTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::authz::test
