// MOSIP's licence-key manager as pure rules: licenseExpiryTime parsing (a table of what MOSIP's
// parser reads and what it cannot, and a property: every instant written in any accepted form
// reads back as that instant), the permission list, and keymanager's message texts.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "ids/licence.h"
#include "ids/validators.h"

namespace registrar::ids {
namespace {

using namespace std::chrono;

int64_t utc_ms(int y, unsigned mo, unsigned d, int h, int mi, int s, int ms = 0) {
  const auto t = sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi) + seconds(s) +
                 milliseconds(ms);
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

TEST(LicenceExpiry, ReadsWhatMosipsParserReads) {
  const struct {
    const char* text;
    int64_t ms;
  } accepted[] = {
      {"2030-12-10T06:12:52.994Z", utc_ms(2030, 12, 10, 6, 12, 52, 994)},  // MOSIP's pattern
      {"2030-12-10T06:12:52Z", utc_ms(2030, 12, 10, 6, 12, 52)},
      {"2030-12-10T06:12:52.9Z", utc_ms(2030, 12, 10, 6, 12, 52, 900)},
      {"2030-12-10T06:12:52.12Z", utc_ms(2030, 12, 10, 6, 12, 52, 120)},
      {"2030-12-10T06:12:52.123456789Z", utc_ms(2030, 12, 10, 6, 12, 52, 123)},
      {"2030-12-10T06:12:52.999999999Z", utc_ms(2030, 12, 10, 6, 12, 52, 999)},
      {"2030-12-10T06:12:52+05:30", utc_ms(2030, 12, 10, 0, 42, 52)},
      {"2030-12-10T06:12:52.5-01:00", utc_ms(2030, 12, 10, 7, 12, 52, 500)},
      {"2030-12-10T06:12:52+05:30:15", utc_ms(2030, 12, 10, 0, 42, 37)},
      {"2030-12-10T06:12:52+18:00", utc_ms(2030, 12, 9, 12, 12, 52)},
      {"2030-12-10T06:12:52-18:00", utc_ms(2030, 12, 11, 0, 12, 52)},
      {"2030-12-10T06:12:52+00:00", utc_ms(2030, 12, 10, 6, 12, 52)},
      {"2030-12-10T06:12Z", utc_ms(2030, 12, 10, 6, 12, 0)},     // seconds are optional in ISO
      {"2030-12-10T06:12:52", utc_ms(2030, 12, 10, 6, 12, 52)},  // no offset: UTC
      {"2030-12-10t06:12:52.994z", utc_ms(2030, 12, 10, 6, 12, 52, 994)},
      {"2024-02-29T00:00:00.000Z", utc_ms(2024, 2, 29, 0, 0, 0)},
      {"2000-02-29T23:59:59.999Z", utc_ms(2000, 2, 29, 23, 59, 59, 999)},
      {"1970-01-01T00:00:00Z", 0},
      {"1969-12-31T23:59:59.5Z", -500},
  };
  for (const auto& a : accepted)
    EXPECT_EQ(parse_licence_expiry_ms(a.text), std::optional<int64_t>(a.ms)) << a.text;

  for (const char* text : {"",
                           "2030-12-10",
                           "2030-12-10T",
                           "2030-12-10T06",
                           "2030-12-10T06:1",
                           "2030-12-10 06:12:52Z",             // ISO wants the T
                           "2030-12-10T06:12:52.Z",            // a dot without digits
                           "2030-12-10T06:12:52.1234567890Z",  // ten fractional digits
                           "2030-12-10T06:12.5Z",              // a fraction without seconds
                           "2030-02-29T00:00:00Z",
                           "1900-02-29T00:00:00Z",
                           "2030-04-31T00:00:00Z",
                           "2030-13-01T00:00:00Z",
                           "2030-00-01T00:00:00Z",
                           "2030-12-00T00:00:00Z",
                           "2030-12-10T24:00:00Z",
                           "2030-12-10T06:60:00Z",
                           "2030-12-10T06:12:60Z",
                           "2030-12-10T06:12:52+18:01",
                           "2030-12-10T06:12:52+05:60",
                           "2030-12-10T06:12:52+5:30",
                           "2030-12-10T06:12:52+0530",
                           "2030-12-10T06:12:52+05",
                           "2030-12-10T06:12:52+",
                           "2030-12-10T06:12:52ZZ",
                           "2030-12-10T06:12:52Z ",
                           " 2030-12-10T06:12:52Z",
                           "2030-12-10T06:12:52[UTC]",
                           "2030-12-10T06:12:52 Z",
                           "30-12-10T06:12:52Z",
                           "+2030-12-10T06:12:52Z",
                           "2030/12/10T06:12:52Z",
                           "2030-1-10T06:12:52Z",
                           "\xef\xbc\x92"
                           "030-12-10T06:12:52Z",  // a full-width digit
                           "tomorrow"})
    EXPECT_EQ(parse_licence_expiry_ms(text), std::nullopt) << text;
}

// Any instant from year 0 to 9999, written in local time at any offset within ±18 h, with 0 to 9
// fractional digits (or without seconds when they are zero), reads back as that instant to the
// millisecond (the fraction truncated).
TEST(LicenceExpiry, EveryAcceptedSpellingReadsBackAsItsInstant) {
  std::mt19937_64 rng(20261203);
  const int64_t lo = sys_days(year(0) / 1 / 2).time_since_epoch().count() * 86'400;
  const int64_t hi = sys_days(year(9999) / 12 / 30).time_since_epoch().count() * 86'400;
  std::uniform_int_distribution<int64_t> instant(lo, hi), nanos(0, 999'999'999);
  std::uniform_int_distribution<int> offset_s(-18 * 3600, 18 * 3600), digits(0, 9), coin(0, 1);
  for (int i = 0; i < 200'000; ++i) {
    const int64_t utc = instant(rng), ns = nanos(rng);
    const int k = digits(rng);
    int off = offset_s(rng);
    if (coin(rng)) off -= off % 60;  // mostly whole minutes, as offsets are
    const int mode = i % 3;          // 0: 'Z', 1: an offset, 2: none (UTC)
    if (mode != 1) off = 0;
    const auto local = sys_seconds(seconds(utc + off));
    const auto dp = floor<days>(local);
    const year_month_day ymd(dp);
    const hh_mm_ss hms(local - dp);
    char text[80];
    int n = std::snprintf(
        text, sizeof text, "%04d-%02u-%02u%c%02d:%02d", static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), coin(rng) ? 'T' : 't',
        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
    const bool seconds_shown = k > 0 || hms.seconds().count() != 0 || coin(rng);
    int64_t expected = utc * 1000;
    if (seconds_shown) {
      n += std::snprintf(text + n, sizeof text - size_t(n), ":%02d",
                         static_cast<int>(hms.seconds().count()));
      if (k > 0) {
        char frac[16];
        std::snprintf(frac, sizeof frac, "%09lld", static_cast<long long>(ns));
        n += std::snprintf(text + n, sizeof text - size_t(n), ".%.*s", k, frac);
        int64_t ms = 0;
        for (int d = 0; d < 3; ++d) ms = ms * 10 + (d < k ? frac[d] - '0' : 0);
        expected += ms;
      }
    }
    if (mode == 0) {
      std::snprintf(text + n, sizeof text - size_t(n), "%c", coin(rng) ? 'Z' : 'z');
    } else if (mode == 1) {
      const int a = off < 0 ? -off : off;
      n += std::snprintf(text + n, sizeof text - size_t(n), "%c%02d:%02d", off < 0 ? '-' : '+',
                         a / 3600, a / 60 % 60);
      if (a % 60) std::snprintf(text + n, sizeof text - size_t(n), ":%02d", a % 60);
    }
    ASSERT_EQ(parse_licence_expiry_ms(text), std::optional<int64_t>(expected)) << text;
  }
}

TEST(LicencePermissions, ExactNamesFromTheConfiguredList) {
  const auto mosip = default_licence_permissions();
  ASSERT_EQ(mosip.size(), 13u);  // MOSIP's mosip.kernel.licensekey.permissions
  EXPECT_EQ(mosip.front(), "OTP Trigger");
  EXPECT_EQ(mosip.back(), "eKYC - No");
  for (const auto& p : mosip) EXPECT_TRUE(licence_permission_allowed(mosip, p)) << p;
  for (const char* p : {"", "OTP", "otp trigger", "OTP Trigger ", "xOTP Trigger", "eKYC"})
    EXPECT_FALSE(licence_permission_allowed(mosip, p)) << p;

  using V = std::vector<std::string>;
  EXPECT_EQ(merge_licence_permissions({}, {"b", "a", "b"}), (V{"b", "a"}));
  EXPECT_EQ(merge_licence_permissions({"a", "b"}, {"c", "a", "d"}), (V{"a", "b", "c", "d"}));
  EXPECT_EQ(merge_licence_permissions({"a"}, {}), V{"a"});
}

// keymanager's LicenseKeyManagerExceptionConstants and the validators' exception constants,
// character for character.
TEST(MosipTexts, AreTheConstantsOfMosipsCode) {
  EXPECT_EQ(error_message(IdError::kLicenceEmpty), "License Key entered is null or empty.");
  EXPECT_EQ(error_message(IdError::kLicenceNotFound), "LicenseKey Not Found.");
  EXPECT_EQ(error_message(IdError::kLicenceExpired), "LicenseKey Expired.");
  EXPECT_EQ(error_message(IdError::kVidEmpty), "VID should not be empty or null.");
  EXPECT_EQ(error_message(IdError::kPridEmpty), "PRID should not be empty or null.");
  EXPECT_EQ(error_message(IdError::kPridLength), "PRID length should be as configured digit.");
  EXPECT_EQ(error_message(IdError::kPridFilter),
            "PRID should not contain any sequential and repeated block of number for 2 or more "
            "than two digits");
  EXPECT_EQ(error_message(IdError::kRidNonNumeric), "Rid Must Be Numeric Only");
  EXPECT_EQ(error_message(IdError::kRidLength, 29), "Rid Length Must Be  :29");
  EXPECT_EQ(error_message(IdError::kRidSequence), "Invalid sequence Found");
  EXPECT_EQ(error_message(IdError::kRidConfig),
            "Rid length or center id length or machine id length or sequence length or timestamp "
            "length should not be less than or equals to zero");
  EXPECT_EQ(error_message(IdError::kMispLength, 3), "Mispid Length Must Be 3");
}

}  // namespace
}  // namespace registrar::ids
