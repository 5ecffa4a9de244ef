// The PIP's hand-written serialiser prints exactly what nlohmann prints for the same document,
// and format_created keeps the original's DateTimeOffset form.
#include <gtest/gtest.h>

#include "authz/authz_fixture.h"

namespace registrar::authz::test {
namespace {

TEST(PipResponseText, MatchesTheJsonDocument) {
  std::vector<Assignment> rows;
  EXPECT_EQ(pip_response_text(rows), pip_response(rows).dump());
  rows.push_back({1, kEstate, kProbate, kA, std::nullopt, at("2023-02-20T10:00:06.401416Z"), ""});
  rows.push_back({2, kEstate, kIndividual, kX, kA, at("2025-08-01T18:00:00Z"), ""});
  rows.push_back({3, kEstate, "urn:x:\"quoted\\role\"\n\t", kB, std::nullopt,
                  at("1999-12-31T23:59:59.1Z"), ""});
  EXPECT_EQ(pip_response_text(rows), pip_response(rows).dump());
  EXPECT_EQ(Json::parse(pip_response_text(rows)), pip_response(rows));
}

TEST(FormatCreated, DateTimeOffsetForm) {
  EXPECT_EQ(format_created(at("2023-02-20T10:00:06.401416Z")), "2023-02-20T10:00:06.401416+00:00");
  EXPECT_EQ(format_created(at("2025-08-01T18:00:00Z")), "2025-08-01T18:00:00+00:00");
  EXPECT_EQ(format_created(at("2025-08-01T18:00:00.5Z")), "2025-08-01T18:00:00.5+00:00");
  EXPECT_EQ(format_created(at("2024-02-29T00:00:00.000010Z")), "2024-02-29T00:00:00.00001+00:00");
  EXPECT_EQ(format_created(at("1970-01-01T00:00:00Z")), "1970-01-01T00:00:00+00:00");
  EXPECT_EQ(format_created(at("1969-12-31T23:59:59.75Z")), "1969-12-31T23:59:59.75+00:00");
}

}  // namespace
}  // namespace registrar::authz::test
