// JWS signing and signature verification; parsing and header policy are in jws_parse.cpp.
#include "crypto/jws.h"

#include "core/base64.h"
#include "core/error.h"

namespace registrar::crypto {

const char* jose_error_name(JoseError error) {
  switch (error) {
    case JoseError::kMalformed:
      return "malformed";
    case JoseError::kTooLarge:
      return "too-large";
    case JoseError::kBadBase64:
      return "bad-base64";
    case JoseError::kBadHeader:
      return "bad-header";
    case JoseError::kMissingAlg:
      return "missing-alg";
    case JoseError::kAlgNone:
      return "alg-none";
    case JoseError::kAlgHmac:
      return "alg-hmac";
    case JoseError::kAlgUnsupported:
      return "alg-unsupported";
    case JoseError::kAlgNotAllowed:
      return "alg-not-allowed";
    case JoseError::kAlgKeyMismatch:
      return "alg-key-mismatch";
    case JoseError::kKeyIndirection:
      return "key-indirection";
    case JoseError::kUnknownCrit:
      return "unknown-crit";
    case JoseError::kConflictingHeader:
      return "conflicting-header";
    case JoseError::kBadSignature:
      return "bad-signature";
    case JoseError::kUnknownKey:
      return "unknown-key";
    case JoseError::kBadClaims:
      return "bad-claims";
    case JoseError::kMissingClaim:
      return "missing-claim";
    case JoseError::kExpired:
      return "expired";
    case JoseError::kNotYetValid:
      return "not-yet-valid";
    case JoseError::kIssuedInFuture:
      return "issued-in-future";
    case JoseError::kBadIssuer:
      return "bad-issuer";
    case JoseError::kBadAudience:
      return "bad-audience";
    case JoseError::kBadType:
      return "bad-type";
  }
  return "unknown";
}

// ---- verification ----

namespace {

JoseStatus verify_input(const JwsSignature& sig, std::string_view signing_input,
                        const PublicKey& key) {
  if (!alg_matches_key(sig.alg, key.type())) {
    // Worded like the DHP original's message for the same case.
    return JoseFailure{JoseError::kAlgKeyMismatch,
                       "the key does not support " + std::string(alg_name(sig.alg)) +
                           " verify algorithm (it is " + key_type_name(key.type()) + ")"};
  }
  if (!verify_bytes(key, sig.alg, signing_input, sig.signature)) {
    return JoseFailure{JoseError::kBadSignature, "signature verification failed"};
  }
  return std::monostate{};
}

}  // namespace

JoseStatus verify_signature(const JwsSignature& sig, const PublicKey& key) {
  return verify_input(sig, sig.signing_input, key);
}

namespace {

// `buffer` holds the general form's input while it is checked, one entry at a time.
JoseStatus verify_entry(const ParsedJws& jws, size_t index, const PublicKey& key,
                        std::string& buffer) {
  const JwsSignature& sig = jws.signatures.at(index);
  if (jws.serialization != JwsSerialization::kGeneral)
    return verify_input(sig, sig.signing_input, key);
  buffer.assign(sig.protected_b64).append(1, '.').append(jws.payload_b64);
  return verify_input(sig, buffer, key);
}

}  // namespace

JoseStatus verify_entry(const ParsedJws& jws, size_t index, const PublicKey& key) {
  std::string buffer;
  return verify_entry(jws, index, key, buffer);
}

JoseResult<size_t> verify_parsed(const ParsedJws& jws, const PublicKey& key) {
  std::optional<JoseFailure> first;
  std::string buffer;
  for (size_t i = 0; i < jws.signatures.size(); ++i) {
    auto status = verify_entry(jws, i, key, buffer);
    if (status) return i;
    // A signature failure says more than a key-type mismatch of another entry.
    if (!first || status.reason() == JoseError::kBadSignature) first = status.failure();
  }
  if (!first) return JoseFailure{JoseError::kMalformed, "JWS has no signature"};
  return *first;
}

namespace {

JoseResult<ParsedJws> verify_after_parse(JoseResult<ParsedJws> parsed, const PublicKey& key) {
  if (!parsed) return parsed;
  auto index = verify_parsed(parsed.value(), key);
  if (!index) return index.failure();
  return parsed;
}

}  // namespace

JoseResult<ParsedJws> verify_jws(std::string_view text, const PublicKey& key,
                                 const JwsVerifyOptions& options) {
  return verify_after_parse(parse_jws(text, options), key);
}

JoseResult<ParsedJws> verify_jws_json(const Json& value, const PublicKey& key,
                                      const JwsVerifyOptions& options) {
  return verify_after_parse(parse_jws_json(value, options), key);
}

// ---- signing ----

namespace {

// The encoded protected header with "alg" filled in.
std::string encode_protected(const Json& extra, JwsAlg alg) {
  if (!extra.is_object() && !extra.is_null()) {
    throw core::invalid_argument("JWS header must be an object", "header");
  }
  Json header = extra.is_null() ? Json::object() : extra;
  auto it = header.find("alg");
  if (it != header.end() && *it != alg_name(alg)) {
    throw core::invalid_argument("header alg differs from the signing algorithm", "header.alg");
  }
  header["alg"] = alg_name(alg);
  return core::base64url_encode(header.dump());
}

Json sign_entry(const std::string& payload_b64, const JwsSigner& signer) {
  // null (what `{}` initialises a Json to) means no header.
  const Json& unprotected = signer.unprotected_header;
  if (!unprotected.is_object() && !unprotected.is_null()) {
    throw core::invalid_argument("unprotected JWS header must be an object", "header");
  }
  for (const auto& [name, value] : unprotected.items()) {
    if (name == "alg" ||
        (signer.protected_header.is_object() && signer.protected_header.contains(name))) {
      throw core::invalid_argument("header member '" + name + "' must appear once, protected",
                                   "header");
    }
  }
  std::string prot = encode_protected(signer.protected_header, signer.alg);
  std::string input = prot + "." + payload_b64;
  Json entry = {{"protected", prot},
                {"signature", core::base64url_encode(sign_bytes(signer.key, signer.alg, input))}};
  if (unprotected.is_object() && !unprotected.empty()) entry["header"] = unprotected;
  return entry;
}

}  // namespace

std::string sign_compact(std::string_view payload, const PrivateKey& key, JwsAlg alg,
                         const Json& protected_header) {
  std::string out = encode_protected(protected_header, alg);
  out += '.';
  out += core::base64url_encode(payload);
  std::string sig = sign_bytes(key, alg, out);
  out += '.';
  out += core::base64url_encode(sig);
  return out;
}

Json sign_flattened(std::string_view payload, const JwsSigner& signer) {
  std::string payload_b64 = core::base64url_encode(payload);
  Json out = sign_entry(payload_b64, signer);
  out["payload"] = payload_b64;
  return out;
}

Json sign_general(std::string_view payload, const std::vector<JwsSigner>& signers) {
  if (signers.empty()) throw core::invalid_argument("a JWS needs at least one signer");
  std::string payload_b64 = core::base64url_encode(payload);
  Json sigs = Json::array();
  for (const auto& signer : signers) sigs.push_back(sign_entry(payload_b64, signer));
  return {{"payload", payload_b64}, {"signatures", std::move(sigs)}};
}

}  // namespace registrar::crypto
