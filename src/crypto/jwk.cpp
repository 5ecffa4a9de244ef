// JWK import and export (RFC 7517, RFC 7518 §6, RFC 8037) and thumbprints (RFC 7638).
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include <cstring>
#include <initializer_list>

#include "core/base64.h"
#include "core/json_reader.h"
#include "crypto/keys.h"
#include "crypto/keys_internal.h"

namespace registrar::crypto {

using detail::BnPtr;
using detail::EvpCtxPtr;
using detail::EvpPtr;
using detail::fail;

namespace {

constexpr const char* kRsaPrivateMembers[] = {"d", "p", "q", "dp", "dq", "qi", "oth"};

// A required base64url member; `exact` > 0 insists on that many decoded bytes.
std::string b64_member(const Json& jwk, const char* name, size_t exact = 0) {
  std::string field = std::string("jwk.") + name;
  auto it = jwk.find(name);
  if (it == jwk.end()) fail(std::string("JWK member '") + name + "' is missing", field);
  if (!it->is_string()) fail(std::string("JWK member '") + name + "' must be a string", field);
  auto bytes = core::base64url_decode(it->get_ref<const std::string&>());
  if (!bytes || bytes->empty()) {
    fail(std::string("JWK member '") + name + "' is not base64url", field);
  }
  if (exact && bytes->size() != exact) {
    fail(
        std::string("JWK member '") + name + "' must decode to " + std::to_string(exact) + " bytes",
        field);
  }
  return std::move(*bytes);
}

std::string string_member(const Json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    fail(std::string("JWK member '") + name + "' must be a string", std::string("jwk.") + name);
  }
  return it->get<std::string>();
}

BnPtr to_bn(const std::string& bytes) {
  BnPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                     static_cast<int>(bytes.size()), nullptr));
  if (!bn) throw core::Error(core::ErrorKind::kInternal, "BN_bin2bn failed");
  return bn;
}

struct ParamBuild {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  std::vector<BnPtr> bns;  // must outlive the build
  ~ParamBuild() { OSSL_PARAM_BLD_free(bld); }
  void bn(const char* key, const std::string& bytes) {
    bns.push_back(to_bn(bytes));
    OSSL_PARAM_BLD_push_BN(bld, key, bns.back().get());
  }
  EvpPtr build(const char* type, bool with_private) {
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EvpCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* pkey = nullptr;
    int ok = params && ctx && EVP_PKEY_fromdata_init(ctx.get()) == 1 &&
             EVP_PKEY_fromdata(ctx.get(), &pkey,
                               with_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) == 1;
    OSSL_PARAM_free(params);
    if (!ok) fail(std::string("invalid ") + type + " JWK: " + detail::openssl_reason(), "jwk");
    return EvpPtr(pkey);
  }
};

EvpPtr rsa_from_jwk(const Json& jwk, bool with_private) {
  ParamBuild b;
  b.bn(OSSL_PKEY_PARAM_RSA_N, b64_member(jwk, "n"));
  b.bn(OSSL_PKEY_PARAM_RSA_E, b64_member(jwk, "e"));
  if (with_private) {
    if (jwk.contains("oth")) fail("multi-prime RSA keys are not supported", "jwk.oth");
    b.bn(OSSL_PKEY_PARAM_RSA_D, b64_member(jwk, "d"));
    b.bn(OSSL_PKEY_PARAM_RSA_FACTOR1, b64_member(jwk, "p"));
    b.bn(OSSL_PKEY_PARAM_RSA_FACTOR2, b64_member(jwk, "q"));
    b.bn(OSSL_PKEY_PARAM_RSA_EXPONENT1, b64_member(jwk, "dp"));
    b.bn(OSSL_PKEY_PARAM_RSA_EXPONENT2, b64_member(jwk, "dq"));
    b.bn(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, b64_member(jwk, "qi"));
  }
  return b.build("RSA", with_private);
}

