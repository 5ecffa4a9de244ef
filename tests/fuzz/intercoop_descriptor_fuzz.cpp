// An intercoop peer's §4.1 descriptor as PUT /v1/intercoop/peers/{id}/descriptor and
// `registrar intercoop peers import` read it (YAML, or JSON, which the YAML reader takes too):
// the peer it describes and the services its `services` section lists. Only yaml::YamlError and
// core::Error may come out. A descriptor that imports exports a descriptor (descriptor_of) that
// imports again as the same peer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "intercoop/source_model.h"
#include "intercoop/target_model.h"
#include "intercoop/yaml_emit.h"
#include "intercoop/yaml_parse.h"

using namespace registrar;
using namespace registrar::intercoop;

namespace {

bool same_peer(const Peer& a, const Peer& b) {
  return a.id == b.id && a.name == b.name && a.description == b.description && a.url == b.url &&
         a.target_url == b.target_url && a.logo == b.logo && a.public_key_pem == b.public_key_pem &&
         a.ed25519_key_pem == b.ed25519_key_pem && a.versions == b.versions;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  yaml::Value descriptor;
  try {
    descriptor = yaml::load(text);
  } catch (const yaml::YamlError&) {
    return 0;
  }
  try {
    (void)remote_services_from_descriptor(descriptor);
  } catch (const core::Error&) {
  }
  Peer peer;
  try {
    peer = peer_from_descriptor(descriptor);
  } catch (const core::Error&) {
    return 0;
  }
  for (const char* lang : {"es", "ca", "en"}) {
    (void)translate(peer.description, lang);
    (void)translate(peer.url, lang);
  }
  const std::string exported = yaml::dump(descriptor_of(peer));
  const Peer again = peer_from_descriptor(yaml::load(exported));  // must not throw
  if (!same_peer(peer, again)) std::abort();
  return 0;
}
