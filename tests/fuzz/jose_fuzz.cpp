// JWS (compact and JSON serialisations), JWT decoding and public keys in every form a client may
// send (PEM, bare DER base64, JWK): the first byte picks the parser, the rest is its input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "core/json_reader.h"
#include "crypto/jws.h"
#include "crypto/jwt.h"
#include "crypto/keys.h"

using namespace registrar;
using namespace registrar::crypto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  JwsVerifyOptions options;
  options.allowed_algs = {JwsAlg::kEdDSA, JwsAlg::kRS256, JwsAlg::kES256, JwsAlg::kPS256};
  switch (data[0] % 4) {
    case 0:
      (void)parse_jws(text, options);
      break;
    case 1: {
      const nlohmann::json value = core::read_json_or_discarded(text);
      if (!value.is_discarded()) (void)parse_jws(value, options);
      break;
    }
    case 2: {
      auto decoded = decode_jwt(text);
      if (decoded) (void)decoded->unverified_issuer();
      break;
    }
    default:
      try {
        (void)parse_public_key_any(text);
      } catch (const core::Error&) {
      }
  }
  return 0;
}
