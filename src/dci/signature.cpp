// The DCI signature (signature.h).
#include "dci/signature.h"

#include <openssl/sha.h>

#include <charconv>

#include "core/base64.h"
#include "core/error.h"
#include "crypto/signature.h"

namespace registrar::dci {

namespace {

crypto::JwsAlg jws_alg(SignatureAlgorithm alg) {
  return alg == SignatureAlgorithm::kEd25519 ? crypto::JwsAlg::kEdDSA : crypto::JwsAlg::kRS256;
}

// Python's \w, for ASCII (parameter names are ASCII in every producer we know).
bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// int(text) as OpenSPP applies it to created / expires: optional sign and surrounding ASCII
// whitespace; Python's underscores and non-ASCII digits are not taken.
std::optional<int64_t> parse_time(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

VerifyResult fail(VerifyStatus status, std::string detail, SignatureParams params) {
  return {status, std::move(detail), false, 0, std::move(params)};
}

}  // namespace

std::string_view algorithm_name(SignatureAlgorithm alg) {
  return alg == SignatureAlgorithm::kEd25519 ? "ed25519" : "rs256";
}

std::optional<SignatureAlgorithm> parse_algorithm(std::string_view name) {
  if (name == "ed25519") return SignatureAlgorithm::kEd25519;
  if (name == "rs256") return SignatureAlgorithm::kRs256;
  return std::nullopt;
}

std::string signature_digest(std::string_view canonical_header,
                             std::string_view canonical_message) {
  std::string canon;
  canon.reserve(canonical_header.size() + canonical_message.size() + 24);
  canon += "{\"header\":";
  canon += canonical_header;
  canon += ",\"message\":";
  canon += canonical_message;
  canon += '}';
  unsigned char hash[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(canon.data()), canon.size(), hash);
  return core::base64_encode(std::string_view(reinterpret_cast<const char*>(hash), sizeof hash));
}

std::string signing_string(int64_t created, int64_t expires, std::string_view digest) {
  return "(created): " + std::to_string(created) + "\n(expires): " + std::to_string(expires) +
         "\ndigest: " + std::string(digest);
}

// OpenSPP's regex (\w+)="([^"]+)"|(\w+)=([^\s,]+) applied with findall: a name is the run of
// word characters just before '='; a quoted value needs at least one character, else the bare
// form takes the quotes as the value.
SignatureParams parse_signature_params(std::string_view s) {
  SignatureParams p;
  size_t i = 0;
  while (i < s.size()) {
    if (!word_char(s[i])) {
      ++i;
      continue;
    }
    size_t name_start = i;
    while (i < s.size() && word_char(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') continue;
    std::string_view name = s.substr(name_start, i - name_start);
    size_t v = i + 1;
    std::string_view value;
    size_t close = v < s.size() && s[v] == '"' ? s.find('"', v + 1) : std::string_view::npos;
    if (close != std::string_view::npos && close > v + 1) {
      value = s.substr(v + 1, close - v - 1);
      i = close + 1;
    } else {
      size_t e = v;
      while (e < s.size() && s[e] != ',' && s[e] != ' ' && s[e] != '\t' && s[e] != '\n' &&
             s[e] != '\r' && s[e] != '\f' && s[e] != '\v') {
        ++e;
      }
      if (e == v) {
        i = v;
        continue;
      }
      value = s.substr(v, e - v);
      i = e;
    }
    std::string* slot = name == "namespace"   ? &p.namespace_
                        : name == "kidId"     ? &p.kid_id
                        : name == "algorithm" ? &p.algorithm
                        : name == "created"   ? &p.created
                        : name == "expires"   ? &p.expires
                        : name == "headers"   ? &p.headers
                        : name == "signature" ? &p.signature
                                              : nullptr;
    if (slot) *slot = std::string(value);
  }
  return p;
}

Signer::Signer(crypto::PrivateKey key, SignatureAlgorithm alg, std::string sender_id,
               std::string key_id, const core::Clock& clock, std::chrono::seconds lifetime)
    : alg_(alg),
      kid_(sender_id + "|" + key_id + "|" + std::string(algorithm_name(alg))),
      clock_(clock),
      lifetime_(lifetime) {
  if (!crypto::alg_matches_key(jws_alg(alg), key.type())) {
    throw core::invalid_argument(std::string("a ") + crypto::key_type_name(key.type()) +
                                 " key cannot sign " + std::string(algorithm_name(alg)));
  }
  raw_sign_ = [key = std::move(key), jws = jws_alg(alg)](std::string_view data) {
    return crypto::sign_bytes(key, jws, data);
  };
}

Signer::Signer(RawSign raw_sign, SignatureAlgorithm alg, std::string sender_id, std::string key_id,
               const core::Clock& clock, std::chrono::seconds lifetime)
    : raw_sign_(std::move(raw_sign)),
      alg_(alg),
      kid_(sender_id + "|" + key_id + "|" + std::string(algorithm_name(alg))),
      clock_(clock),
      lifetime_(lifetime) {
  if (!raw_sign_) throw core::invalid_argument("a signer needs a signing function");
}

std::string Signer::sign(std::string_view canonical_header,
                         std::string_view canonical_message) const {
  int64_t created = clock_.now_seconds();
  int64_t expires = created + lifetime_.count();
  std::string input =
      signing_string(created, expires, signature_digest(canonical_header, canonical_message));
  std::string sig = core::base64_encode(raw_sign_(input));
  std::string name(algorithm_name(alg_));
  return "namespace=\"dci\", kidId=\"" + kid_ + "\", algorithm=\"" + name + "\", created=\"" +
         std::to_string(created) + "\", expires=\"" + std::to_string(expires) +
         "\", headers=\"(created) (expires) digest\", signature=\"" + sig + "\"";
}

std::string Signer::sign_envelope(const Header& header, const Json& message) const {
  Header sent = header;
  std::visit(
      [](MsgHeader& h) {
        if (auto ts = normalize_datetime(h.message_ts)) h.message_ts = *ts;
      },
      sent);
  std::string canonical_header, canonical_message;
  append_canonical(canonical_header, header_to_json(sent));
  append_canonical(canonical_message, message);
  std::string body =
      "{\"header\":" + canonical_header + ",\"message\":" + canonical_message + ",\"signature\":";
  append_canonical(body, Json(sign(canonical_header, canonical_message)));
  body += '}';
  return body;
}

std::string_view verify_status_name(VerifyStatus status) {
  switch (status) {
    case VerifyStatus::kOk:
      return "ok";
    case VerifyStatus::kMissing:
      return "missing";
    case VerifyStatus::kMalformed:
      return "malformed";
    case VerifyStatus::kAlgorithmMismatch:
      return "algorithm-mismatch";
    case VerifyStatus::kWrongKey:
      return "wrong-key";
    case VerifyStatus::kExpired:
      return "expired";
    case VerifyStatus::kNotYetValid:
      return "not-yet-valid";
    case VerifyStatus::kLifetimeTooLong:
      return "lifetime-too-long";
    case VerifyStatus::kBadSignature:
      return "bad-signature";
  }
  return "unknown";
}

bool is_unsigned(std::string_view signature) {
  return signature.empty() || signature == "unsigned-stub";
}

VerifyResult verify_signature(std::string_view signature, const crypto::PublicKey& key,
                              SignatureAlgorithm expected, const std::vector<std::string>& digests,
                              const core::Clock& clock, const VerifyOptions& options) {
  if (is_unsigned(signature)) return fail(VerifyStatus::kMissing, "no signature", {});
  SignatureParams p = parse_signature_params(signature);
  if (p.created.empty() || p.expires.empty() || p.signature.empty() || p.algorithm.empty()) {
    return fail(VerifyStatus::kMalformed, "created, expires, algorithm and signature are required",
                std::move(p));
  }
  if (p.algorithm != algorithm_name(expected)) {
    return fail(
        VerifyStatus::kAlgorithmMismatch,
        "algorithm \"" + p.algorithm + "\", expected " + std::string(algorithm_name(expected)),
        std::move(p));
  }
  if (!crypto::alg_matches_key(jws_alg(expected), key.type())) {
    return fail(VerifyStatus::kWrongKey,
                std::string("the sender's key is ") + crypto::key_type_name(key.type()),
                std::move(p));
  }
  auto created = parse_time(p.created);
  auto expires = parse_time(p.expires);
  // Python's base64.b64decode discards characters outside the alphabet; we take whitespace only.
  auto raw = core::base64_decode_lenient(p.signature);
  if (!created || !expires || !raw) {
    return fail(VerifyStatus::kMalformed, "created, expires or signature unreadable", std::move(p));
  }
  int64_t now = clock.now_seconds();
  if (now > *expires) return fail(VerifyStatus::kExpired, "signature expired", std::move(p));
  if (*created > now + options.future_skew.count()) {
    return fail(VerifyStatus::kNotYetValid, "signature created in the future", std::move(p));
  }
  if (options.max_lifetime.count() > 0 && *expires - *created > options.max_lifetime.count()) {
    return fail(VerifyStatus::kLifetimeTooLong, "signature valid for too long", std::move(p));
  }
  for (size_t i = 0; i < digests.size(); ++i) {
    // Python re-renders the times with str(int(...)), so "+0170..." signs as "170...".
    std::string input = signing_string(*created, *expires, digests[i]);
    if (crypto::verify_bytes(key, jws_alg(expected), input, *raw)) {
      return {VerifyStatus::kOk, "", false, i, std::move(p)};
    }
  }
  return fail(VerifyStatus::kBadSignature, "signature does not verify", std::move(p));
}

std::vector<std::string> envelope_digests(const Envelope& envelope) {
  std::string message = to_canonical(envelope.raw_message);
  std::string raw = to_canonical(envelope.raw_header);
  std::vector<std::string> digests;
  auto normalized = normalized_header_canonical(envelope.raw_header);
  if (normalized) digests.push_back(signature_digest(*normalized, message));
  if (!normalized || *normalized != raw) digests.push_back(signature_digest(raw, message));
  return digests;
}

VerifyResult verify_envelope(const Envelope& envelope, const crypto::PublicKey& key,
                             SignatureAlgorithm expected, const core::Clock& clock,
                             const VerifyOptions& options) {
  std::vector<std::string> digests = envelope_digests(envelope);
  VerifyResult result =
      verify_signature(envelope.signature.value_or(""), key, expected, digests, clock, options);
  // Two digests: normalised then raw. One: the raw header when pydantic would refuse it,
  // otherwise the normalised header, which then equals the raw one.
  result.raw_header =
      result.ok() && (digests.size() == 2 ? result.matched == 1
                                          : !normalized_header_canonical(envelope.raw_header));
  return result;
}

}  // namespace registrar::dci
