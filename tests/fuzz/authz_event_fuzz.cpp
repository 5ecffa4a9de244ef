// The authz CloudEvents parser (POST /v1/authz/events): envelope, then an estate case's payload.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "authz/events.h"
#include "authz/vocabulary.h"
#include "core/error.h"

using namespace registrar;
using namespace registrar::authz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const RoleVocabulary roles = RoleVocabulary::digitalt_dodsbo();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    const Event event = parse_event(body);
    if (const auto* estate = std::get_if<EstateCaseEvent>(&event); estate && estate->data)
      (void)parse_case_payload(*estate->data, roles);
  } catch (const core::Error&) {
    // The documented refusal (400 naming the field).
  }
  return 0;
}
