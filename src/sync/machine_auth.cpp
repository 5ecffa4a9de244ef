#include "sync/machine_auth.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>

#include "core/base64.h"
#include "crypto/jws.h"
#include "sync/store.h"

namespace registrar::sync {
namespace {

constexpr std::string_view kScheme = "Machine";
// A signed request header is a few hundred bytes (an RSA-4096 signature is 683 characters).
constexpr size_t kMaxJws = 8 * 1024;

http::Failure refused(std::string message) {
  http::Failure f = http::unauthenticated("invalid_token", std::move(message), "Authorization");
  f.headers.set("WWW-Authenticate", std::string(kScheme));
  return f;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string body_sha256_b64(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return core::base64url_encode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
}

std::optional<std::string> check_machine_claims(const Json& payload, std::string_view method,
                                                std::string_view target, std::string_view body,
                                                int64_t now_s, int64_t skew_s) {
  if (!payload.is_object()) return "the signed payload is not a JSON object";
  auto method_it = payload.find("method");
  if (method_it == payload.end() || !method_it->is_string())
    return "the signed payload has no \"method\" string";
  if (*method_it != method) return "the signed method is not the request's method";
  auto path_it = payload.find("path");
  if (path_it == payload.end() || !path_it->is_string())
    return "the signed payload has no \"path\" string";
  if (*path_it != target) return "the signed path is not the request's path and query";
  auto iat_it = payload.find("iat");
  if (iat_it == payload.end() || !iat_it->is_number_integer())
    return "the signed payload has no integer \"iat\"";
  int64_t iat = iat_it->get<int64_t>();
  // Compared by difference in both directions, without overflow for absurd values.
  if (iat < now_s - skew_s || iat > now_s + skew_s)
    return "iat is more than " + std::to_string(skew_s) +
           " s away from the server's clock (stale or future request)";
  auto hash_it = payload.find("bodySha256");
  if (hash_it == payload.end() || !hash_it->is_string())
    return "the signed payload has no \"bodySha256\" string";
  if (*hash_it != body_sha256_b64(body)) return "bodySha256 does not match the request's body";
  return std::nullopt;
}

MachineAuthenticator::MachineAuthenticator(MachineCache& machines, int64_t skew_s)
    : machines_(machines), skew_s_(skew_s) {}

std::optional<http::Failure> MachineAuthenticator::authenticate(http::Request& request,
                                                                const http::Route&) {
  auto header = request.headers.get("Authorization");
  if (!header) return refused("missing Authorization: Machine <JWS>");
  std::string_view value = *header;
  size_t space = value.find(' ');
  if (space == std::string_view::npos || !http::iequals(value.substr(0, space), kScheme))
    return refused("the Authorization scheme must be Machine");
  std::string_view token = value.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty() || token.front() == '{') return refused("expected a compact JWS");

  crypto::JwsVerifyOptions options;
  options.allowed_algs = {crypto::JwsAlg::kRS256, crypto::JwsAlg::kES256, crypto::JwsAlg::kEdDSA};
  options.max_size = kMaxJws;
  auto parsed = crypto::parse_jws(token, options);
  if (!parsed) return refused("the JWS is not acceptable: " + parsed.message());
  const crypto::JwsSignature& sig = parsed->signatures.front();
  if (sig.kid.empty()) return refused("the JWS header has no kid (the signing key index)");

  // The kid names the machine; it must be the index of its signing key, not of its encryption
  // key (the encryption key never signs).
  std::string kid = lower(sig.kid);
  std::shared_ptr<const CachedMachine> machine;
  if (request.method == http::Method::kGet) {
    machine = machines_.by_key_index(kid);
  } else {
    auto hit = machines_.service().db().read(
        [&](soci::session& s) { return db::machine_for_key_index(s, kid); });
    if (hit) machine = machines_.read(hit->machine_id);
  }
  if (!machine) return refused("kid: no machine has this key index");
  if (machine->sign_key_index.empty() || machine->sign_key_index != kid)
    return refused("kid: is not the index of the machine's signing key");
  if (!machine->sign_key)
    return refused("the machine's signing key is not usable; ask an administrator");
  auto verified = crypto::verify_signature(sig, *machine->sign_key);
  if (!verified) {
    if (verified.reason() == crypto::JoseError::kAlgKeyMismatch)
      return refused("the JWS alg does not fit the machine's signing key type");
    return refused("the signature does not verify with the machine's signing key");
  }
  // Only after the signature: an unsigned request learns nothing about a machine's state.
  if (machine->context.deleted) return refused("the machine is deleted");
  if (!machine->context.active) return refused("the machine is not active");

  Json payload = Json::parse(parsed->payload, nullptr, false);
  int64_t now_s = core::to_unix_seconds(machines_.service().clock().now());
  if (auto bad = check_machine_claims(payload, request.method_text, request.target, request.body,
                                      now_s, skew_s_))
    return refused(*bad);

  http::Principal p;
  p.subject = kMachineSubjectPrefix + machine->context.id;
  request.principal = std::make_shared<const http::Principal>(std::move(p));
  return std::nullopt;
}

std::string machine_id_of(const http::Request& request) {
  if (!request.principal) return "";
  std::string_view s = request.principal->subject;
  std::string_view prefix = kMachineSubjectPrefix;
  if (s.substr(0, prefix.size()) != prefix) return "";
  return std::string(s.substr(prefix.size()));
}

}  // namespace registrar::sync
