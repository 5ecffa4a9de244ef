#include "sync/machine_crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <memory>
#include <optional>

#include "core/base64.h"
#include "core/error.h"
#include "sync/tpm_public.h"

namespace registrar::sync {
namespace {

struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

[[noreturn]] void fail(const char* what) {
  throw core::Error(core::ErrorKind::kInternal, std::string("machine encryption: ") + what);
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    fail("no random bytes");
  return out;
}

const EVP_MD* tpm_hash(uint16_t alg) {
  switch (alg) {
    case kTpmAlgSha1:
      return EVP_sha1();
    case kTpmAlgSha384:
      return EVP_sha384();
    case kTpmAlgSha512:
      return EVP_sha512();
    default:
      return EVP_sha256();
  }
}

std::string wrap_key(const MachineKey& key, const std::string& aes_key) {
  const EVP_MD* md = key.wrap == KeyWrap::kTpm ? tpm_hash(key.tpm_name_alg) : EVP_sha256();
  const EVP_MD* mgf1 = key.wrap == KeyWrap::kAndroid ? EVP_sha1() : md;
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new(key.rsa.evp(), nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), mgf1) != 1)
    fail("RSA-OAEP setup");
  if (key.wrap == KeyWrap::kTpm) {
    // The label "" as a TPM label: its terminating zero byte. OpenSSL frees it with the context.
    auto* label = static_cast<unsigned char*>(OPENSSL_zalloc(1));
    if (!label || EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), label, 1) != 1) {
      OPENSSL_free(label);
      fail("RSA-OAEP label");
    }
  }
  size_t len = 0;
  auto in = reinterpret_cast<const unsigned char*>(aes_key.data());
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, in, aes_key.size()) != 1) fail("RSA-OAEP size");
  std::string out(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in,
                       aes_key.size()) != 1)
    fail("RSA-OAEP");
  out.resize(len);
  return out;
}

std::optional<std::string> decode_b64(std::string_view stored) {
  auto raw = core::base64_decode_lenient(stored);
  if (!raw) raw = core::base64url_decode(stored);
  return raw;
}

}  // namespace

std::string encrypt_for_machine(const MachineKey& key, std::string_view plaintext) {
  if (key.rsa.type() != crypto::KeyType::kRsa)
    throw core::invalid_argument("the machine's encryption key must be RSA", "publicKey");
  const std::string aes_key = random_bytes(32), iv = random_bytes(kGcmIvBytes),
                    aad = random_bytes(kAadBytes);
  std::string out = wrap_key(key, aes_key);
  const size_t head = out.size();
  out += iv;
  out += aad;
  out.resize(head + kGcmIvBytes + kAadBytes + plaintext.size() + kGcmTagBytes);
  auto* ct = reinterpret_cast<unsigned char*>(out.data() + head + kGcmIvBytes + kAadBytes);

  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> c(EVP_CIPHER_CTX_new());
  int len = 0, total = 0;
  if (!c || EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, kGcmIvBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(c.get(), nullptr, nullptr,
                         reinterpret_cast<const unsigned char*>(aes_key.data()),
                         reinterpret_cast<const unsigned char*>(iv.data())) != 1 ||
      EVP_EncryptUpdate(c.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1)
    fail("AES-GCM setup");
  // EVP_EncryptUpdate takes an int length: feed large plaintexts in pieces.
  constexpr size_t kPiece = 1 << 30;
  for (size_t at = 0; at < plaintext.size(); at += kPiece) {
    size_t n = std::min(kPiece, plaintext.size() - at);
    if (EVP_EncryptUpdate(c.get(), ct + total, &len,
                          reinterpret_cast<const unsigned char*>(plaintext.data() + at),
                          static_cast<int>(n)) != 1)
      fail("AES-GCM");
    total += len;
  }
  if (EVP_EncryptFinal_ex(c.get(), ct + total, &len) != 1) fail("AES-GCM final");
  total += len;
  if (EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagBytes, ct + total) != 1)
    fail("AES-GCM tag");
  return out;
}

std::string encrypt_for_machine(const crypto::PublicKey& key, std::string_view plaintext) {
  return encrypt_for_machine(MachineKey{key, KeyWrap::kLocal, 0}, plaintext);
}

std::string encrypt_for_machine_b64(const MachineKey& key, std::string_view plaintext) {
  return core::base64url_encode(encrypt_for_machine(key, plaintext));
}

std::string encrypt_for_machine_b64(const crypto::PublicKey& key, std::string_view plaintext) {
  return core::base64url_encode(encrypt_for_machine(key, plaintext));
}

MachineKey machine_key(std::string_view stored, bool android) {
  const KeyWrap software = android ? KeyWrap::kAndroid : KeyWrap::kLocal;
  if (stored.find("-----BEGIN") != std::string_view::npos)
    return {crypto::PublicKey::from_pem(stored), software, 0};
  auto raw = decode_b64(stored);
  if (!raw) throw core::invalid_argument("must be a PEM or base64 DER public key", "publicKey");
  // MOSIP tries the TPM structure first (ClientCryptoFacade.isTPMKey); a DER key never parses
  // as one (it starts with 0x30, not TPM_ALG_RSA's 0x00 0x01).
  if (auto tpm = parse_tpm_rsa_public(*raw))
    return {crypto::PublicKey::from_spki_der(rsa_spki_der(tpm->modulus, tpm->exponent)),
            KeyWrap::kTpm, tpm->name_alg};
  return {crypto::PublicKey::from_spki_der(*raw), software, 0};
}

crypto::PublicKey machine_public_key(std::string_view stored) {
  return machine_key(stored, false).rsa;
}

}  // namespace registrar::sync
