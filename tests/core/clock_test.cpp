#include "core/clock.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace registrar::core {
namespace {

using namespace std::chrono;

TEST(Rfc3339, FormatsUtc) {
  SystemTime t{seconds(1'700'000'000) + milliseconds(42)};
  EXPECT_EQ(format_rfc3339(t), "2023-11-14T22:13:20Z");
  EXPECT_EQ(format_rfc3339(t, true), "2023-11-14T22:13:20.042Z");
}

// The formatter computes the calendar itself; gmtime_r + snprintf is the reference, over leap
// days, century years, the epoch, times before it and random instants across the years SystemTime
// holds.
TEST(Rfc3339, FormatAgreesWithGmtime) {
  auto reference = [](int64_t ms_total) {
    int64_t secs = ms_total / 1000, ms = ms_total % 1000;
    if (ms < 0) secs -= 1, ms += 1000;
    std::time_t tt = secs;
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms));
    return std::string(buf);
  };
  // The epoch and around it, 2000-02-29 (a leap day of a century year), 2100-03-01, 1900-01-01,
  // 2200-01-01, 1800-01-01.
  std::vector<int64_t> instants = {0,
                                   -1,
                                   1,
                                   951'782'400'000,
                                   951'868'799'999,
                                   4'107'542'400'000,
                                   -2'208'988'800'000,
                                   7'258'118'400'000,
                                   -5'364'662'400'000};
  std::mt19937_64 rng(42);
  // SystemTime counts nanoseconds in 64 bits: about 1678 to 2261.
  std::uniform_int_distribution<int64_t> any(-9'000'000'000'000, 9'000'000'000'000);
  for (int i = 0; i < 100000; ++i) instants.push_back(any(rng));
  for (int64_t ms : instants) {
    SystemTime t{milliseconds(ms)};
    const std::string want = reference(ms);
    ASSERT_EQ(format_rfc3339(t, true), want) << ms;
    ASSERT_EQ(format_rfc3339(t), want.substr(0, 19) + "Z") << ms;
  }
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
