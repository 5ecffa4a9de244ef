// Token ID (PSUT, partner-specific user token), MOSIP keymanager / id-repository (spec §4.3):
//   uinHash = HEX(SHA256(uin + uinSalt));  hash = HEX(SHA256(partnerSalt + partnerCode + uinHash))
//   token   = decimal(big-endian unsigned integer of the 64 ASCII bytes of hash)[0 : length]
// HEX is upper-case. The double-hash variant (keymanager v1.3.0) uses HEX(SHA256(SHA256(x)))
// at both steps; the single hash is canonical (id-repository and <= 1.2.x use it).
#pragma once

#include <string>
#include <string_view>

namespace registrar::ids {

enum class TokenIdVariant { kSingleHash, kDoubleHash };

// MOSIP's error when either input is empty.
inline constexpr const char* kTokenIdEmptyCode = "KER-TIG-010";
inline constexpr const char* kTokenIdEmptyMessage = "UIN and partner code cannot be empty";

// Throws core::Error(kInvalidArgument, kTokenIdEmptyMessage) on an empty uin or partner code,
// and on a length outside 1..154 (the decimal form always has 154 digits).
std::string token_id(std::string_view uin, std::string_view partner_code, std::string_view uin_salt,
                     std::string_view partner_code_salt, size_t length = 36,
                     TokenIdVariant variant = TokenIdVariant::kSingleHash);

}  // namespace registrar::ids
