// The DCI envelope signature (spec dci-ibr.md §7), as OpenSPP produces and checks it:
//
//   namespace="dci", kidId="{sender}|{key_id}|{alg}", algorithm="{alg}", created="C",
//   expires="E", headers="(created) (expires) digest", signature="base64(sig)"
//
// signed over "(created): C\n(expires): E\ndigest: D" with
// D = base64(SHA-256(canonical {"header": H, "message": M})). Ed25519 by default; RS256 is
// RSASSA-PKCS1-v1_5 + SHA-256 (OpenSPP's own RS256 is broken, §7.6).
//
// Verification never throws: it returns what went wrong, so the caller maps it to the §7.8
// decision table. The verifier tries the pydantic-normalised header first and the raw header
// second (§7.4); the signer sends exactly the header it signed, in the complete normalised form.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "crypto/keys.h"
#include "dci/envelope.h"

namespace registrar::dci {

enum class SignatureAlgorithm { kEd25519, kRs256 };
// "ed25519", "rs256" — the lowercase names OpenSPP configures and puts in the header.
std::string_view algorithm_name(SignatureAlgorithm alg);
std::optional<SignatureAlgorithm> parse_algorithm(std::string_view name);

inline constexpr std::chrono::seconds kDefaultLifetime{300};
inline constexpr std::chrono::seconds kDefaultFutureSkew{60};

// base64(SHA-256(`{"header":` + header + `,"message":` + message + `}`)) over canonical texts.
std::string signature_digest(std::string_view canonical_header, std::string_view canonical_message);
std::string signing_string(int64_t created, int64_t expires, std::string_view digest);

// The parameters of a Signature value, read as OpenSPP reads them: name="value" or name=value
// pairs anywhere in the text (so a leading "Signature:" does no harm), the last of a name wins.
struct SignatureParams {
  std::string namespace_;
  std::string kid_id;
  std::string algorithm;
  std::string created;
  std::string expires;
  std::string headers;
  std::string signature;
};
SignatureParams parse_signature_params(std::string_view value);

// Signs as `sender_id` with key `key_id`. Lifetime 300 s as OpenSPP's.
class Signer {
 public:
  Signer(crypto::PrivateKey key, SignatureAlgorithm alg, std::string sender_id, std::string key_id,
         const core::Clock& clock, std::chrono::seconds lifetime = kDefaultLifetime);
  // Signs with a key held elsewhere (identity's services::Signing keeps ours sealed in its own
  // table): `raw_sign` returns the algorithm's signature bytes over the bytes it is given.
  using RawSign = std::function<std::string(std::string_view)>;
  Signer(RawSign raw_sign, SignatureAlgorithm alg, std::string sender_id, std::string key_id,
         const core::Clock& clock, std::chrono::seconds lifetime = kDefaultLifetime);

  // "{sender_id}|{key_id}|{alg}" (§6.2).
  const std::string& kid() const { return kid_; }
  SignatureAlgorithm algorithm() const { return alg_; }

  // The Signature value over canonical header and message texts.
  std::string sign(std::string_view canonical_header, std::string_view canonical_message) const;

  // The complete body to send: {"header":H,"message":M,"signature":S} with H the header's full
  // field set (message_ts in pydantic's form when it can be), H and M in canonical form, and S
  // over exactly those bytes.
  std::string sign_envelope(const Header& header, const Json& message) const;

 private:
  RawSign raw_sign_;
  SignatureAlgorithm alg_;
  std::string kid_;
  const core::Clock& clock_;
  std::chrono::seconds lifetime_;
};

enum class VerifyStatus {
  kOk,
  kMissing,            // "", "unsigned-stub" or absent (§7.7)
  kMalformed,          // a required parameter missing, times or signature unreadable
  kAlgorithmMismatch,  // algorithm="..." is not the one expected for the sender
  kWrongKey,           // the key cannot make this algorithm's signatures (type mismatch)
  kExpired,            // now > expires
  kNotYetValid,        // created > now + skew
  kLifetimeTooLong,    // expires - created > max_lifetime (only when that is set)
  kBadSignature,       // neither the normalised nor the raw header verifies
};
std::string_view verify_status_name(VerifyStatus status);

struct VerifyResult {
  VerifyStatus status = VerifyStatus::kMalformed;
  std::string detail;       // for logs; never contains key material
  bool raw_header = false;  // verify_envelope: verified over the raw header only
  size_t matched = 0;       // which of the digests verified
  SignatureParams params;   // as read
  bool ok() const { return status == VerifyStatus::kOk; }
};

struct VerifyOptions {
  std::chrono::seconds future_skew = kDefaultFutureSkew;
  // OpenSPP does not bound expires - created; 0 keeps that.
  std::chrono::seconds max_lifetime{0};
};

// True for the values §7.7 treats as "no signature".
bool is_unsigned(std::string_view signature);

// Verifies `signature` over each candidate canonical {header, message} pair's digest in turn.
VerifyResult verify_signature(std::string_view signature, const crypto::PublicKey& key,
                              SignatureAlgorithm expected, const std::vector<std::string>& digests,
                              const core::Clock& clock, const VerifyOptions& options = {});

// The digests §7.4 says to try for a received envelope: normalised header (when pydantic would
// accept it), then the raw header when it differs.
std::vector<std::string> envelope_digests(const Envelope& envelope);

VerifyResult verify_envelope(const Envelope& envelope, const crypto::PublicKey& key,
                             SignatureAlgorithm expected, const core::Clock& clock,
                             const VerifyOptions& options = {});

}  // namespace registrar::dci
