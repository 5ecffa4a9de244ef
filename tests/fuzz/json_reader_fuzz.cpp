// The JSON reader every request body goes through, and what callers do with its result (copy,
// dump, compare: nlohmann recurses in each, hence the depth limit).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/json_reader.h"

using namespace registrar::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json doc;
  const JsonRead result = read_json(text, doc);
  if (result == JsonRead::kOk || result == JsonRead::kDuplicateMember) {
    const nlohmann::json copy = doc;
    const std::string dumped = copy.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    nlohmann::json again;
    // What the reader accepted and nlohmann wrote back must read again (same depth).
    if (read_json(dumped, again) == JsonRead::kInvalid) std::abort();
  } else {
    (void)json_error_position(text, result);
  }
  (void)read_json_or_discarded(text);
  return 0;
}
