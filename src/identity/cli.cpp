#include "identity/cli.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "core/cli_support.h"
#include "core/error.h"
#include "core/secret_file.h"
#include "identity/accounts.h"
#include "identity/keystore.h"
#include "identity/module.h"
#include "identity/revocation.h"
#include "identity/tokens.h"

namespace registrar::identity {

namespace {

using core::cli_actor;

std::string time_text(int64_t t) {
  return core::format_rfc3339(core::SystemTime(std::chrono::seconds(t)));
}

void print_key(const KeyInfo& k) {
  std::cout << k.kid << "  " << crypto::alg_name(k.alg) << "  " << key_state_name(k.state)
            << "  activates " << time_text(k.activate_at);
  if (k.retire_at) std::cout << "  retires " << time_text(*k.retire_at);
  if (k.verify_until) std::cout << "  verifies until " << time_text(*k.verify_until);
  std::cout << "\n";
}

std::optional<crypto::JwsAlg> alg_option(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto alg = crypto::parse_alg(text);
  if (!alg) throw core::invalid_argument("--alg must be EdDSA, ES256, RS256 or PS256", "--alg");
  return alg;
}

std::string read_secret(const std::string& file, const char* what) {
  std::string value;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) throw core::invalid_argument("cannot read " + file, what);
    std::getline(in, value);
  } else {
    std::getline(std::cin, value);
  }
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
  return value;
}

// `clients|users disable|enable ID`: takes effect on every instance within
// identity.revocation.refresh_ms.
void add_disable_commands(CLI::App& parent, AccountKind kind, app::ServiceProvider& provider,
                          std::function<IdentityServices*()> identity) {
  static std::string ids[2];
  std::string& id = ids[kind == AccountKind::kClient ? 0 : 1];
  const char* what = kind == AccountKind::kClient ? "client" : "user";
  for (bool disable : {true, false}) {
    auto* cmd = parent.add_subcommand(
        disable ? "disable" : "enable",
        disable ? std::string("Disable a ") + what +
                      ": no new tokens; its tokens are refused within "
                      "identity.revocation.refresh_ms on every instance."
                : std::string("Enable a ") + what +
                      " again (tokens issued before it was disabled stay refused).");
    cmd->add_option("id", id, kind == AccountKind::kClient ? "Client identifier" : "User name")
        ->required();
    cmd->callback([&provider, identity, kind, disable, &id, what] {
      provider.set_action([identity, kind, disable, &id, what] {
        identity()->revocations->set_disabled(kind, id, disable, cli_actor());
        std::cout << what << " " << id << (disable ? " disabled" : " enabled") << "\n";
        return 0;
      });
    });
  }
}

}  // namespace

