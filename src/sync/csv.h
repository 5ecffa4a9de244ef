// CSV for master-data imports (RFC 4180: comma-separated, fields in double quotes when they hold
// commas, quotes or line breaks, "" for a quote inside). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sync/catalogue.h"

namespace registrar::sync {

// Splits `text` into records of fields. Throws core::Error(kInvalidArgument) naming the line of
// an unterminated quoted field or a stray quote.
std::vector<std::vector<std::string>> parse_csv(std::string_view text);

// One CSV record as a row body for `entity`: the header names the columns (field names,
// langCode, isActive); an empty cell is an absent value; bool, integer, number, array and
// object cells are read as JSON. Throws core::Error(kInvalidArgument) naming the column.
Json csv_record_to_row(const Entity& entity, const std::vector<std::string>& header,
                       const std::vector<std::string>& record);

}  // namespace registrar::sync
