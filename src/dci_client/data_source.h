// A data source: one DCI registry (an IBR) this installation asks, with how to reach it and how to
// authenticate there (dci-ibr.md §8.6 for the fields, §4 for the defaults). Pure: parsing,
// validation with the original's messages, the JSON the admin API shows. The secrets (bearer
// token, basic password, OAuth2 client secret) are plaintext here only in memory: the store keeps
// them sealed (data_sources.h), and to_json never shows them, only whether one is set.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace registrar::dci_client {

// §8.6's registry types. Every spelling OpenSPP used across versions is read (ibr, IBR,
// ns:org:RegistryType:IBR, SOCIAL_REGISTRY, ns:org:RegistryType:Social, crvs,
// ns:org:RegistryType:Civil, DR, FR ...), case-insensitively.
enum class RegistryType { kIbr, kSocial, kCivil, kDisability, kFunctional };
std::optional<RegistryType> parse_registry_type(std::string_view text);
// Our name for it ("ibr", "social", "crvs", "dr", "fr"): what the API shows and the store keeps.
std::string_view registry_type_name(RegistryType type);
// What goes into search_criteria.reg_type: the SPDCI namespaced value ("ns:org:RegistryType:IBR").
std::string_view registry_type_wire(RegistryType type);

enum class AuthType { kNone, kBearer, kBasic, kOauth2 };
std::optional<AuthType> parse_auth_type(std::string_view text);
std::string_view auth_type_name(AuthType type);

// Where the OAuth2 client credentials go: the form body (RFC 6749) or the query string (the
// OpenCRVS workaround OpenSPP offers).
enum class CredentialLocation { kBody, kQuery };
std::optional<CredentialLocation> parse_credential_location(std::string_view text);
std::string_view credential_location_name(CredentialLocation location);

// The connection status an operator sets (OpenSPP's draft "not configured", testing, active,
// error "connection error"). Informational: whether we send is the `active` flag.
enum class SourceState { kDraft, kTesting, kActive, kError };
std::optional<SourceState> parse_source_state(std::string_view text);
std::string_view source_state_name(SourceState state);

inline constexpr const char* kDefaultSyncSearchEndpoint = "/registry/sync/search";
inline constexpr const char* kDefaultSearchEndpoint = "/registry/search";
inline constexpr const char* kDefaultSubscribeEndpoint = "/registry/subscribe";
inline constexpr const char* kDefaultTokenEndpoint = "/oauth2/client/token";
inline constexpr std::chrono::milliseconds kDefaultTimeout{30'000};
inline constexpr int kDefaultMaxConcurrency = 8;

struct SourceSecrets {
  std::string bearer_token;
  std::string basic_password;
  std::string oauth2_client_secret;
};

struct DataSource {
  std::string code;  // unique, [a-z0-9_]
  std::string name;
  RegistryType registry_type = RegistryType::kIbr;
  std::string base_url;  // http(s), no trailing slash
  std::string sync_search_endpoint = kDefaultSyncSearchEndpoint;
  std::string search_endpoint = kDefaultSearchEndpoint;
  std::string subscribe_endpoint = kDefaultSubscribeEndpoint;
  // OpenSPP's auth_endpoint: kept and shown, but the token is fetched from oauth2_token_url
  // (a full URL), as OpenSPP does.
  std::string token_endpoint = kDefaultTokenEndpoint;
  std::string our_sender_id;          // header.sender_id; "" only with auth none
  std::string our_callback_uri;       // header.sender_uri
  std::string receiver_id;            // "" = the base URL
  AuthType auth = AuthType::kOauth2;  // OpenSPP's default
  std::string basic_username;
  std::string oauth2_token_url;
  std::string oauth2_client_id;
  std::string oauth2_scope;
  CredentialLocation oauth2_credential_location = CredentialLocation::kBody;
  SourceSecrets secrets;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  bool verify_tls = true;
  int max_concurrency = kDefaultMaxConcurrency;  // requests in flight to this source at once
  bool active = true;
  SourceState state = SourceState::kDraft;
  std::string notes;
  core::SystemTime created{};
  core::SystemTime updated{};

  // header.receiver_id: the configured one, else the base URL (§4 step 4).
  const std::string& effective_receiver_id() const {
    return receiver_id.empty() ? base_url : receiver_id;
  }
};

// What an operator gives to create or replace a data source. Text fields as given (validated by
// validate_source). A secret left unset (nullopt) keeps the stored one on a replacement, or is
// none on a creation; "" removes it; OpenSPP's mask "********" counts as unset.
struct SourceInput {
  std::string code;
  std::string name;
  std::string registry_type;  // "" = ibr
  std::string base_url;
  std::string sync_search_endpoint;  // "" = the default, for each endpoint
  std::string search_endpoint;
  std::string subscribe_endpoint;
  std::string token_endpoint;
  std::string our_sender_id;
  std::string our_callback_uri;
  std::string receiver_id;
  std::string auth_type;  // "" = oauth2
  std::string basic_username;
  std::string oauth2_token_url;
  std::string oauth2_client_id;
  std::string oauth2_scope;
  std::string oauth2_credential_location;  // "" = body
  std::optional<std::string> bearer_token;
  std::optional<std::string> basic_password;
  std::optional<std::string> oauth2_client_secret;
  std::optional<double> timeout_seconds;  // unset = 30
  bool verify_tls = true;
  std::optional<int64_t> max_concurrency;
  bool active = true;
  std::string state;  // "" = draft
  std::string notes;
};

// Reads the admin API's body. Throws core::Error(kInvalidArgument) naming a member of the wrong
// type. Unknown members are refused too, so that a misspelt one is not silently dropped.
SourceInput source_input_from_json(const nlohmann::json& body);

// Checks the input and builds the source, with `kept` supplying the secrets the input leaves
// unset (nullptr: none). Throws core::Error(kInvalidArgument) with the original's message and
// the field: code "lowercase" / "alphanumeric", base URL "http" / "slash", OAuth2 "token url" /
// "client id" / "client secret", "sender id", timeout "positive". Pure.
DataSource validate_source(const SourceInput& input, const SourceSecrets* kept = nullptr);

// The source as the API and the CLI show it: every field but the secrets, which appear only as
// bearer_token_set, basic_password_set, oauth2_client_secret_set.
nlohmann::json source_to_json(const DataSource& source);

}  // namespace registrar::dci_client
