// Shared by the JWS and JWT sources only.
#pragma once

#include <string_view>

#include "core/json_reader.h"
#include "crypto/jws.h"

namespace registrar::crypto::detail {

using JsonParse = core::JsonRead;

// Parses JSON and rejects duplicate object members at any depth. nlohmann keeps the last of
// duplicates silently; a JOSE header with two "alg" members must instead be refused, because two
// parsers may disagree on which one counts (RFC 7515 §5.2 step 4). `out` holds the document only
// when the result is kOk.
inline JsonParse parse_json_strict(std::string_view text, Json& out) {
  JsonParse result = core::read_json(text, out);
  if (result == JsonParse::kDuplicateMember) out = Json(Json::value_t::discarded);
  return result;
}

}  // namespace registrar::crypto::detail
