// The pure half of clientsettings: lastUpdated in MOSIP's and ISO's forms, the full and delta
// windows (midnight, the 15-minute boundary, "now"), lastSyncTime and the DTO splice.
#include "sync/mosip_window.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace registrar::sync {
namespace {

int64_t at(const char* rfc3339) {
  return core::to_unix_us(*core::parse_rfc3339(rfc3339));
}

TEST(ParseLastUpdated, ReadsMosipsFormatAndIsoLocalDateTimes) {
  EXPECT_EQ(parse_last_updated("2026-12-02T09:15:00.000Z"), at("2026-12-02T09:15:00Z"));
  EXPECT_EQ(parse_last_updated("2026-12-02T09:15:07.123Z"), at("2026-12-02T09:15:07.123Z"));
  EXPECT_EQ(parse_last_updated("2026-12-02T09:15"), at("2026-12-02T09:15:00Z"));
  EXPECT_EQ(parse_last_updated("2026-12-02T09:15:07"), at("2026-12-02T09:15:07Z"));
  EXPECT_EQ(parse_last_updated("2026-12-02T09:15:07.5"), at("2026-12-02T09:15:07.500Z"));
  EXPECT_EQ(parse_last_updated("2026-12-02T09:15:07.123456789"), at("2026-12-02T09:15:07.123456Z"));
  EXPECT_EQ(parse_last_updated("2024-02-29T00:00:00.000Z"), at("2024-02-29T00:00:00Z"));
  for (const char* bad :
       {"", "yesterday", "2026-12-02", "2026-12-02 09:15:00", "2026-13-02T09:15",
        "2025-02-29T00:00", "2026-12-02T24:00", "2026-12-02T09:60", "2026-12-02T09:15:00.1234Z",
        "2026-12-02T09:15:00.000+01:00", "2026-12-02T09:15:00Z", "2026-12-02T09:15:00.",
        "2026-12-02T09:15:00.000ZZ", "2026-12-02T09:15:00.1234567890"})
    EXPECT_FALSE(parse_last_updated(bad)) << bad;
}

TEST(SyncWindow, FullSyncEndsAtMidnightOrNowAndADeltaAtTheLastBoundary) {
  const int64_t now = at("2026-12-02T09:20:31.250Z");
  SyncWindow full = sync_window(now, std::nullopt, {});
  EXPECT_TRUE(full.full);
  EXPECT_EQ(full.from_us, 0);
  EXPECT_EQ(full.to_us, at("2026-12-02T00:00:00Z"));
  EXPECT_EQ(sync_window(now, std::nullopt, {900, true}).to_us, now);

  SyncWindow delta = sync_window(now, at("2026-12-02T00:00:00Z"), {});
  EXPECT_FALSE(delta.full);
  EXPECT_EQ(delta.from_us, at("2026-12-02T00:00:00Z"));
  EXPECT_EQ(delta.to_us, at("2026-12-02T09:15:00Z"));
  EXPECT_EQ(sync_window(now, delta.from_us, {1, false}).to_us, at("2026-12-02T09:20:31Z"));
  EXPECT_EQ(sync_window(now, delta.from_us, {3600, false}).to_us, at("2026-12-02T09:00:00Z"));
  // A client that synced after the boundary: from > to, an empty delta.
  SyncWindow ahead = sync_window(now, at("2026-12-02T09:18:00Z"), {});
  EXPECT_GT(ahead.from_us, ahead.to_us);
}

TEST(FormatSyncTime, HasMilliseconds) {
  EXPECT_EQ(format_sync_time(at("2026-12-02T09:15:00Z")), "2026-12-02T09:15:00.000Z");
  EXPECT_EQ(format_sync_time(at("2026-12-02T09:15:00Z") + 123'999), "2026-12-02T09:15:00.123Z");
}

// Every year lastUpdated may name (sync_params_fuzz: beyond 2262 the nanosecond SystemTime it
// went through overflowed).
TEST(FormatSyncTime, ReadsBackForEveryYearLastUpdatedTakes) {
  for (const char* text : {"6024-06-15T08:30:00.250Z", "9999-12-31T23:59:59.999Z",
                           "1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z"}) {
    auto us = parse_last_updated(text);
    ASSERT_TRUE(us) << text;
    EXPECT_EQ(format_sync_time(*us), text);
  }
}

TEST(AppendDto, SplicesTheBaseFieldsIntoTheStoredObject) {
  std::string out;
  append_dto(out, R"({"code":"DOC1","name":"Pass\"port"})", "\"eng\"", true, false);
  EXPECT_EQ(
      out,
      R"({"code":"DOC1","name":"Pass\"port","langCode":"eng","isActive":true,"isDeleted":false})");
  out.clear();
  append_dto(out, "{}", "null", false, true);
  EXPECT_EQ(out, R"({"langCode":null,"isActive":false,"isDeleted":true})");
  auto parsed = nlohmann::json::parse(out);
  EXPECT_TRUE(parsed["isDeleted"].get<bool>());
}

}  // namespace
}  // namespace registrar::sync