void add_identity_commands(CLI::App& root, app::ServiceProvider& provider) {
  auto identity = [&provider]() {
    static std::unique_ptr<IdentityServices> built;
    if (!built) built = build_identity(provider.services());
    return built.get();
  };

  auto* keys = root.add_subcommand("keys", "Signing keys: create, list, rotate.");
  keys->require_subcommand(1);
  auto* keys_new = keys->add_subcommand(
      "new", "Create a signing key (published now, signing after the publish delay or --now).");
  static std::string alg;
  static bool now = false;
  keys_new->add_option("--alg", alg,
                       "EdDSA (default from identity.signing_alg), ES256, RS256, PS256");
  keys_new->add_flag("--now", now, "Start signing at once.");
  keys_new->callback([&provider, identity] {
    provider.set_action([identity] {
      print_key(identity()->keys->create_key(alg_option(alg), now, cli_actor()));
      return 0;
    });
  });
  keys->add_subcommand("list", "List signing keys with their state.")
      ->callback([&provider, identity] {
        provider.set_action([identity] {
          for (auto& k : identity()->keys->list()) print_key(k);
          return 0;
        });
      });
  auto* rotate = keys->add_subcommand(
      "rotate",
      "Publish a new key now; it takes over signing after identity.key_publish_delay_seconds.");
  rotate->add_option("--alg", alg, "Algorithm of the new key.");
  rotate->callback([&provider, identity] {
    provider.set_action([identity] {
      print_key(identity()->keys->rotate(alg_option(alg), cli_actor()));
      return 0;
    });
  });

  auto* retire = keys->add_subcommand(
      "retire",
      "Retire a compromised key at once (--now): it stops signing and verifying; a new key "
      "signs at once if no other would. Other instances follow within "
      "identity.revocation.refresh_ms.");
  static std::string kid;
  static bool retire_now = false;
  retire
      ->add_option("kid", kid,
                   "The key's kid (see `keys list`). A kid that starts with '-' (older keys) "
                   "goes last, after `--`: `keys retire --now -- -AbC...`")
      ->required();
  retire->add_flag("--now", retire_now, "Required: retire at once (a planned change is `rotate`).");
  retire->callback([&provider, identity] {
    if (!retire_now)
      throw CLI::ValidationError("--now",
                                 "is required: `keys retire` retires at once; use `keys rotate` "
                                 "for a planned change");
    provider.set_action([identity] {
      auto r = identity()->keys->retire_now(kid, cli_actor());
      print_key(r.retired);
      if (r.replacement) {
        std::cout << "new signing key (no other key was signing):\n";
        print_key(*r.replacement);
      }
      return 0;
    });
  });

  auto* clients = root.add_subcommand("clients", "OAuth2 clients.");
  clients->require_subcommand(1);
  auto* add_client = clients->add_subcommand(
      "add", "Create a client; prints its secret once (or writes it to --secret-file, mode 0600).");
  static std::string client_id, description, secret_file;
  static std::vector<std::string> scopes;
  add_client->add_option("client_id", client_id, "Client identifier")->required();
  add_client->add_option("--scope", scopes, "Scope the client may request (repeatable)");
  add_client->add_option("--description", description, "Free text");
  add_client->add_option("--secret-file", secret_file,
                         "Write the secret here instead of printing it; if the file exists, use "
                         "the secret it holds");
  add_client->callback([&provider, identity] {
    provider.set_action([identity] {
      std::string given;
      bool existing = !secret_file.empty() && std::ifstream(secret_file).good();
      if (existing) given = read_secret(secret_file, "--secret-file");
      std::error_code ec;
      if (!existing && std::filesystem::is_symlink(secret_file, ec))
        throw core::conflict(secret_file + " is a symbolic link; give the path of a new file",
                             "--secret-file");
      std::string secret =
          identity()->accounts->add_client(client_id, scopes, description, given, cli_actor());
      if (secret_file.empty()) {
        std::cout << "client_id: " << client_id << "\nclient_secret: " << secret << "\n";
      } else {
        if (!existing && !core::create_secret_file(secret_file, secret + "\n"))
          throw core::conflict(secret_file +
                                   " appeared while the client was being created (or "
                                   "is a symbolic link); the secret was not written",
                               "--secret-file");
        std::cout << "client_id: " << client_id << "\nclient_secret: in " << secret_file << "\n";
      }
      return 0;
    });
  });
  clients->add_subcommand("list", "List clients and their scopes.")
      ->callback([&provider, identity] {
        provider.set_action([identity] {
          for (auto& c : identity()->accounts->list_clients()) {
            std::string scopes;
            for (auto& sc : c.scopes) scopes += (scopes.empty() ? "" : " ") + sc;
            std::cout << c.id << "  scopes: " << (scopes.empty() ? "-" : scopes)
                      << (c.disabled ? "  (disabled)" : "") << "\n";
          }
          return 0;
        });
      });

  add_disable_commands(*clients, AccountKind::kClient, provider, identity);

  auto* users = root.add_subcommand("users", "Users for the password grant.");
  users->require_subcommand(1);
  auto* add_user = users->add_subcommand(
      "add", "Create a user; the password is read from --password-file or standard input.");
  static std::string username, password_file;
  add_user->add_option("username", username, "User name")->required();
  add_user->add_option("--scope", scopes, "Scope the user may request (repeatable)");
  add_user->add_option("--password-file", password_file, "File whose first line is the password");
  add_user->callback([&provider, identity] {
    provider.set_action([identity] {
      std::string password = read_secret(password_file, "--password-file");
      identity()->accounts->add_user(username, password, scopes, "", cli_actor());
      std::cout << "user " << username << " added\n";
      return 0;
    });
  });

  add_disable_commands(*users, AccountKind::kUser, provider, identity);

  auto* token = root.add_subcommand("token", "Access tokens for scripts and tests.");
  token->require_subcommand(1);
  auto* issue = token->add_subcommand(
      "issue", "Sign an access token directly with the active key (needs database access).");
  static std::string subject;
  issue->add_option("--client", client_id, "client_id claim (and subject by default)")->required();
  issue->add_option("--subject", subject, "sub claim (default: the client)");
  issue->add_option("--scope", scopes, "Scope to include (repeatable)");
  issue->callback([&provider, identity] {
    provider.set_action([identity] {
      auto t = identity()->tokens->issue(subject.empty() ? client_id : subject, client_id, scopes);
      std::cout << t.access_token << "\n";
      return 0;
    });
  });
  auto* revoke =
      token->add_subcommand("revoke",
                            "Revoke one token by its jti; refused on every instance within "
                            "identity.revocation.refresh_ms.");
  static std::string jti, until;
  revoke->add_option("jti", jti, "The token's jti claim")->required();
  revoke->add_option("--until", until,
                     "RFC 3339 time the token expires by (default: now + the longest token "
                     "lifetime, identity.token_ttl_seconds + identity.clock_skew_seconds)");
  revoke->callback([&provider, identity] {
    std::optional<core::SystemTime> end;
    if (!until.empty()) {
      end = core::parse_rfc3339(until);
      if (!end) throw CLI::ValidationError("--until", "must be an RFC 3339 time");
    }
    provider.set_action([identity, end] {
      auto kept = identity()->revocations->revoke_jti(jti, end, cli_actor());
      std::cout << "token " << jti << " revoked until " << core::format_rfc3339(kept) << "\n";
      return 0;
    });
  });
}

}  // namespace registrar::identity
