// A TPM 2.0 RSA public area (TPMT_PUBLIC, TPM 2.0 Part 2 §12.2.4), as MOSIP's registration
// client sends the public keys of a TPM-backed machine: TSS.Java's TPMT_PUBLIC.toTpm(), base64 —
// not a DER SubjectPublicKeyInfo. MOSIP's server tells the two apart by trying to read this
// structure (ClientCryptoFacade.isTPMKey). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace registrar::sync {

inline constexpr uint16_t kTpmAlgRsa = 0x0001;
inline constexpr uint16_t kTpmAlgSha1 = 0x0004;
inline constexpr uint16_t kTpmAlgSha256 = 0x000B;
inline constexpr uint16_t kTpmAlgSha384 = 0x000C;
inline constexpr uint16_t kTpmAlgSha512 = 0x000D;
inline constexpr uint16_t kTpmAlgNull = 0x0010;

struct TpmRsaPublic {
  uint16_t name_alg = 0;    // the object's name hash: TSS.Java's OAEP hash when encrypting to it
  uint32_t attributes = 0;  // TPMA_OBJECT
  uint16_t scheme = 0;      // TPMT_RSA_SCHEME's algorithm (TPM_ALG_OAEP 0x0017, NULL, ...)
  uint16_t key_bits = 0;
  uint32_t exponent = 65537;  // 0 in the structure means 65537
  std::string modulus;        // big-endian
};

// The RSA public area in `bytes`, exactly (nothing left over); nullopt for anything else (a DER
// key, another key type, a truncated structure).
std::optional<TpmRsaPublic> parse_tpm_rsa_public(std::string_view bytes);

// DER SubjectPublicKeyInfo (rsaEncryption) of a modulus and exponent, for OpenSSL.
std::string rsa_spki_der(std::string_view modulus, uint32_t exponent);

}  // namespace registrar::sync
