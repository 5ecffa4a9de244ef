#include "sync/machine_crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <memory>

#include "core/base64.h"
#include "core/error.h"

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

std::string wrap_key(const crypto::PublicKey& key, const std::string& aes_key) {
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new(key.evp(), nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1)
    fail("RSA-OAEP setup");
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

}  // namespace

std::string encrypt_for_machine(const crypto::PublicKey& key, std::string_view plaintext) {
  if (key.type() != crypto::KeyType::kRsa)
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

std::string encrypt_for_machine_b64(const crypto::PublicKey& key, std::string_view plaintext) {
  return core::base64url_encode(encrypt_for_machine(key, plaintext));
}

crypto::PublicKey machine_public_key(std::string_view stored) {
  if (stored.find("-----BEGIN") != std::string_view::npos)
    return crypto::PublicKey::from_pem(stored);
  auto der = core::base64_decode_lenient(stored);
  if (!der) der = core::base64url_decode(stored);
  if (!der) throw core::invalid_argument("must be a PEM or base64 DER public key", "publicKey");
  return crypto::PublicKey::from_spki_der(*der);
}

}  // namespace registrar::sync
