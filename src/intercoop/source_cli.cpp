#include "intercoop/source_cli.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "core/cli_support.h"
#include "core/error.h"
#include "intercoop/source_side.h"
#include "intercoop/target_admin.h"
#include "intercoop/yaml_emit.h"
#include "services/sealing.h"

namespace registrar::intercoop {
namespace {

using core::cli_actor;

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out.empty() ? "-" : out;
}

// Runs `fn(side, services)` as the verb's action; with `sealing`, identity is started first so
// that our key can be opened (or created).
template <class F>
void on_run(CLI::App* verb, app::ServiceProvider& provider, bool sealing, F fn) {
  verb->callback([&provider, sealing, fn] {
    provider.set_action([&provider, sealing, fn] {
      app::Services& s = sealing ? provider.started({"identity"}) : provider.services();
      SourceSide side(s.db, s.clock, s.registry.find_optional<services::Sealing>(), nullptr,
                      source_settings(s.config));
      fn(side, s);
      return 0;
    });
  });
}

}  // namespace

void add_source_commands(CLI::App& intercoop, app::ServiceProvider& provider) {
  auto* descriptor = intercoop.add_subcommand(
      "descriptor", "Print our §4.1 descriptor (with our public key) for a peer's operator.");
  on_run(descriptor, provider, true, [](SourceSide& side, app::Services& s) {
    const SourceSettings& st = side.settings();
    if (st.peer_id.empty())
      throw core::conflict("set intercoop.peer_id (our id in the peers' registries) first");
    std::optional<Service> service;
    if (!st.target_url.empty() && !s.config.str("intercoop.default_service").empty())
      service = TargetAdmin(s.db, s.clock).service(s.config.str("intercoop.default_service"));
    std::string pem = side.own_key().public_key().to_pem();
    std::string ed25519 = side.own_hardened_key().public_key().to_pem();
    yaml::Value d = our_descriptor(st.peer_id, st.name, pem, st.target_url,
                                   service ? &*service : nullptr, ed25519);
    // §4.1's privacyPolicyUrl: what a source's consent page links to.
    if (std::string policy = s.config.str("intercoop.privacy_policy_url"); !policy.empty())
      d["privacyPolicyUrl"] = policy;
    std::cout << yaml::dump(d);
  });

  auto* members = intercoop.add_subcommand("members", "Our members and their personal data.");
  members->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto* import = members->add_subcommand(
      "import", "Add or update members from a CSV file (header: field names, `member`, `lang`).");
  import->add_option("FILE", *file, "The CSV file")->required();
  on_run(import, provider, false, [file](SourceSide& side, app::Services&) {
    std::vector<Member> list;
    try {
      list = parse_members_csv(core::read_whole_file(*file));
    } catch (const core::Error& e) {
      throw core::invalid_argument(*file + ": " + e.what());
    }
    size_t added = side.import_members(list, cli_actor(), "");
    std::cout << list.size() << " members imported (" << added << " new, " << list.size() - added
              << " updated)\n";
  });
  auto* list = members->add_subcommand("list", "List the members (ids, languages, field names).");
  on_run(list, provider, false, [](SourceSide& side, app::Services&) {
    for (const auto& m : side.members()) {
      std::vector<std::string> names;
      for (const auto& [name, value] : m.fields.items()) names.push_back(name);
      std::cout << m.id << "  lang=" << m.lang << "  fields=" << joined(names) << "\n";
    }
  });

  // Under `peers`: what a remote peer's services require (its descriptor may not say).
  auto* peers = intercoop.get_subcommand("peers");
  auto* services = peers->add_subcommand(
      "services", "What a peer's services need from our members (its descriptor's `services`).");
  services->require_subcommand(1);
  auto rs = std::make_shared<RemoteService>();
  auto* add = services->add_subcommand("add", "Add or replace a peer's service and its fields.");
  add->add_option("PEER", rs->peer, "The peer")->required();
  add->add_option("SERVICE", rs->name, "Its service")->required();
  add->add_option("--field", rs->fields, "A field the service requires (repeat)")->required();
  on_run(add, provider, false, [rs](SourceSide& side, app::Services&) {
    side.add_remote_service(*rs, cli_actor(), "");
    std::cout << rs->peer << "/" << rs->name << "  fields=" << joined(rs->fields) << "\n";
  });
  auto* ls = services->add_subcommand("list", "List the peers' services we know.");
  on_run(ls, provider, false, [](SourceSide& side, app::Services&) {
    for (const auto& r : side.remote_services())
      std::cout << r.peer << "/" << r.name << "  fields=" << joined(r.fields) << "\n";
  });
}

}  // namespace registrar::intercoop
