#include "crypto/signature.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "crypto/keys_internal.h"

namespace registrar::crypto {

using detail::MdCtxPtr;

namespace {

// Fetched once: fetching by name on every operation takes a lock in OpenSSL 3's method store.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Sets PSS parameters as RFC 7518 §3.5 fixes them: MGF1 with SHA-256, salt as long as the hash.
bool set_pss(EVP_PKEY_CTX* pctx) {
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
}

bool evp_verify(EVP_PKEY* pkey, bool pss, std::string_view input, std::string_view sig) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, sha256_md(), nullptr, pkey) == 1 &&
            (!pss || set_pss(pctx)) &&
            EVP_DigestVerify(ctx.get(), u8(sig), sig.size(), u8(input), input.size()) == 1;
  if (!ok) ERR_clear_error();  // a bad signature leaves entries in this thread's error queue
  return ok;
}

std::string evp_sign(EVP_PKEY* pkey, bool pss, std::string_view input) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, sha256_md(), nullptr, pkey) != 1 ||
      (pss && !set_pss(pctx)) ||
      EVP_DigestSign(ctx.get(), nullptr, &len, u8(input), input.size()) != 1) {
    throw core::Error(core::ErrorKind::kInternal, "signing failed: " + detail::openssl_reason());
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, u8(input),
                     input.size()) != 1) {
    throw core::Error(core::ErrorKind::kInternal, "signing failed: " + detail::openssl_reason());
  }
  sig.resize(len);
  return sig;
}

}  // namespace

std::string_view alg_name(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kEdDSA:
      return "EdDSA";
    case JwsAlg::kRS256:
      return "RS256";
    case JwsAlg::kPS256:
      return "PS256";
    case JwsAlg::kES256:
      return "ES256";
  }
  return "?";
}

std::optional<JwsAlg> parse_alg(std::string_view name) {
  if (name == "EdDSA") return JwsAlg::kEdDSA;
  if (name == "RS256") return JwsAlg::kRS256;
  if (name == "PS256") return JwsAlg::kPS256;
  if (name == "ES256") return JwsAlg::kES256;
  return std::nullopt;
}

KeyType alg_key_type(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kEdDSA:
      return KeyType::kEd25519;
    case JwsAlg::kES256:
      return KeyType::kEcP256;
    default:
      return KeyType::kRsa;
  }
}

JwsAlg default_alg(KeyType type) {
  switch (type) {
    case KeyType::kEd25519:
      return JwsAlg::kEdDSA;
    case KeyType::kEcP256:
      return JwsAlg::kES256;
    default:
      return JwsAlg::kRS256;
  }
}

std::string sign_bytes(const PrivateKey& key, JwsAlg alg, std::string_view input) {
  if (!alg_matches_key(alg, key.type())) {
    detail::fail(
        std::string(alg_name(alg)) + " cannot sign with a " + key_type_name(key.type()) + " key",
        "alg");
  }
  if (alg == JwsAlg::kEdDSA) {
    std::string sig(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr, u8(input),
                         input.size(), key.ed25519_secret().data());
    return sig;
  }
  std::string sig = evp_sign(key.evp(), alg == JwsAlg::kPS256, input);
  if (alg != JwsAlg::kES256) return sig;
  auto raw = ecdsa_der_to_raw(sig);
  if (!raw) throw core::Error(core::ErrorKind::kInternal, "OpenSSL produced a malformed ECDSA DER");
  return *raw;
}

bool verify_bytes(const PublicKey& key, JwsAlg alg, std::string_view input,
                  std::string_view signature) noexcept {
  if (!alg_matches_key(alg, key.type())) return false;
  switch (alg) {
    case JwsAlg::kEdDSA:
      return signature.size() == crypto_sign_BYTES &&
             crypto_sign_verify_detached(u8(signature), u8(input), input.size(),
                                         key.ed25519_raw().data()) == 0;
    case JwsAlg::kES256: {
      if (signature.size() != 64) return false;
      try {
        auto der = ecdsa_raw_to_der(signature);
        return der && evp_verify(key.evp(), false, input, *der);
      } catch (...) {  // allocation failure
        return false;
      }
    }
    case JwsAlg::kRS256:
    case JwsAlg::kPS256:
      // RFC 8017 §8.2.2: the signature is exactly as long as the modulus.
      if (signature.size() != static_cast<size_t>((key.bits() + 7) / 8)) return false;
      return evp_verify(key.evp(), alg == JwsAlg::kPS256, input, signature);
  }
  return false;
}

std::optional<std::string> ecdsa_raw_to_der(std::string_view raw) {
  if (raw.empty() || raw.size() % 2 != 0) return std::nullopt;
  int half = static_cast<int>(raw.size() / 2);
  BIGNUM* r = BN_bin2bn(u8(raw), half, nullptr);
  BIGNUM* s = BN_bin2bn(u8(raw) + half, half, nullptr);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (!r || !s || !sig) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  ECDSA_SIG_set0(sig, r, s);  // takes r and s
  unsigned char* der = nullptr;
  int n = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (n <= 0) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

std::optional<std::string> ecdsa_der_to_raw(std::string_view der, size_t half) {
  const unsigned char* p = u8(der);
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) {
    ERR_clear_error();
    return std::nullopt;
  }
  std::optional<std::string> out;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  if (p == u8(der) + der.size()) {
    std::string raw(2 * half, '\0');
    auto* o = reinterpret_cast<unsigned char*>(raw.data());
    int h = static_cast<int>(half);
    if (BN_bn2binpad(r, o, h) == h && BN_bn2binpad(s, o + half, h) == h) out = std::move(raw);
  }
  ECDSA_SIG_free(sig);
  return out;
}

}  // namespace registrar::crypto
