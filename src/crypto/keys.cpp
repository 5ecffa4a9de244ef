#include "crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <cstring>

#include "core/base64.h"
#include "core/random.h"
#include "crypto/keys_internal.h"

namespace registrar::crypto {

using detail::EvpPtr;
using detail::fail;
using detail::KeyData;

namespace detail {

// DER SubjectPublicKeyInfo of an Ed25519 key is this fixed prefix followed by the 32 key bytes
// (RFC 8410 §4), so Ed25519 keys never need an OpenSSL object.
constexpr uint8_t kEd25519SpkiPrefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                          0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

KeyData::~KeyData() {
  sodium_memzero(ed_sk.data(), ed_sk.size());
  EVP_PKEY_free(pkey);
}

std::string openssl_reason() {
  unsigned long code = ERR_peek_last_error();
  std::string reason;
  if (code != 0) {
    const char* r = ERR_reason_error_string(code);
    if (r) reason = r;
  }
  ERR_clear_error();
  return reason;
}

void fail(std::string message, std::string field) {
  ERR_clear_error();
  throw core::invalid_argument(std::move(message), std::move(field));
}

std::string sha256(std::string_view bytes) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<uint8_t*>(out.data()),
                     reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return out;
}

std::string bn_param(const EVP_PKEY* pkey, const char* name, size_t width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    throw core::Error(core::ErrorKind::kInternal, std::string("cannot read key parameter ") + name);
  }
  BnPtr bn(raw);
  size_t n = width ? width : static_cast<size_t>(BN_num_bytes(bn.get()));
  std::string out(n, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<uint8_t*>(out.data()), static_cast<int>(n)) < 0) {
    throw core::Error(core::ErrorKind::kInternal, std::string("key parameter too long: ") + name);
  }
  return out;
}

PublicKey public_from_ed25519(const uint8_t (&pk)[32]) {
  core::ensure_sodium();
  // Rejects non-canonical encodings and points of small order, which libsodium's verify would
  // refuse later anyway; saying so at import time gives the sender a useful message.
  if (crypto_core_ed25519_is_valid_point(pk) != 1) fail("not a valid Ed25519 public key");
  auto d = std::make_shared<KeyData>();
  d->type = KeyType::kEd25519;
  d->bits = 256;
  std::memcpy(d->ed_pk.data(), pk, 32);
  d->spki_der.assign(reinterpret_cast<const char*>(kEd25519SpkiPrefix), sizeof kEd25519SpkiPrefix);
  d->spki_der.append(reinterpret_cast<const char*>(pk), 32);
  return PublicKey(std::move(d));
}

PrivateKey private_from_ed25519_seed(const uint8_t (&seed)[32]) {
  core::ensure_sodium();
  auto d = std::make_shared<KeyData>();
  d->type = KeyType::kEd25519;
  d->bits = 256;
  d->is_private = true;
  crypto_sign_seed_keypair(d->ed_pk.data(), d->ed_sk.data(), seed);
  uint8_t pk[32];
  std::memcpy(pk, d->ed_pk.data(), 32);
  return PrivateKey(std::move(d), public_from_ed25519(pk));
}

namespace {

// Type and size checks shared by public and private imports; returns (type, bits).
std::pair<KeyType, int> classify(const EVP_PKEY* pkey) {
  int id = EVP_PKEY_get_base_id(pkey);
  if (id == EVP_PKEY_RSA) {
    int bits = EVP_PKEY_get_bits(pkey);
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      fail("RSA keys must have 2048 to 4096 bits, this one has " + std::to_string(bits));
    }
    return {KeyType::kRsa, bits};
  }
  if (id == EVP_PKEY_EC) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) != 1) {
      fail("EC key without a named curve (only P-256 is supported)");
    }
    if (std::strcmp(group, "prime256v1") != 0) {
      fail(std::string("EC keys must be on P-256, this one is on ") + group);
    }
    return {KeyType::kEcP256, 256};
  }
  if (id == EVP_PKEY_RSA_PSS) fail("RSA-PSS-restricted keys are not supported; use an RSA key");
  const char* name = EVP_PKEY_get0_type_name(pkey);
  fail(std::string("unsupported key type ") + (name ? name : "(unknown)") +
       " (supported: Ed25519, RSA, EC P-256)");
}

EvpCtxPtr ctx_for(EVP_PKEY* pkey) {
  EvpCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) throw core::Error(core::ErrorKind::kInternal, "EVP_PKEY_CTX_new_from_pkey failed");
  return ctx;
}

}  // namespace

PublicKey public_from_evp(EVP_PKEY* pkey) {
  if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519) {
    uint8_t raw[32];
    size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != 32) {
      fail("malformed Ed25519 public key");
    }
    return public_from_ed25519(raw);
  }
  auto [type, bits] = classify(pkey);
  // The quick check covers what matters for a verifier: RSA exponent and modulus sanity, and
  // that an EC point is on the curve (P-256 has cofactor 1, so that is enough).
  if (EVP_PKEY_public_check_quick(ctx_for(pkey).get()) != 1) {
    fail("invalid public key: " + openssl_reason());
  }
  auto d = std::make_shared<KeyData>();
  d->type = type;
  d->bits = bits;
  // Keep only the public half: re-decode from the SPKI encoding, which has no private members.
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(pkey, &der);
  if (n <= 0) throw core::Error(core::ErrorKind::kInternal, "cannot encode public key");
  d->spki_der.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(d->spki_der.data());
  d->pkey = d2i_PUBKEY(nullptr, &p, n);
  if (!d->pkey) throw core::Error(core::ErrorKind::kInternal, "cannot decode own SPKI");
  return PublicKey(std::move(d));
}

