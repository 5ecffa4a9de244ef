// Shared by the JWS and JWT sources only.
#pragma once

#include <string_view>

#include "crypto/jws.h"

namespace registrar::crypto::detail {

enum class JsonParse { kOk, kInvalid, kDuplicateMember };

// Parses JSON and rejects duplicate object members at any depth. nlohmann keeps the last of
// duplicates silently; a JOSE header with two "alg" members must instead be refused, because two
// parsers may disagree on which one counts (RFC 7515 §5.2 step 4). `out` holds the document only
// when the result is kOk.
JsonParse parse_json_strict(std::string_view text, Json& out);

}  // namespace registrar::crypto::detail
