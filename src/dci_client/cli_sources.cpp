#include "dci_client/cli_sources.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "core/cli_support.h"
#include "dci_client/data_sources.h"

namespace registrar::dci_client {
namespace {

using core::cli_actor;

void print_source(const DataSource& d) {
  auto set = [](const std::string& s) { return s.empty() ? "no" : "yes"; };
  std::cout << d.code << "  " << (d.active ? "active" : "inactive")
            << "  state=" << source_state_name(d.state) << "  name=" << d.name
            << "  type=" << registry_type_name(d.registry_type) << "  base_url=" << d.base_url
            << "  auth=" << auth_type_name(d.auth)
            << "  sender_id=" << (d.our_sender_id.empty() ? "-" : d.our_sender_id);
  if (d.auth == AuthType::kOauth2)
    std::cout << "  token_url=" << d.oauth2_token_url << "  client_id=" << d.oauth2_client_id
              << "  client_secret_set=" << set(d.secrets.oauth2_client_secret);
  if (d.auth == AuthType::kBearer)
    std::cout << "  bearer_token_set=" << set(d.secrets.bearer_token);
  if (d.auth == AuthType::kBasic)
    std::cout << "  basic_username=" << d.basic_username
              << "  basic_password_set=" << set(d.secrets.basic_password);
  std::cout << "  timeout_ms=" << d.timeout.count() << "  max_concurrency=" << d.max_concurrency
            << "\n";
}

DataSources sources_of(app::Services& s) {
  // Null unless the verb started identity: secrets are then refused (DataSources::sealed says
  // where to set them).
  return DataSources(s.db, s.clock, s.registry.find_optional<services::Sealing>());
}

}  // namespace

CLI::App& dci_command(CLI::App& root) {
  try {
    return *root.get_subcommand("dci");
  } catch (const CLI::OptionNotFound&) {
    auto* dci = root.add_subcommand("dci",
                                    "DCI client: data sources, trusted IBR senders, "
                                    "duplication checks.");
    dci->require_subcommand(1);
    return *dci;
  }
}

void add_sources_commands(CLI::App& root, app::ServiceProvider& provider) {
  auto* sources = dci_command(root).add_subcommand("sources", "The DCI registries we ask.");
  sources->require_subcommand(1);

  auto in = std::make_shared<SourceInput>();
  auto timeout = std::make_shared<double>(0);
  auto concurrency = std::make_shared<int64_t>(0);
  auto secrets = std::make_shared<SourceSecrets>();
  auto* add = sources->add_subcommand("add", "Add a data source.");
  add->add_option("code", in->code, "Unique code: lowercase letters, digits, '_'")->required();
  add->add_option("--name", in->name, "Display name")->required();
  add->add_option("--base-url", in->base_url, "http(s) URL, no trailing slash")->required();
  add->add_option("--registry-type", in->registry_type,
                  "ibr (default), social, crvs, dr, fr (any DCI spelling)");
  add->add_option("--auth", in->auth_type, "none, bearer, basic or oauth2 (default oauth2)");
  add->add_option("--sender-id", in->our_sender_id, "Our sender_id in the DCI header");
  add->add_option("--callback-uri", in->our_callback_uri, "Our on-search callback URL");
  add->add_option("--receiver-id", in->receiver_id, "The registry's id (default: the base URL)");
  add->add_option("--sync-search-endpoint", in->sync_search_endpoint,
                  "Default /registry/sync/search");
  add->add_option("--search-endpoint", in->search_endpoint, "Default /registry/search");
  add->add_option("--subscribe-endpoint", in->subscribe_endpoint, "Default /registry/subscribe");
  add->add_option("--token-url", in->oauth2_token_url, "OAuth2 token URL");
  add->add_option("--client-id", in->oauth2_client_id, "OAuth2 client id");
  add->add_option("--scope", in->oauth2_scope, "OAuth2 scope");
  add->add_option("--credential-location", in->oauth2_credential_location, "body or query");
  add->add_option("--basic-username", in->basic_username, "Basic authentication user");
  const char* secret_help =
      " (refused here: the CLI cannot seal secrets; set it with PUT /v1/dci/sources/CODE)";
  add->add_option("--client-secret", secrets->oauth2_client_secret,
                  std::string("OAuth2 client secret") + secret_help);
  add->add_option("--bearer-token", secrets->bearer_token,
                  std::string("Bearer token") + secret_help);
  add->add_option("--basic-password", secrets->basic_password,
                  std::string("Basic password") + secret_help);
  add->add_option("--timeout", *timeout, "Seconds (default 30)");
  add->add_option("--max-concurrency", *concurrency, "Requests in flight at once (default 8)");
  auto no_verify = std::make_shared<bool>(false);
  auto inactive = std::make_shared<bool>(false);
  add->add_flag("--no-verify-tls", *no_verify, "Do not verify the registry's certificate");
  add->add_flag("--inactive", *inactive, "Add it inactive");
  add->add_option("--state", in->state, "draft (default), testing, active or error");
  add->add_option("--notes", in->notes, "Free text for operators");
  add->callback([&provider, in, timeout, concurrency, secrets, no_verify, inactive] {
    provider.set_action([&provider, in, timeout, concurrency, secrets, no_verify, inactive] {
      in->verify_tls = !*no_verify;
      in->active = !*inactive;
      if (*timeout != 0) in->timeout_seconds = *timeout;
      if (*concurrency != 0) in->max_concurrency = *concurrency;
      if (!secrets->oauth2_client_secret.empty())
        in->oauth2_client_secret = secrets->oauth2_client_secret;
      if (!secrets->bearer_token.empty()) in->bearer_token = secrets->bearer_token;
      if (!secrets->basic_password.empty()) in->basic_password = secrets->basic_password;
      // identity: the master key that seals the secrets (services::Sealing).
      app::Services& s = provider.started({"identity"});
      print_source(sources_of(s).create(*in, cli_actor(), ""));
      return 0;
    });
  });

  auto* list = sources->add_subcommand("list", "List the data sources (secrets: set or not).");
  list->callback([&provider] {
    provider.set_action([&provider] {
      app::Services& s = provider.services();
      for (const auto& d : sources_of(s).list()) print_source(d);
      return 0;
    });
  });
}

}  // namespace registrar::dci_client
