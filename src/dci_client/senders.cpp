#include "dci_client/senders.h"

namespace registrar::dci_client {

dci::SenderTable sender_table() {
  return {"dci_client_senders", "dci_client.sender", "dci_client"};
}

store::Migration senders_migration() {
  store::Migration m;
  m.version = 2;
  m.description = "trusted IBR senders (whose callbacks we accept)";
  // ibr_senders as its migrations 1, 3 and 5 left it, in one statement.
  m.statements.emplace_back(
      "CREATE TABLE dci_client_senders ("
      " sender_id VARCHAR(255) PRIMARY KEY,"
      " name VARCHAR(255) NOT NULL,"
      " public_key TEXT NOT NULL,"
      " jwks_url VARCHAR(2048) NOT NULL,"
      " algorithm VARCHAR(16),"
      " active INTEGER NOT NULL,"
      " notes TEXT NOT NULL,"
      " last_key_fetch_us BIGINT,"
      " created_us BIGINT NOT NULL,"
      " updated_us BIGINT NOT NULL,"
      " last_key_fetch_result TEXT,"
      " callback_url VARCHAR(2048) NOT NULL DEFAULT '')");
  return m;
}

void declare_senders_config(core::ConfigSchema& s) {
  // The data-source part needs the same scope: whichever part declares it first owns it.
  if (!s.find("dci_client.scopes.admin"))
    s.add_string("dci_client.scopes.admin", "dci:admin",
                 "Bearer scope of the /v1/dci/sources and /v1/dci/senders admin routes.");
  s.add_bool("dci_client.allow_unsigned", false,
             "DEVELOPMENT ONLY: accept IBR callbacks without a signature (\"\", "
             "\"unsigned-stub\"). Warned at start and on each such callback.");
  s.add_int("dci_client.senders_reload_ms", 5000,
            "How often each instance reloads the trusted IBR senders from the database.", 100,
            3'600'000);
  s.add_int("dci_client.jwks.min_refetch_ms", 30'000,
            "A callback naming a key id that an IBR's cached JWKS lacks makes us fetch the JWKS "
            "again, at most once per this interval per sender.",
            0, 86'400'000);
  s.add_int("dci_client.jwks.timeout_ms", 10'000,
            "Longest a fetch of an IBR's JWKS may take (connect, request and answer).", 100,
            60'000);
}

SenderSettings read_senders_config(const core::Config& c) {
  SenderSettings out;
  out.admin_scope = c.str("dci_client.scopes.admin");
  if (out.admin_scope.empty())
    throw core::ConfigError({"dci_client.scopes.admin: must not be empty"});
  out.allow_unsigned = c.boolean("dci_client.allow_unsigned");
  out.reload = std::chrono::milliseconds(c.integer("dci_client.senders_reload_ms"));
  out.jwks.min_refetch = std::chrono::milliseconds(c.integer("dci_client.jwks.min_refetch_ms"));
  out.jwks.timeout = std::chrono::milliseconds(c.integer("dci_client.jwks.timeout_ms"));
  return out;
}

std::shared_ptr<dci::SignatureAuthenticator> make_callback_authenticator(
    const dci::TrustedSenders& senders, dci::SenderKeys* keys, const core::Clock& clock,
    bool allow_unsigned) {
  dci::SignatureAuthOptions options;
  options.allow_unsigned = allow_unsigned;
  options.allow_unsigned_key = "dci_client.allow_unsigned";
  options.sender_label = "IBR sender_id";
  options.fallback = dci::KeyFallback::kSenderPrefix;
  return std::make_shared<dci::SignatureAuthenticator>(senders, keys, clock, std::move(options));
}

}  // namespace registrar::dci_client
