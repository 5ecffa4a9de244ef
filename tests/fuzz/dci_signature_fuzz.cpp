// A signed DCI request as the IBR and the DCI client's callback routes read it (spec dci-ibr.md
// §7): the `Signature:` value on the first line of the input, the JSON envelope after it. The
// value's parameters are read and checked against a fixed Ed25519 key (verification never
// throws: it returns a status); the envelope is parsed (only core::Error may come out). When the
// envelope reads, it is signed again with our own key and what we send must verify.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "crypto/keys.h"
#include "dci/envelope.h"
#include "dci/signature.h"

using namespace registrar;
using namespace registrar::dci;

namespace {

const crypto::PrivateKey& key() {
  static const crypto::PrivateKey k =
      crypto::PrivateKey::from_ed25519_seed(std::string(32, '\x2a'));
  return k;
}

const core::Clock& clock_at_seeds() {
  // The seed corpus's created/expires lie around this time (2025-01-01T00:00:00Z).
  static const core::ManualClock clock(core::from_unix_us(1'735'689'600'000'000));
  return clock;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view header_value = input.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? "" : input.substr(nl + 1);

  const crypto::PublicKey pub = key().public_key();
  const SignatureParams params = parse_signature_params(header_value);
  (void)parse_algorithm(params.algorithm);
  (void)is_unsigned(header_value);
  const std::vector<std::string> digests = {signature_digest("{}", "{}")};
  for (auto alg : {SignatureAlgorithm::kEd25519, SignatureAlgorithm::kRs256}) {
    VerifyOptions options;
    options.max_lifetime = std::chrono::seconds(600);
    (void)verify_signature(header_value, pub, alg, digests, clock_at_seeds(), options);
  }

  Envelope envelope;
  try {
    envelope = parse_envelope(body);
  } catch (const core::Error&) {
    return 0;
  }
  (void)envelope_to_json(envelope);
  (void)header_to_json(envelope.header, true);
  (void)envelope_digests(envelope);
  (void)verify_envelope(envelope, pub, SignatureAlgorithm::kEd25519, clock_at_seeds());
  if (envelope.signature) (void)parse_signature_params(*envelope.signature);

  // What we sign, we verify: our own envelope over the header and message just read.
  const Signer signer(key(), SignatureAlgorithm::kEd25519, "fuzz", "k1", clock_at_seeds());
  std::string sent;
  try {
    sent = signer.sign_envelope(envelope.header, envelope.message);
  } catch (const core::Error&) {
    return 0;  // a header we refuse to send (documented)
  }
  const Envelope back = parse_envelope(sent);
  const VerifyResult result =
      verify_envelope(back, pub, SignatureAlgorithm::kEd25519, clock_at_seeds());
  if (!result.ok()) std::abort();
  return 0;
}
