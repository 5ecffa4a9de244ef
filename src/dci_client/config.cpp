#include "dci_client/config.h"

namespace registrar::dci_client {

void declare_dci_client_config(core::ConfigSchema& s) {
  s.add_string("dci_client.scopes.admin", "dci:admin",
               "Bearer scope of the data source (and sender) administration under /v1/dci.");
  s.add_string("dci_client.key_id", "dci-client-1",
               "Key id of the Ed25519 key our DCI requests are signed with; the kid is "
               "{our_sender_id}|{key_id}|ed25519 for each data source's sender id, published in "
               "/.well-known/jwks.json.",
               [](const core::ConfigValue& v) -> std::optional<std::string> {
                 const auto& id = std::get<std::string>(v);
                 if (id.empty() || id.find('|') != std::string::npos)
                   return "must be non-empty, without '|'";
                 return std::nullopt;
               });
  s.add_int("dci_client.retries", 3,
            "Further attempts of a request to a data source after a retryable failure "
            "(connection, timeout, HTTP 5xx or 429).",
            0, 20);
  s.add_int("dci_client.retry_backoff_ms", 500,
            "Delay before the first retry; each further one doubles it (with jitter).", 1, 600'000);
  s.add_int("dci_client.retry_backoff_cap_ms", 30'000, "Longest delay between two attempts.", 1,
            3'600'000);
  s.add_int("dci_client.sources_reload_ms", 5000,
            "How often each instance reloads the data sources from the database.", 100, 3'600'000);
}

DciClientSettings read_dci_client_config(const core::Config& c) {
  DciClientSettings out;
  out.admin_scope = c.str("dci_client.scopes.admin");
  if (out.admin_scope.empty())
    throw core::ConfigError({"dci_client.scopes.admin: must not be empty"});
  out.client.key_id = c.str("dci_client.key_id");
  out.client.retries = c.integer("dci_client.retries");
  out.client.backoff_base = std::chrono::milliseconds(c.integer("dci_client.retry_backoff_ms"));
  out.client.backoff_cap = std::chrono::milliseconds(c.integer("dci_client.retry_backoff_cap_ms"));
  if (out.client.backoff_cap < out.client.backoff_base)
    throw core::ConfigError(
        {"dci_client.retry_backoff_cap_ms: must not be below retry_backoff_ms"});
  out.client.sources_reload = std::chrono::milliseconds(c.integer("dci_client.sources_reload_ms"));
  return out;
}

}  // namespace registrar::dci_client
