// Encryption of sync data to a machine's public key, as MOSIP's ClientCryptoFacade.encrypt does
// (spec §6.2; docs/compatibility.md "sync — key types"): a random AES-256 key, a random 12-byte
// IV and a random 32-byte AAD; AES-256-GCM (128-bit tag) over the plaintext; the AES key wrapped
// with RSA-OAEP as the machine's kind of key asks:
//   LOCAL (a software key, DER SubjectPublicKeyInfo): OAEP SHA-256, MGF1 SHA-256, no label;
//   ANDROID (the machine's specification has machineTypeCode ANDROID): SHA-256, MGF1 SHA-1, no
//     label (Android's keystore supports only SHA-1 for MGF1);
//   TPM (the key is a TPMT_PUBLIC, tpm_public.h): OAEP and MGF1 with the key's nameAlg, label
//     one zero byte (TSS.Java's TPMT_PUBLIC.encrypt with "": a TPM label is zero-terminated).
// Output: wrapped key ‖ IV ‖ AAD ‖ ciphertext ‖ tag, which the caller base64url-encodes. MOSIP's
// client reads the first 256 bytes as the wrapped key: RSA-2048 keys only work with it. Pure
// (OpenSSL and its random generator); thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/keys.h"

namespace registrar::sync {

inline constexpr size_t kGcmIvBytes = 12;
inline constexpr size_t kAadBytes = 32;
inline constexpr size_t kGcmTagBytes = 16;

enum class KeyWrap { kLocal, kAndroid, kTpm };

struct MachineKey {
  crypto::PublicKey rsa;
  KeyWrap wrap = KeyWrap::kLocal;
  uint16_t tpm_name_alg = 0;  // TPM: the OAEP and MGF1 hash (a TPM_ALG_ID)
};

// Throws core::Error(kInvalidArgument) when the key is not RSA.
std::string encrypt_for_machine(const MachineKey& key, std::string_view plaintext);
// A LOCAL key.
std::string encrypt_for_machine(const crypto::PublicKey& key, std::string_view plaintext);

// The same, base64url without padding (the "data" of clientsettings, configs, userdetails).
std::string encrypt_for_machine_b64(const MachineKey& key, std::string_view plaintext);
std::string encrypt_for_machine_b64(const crypto::PublicKey& key, std::string_view plaintext);

// The machine's encryption key from a machine row's publicKey: PEM or base64 DER (LOCAL, or
// ANDROID when `android`), or base64 TPMT_PUBLIC (TPM, whatever `android` says, as MOSIP).
// Throws core::Error(kInvalidArgument) for anything else.
MachineKey machine_key(std::string_view stored, bool android);
// The RSA key only (PEM or base64 DER).
crypto::PublicKey machine_public_key(std::string_view stored);

}  // namespace registrar::sync
