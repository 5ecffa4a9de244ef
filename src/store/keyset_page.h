// Keyset paging in SQL, for the lists the console pages through: a page is the rows after the
// previous page's last one in a fixed order, so that rows added meanwhile neither repeat nor
// shift a page (OFFSET would). Two orders serve today's lists: newest first by a microsecond
// time with a text id breaking ties (received transfers, the consent log), and a text key
// ascending (intercoop peers, services). Only the SQL text and its bound values live here; each
// store writes its own SELECT and filters around them.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>

namespace registrar::store {

// Where the previous page ended: a row's time (microseconds; unused for a text key) and id.
struct KeysetCursor {
  long long us = 0;
  std::string id;
};

// The column names go into the SQL text as they are: they are the stores' own constants,
// never a request's input (the cursor's values are bound).
class KeysetPage {
 public:
  // Rows by `time_column` then `id_column`, both descending, after `after` (nullopt: the first).
  static KeysetPage newest_first(std::string time_column, std::string id_column,
                                 std::optional<KeysetCursor> after, int limit);
  // Rows by the text `key_column` ascending, after the key `after` (nullopt: the first page).
  static KeysetPage by_key(std::string key_column, std::optional<std::string> after, int limit);

  // A parenthesised condition to AND into the WHERE clause. Its placeholders come first: call
  // bind() on the prepared statement before binding anything else.
  std::string condition() const;
  // " ORDER BY … LIMIT n", for the end of the statement.
  std::string order_and_limit() const;
  // Binds the condition's values to `prep`; this page must outlive the statement's execution
  // (SOCI binds by reference).
  soci::details::prepare_temp_type& bind(soci::details::prepare_temp_type& prep) const;

 private:
  KeysetPage() = default;
  bool by_time_ = false;
  std::string time_column_, id_column_;
  // A flag, not a test on the time: PostgreSQL types `$1 = 0` as integer, too small for
  // microseconds.
  int has_after_ = 0;
  KeysetCursor after_;
  int limit_ = 50;
};

}  // namespace registrar::store
