// Parsing of the three JWS serialisations and the header policy checks (see jws.h).
#include <algorithm>
#include <array>

#include "core/base64.h"
#include "crypto/jose_internal.h"
#include "crypto/jws.h"

namespace registrar::crypto {

namespace {

JoseFailure fail(JoseError reason, std::string message) {
  return {reason, std::move(message)};
}

// Members of RFC 7515 §4.1, which "crit" must not list.
constexpr std::array<std::string_view, 10> kRegistered = {"alg", "jku", "jwk",      "kid", "x5u",
                                                          "x5c", "x5t", "x5t#S256", "typ", "cty"};
constexpr std::array<std::string_view, 4> kIndirection = {"jwk", "jku", "x5u", "x5c"};

JoseResult<Json> decode_header(std::string_view b64) {
  auto bytes = core::base64url_decode(b64);
  if (!bytes) return fail(JoseError::kBadBase64, "protected header is not base64url");
  Json header;
  switch (detail::parse_json_strict(*bytes, header)) {
    case detail::JsonParse::kInvalid:
    case detail::JsonParse::kTooDeep:
      return fail(JoseError::kBadHeader, "protected header is not JSON");
    case detail::JsonParse::kDuplicateMember:
      return fail(JoseError::kBadHeader, "duplicate member in the protected header");
    case detail::JsonParse::kOk:
      break;
  }
  if (!header.is_object()) return fail(JoseError::kBadHeader, "protected header is not an object");
  return header;
}

// Applies the header policy to one signature and fills in alg and kid.
std::optional<JoseFailure> check_header(JwsSignature& sig, const JwsVerifyOptions& options) {
  const Json& prot = sig.protected_header;
  const Json& unprot = sig.unprotected_header;
  for (const auto& [name, value] : unprot.items()) {
    if (prot.contains(name)) {
      return fail(JoseError::kConflictingHeader,
                  "header member '" + name + "' is both protected and unprotected");
    }
  }
  auto member = [&](std::string_view name) -> const Json* {
    auto it = prot.find(name);
    if (it != prot.end()) return &*it;
    it = unprot.find(name);
    return it != unprot.end() ? &*it : nullptr;
  };

  const Json* alg = member("alg");
  if (!alg) return fail(JoseError::kMissingAlg, "missing JWS signature algorithm (alg)");
  if (!alg->is_string()) return fail(JoseError::kBadHeader, "alg must be a string");
  const auto& alg_text = alg->get_ref<const std::string&>();
  if (alg_text == "none") return fail(JoseError::kAlgNone, "unsecured JWS (alg none) rejected");
  if (alg_text.rfind("HS", 0) == 0) {
    return fail(JoseError::kAlgHmac, "HMAC algorithm " + alg_text + " rejected");
  }
  auto parsed = parse_alg(alg_text);
  if (!parsed) return fail(JoseError::kAlgUnsupported, "unsupported verify alg: " + alg_text);
  if (std::find(options.allowed_algs.begin(), options.allowed_algs.end(), *parsed) ==
      options.allowed_algs.end()) {
    return fail(JoseError::kAlgNotAllowed, "algorithm " + alg_text + " is not allowed here");
  }
  sig.alg = *parsed;

  for (std::string_view name : kIndirection) {
    if (member(name)) {
      return fail(JoseError::kKeyIndirection,
                  "header member '" + std::string(name) + "' (key from the message) rejected");
    }
  }
  if (const Json* kid = member("kid")) {
    if (!kid->is_string()) return fail(JoseError::kBadHeader, "kid must be a string");
    sig.kid = kid->get<std::string>();
  }
  if (const Json* b64 = member("b64"); b64 && *b64 != true) {
    return fail(JoseError::kUnknownCrit, "unencoded payloads (b64: false) are not supported");
  }

  if (unprot.contains("crit")) return fail(JoseError::kBadHeader, "crit must be protected");
  auto crit = prot.find("crit");
  if (crit != prot.end()) {
    if (!crit->is_array() || crit->empty()) {
      return fail(JoseError::kBadHeader, "crit must be a non-empty array");
    }
    for (const Json& entry : *crit) {
      if (!entry.is_string()) return fail(JoseError::kBadHeader, "crit entries must be strings");
      const auto& name = entry.get_ref<const std::string&>();
      if (std::find(kRegistered.begin(), kRegistered.end(), name) != kRegistered.end() ||
          name == "crit") {
        return fail(JoseError::kBadHeader, "crit must not list the standard member " + name);
      }
      if (std::find(options.understood_crit.begin(), options.understood_crit.end(), name) ==
          options.understood_crit.end()) {
        return fail(JoseError::kUnknownCrit, "critical header extension not understood: " + name);
      }
      if (!prot.contains(name)) {
        return fail(JoseError::kBadHeader, "crit lists '" + name + "', which is absent");
      }
    }
  }
  return std::nullopt;
}

JoseResult<ParsedJws> parse_compact(std::string_view text, const JwsVerifyOptions& options) {
  size_t dot1 = text.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : text.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || text.find('.', dot2 + 1) != std::string_view::npos) {
    return fail(JoseError::kMalformed, "JWS malformed: compact form has three parts");
  }
  ParsedJws jws;
  jws.serialization = JwsSerialization::kCompact;
  JwsSignature& sig = jws.signatures.emplace_back();
  auto header = decode_header(text.substr(0, dot1));
  if (!header) return header.failure();
  sig.protected_header = std::move(header).value();
  auto payload = core::base64url_decode(text.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = core::base64url_decode(text.substr(dot2 + 1));
  if (!payload) return fail(JoseError::kBadBase64, "payload is not base64url");
  if (!signature) return fail(JoseError::kBadBase64, "signature is not base64url");
  jws.payload = std::move(*payload);
  sig.signature = std::move(*signature);
  if (auto f = check_header(sig, options)) return *f;
  sig.signing_input.assign(text.data(), dot2);
  return jws;
}

const std::string* string_member(const Json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

// One entry of "signatures", or the top level of the flattened form.
// `general`: an entry of "signatures", whose signing input verify_parsed builds later.
std::optional<JoseFailure> parse_signature_object(const Json& obj, const std::string& payload_b64,
                                                  bool general, const JwsVerifyOptions& options,
                                                  JwsSignature& sig) {
  const std::string* sig_b64 = string_member(obj, "signature");
  if (!sig_b64) return fail(JoseError::kMalformed, "JWS malformed: signature missing");
  auto prot_it = obj.find("protected");
  auto unprot_it = obj.find("header");
  if (prot_it == obj.end() && unprot_it == obj.end()) {
    return fail(JoseError::kMalformed, "JWS malformed: no header");
  }
  std::string_view prot_b64;
  if (prot_it != obj.end()) {
    if (!prot_it->is_string()) return fail(JoseError::kMalformed, "protected must be a string");
    prot_b64 = prot_it->get_ref<const std::string&>();
    auto header = decode_header(prot_b64);
    if (!header) return header.failure();
    sig.protected_header = std::move(header).value();
  }
  if (unprot_it != obj.end()) {
    if (!unprot_it->is_object()) return fail(JoseError::kBadHeader, "header must be an object");
    sig.unprotected_header = *unprot_it;
  }
  auto signature = core::base64url_decode(*sig_b64);
  if (!signature) return fail(JoseError::kBadBase64, "signature is not base64url");
  sig.signature = std::move(*signature);
  if (auto f = check_header(sig, options)) return f;
  if (general) {
    sig.protected_b64 = prot_b64;
  } else {
    sig.signing_input.reserve(prot_b64.size() + 1 + payload_b64.size());
    sig.signing_input.append(prot_b64).append(1, '.').append(payload_b64);
  }
  return std::nullopt;
}

JoseResult<ParsedJws> parse_json_form(const Json& obj, const JwsVerifyOptions& options) {
  if (!obj.is_object()) return fail(JoseError::kMalformed, "JWS malformed: not an object");
  const std::string* payload_b64 = string_member(obj, "payload");
  if (!payload_b64) {
    return fail(JoseError::kMalformed,
                "JWS malformed: payload missing (detached payloads are "
                "not supported)");
  }
  ParsedJws jws;
  auto payload = core::base64url_decode(*payload_b64);
  if (!payload) return fail(JoseError::kBadBase64, "payload is not base64url");
  jws.payload = std::move(*payload);
  auto sigs = obj.find("signatures");
  if (sigs == obj.end()) {
    jws.serialization = JwsSerialization::kFlattened;
    if (auto f = parse_signature_object(obj, *payload_b64, false, options,
                                        jws.signatures.emplace_back())) {
      return *f;
    }
    return jws;
  }
  jws.serialization = JwsSerialization::kGeneral;
  if (obj.contains("signature") || obj.contains("protected") || obj.contains("header")) {
    return fail(JoseError::kMalformed, "JWS malformed: mixes general and flattened members");
  }
  if (!sigs->is_array() || sigs->empty()) {
    return fail(JoseError::kMalformed, "JWS malformed: signatures must be a non-empty array");
  }
  if (sigs->size() > options.max_signatures) {
    return fail(JoseError::kMalformed, "JWS has " + std::to_string(sigs->size()) +
                                           " signatures; at most " +
                                           std::to_string(options.max_signatures) + " are checked");
  }
  jws.payload_b64 = *payload_b64;
  for (const Json& entry : *sigs) {
    if (!entry.is_object()) return fail(JoseError::kMalformed, "JWS malformed: signature entry");
    if (auto f = parse_signature_object(entry, *payload_b64, true, options,
                                        jws.signatures.emplace_back())) {
      return *f;
    }
  }
  return jws;
}

JoseFailure too_large(size_t max) {
  return fail(JoseError::kTooLarge, "JWS larger than " + std::to_string(max) + " bytes");
}

}  // namespace

JoseResult<ParsedJws> parse_jws(std::string_view text, const JwsVerifyOptions& options) {
  if (text.size() > options.max_size) return too_large(options.max_size);
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return fail(JoseError::kMalformed, "empty JWS");
  if (text[start] != '{') return parse_compact(text, options);
  Json obj;
  switch (detail::parse_json_strict(text, obj)) {
    case detail::JsonParse::kInvalid:
    case detail::JsonParse::kTooDeep:
      return fail(JoseError::kMalformed, "JWS malformed: invalid JSON");
    case detail::JsonParse::kDuplicateMember:
      return fail(JoseError::kMalformed, "JWS malformed: duplicate JSON member");
    case detail::JsonParse::kOk:
      break;
  }
  return parse_json_form(obj, options);
}

JoseResult<ParsedJws> parse_jws_json(const Json& value, const JwsVerifyOptions& options) {
  if (value.is_string())
    return parse_jws(std::string_view(value.get_ref<const std::string&>()), options);
  if (!value.is_object()) {
    return fail(JoseError::kMalformed, "JWS malformed or invalid serialization");
  }
  // The caller parsed the JSON already; measure what it would serialise to.
  if (value.dump().size() > options.max_size) return too_large(options.max_size);
  return parse_json_form(value, options);
}

}  // namespace registrar::crypto
