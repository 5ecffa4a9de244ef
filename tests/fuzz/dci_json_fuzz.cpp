// The DCI canonical-JSON reader and writer a signature is checked over (every DCI request body):
// what it reads it writes, its own output reads back to the same value (parse(canonical(x)) ==
// x) and canonicalising twice gives the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "dci/canonical_json.h"

using namespace registrar::dci;

namespace {

// Structural equality; floats by their bits (NaN equals NaN, -0.0 differs from 0.0: the
// canonical form keeps both apart).
bool same(const JsonValue& a, const JsonValue& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case JsonValue::Kind::kNull:
      return true;
    case JsonValue::Kind::kBool:
      return a.boolean == b.boolean;
    case JsonValue::Kind::kFloat:
      if (a.number != a.number) return b.number != b.number;
      return std::memcmp(&a.number, &b.number, sizeof(double)) == 0;
    case JsonValue::Kind::kInteger:
    case JsonValue::Kind::kString:
      return a.text == b.text;
    case JsonValue::Kind::kArray:
      if (a.items.size() != b.items.size()) return false;
      for (size_t i = 0; i < a.items.size(); ++i)
        if (!same(a.items[i], b.items[i])) return false;
      return true;
    case JsonValue::Kind::kObject:
      if (a.members.size() != b.members.size()) return false;
      for (size_t i = 0; i < a.members.size(); ++i)
        if (a.members[i].key != b.members[i].key || !same(a.members[i].value, b.members[i].value))
          return false;
      return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  JsonParseError error;
  const auto value = parse_json(text, &error);
  if (!value) return 0;
  const std::string canonical = to_canonical(*value);
  const auto again = parse_json(canonical);
  if (!again || !same(*value, *again)) std::abort();    // parse(canonical(x)) == x
  if (to_canonical(*again) != canonical) std::abort();  // canonical is a fixed point
  if (canonical_json(text) != canonical) std::abort();  // the convenience agrees
  (void)to_nlohmann(*value);
  return 0;
}
