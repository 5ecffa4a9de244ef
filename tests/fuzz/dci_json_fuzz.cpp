// The DCI canonical-JSON reader and writer a signature is checked over (every DCI request body):
// what it reads it writes, and its own output reads back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dci/canonical_json.h"

using namespace registrar::dci;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  JsonParseError error;
  const auto value = parse_json(text, &error);
  if (!value) return 0;
  const std::string canonical = to_canonical(*value);
  const auto again = parse_json(canonical);
  if (!again || to_canonical(*again) != canonical) std::abort();  // canonical is a fixed point
  (void)to_nlohmann(*value);
  return 0;
}
