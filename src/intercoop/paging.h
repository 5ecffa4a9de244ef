// The cursor text of the module's newest-first lists (received transfers, the consent log): a
// page ends with a cursor naming its last row by time and id, and the next page starts after
// it, so that rows arriving meanwhile neither repeat nor shift a page (the SQL is
// store::KeysetPage's). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/keyset_page.h"

namespace registrar::intercoop {

// The row's time (received_us, sent_us) and its uuid, which orders rows of the same microsecond.
using PageCursor = store::KeysetCursor;

// "<us>.<id>"; what `before=` takes back.
std::string format_cursor(const PageCursor& c);
// nullopt for anything format_cursor does not write (a positive time, then a uuid of
// letters, digits and '-').
std::optional<PageCursor> parse_cursor(std::string_view text);

}  // namespace registrar::intercoop