EvpPtr ec_from_jwk(const Json& jwk, bool with_private) {
  std::string point = "\x04" + b64_member(jwk, "x", 32) + b64_member(jwk, "y", 32);
  ParamBuild b;
  OSSL_PARAM_BLD_push_utf8_string(b.bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(b.bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  if (with_private) b.bn(OSSL_PKEY_PARAM_PRIV_KEY, b64_member(jwk, "d", 32));
  return b.build("EC", with_private);
}

// Checks kty/crv and returns the key type the JWK describes.
KeyType jwk_type(const Json& jwk) {
  if (!jwk.is_object()) fail("a JWK must be a JSON object", "jwk");
  std::string kty = string_member(jwk, "kty");
  if (kty == "RSA") return KeyType::kRsa;
  if (kty == "OKP" || kty == "EC") {
    std::string crv = string_member(jwk, "crv");
    if (kty == "OKP" && crv == "Ed25519") return KeyType::kEd25519;
    if (kty == "EC" && crv == "P-256") return KeyType::kEcP256;
    fail("unsupported " + kty + " curve '" + crv + "' (supported: Ed25519, P-256)", "jwk.crv");
  }
  fail("unsupported JWK key type '" + kty + "' (supported: OKP, RSA, EC)", "jwk.kty");
}

Json parse_json_object(std::string_view text) {
  Json j = core::read_json_or_discarded(text);
  if (j.is_discarded() || !j.is_object()) fail("JWK is not a JSON object", "jwk");
  return j;
}

std::string b64(const std::string& bytes) {
  return core::base64url_encode(bytes);
}

void add_options(Json& jwk, const JwkOptions& o) {
  if (!o.kid.empty()) jwk["kid"] = o.kid;
  if (!o.alg.empty()) jwk["alg"] = o.alg;
  if (!o.use.empty()) jwk["use"] = o.use;
}

std::string raw(const std::array<uint8_t, 32>& a) {
  return std::string(reinterpret_cast<const char*>(a.data()), a.size());
}

}  // namespace

PublicKey PublicKey::from_jwk(const Json& jwk) {
  KeyType type = jwk_type(jwk);
  if (jwk.contains("d")) fail("private key member 'd' in a public JWK", "jwk.d");
  if (type == KeyType::kEd25519) return from_ed25519_raw(b64_member(jwk, "x", 32));
  if (type == KeyType::kRsa) {
    for (const char* m : kRsaPrivateMembers) {
      if (jwk.contains(m)) {
        fail(std::string("private key member '") + m + "' in a public JWK",
             std::string("jwk.") + m);
      }
    }
    return detail::public_from_evp(rsa_from_jwk(jwk, false).get());
  }
  return detail::public_from_evp(ec_from_jwk(jwk, false).get());
}

PublicKey PublicKey::from_jwk(std::string_view jwk_json) {
  return from_jwk(parse_json_object(jwk_json));
}

Json PublicKey::to_jwk(const JwkOptions& options) const {
  Json jwk;
  switch (type()) {
    case KeyType::kEd25519:
      jwk = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", b64(raw(ed25519_raw()))}};
      break;
    case KeyType::kRsa:
      jwk = {{"kty", "RSA"},
             {"n", b64(detail::bn_param(evp(), OSSL_PKEY_PARAM_RSA_N))},
             {"e", b64(detail::bn_param(evp(), OSSL_PKEY_PARAM_RSA_E))}};
      break;
    case KeyType::kEcP256:
      jwk = {{"kty", "EC"},
             {"crv", "P-256"},
             {"x", b64(detail::bn_param(evp(), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
             {"y", b64(detail::bn_param(evp(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
      break;
  }
  add_options(jwk, options);
  return jwk;
}

std::string PublicKey::thumbprint() const {
  // RFC 7638 §3.2: only the required members, in lexicographic order, no whitespace. All values
  // are base64url or fixed names, so no JSON escaping is needed.
  Json jwk = to_jwk();
  auto s = [&](const char* k) { return jwk[k].get<std::string>(); };
  std::string canonical;
  switch (type()) {
    case KeyType::kEd25519:
      canonical = R"({"crv":"Ed25519","kty":"OKP","x":")" + s("x") + "\"}";
      break;
    case KeyType::kRsa:
      canonical = R"({"e":")" + s("e") + R"(","kty":"RSA","n":")" + s("n") + "\"}";
      break;
    case KeyType::kEcP256:
      canonical = R"({"crv":"P-256","kty":"EC","x":")" + s("x") + R"(","y":")" + s("y") + "\"}";
      break;
  }
  return core::base64url_encode(detail::sha256(canonical));
}

PrivateKey PrivateKey::from_jwk(const Json& jwk) {
  KeyType type = jwk_type(jwk);
  if (type == KeyType::kEd25519) {
    std::string seed = b64_member(jwk, "d", 32);
    PrivateKey key = from_ed25519_seed(seed);
    sodium_memzero(seed.data(), seed.size());
    if (raw(key.public_key().ed25519_raw()) != b64_member(jwk, "x", 32)) {
      fail("JWK members 'x' and 'd' do not belong to one key", "jwk.x");
    }
    return key;
  }
  EvpPtr pkey = type == KeyType::kRsa ? rsa_from_jwk(jwk, true) : ec_from_jwk(jwk, true);
  return detail::private_from_evp(std::move(pkey));
}

Json PrivateKey::to_private_jwk(const JwkOptions& options) const {
  Json jwk = public_key().to_jwk(options);
  if (type() == KeyType::kEd25519) {
    jwk["d"] = core::base64url_encode(
        std::string_view(reinterpret_cast<const char*>(ed25519_secret().data()), 32));
  } else if (type() == KeyType::kEcP256) {
    jwk["d"] = b64(detail::bn_param(evp(), OSSL_PKEY_PARAM_PRIV_KEY, 32));
  } else {
    std::initializer_list<std::pair<const char*, const char*>> members = {
        {"d", OSSL_PKEY_PARAM_RSA_D},          {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
        {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},    {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
        {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
    for (auto [member, param] : members) jwk[member] = b64(detail::bn_param(evp(), param));
  }
  return jwk;
}

}  // namespace registrar::crypto
