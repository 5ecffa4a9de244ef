// Base64 (RFC 4648 §4) and base64url (§5). Decoders are strict: they reject characters outside the
// alphabet, bad padding and non-zero trailing bits, so that one value has one encoding. JOSE uses
// base64url without padding; the decoder for it accepts no padding at all.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace registrar::core {

std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);  // no padding

// nullopt when the input is not canonical base64 / base64url.
std::optional<std::string> base64_decode(std::string_view text);
std::optional<std::string> base64url_decode(std::string_view text);

// Lenient standard-base64 decoder for human-supplied material (PEM bodies, pasted keys): skips
// ASCII whitespace, padding optional. Still rejects characters outside the alphabet.
std::optional<std::string> base64_decode_lenient(std::string_view text);

std::string hex_encode(std::string_view bytes);

}  // namespace registrar::core
