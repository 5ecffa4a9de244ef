// What POST /intercoop/activateService reads before anything else: the YAML package, parsed and
// checked in the order of intercoop.md §3.1a (no peer is known here: the unknown-peer refusal
// ends the run for well-formed packages), the same for 2.0 (hardened.h), and the YAML reader on
// its own.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "intercoop/errors.h"
#include "intercoop/hardened.h"
#include "intercoop/package.h"
#include "intercoop/yaml_emit.h"
#include "intercoop/yaml_parse.h"

using namespace registrar::intercoop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)receive_package(text,
                          [](std::string_view) -> std::optional<registrar::crypto::PublicKey> {
                            return std::nullopt;
                          });
  } catch (const ProtocolError&) {
  }
  // Both versions, 2.0's envelope included (a peer that declared both but has no keys: the run
  // ends at BadPeer once the envelope has been read).
  static const PeerKeys keyless{{"1.0", "2.0"}, std::nullopt, std::nullopt};
  try {
    (void)receive_versioned(text, [](std::string_view) { return &keyless; });
  } catch (const ProtocolError&) {
  }
  try {
    const yaml::Value value = yaml::load(text);
    (void)yaml::dump(value);
  } catch (const yaml::YamlError&) {
  }
  return 0;
}
