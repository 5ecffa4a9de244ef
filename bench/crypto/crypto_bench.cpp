// Single-threaded signature verification rates: raw libsodium Ed25519 beside registrar's compact
// EdDSA JWS verify and JWT validation (the ratio is the JWS/JWT overhead the HTTP benchmark's
// 0.7x target leaves room for), and RS256 / PS256 / ES256 JWS verification.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include "core/clock.h"
#include "crypto/jose_internal.h"
#include "crypto/jws.h"
#include "crypto/jwt.h"
#include "crypto/keys.h"

namespace registrar::crypto {
namespace {

// A DHP-style challenge payload and a typical access-token claim set.
const Json kChallenge = {{"nonce", "+dPrjjfrFE/CBHRUjolVxg=="}};
Json claims() {
  int64_t now = core::SystemClock::instance().now_seconds();
  return {{"iss", "https://registrar.example"},
          {"sub", "client-42"},
          {"aud", "registrar"},
          {"iat", now},
          {"exp", now + 3600},
          {"scope", "ids.read ids.write"},
          {"jti", "abc123"}};
}

const PrivateKey& key(KeyType type) {
  static const PrivateKey ed = PrivateKey::generate(KeyType::kEd25519);
  static const PrivateKey rsa = PrivateKey::generate(KeyType::kRsa, 2048);
  static const PrivateKey ec = PrivateKey::generate(KeyType::kEcP256);
  return type == KeyType::kEd25519 ? ed : type == KeyType::kRsa ? rsa : ec;
}

JwsVerifyOptions options(JwsAlg alg) {
  JwsVerifyOptions o;
  o.allowed_algs = {alg};
  return o;
}

void BM_RawSodiumEd25519Verify(benchmark::State& state) {
  const PrivateKey& k = key(KeyType::kEd25519);
  std::string jws = sign_compact(kChallenge.dump(), k, JwsAlg::kEdDSA);
  std::string input = jws.substr(0, jws.rfind('.'));
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size(), k.ed25519_secret().data());
  const unsigned char* pk = k.public_key().ed25519_raw().data();
  for (auto _ : state) {
    int rc = crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(input.data()),
                                         input.size(), pk);
    benchmark::DoNotOptimize(rc);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawSodiumEd25519Verify);

// One Ed25519 signature made and checked over a DCI envelope's size of message (a 100-item
// search request is about 40 KB; the hash dominates beside the curve at that size): the raw
// cost floor of a signed request answered by a signed response, for bench/dci.
void BM_RawSodiumEd25519SignVerify(benchmark::State& state) {
  const PrivateKey& k = key(KeyType::kEd25519);
  const std::string message(size_t(state.range(0)), 'x');
  const auto* m = reinterpret_cast<const unsigned char*>(message.data());
  const unsigned char* pk = k.public_key().ed25519_raw().data();
  unsigned char sig[crypto_sign_BYTES];
  for (auto _ : state) {
    crypto_sign_detached(sig, nullptr, m, message.size(), k.ed25519_secret().data());
    int rc = crypto_sign_verify_detached(sig, m, message.size(), pk);
    benchmark::DoNotOptimize(rc);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawSodiumEd25519SignVerify)->Arg(256)->Arg(40000);

void verify_bench(benchmark::State& state, JwsAlg alg) {
  const PrivateKey& k = key(alg_key_type(alg));
  std::string jws = sign_compact(kChallenge.dump(), k, alg, {{"kid", "bench-key"}});
  const PublicKey& pub = k.public_key();
  JwsVerifyOptions o = options(alg);
  for (auto _ : state) {
    auto r = verify_jws(jws, pub, o);
    if (!r) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_JwsCompactVerify_EdDSA(benchmark::State& s) {
  verify_bench(s, JwsAlg::kEdDSA);
}
void BM_JwsCompactVerify_RS256(benchmark::State& s) {
  verify_bench(s, JwsAlg::kRS256);
}
void BM_JwsCompactVerify_PS256(benchmark::State& s) {
  verify_bench(s, JwsAlg::kPS256);
}
void BM_JwsCompactVerify_ES256(benchmark::State& s) {
  verify_bench(s, JwsAlg::kES256);
}
BENCHMARK(BM_JwsCompactVerify_EdDSA);
BENCHMARK(BM_JwsCompactVerify_RS256);
BENCHMARK(BM_JwsCompactVerify_PS256);
BENCHMARK(BM_JwsCompactVerify_ES256);

// Parsing and header policy alone: the per-request overhead on top of the signature check.
void BM_JwsParseOnly_EdDSA(benchmark::State& state) {
  std::string jws = sign_compact(kChallenge.dump(), key(KeyType::kEd25519), JwsAlg::kEdDSA,
                                 {{"kid", "bench-key"}});
  JwsVerifyOptions o = options(JwsAlg::kEdDSA);
  for (auto _ : state) {
    auto r = parse_jws(jws, o);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JwsParseOnly_EdDSA);

// The JSON reader of every JOSE header and JWT payload (duplicate members refused) beside
// nlohmann's own DOM parser, which keeps the last of duplicates, on an access token's claims.
void BM_JsonStrictParse_Claims(benchmark::State& state) {
  const std::string text = claims().dump();
  for (auto _ : state) {
    Json out;
    auto r = detail::parse_json_strict(text, out);
    if (r != detail::JsonParse::kOk) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JsonStrictParse_Claims);

void BM_NlohmannParse_Claims(benchmark::State& state) {
  const std::string text = claims().dump();
  for (auto _ : state) {
    Json out = Json::parse(text);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NlohmannParse_Claims);

void jwt_bench(benchmark::State& state, JwsAlg alg) {
  const PrivateKey& k = key(alg_key_type(alg));
  std::string token = issue_jwt(claims(), k, alg, {.kid = "bench-key"});
  PublicKey pub = k.public_key();
  KeyResolver resolver = [&pub](std::string_view kid, JwsAlg) -> std::optional<PublicKey> {
    if (kid == "bench-key") return pub;
    return std::nullopt;
  };
  JwtValidationOptions o;
  o.allowed_algs = {alg};
  o.issuer = "https://registrar.example";
  o.audience = "registrar";
  for (auto _ : state) {
    auto r = validate_jwt(token, resolver, o);
    if (!r) state.SkipWithError("validation failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_JwtValidate_EdDSA(benchmark::State& s) {
  jwt_bench(s, JwsAlg::kEdDSA);
}
void BM_JwtValidate_RS256(benchmark::State& s) {
  jwt_bench(s, JwsAlg::kRS256);
}
BENCHMARK(BM_JwtValidate_EdDSA);
BENCHMARK(BM_JwtValidate_RS256);

}  // namespace
}  // namespace registrar::crypto

BENCHMARK_MAIN();
