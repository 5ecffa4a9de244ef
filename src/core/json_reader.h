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

// Objects and arrays may nest this deep (the outermost is level 1). Every document from outside
// is read with it: nlohmann's copy, comparison and dump() recurse, so a megabyte of '[' that
// reached them would overflow the stack.
inline constexpr size_t kMaxJsonDepth = 64;

enum class JsonRead {
  kOk,
  kInvalid,          // `out` is discarded
  kDuplicateMember,  // valid, but some object names a member twice; `out` keeps the last value
  kTooDeep,          // objects and arrays nest deeper than the limit; `out` is discarded
};

JsonRead read_json(std::string_view text, nlohmann::json& out, size_t max_depth = kMaxJsonDepth);

// For outside input that needs no more than "a document or not": the document (the last of
// duplicate members counts), or a discarded value when the text is not JSON or nests deeper than
// kMaxJsonDepth. Use instead of nlohmann::json::parse on anything a client sent.
nlohmann::json read_json_or_discarded(std::string_view text);

// Why `text` is not a JSON document, for an error message: "at byte N", "at byte N: a NUL
// byte" or "nested deeper than 64 levels". Only for text read_json refused.
std::string json_error_position(std::string_view text, JsonRead result);

}  // namespace registrar::core