PrivateKey private_from_evp(EvpPtr pkey) {
  if (EVP_PKEY_get_base_id(pkey.get()) == EVP_PKEY_ED25519) {
    uint8_t seed[32];
    size_t len = sizeof seed;
    if (EVP_PKEY_get_raw_private_key(pkey.get(), seed, &len) != 1 || len != 32) {
      fail("malformed Ed25519 private key");
    }
    PrivateKey key = private_from_ed25519_seed(seed);
    sodium_memzero(seed, sizeof seed);
    return key;
  }
  auto [type, bits] = classify(pkey.get());
  if (EVP_PKEY_pairwise_check(ctx_for(pkey.get()).get()) != 1) {
    fail("inconsistent private key: " + openssl_reason());
  }
  PublicKey pub = public_from_evp(pkey.get());
  auto d = std::make_shared<KeyData>();
  d->type = type;
  d->bits = bits;
  d->is_private = true;
  d->pkey = pkey.release();
  return PrivateKey(std::move(d), std::move(pub));
}

}  // namespace detail

const char* key_type_name(KeyType type) {
  switch (type) {
    case KeyType::kEd25519:
      return "Ed25519";
    case KeyType::kRsa:
      return "RSA";
    case KeyType::kEcP256:
      return "EC P-256";
  }
  return "?";
}

// ---- PublicKey ----

PublicKey PublicKey::from_ed25519_raw(std::string_view raw) {
  if (raw.size() != 32) fail("a raw Ed25519 public key has 32 bytes");
  uint8_t pk[32];
  std::memcpy(pk, raw.data(), 32);
  return detail::public_from_ed25519(pk);
}

KeyType PublicKey::type() const {
  return data_->type;
}
int PublicKey::bits() const {
  return data_->bits;
}
std::string PublicKey::to_spki_der() const {
  return data_->spki_der;
}
std::string PublicKey::to_pem() const {
  return detail::encode_pem("PUBLIC KEY", data_->spki_der);
}
const std::array<uint8_t, 32>& PublicKey::ed25519_raw() const {
  return data_->ed_pk;
}
evp_pkey_st* PublicKey::evp() const {
  return data_->pkey;
}

bool PublicKey::operator==(const PublicKey& other) const {
  return data_ == other.data_ || data_->spki_der == other.data_->spki_der;
}

// ---- PrivateKey ----

PrivateKey PrivateKey::generate(KeyType type, int rsa_bits) {
  if (type == KeyType::kEd25519) {
    core::ensure_sodium();
    uint8_t seed[32];
    randombytes_buf(seed, sizeof seed);
    PrivateKey key = detail::private_from_ed25519_seed(seed);
    sodium_memzero(seed, sizeof seed);
    return key;
  }
  EVP_PKEY* raw = nullptr;
  if (type == KeyType::kRsa) {
    if (rsa_bits < kMinRsaBits || rsa_bits > kMaxRsaBits) {
      fail("RSA keys must have 2048 to 4096 bits", "bits");
    }
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits));
  } else {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  }
  if (!raw) throw core::Error(core::ErrorKind::kInternal, "key generation failed");
  EvpPtr pkey(raw);
  PublicKey pub = detail::public_from_evp(pkey.get());
  auto d = std::make_shared<KeyData>();
  d->type = type;
  d->bits = pub.bits();
  d->is_private = true;
  d->pkey = pkey.release();
  return PrivateKey(std::move(d), std::move(pub));
}

PrivateKey PrivateKey::from_ed25519_seed(std::string_view seed) {
  if (seed.size() != 32) fail("an Ed25519 seed has 32 bytes");
  uint8_t s[32];
  std::memcpy(s, seed.data(), 32);
  PrivateKey key = detail::private_from_ed25519_seed(s);
  sodium_memzero(s, sizeof s);
  return key;
}

KeyType PrivateKey::type() const {
  return data_->type;
}
int PrivateKey::bits() const {
  return data_->bits;
}
const std::array<uint8_t, 64>& PrivateKey::ed25519_secret() const {
  return data_->ed_sk;
}
evp_pkey_st* PrivateKey::evp() const {
  return data_->pkey;
}

// ---- any format ----

PublicKey parse_public_key_any(std::string_view text, const ParseKeyOptions& options) {
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) fail("empty public key");
  text.remove_prefix(b);
  if (text.front() == '{') return PublicKey::from_jwk(text);
  if (text.find("-----BEGIN") != std::string_view::npos) {
    if (options.accept_private_pem && text.find("PRIVATE KEY-----") != std::string_view::npos) {
      return PrivateKey::from_pem(text).public_key();
    }
    return PublicKey::from_pem(text);
  }
  auto der = core::base64_decode_lenient(text);
  if (!der) fail("public key is neither PEM, base64 DER nor JWK");
  // 32 bytes cannot be an SPKI; it is the raw Ed25519 form some clients send.
  if (der->size() == 32) return PublicKey::from_ed25519_raw(*der);
  return PublicKey::from_spki_der(*der);
}

}  // namespace registrar::crypto
