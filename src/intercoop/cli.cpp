#include "intercoop/cli.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "core/cli_support.h"
#include "core/error.h"
#include "intercoop/package.h"
#include "intercoop/target_admin.h"
#include "intercoop/yaml_emit.h"
#include "intercoop/yaml_parse.h"

namespace registrar::intercoop {
namespace {

using core::cli_actor;

std::string joined(const std::vector<std::string>& items, const char* empty) {
  if (items.empty()) return empty;
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

void print_peer(const Peer& p) {
  std::cout << p.id << "  " << (p.active ? "active" : "disabled") << "  name=" << p.name
            << "  versions=" << joined(p.versions, "-")
            << "  target_url=" << (p.target_url.empty() ? "-" : p.target_url) << "\n";
}

void print_service(const Service& s) {
  std::cout << s.name << "  " << (s.active ? "active" : "inactive")
            << "  fields=" << joined(s.fields, "-") << "  peers=" << joined(s.peers, "any")
            << "  description=" << s.description.dump();
  if (auto rules = rules_to_json(s.rules); !rules.empty()) std::cout << "  rules=" << rules.dump();
  std::cout << "\n";
}

// "FIELD=A,B,C" (--available, --available-prefix) as an availability rule.
AvailabilityRule rule_arg(const std::string& arg, bool prefixes) {
  size_t eq = arg.find('=');
  if (eq == 0 || eq == std::string::npos || eq + 1 == arg.size())
    throw core::invalid_argument("give FIELD=VALUE[,VALUE...]: " + arg, "available");
  AvailabilityRule rule{arg.substr(0, eq), {}, {}};
  std::string rest = arg.substr(eq + 1);
  for (size_t start = 0; start <= rest.size();) {
    size_t comma = std::min(rest.find(',', start), rest.size());
    if (comma > start)
      (prefixes ? rule.prefixes : rule.values).push_back(rest.substr(start, comma - start));
    start = comma + 1;
  }
  return rule;
}

// Runs `fn(admin)` as the verb's action (after parsing, inside main's error handling).
template <class F>
void on_run(CLI::App* verb, app::ServiceProvider& provider, F fn) {
  verb->callback([&provider, fn] {
    provider.set_action([&provider, fn] {
      app::Services& s = provider.services();
      TargetAdmin admin(s.db, s.clock);
      fn(admin);
      return 0;
    });
  });
}

void add_peer_commands(CLI::App& intercoop, app::ServiceProvider& provider) {
  auto* peers = intercoop.add_subcommand("peers", "Organisations whose members' data we accept.");
  peers->require_subcommand(1);

  auto files = std::make_shared<std::vector<std::string>>();
  auto* import = peers->add_subcommand(
      "import",
      "Add or update peers from §4.1 descriptor files (YAML with publickey and/or, for 2.0, "
      "publickeyEd25519).");
  import->add_option("DESCRIPTOR", *files, "Descriptor files")->required();
  on_run(import, provider, [files](TargetAdmin& admin) {
    // Every file is read and checked before any is written.
    std::vector<Peer> peers;
    for (const auto& f : *files) {
      try {
        peers.push_back(peer_from_descriptor(yaml::load(core::read_whole_file(f))));
      } catch (const yaml::YamlError& e) {
        throw core::invalid_argument(f + ": not YAML: " + e.what());
      } catch (const core::Error& e) {
        throw core::invalid_argument(f + ": " + e.what());
      }
    }
    for (const auto& p : peers) {
      bool added = admin.import_peer(p, cli_actor(), "");
      std::cout << (added ? "added " : "updated ") << p.id << "\n";
    }
  });

  auto peer = std::make_shared<Peer>();
  auto key_file = std::make_shared<std::string>();
  auto ed_key_file = std::make_shared<std::string>();
  auto* add = peers->add_subcommand("add", "Add a peer by hand.");
  add->add_option("PEERID", peer->id, "Its peer id (originpeer in its packages)")->required();
  add->add_option("--name", peer->name, "Display name")->required();
  add->add_option("--public-key-file", *key_file, "Its RSA public key (PEM): intercoop 1.0");
  add->add_option("--ed25519-key-file", *ed_key_file, "Its Ed25519 public key (PEM): 2.0");
  add->add_option("--version", peer->versions,
                  "A version it speaks: 1.0, 2.0 (repeat; default: those its keys allow)");
  add->add_option("--target-url", peer->target_url, "Its own intercoop API base URL");
  add->add_option("--logo", peer->logo, "Logo URL");
  on_run(add, provider, [peer, key_file, ed_key_file](TargetAdmin& admin) {
    Peer p = *peer;
    if (!key_file->empty()) p.public_key_pem = core::read_whole_file(*key_file);
    if (!ed_key_file->empty()) p.ed25519_key_pem = core::read_whole_file(*ed_key_file);
    print_peer(admin.add_peer(p, cli_actor(), ""));
  });

  auto* list = peers->add_subcommand("list", "List the peers.");
  on_run(list, provider, [](TargetAdmin& admin) {
    for (const auto& p : admin.peers()) print_peer(p);
  });

  for (bool active : {false, true}) {
    auto id = std::make_shared<std::string>();
    auto* verb = peers->add_subcommand(
        active ? "enable" : "disable",
        active ? "Accept a peer's packages again." : "Refuse a peer's packages (BadPeer).");
    verb->add_option("PEERID", *id, "The peer")->required();
    on_run(verb, provider, [id, active](TargetAdmin& admin) {
      admin.set_peer_active(*id, active, cli_actor(), "");
      std::cout << *id << (active ? " enabled\n" : " disabled\n");
    });
  }

  auto export_id = std::make_shared<std::string>();
  auto* exp = peers->add_subcommand("export", "Write a peer's §4.1 descriptor (YAML) to stdout.");
  exp->add_option("PEERID", *export_id, "The peer")->required();
  on_run(exp, provider, [export_id](TargetAdmin& admin) {
    auto p = admin.peer(*export_id);
    if (!p) throw core::not_found("no peer " + *export_id);
    std::cout << yaml::dump(descriptor_of(*p));
  });
}

void add_service_commands(CLI::App& intercoop, app::ServiceProvider& provider) {
  auto* services = intercoop.add_subcommand("services", "Services peers' members may start here.");
  services->require_subcommand(1);

  auto service = std::make_shared<Service>();
  auto descriptions = std::make_shared<std::vector<std::string>>();
  auto* add = services->add_subcommand("add", "Add a service.");
  add->add_option("NAME", service->name, "Its name: /intercoop/services/NAME/activateService")
      ->required();
  add->add_option("--field", service->fields, "A field every package must carry (repeat)");
  add->add_option("--description", *descriptions,
                  "TEXT (Spanish, the protocol's fallback) or LANG=TEXT (repeat)");
  add->add_option("--peer", service->peers, "A peer allowed to use it (repeat; none: any)");
  auto available = std::make_shared<std::vector<std::string>>();
  auto prefixes = std::make_shared<std::vector<std::string>>();
  ServiceLimits& limits = service->rules.limits;
  add->add_option("--role", service->rules.roles,
                  "A role (the payload's peerroles) that may use it (repeat; none: any)");
  add->add_option("--available", *available,
                  "FIELD=V1,V2: only members whose FIELD is one of these (country=ES); repeat");
  add->add_option("--available-prefix", *prefixes,
                  "FIELD=P1,P2: only members whose FIELD starts with one (postalcode=08,17)");
  add->add_option("--limit-per-member", limits.per_member,
                  "Transfers one member (innerid, else nif) may make per window (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  add->add_option("--limit-per-peer", limits.per_peer,
                  "Transfers one peer may send per window (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  add->add_option("--limit-window-s", limits.window_s, "The limits' window in seconds (1 day)")
      ->check(CLI::Range(int64_t(1), int64_t(366 * 86'400)));
  on_run(add, provider, [service, descriptions, available, prefixes](TargetAdmin& admin) {
    Service sv = *service;
    for (const auto& a : *available) sv.rules.availability.push_back(rule_arg(a, false));
    for (const auto& p : *prefixes) sv.rules.availability.push_back(rule_arg(p, true));
    sv.description = yaml::Value::object();
    for (const auto& d : *descriptions) {
      size_t eq = d.find('=');
      bool lang = eq == 2 && d[0] >= 'a' && d[0] <= 'z' && d[1] >= 'a' && d[1] <= 'z';
      sv.description[lang ? d.substr(0, 2) : "es"] = lang ? d.substr(3) : d;
    }
    print_service(admin.add_service(sv, cli_actor(), ""));
  });

  for (bool active : {false, true}) {
    auto name = std::make_shared<std::string>();
    auto* verb = services->add_subcommand(
        active ? "enable" : "disable",
        active ? "Accept packages for a service again." : "Refuse packages for a service (404).");
    verb->add_option("NAME", *name, "The service")->required();
    on_run(verb, provider, [name, active](TargetAdmin& admin) {
      print_service(admin.set_service_active(*name, active, cli_actor(), ""));
    });
  }

  auto* list = services->add_subcommand("list", "List the services.");
  on_run(list, provider, [](TargetAdmin& admin) {
    for (const auto& sv : admin.services()) print_service(sv);
  });
}

}  // namespace

CLI::App* add_intercoop_commands(CLI::App& root, app::ServiceProvider& provider) {
  auto* intercoop =
      root.add_subcommand("intercoop", "intercoop: peers, services, members and our descriptor.");
  intercoop->require_subcommand(1);
  add_peer_commands(*intercoop, provider);
  add_service_commands(*intercoop, provider);
  return intercoop;
}

}  // namespace registrar::intercoop
