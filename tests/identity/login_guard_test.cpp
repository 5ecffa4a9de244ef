#include "identity/login_guard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error.h"

namespace registrar::identity {
namespace {

using std::chrono::seconds;

ThrottleSettings three_strikes() {
  ThrottleSettings s;
  s.threshold = 3;
  s.window = seconds(600);
  s.first_lockout = seconds(2);
  s.max_lockout = seconds(30);
  s.max_tracked = 4;
  return s;
}

TEST(FailureThrottle, LocksAfterTheThresholdAndDoublesUpToTheCap) {
  core::ManualClock clock(core::SystemTime(std::chrono::seconds(1'800'000'000)));
  FailureThrottle t(clock, three_strikes());
  t.record_failure("user:a");
  t.record_failure("user:a");
  EXPECT_EQ(t.retry_after("user:a"), 0);
  t.record_failure("user:a");
  EXPECT_EQ(t.retry_after("user:a"), 2);
  t.record_failure("user:a");
  EXPECT_EQ(t.retry_after("user:a"), 4);
  for (int i = 0; i < 10; ++i) t.record_failure("user:a");
  EXPECT_EQ(t.retry_after("user:a"), 30);
  EXPECT_EQ(t.retry_after("user:b"), 0);  // keys are apart
  clock.advance(seconds(29));
  EXPECT_EQ(t.retry_after("user:a"), 1);
  clock.advance(seconds(1));
  EXPECT_EQ(t.retry_after("user:a"), 0);
}

TEST(FailureThrottle, ForgetsAfterTheWindowAndOnClear) {
  core::ManualClock clock(core::SystemTime(std::chrono::seconds(1'800'000'000)));
  FailureThrottle t(clock, three_strikes());
  t.record_failure("k");
  t.record_failure("k");
  clock.advance(seconds(601));
  t.record_failure("k");  // a new run: 1 failure, not 3
  EXPECT_EQ(t.retry_after("k"), 0);
  t.record_failure("k");
  t.record_failure("k");
  EXPECT_GT(t.retry_after("k"), 0);
  t.clear("k");
  EXPECT_EQ(t.retry_after("k"), 0);
}

TEST(FailureThrottle, AFullTableKeepsItsLockouts) {
  core::ManualClock clock(core::SystemTime(std::chrono::seconds(1'800'000'000)));
  FailureThrottle t(clock, three_strikes());
  for (int i = 0; i < 3; ++i) t.record_failure("locked");
  for (const char* k : {"a", "b", "c", "d", "e"}) t.record_failure(k);
  EXPECT_EQ(t.tracked(), 4u);             // "e" went untracked
  EXPECT_GT(t.retry_after("locked"), 0);  // and nothing was evicted to make room
  clock.advance(seconds(700));            // all expired: room again
  t.record_failure("e");
  EXPECT_EQ(t.tracked(), 1u);
}

TEST(HashSlots, RefusesAtOnceWhenNoWaitingIsAllowed) {
  HashSlots slots(1, 0, std::chrono::milliseconds(60'000));
  {
    HashSlots::Slot held = slots.acquire();
    try {
      HashSlots::Slot second = slots.acquire();
      ADD_FAILURE() << "a second check ran while the only slot was held";
    } catch (const core::Error& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::kUnavailable);
    }
  }
  HashSlots::Slot again = slots.acquire();  // freed with `held`
}

TEST(HashSlots, AWaiterRunsWhenTheSlotIsFreed) {
  HashSlots slots(1, 1, std::chrono::milliseconds(60'000));
  auto first = std::make_unique<HashSlots::Slot>(slots.acquire());
  std::atomic<bool> second_ran{false};
  std::thread waiter([&] {
    HashSlots::Slot s = slots.acquire();
    second_ran = true;
  });
  EXPECT_FALSE(second_ran);  // it cannot have run: the only slot is held
  first.reset();
  waiter.join();
  EXPECT_TRUE(second_ran);
}

TEST(HashSlots, AWaitThatRunsOutIsRefused) {
  HashSlots slots(1, 4, std::chrono::milliseconds(1));
  HashSlots::Slot held = slots.acquire();
  EXPECT_THROW(slots.acquire(), core::Error);
}

TEST(AddressOf, DropsThePort) {
  EXPECT_EQ(address_of("10.0.0.7:5123"), "10.0.0.7");
  EXPECT_EQ(address_of("[::1]:8080"), "::1");
  EXPECT_EQ(address_of("fe80::1"), "fe80::1");
  EXPECT_EQ(address_of(""), "");
}

}  // namespace
}  // namespace registrar::identity
