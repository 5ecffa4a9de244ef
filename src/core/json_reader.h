// A JSON reader (RFC 8259) that builds nlohmann's DOM, for the documents every request carries:
// request bodies, JOSE headers and JWT payloads. About 2.4 times faster than nlohmann's own
// parser on an access token's claims (bench/crypto), and it reports duplicate member names,
// which JOSE must refuse (RFC 7515 §5.2) and nlohmann silently resolves.
//
// It accepts what nlohmann's parser accepts (a leading UTF-8 byte-order mark skipped, strings
// checked to be UTF-8, numbers that overflow a double refused) and gives the same values:
// non-negative integers as number_unsigned, negative ones as number_integer, either as
// number_float when it does not fit 64 bits, anything with a fraction or exponent as
// number_float. One exception: a raw NUL byte is refused wherever it is, where nlohmann stops
// reading at it as if the input ended. tests/core/json_reader_test.cpp holds it to this, on
// random documents, against nlohmann.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace registrar::core {

enum class JsonRead {
  kOk,
  kInvalid,          // `out` is discarded
  kDuplicateMember,  // valid, but some object names a member twice; `out` keeps the last value
};

JsonRead read_json(std::string_view text, nlohmann::json& out);

}  // namespace registrar::core
