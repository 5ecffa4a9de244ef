#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "app/module.h"
#include "core/cli_support.h"
#include "core/error.h"
#include "dci/sender_admin.h"

namespace registrar::dci {
namespace {

using core::cli_actor;

void print_sender(const TrustedSender& t) {
  std::cout << t.sender_id << "  " << (t.active ? "active" : "disabled") << "  name=" << t.name
            << "  algorithm="
            << (t.algorithm ? std::string(algorithm_name(*t.algorithm)) : "(key's)")
            << "  key=" << (t.public_key.empty() ? "-" : "pinned")
            << "  jwks_url=" << (t.jwks_url.empty() ? "-" : t.jwks_url);
  if (t.last_key_fetch)
    std::cout << "  last_key_fetch=" << core::format_rfc3339(*t.last_key_fetch) << " ("
              << t.last_key_fetch_result << ")";
  std::cout << "  callback_url=" << (t.callback_url.empty() ? "-" : t.callback_url) << "\n";
}

}  // namespace

void add_sender_commands(CLI::App& parent, app::ServiceProvider& provider, SenderCli cli) {
  auto* senders = parent.add_subcommand("senders", "Systems trusted to call the DCI routes.");
  senders->require_subcommand(1);
  auto shared = std::make_shared<SenderCli>(std::move(cli));

  auto input = std::make_shared<SenderInput>();
  auto* add = senders->add_subcommand("add", "Add (or replace) a trusted sender.");
  add->add_option("sender_id", input->sender_id, "The sender_id its envelopes carry")->required();
  add->add_option("--name", input->name, "Display name (default: the sender id)");
  auto* key = add->add_option("--public-key", input->public_key,
                              "Pinned key: raw base64 Ed25519, PEM, base64 SPKI or a JWK");
  auto* url = add->add_option("--jwks-url", input->jwks_url, "Where the sender publishes its JWKS");
  add->add_option("--algorithm", input->algorithm, "ed25519 or rs256 (default: the key's)")
      ->check(CLI::IsMember({"ed25519", "rs256"}));
  add->add_option("--notes", input->notes, "Free text for operators");
  add->add_option("--callback-url", input->callback_url,
                  "Where its callbacks may go: sender_uri must start with this URL");
  key->excludes(url);
  add->callback([&provider, input, shared] {
    provider.set_action([&provider, input, shared] {
      app::Services& s = provider.services();
      TrustedSenders registry(s.db, s.clock, shared->table);
      print_sender(registry.add(*input, cli_actor(), ""));
      return 0;
    });
  });

  auto* list = senders->add_subcommand("list", "List the trusted senders.");
  list->callback([&provider, shared] {
    provider.set_action([&provider, shared] {
      app::Services& s = provider.services();
      TrustedSenders registry(s.db, s.clock, shared->table);
      for (const auto& t : registry.list()) print_sender(t);
      return 0;
    });
  });

  auto disabled_id = std::make_shared<std::string>();
  auto* disable = senders->add_subcommand("disable", "Refuse a sender's requests from now on.");
  disable->add_option("sender_id", *disabled_id, "The sender to disable")->required();
  disable->callback([&provider, disabled_id, shared] {
    provider.set_action([&provider, disabled_id, shared] {
      app::Services& s = provider.services();
      TrustedSenders registry(s.db, s.clock, shared->table);
      registry.disable(*disabled_id, cli_actor(), "");
      std::cout << "disabled " << *disabled_id << "\n";
      return 0;
    });
  });

  auto fetched_id = std::make_shared<std::string>();
  auto* fetch = senders->add_subcommand(
      "fetch-key", "Fetch a sender's JWKS now and print the keys found (recorded on the sender).");
  fetch->add_option("sender_id", *fetched_id, "The sender whose JWKS to fetch")->required();
  fetch->callback([&provider, fetched_id, shared] {
    provider.set_action([&provider, fetched_id, shared] {
      app::Services& s = provider.services();
      TrustedSenders registry(s.db, s.clock, shared->table);
      auto sender = registry.find(*fetched_id);
      if (!sender) throw core::not_found("no sender " + *fetched_id);
      SenderKeys keys(s.http_client, s.db, s.clock, shared->jwks(s.config), shared->table);
      KeyFetch f = keys.fetch(*sender);
      if (!f.ok) {
        std::cerr << "fetch-key " << *fetched_id << ": " << f.error << "\n";
        return 1;
      }
      std::cout << sender->sender_id << ": " << f.keys.size() << " key(s) from " << f.url << "\n";
      for (const auto& k : f.keys)
        std::cout << "  " << (k.kid.empty() ? "(no kid)" : k.kid) << "  "
                  << crypto::key_type_name(k.key.type()) << "\n";
      return 0;
    });
  });
}

}  // namespace registrar::dci
