#include "core/clock.h"

#include <gtest/gtest.h>

namespace registrar::core {
namespace {

using namespace std::chrono;

TEST(Rfc3339, FormatsUtc) {
  SystemTime t{seconds(1'700'000'000) + milliseconds(42)};
  EXPECT_EQ(format_rfc3339(t), "2023-11-14T22:13:20Z");
  EXPECT_EQ(format_rfc3339(t, true), "2023-11-14T22:13:20.042Z");
}

TEST(Rfc3339, ParsesZuluOffsetsAndFractions) {
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20Z"), SystemTime(seconds(1'700'000'000)));
  EXPECT_EQ(parse_rfc3339("2023-11-14T23:13:20+01:00"), SystemTime(seconds(1'700'000'000)));
  EXPECT_EQ(parse_rfc3339("2023-11-14T21:13:20-01:00"), SystemTime(seconds(1'700'000'000)));
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.5Z"),
            SystemTime(seconds(1'700'000'000) + milliseconds(500)));
}

TEST(Rfc3339, RejectsMalformed) {
  for (const char* bad : {"", "2023-11-14", "2023-11-14T22:13:20", "2023-13-01T00:00:00Z",
                          "2023-02-30T00:00:00Z", "2023-11-14T22:13:20.Z", "2023-11-14T25:00:00Z",
                          "2023-11-14T22:13:20Zjunk", "2023-11-14T22:13:20+0100"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

TEST(Rfc3339, RoundTrips) {
  for (int64_t s = 0; s < 4'000'000'000; s += 123'456'789) {
    SystemTime t{seconds(s)};
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t);
  }
}

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock clock(SystemTime(seconds(100)));
  EXPECT_EQ(clock.now_seconds(), 100);
  clock.advance(seconds(5));
  EXPECT_EQ(clock.now_seconds(), 105);
  clock.set(SystemTime(seconds(7)));
  EXPECT_EQ(clock.now_seconds(), 7);
}

}  // namespace
}  // namespace registrar::core
