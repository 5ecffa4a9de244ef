// The CSV reader of imports: RFC 4180 quoting, CRLF, and typed cells by the entity's fields.
#include <gtest/gtest.h>

#include "core/error.h"
#include "sync/csv.h"

namespace registrar::sync {
namespace {

using Records = std::vector<std::vector<std::string>>;

TEST(CsvTest, ReadsQuotedFieldsWithCommasQuotesAndLineBreaks) {
  EXPECT_EQ(parse_csv("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",\n"),
            (Records{{"a", "b"}, {"x, y", "say \"hi\""}, {"two\nlines", ""}}));
  EXPECT_EQ(parse_csv("a,b"), (Records{{"a", "b"}}));  // no final line break
  EXPECT_EQ(parse_csv("a\n\nb\n"), (Records{{"a"}, {"b"}}));
  EXPECT_EQ(parse_csv(""), Records{});
}

TEST(CsvTest, RejectsBrokenQuotingNamingTheLine) {
  try {
    parse_csv("a,b\nc,\"open\n");
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.field(), "line 3");
  }
  EXPECT_THROW(parse_csv("a,b\"c\n"), core::Error);
  EXPECT_THROW(parse_csv("\"a\"b,c\n"), core::Error);
}

TEST(CsvTest, TypesCellsByTheEntitysFields) {
  const Entity& loc = *find_entity("locations");
  Json row = csv_record_to_row(
      loc, {"code", "name", "hierarchyLevel", "langCode", "isActive", "parentLocCode"},
      {"KTA", "Kenitra", "3", "fra", "false", ""});
  EXPECT_EQ(row, (Json{{"code", "KTA"},
                       {"name", "Kenitra"},
                       {"hierarchyLevel", 3},
                       {"langCode", "fra"},
                       {"isActive", false}}));
  EXPECT_THROW(csv_record_to_row(loc, {"code", "colour"}, {"K", "red"}), core::Error);
  EXPECT_THROW(csv_record_to_row(loc, {"code", "hierarchyLevel"}, {"K", "three"}), core::Error);
  EXPECT_THROW(csv_record_to_row(loc, {"code", "name"}, {"K"}), core::Error);
}

}  // namespace
}  // namespace registrar::sync
