#include "dci_client/data_source.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <set>
#include <utility>

#include "core/error.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

// Looks `text` up, case-insensitively, in a table of (spelling, value).
template <typename E, size_t N>
std::optional<E> lookup(std::string_view text, const std::array<std::pair<const char*, E>, N>& t) {
  std::string key = lower(text);
  for (const auto& [spelling, value] : t)
    if (key == spelling) return value;
  return std::nullopt;
}

// Every spelling of §8.6: OpenSPP's lowercase codes, its uppercase constants, the SPDCI
// namespaced values, and the words an operator would type.
constexpr std::array<std::pair<const char*, RegistryType>, 20> kRegistrySpellings = {{
    {"ibr", RegistryType::kIbr},
    {"ns:org:registrytype:ibr", RegistryType::kIbr},
    {"integrated_beneficiary_registry", RegistryType::kIbr},
    {"social", RegistryType::kSocial},
    {"social_registry", RegistryType::kSocial},
    {"ns:org:registrytype:social", RegistryType::kSocial},
    {"ns:org:registrytype:social_registry", RegistryType::kSocial},
    {"crvs", RegistryType::kCivil},
    {"civil", RegistryType::kCivil},
    {"civil_registry", RegistryType::kCivil},
    {"ns:org:registrytype:civil", RegistryType::kCivil},
    {"ns:org:registrytype:crvs", RegistryType::kCivil},
    {"dr", RegistryType::kDisability},
    {"disability", RegistryType::kDisability},
    {"disability_registry", RegistryType::kDisability},
    {"ns:org:registrytype:dr", RegistryType::kDisability},
    {"fr", RegistryType::kFunctional},
    {"functional", RegistryType::kFunctional},
    {"functional_registry", RegistryType::kFunctional},
    {"ns:org:registrytype:fr", RegistryType::kFunctional},
}};

constexpr std::array<std::pair<const char*, AuthType>, 4> kAuthNames = {{
    {"none", AuthType::kNone},
    {"bearer", AuthType::kBearer},
    {"basic", AuthType::kBasic},
    {"oauth2", AuthType::kOauth2},
}};

constexpr std::array<std::pair<const char*, CredentialLocation>, 2> kLocationNames = {{
    {"body", CredentialLocation::kBody},
    {"query", CredentialLocation::kQuery},
}};

constexpr std::array<std::pair<const char*, SourceState>, 4> kStateNames = {{
    {"draft", SourceState::kDraft},
    {"testing", SourceState::kTesting},
    {"active", SourceState::kActive},
    {"error", SourceState::kError},
}};

bool http_url(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

// A URL must have a host after its scheme and no white space (it goes on a request line).
bool has_host(const std::string& url) {
  auto start = url.find("://") + 3;
  return url.size() > start && url[start] != '/' &&
         std::none_of(url.begin(), url.end(), [](unsigned char c) { return c <= ' '; });
}

void check_url(const std::string& url, const char* what, const char* field) {
  if (!http_url(url))
    throw core::invalid_argument(std::string(what) + " must start with http:// or https://", field);
  if (!has_host(url))
    throw core::invalid_argument(std::string(what) + " must name a host and contain no spaces",
                                 field);
}

std::string endpoint(const std::string& given, const char* fallback, const char* field) {
  if (given.empty()) return fallback;
  if (given[0] != '/' || !has_host("x://h" + given))
    throw core::invalid_argument(std::string(field) +
                                     " must start with a slash (a path below the "
                                     "base URL) and contain no spaces",
                                 field);
  return given;
}

// OpenSPP's rule and messages: alphanumeric and underscores first, then lowercase. ASCII only
// here (Python's isalnum takes any Unicode letter): the code travels in URLs and contexts.
void check_code(const std::string& code) {
  if (code.empty()) throw core::invalid_argument("Code is required.", "code");
  if (code.size() > 64) throw core::invalid_argument("Code must be at most 64 characters.", "code");
  for (unsigned char c : code)
    if (!std::isalnum(c) && c != '_')
      throw core::invalid_argument(
          "Code must contain only lowercase alphanumeric characters and underscores.", "code");
  for (unsigned char c : code)
    if (std::isupper(c)) throw core::invalid_argument("Code must be lowercase.", "code");
}

// Our sender id is the first part of our key's kid "{sender_id}|{key_id}|ed25519" (§6.2).
void check_sender_id(const std::string& id) {
  if (id.size() > 255 || id.find('|') != std::string::npos ||
      std::any_of(id.begin(), id.end(), [](unsigned char c) { return c <= ' '; }))
    throw core::invalid_argument(
        "Sender ID must be at most 255 characters, without '|' or white space.", "our_sender_id");
}

std::string secret(const std::optional<std::string>& given, const std::string* kept) {
  if (given && *given != "********") return *given;
  return kept ? *kept : std::string();
}

}  // namespace

std::optional<RegistryType> parse_registry_type(std::string_view text) {
  return lookup(text, kRegistrySpellings);
}

std::string_view registry_type_name(RegistryType t) {
  constexpr std::array<std::string_view, 5> kNames = {"ibr", "social", "crvs", "dr", "fr"};
  return kNames[size_t(t)];
}

std::string_view registry_type_wire(RegistryType t) {
  constexpr std::array<std::string_view, 5> kWire = {
      "ns:org:RegistryType:IBR", "ns:org:RegistryType:Social", "ns:org:RegistryType:Civil",
      "ns:org:RegistryType:DR", "ns:org:RegistryType:FR"};
  return kWire[size_t(t)];
}

std::optional<AuthType> parse_auth_type(std::string_view text) {
  return lookup(text, kAuthNames);
}
std::string_view auth_type_name(AuthType t) {
  return kAuthNames[size_t(t)].first;
}

std::optional<CredentialLocation> parse_credential_location(std::string_view text) {
  return lookup(text, kLocationNames);
}
std::string_view credential_location_name(CredentialLocation l) {
  return kLocationNames[size_t(l)].first;
}

std::optional<SourceState> parse_source_state(std::string_view text) {
  return lookup(text, kStateNames);
}
std::string_view source_state_name(SourceState s) {
  return kStateNames[size_t(s)].first;
}

SourceInput source_input_from_json(const Json& body) {
  if (!body.is_object()) throw core::invalid_argument("the body must be a JSON object");
  SourceInput in;
  const std::pair<const char*, std::string*> texts[] = {
      {"code", &in.code},
      {"name", &in.name},
      {"registry_type", &in.registry_type},
      {"base_url", &in.base_url},
      {"sync_search_endpoint", &in.sync_search_endpoint},
      {"search_endpoint", &in.search_endpoint},
      {"subscribe_endpoint", &in.subscribe_endpoint},
      {"token_endpoint", &in.token_endpoint},
      {"our_sender_id", &in.our_sender_id},
      {"our_callback_uri", &in.our_callback_uri},
      {"receiver_id", &in.receiver_id},
      {"auth_type", &in.auth_type},
      {"basic_username", &in.basic_username},
      {"oauth2_token_url", &in.oauth2_token_url},
      {"oauth2_client_id", &in.oauth2_client_id},
      {"oauth2_scope", &in.oauth2_scope},
      {"oauth2_credential_location", &in.oauth2_credential_location},
      {"state", &in.state},
      {"notes", &in.notes},
  };
  const std::pair<const char*, std::optional<std::string>*> secrets[] = {
      {"bearer_token", &in.bearer_token},
      {"basic_password", &in.basic_password},
      {"oauth2_client_secret", &in.oauth2_client_secret},
  };
  for (const auto& item : body.items()) {
    // Named, not a structured binding: older clang cannot capture those in the lambdas below.
    const std::string& key = item.key();
    const Json& value = item.value();
    auto text = std::find_if(std::begin(texts), std::end(texts),
                             [&](const auto& t) { return key == t.first; });
    auto sealed = std::find_if(std::begin(secrets), std::end(secrets),
                               [&](const auto& t) { return key == t.first; });
    if (value.is_null()) continue;  // as if absent
    if (text != std::end(texts) || sealed != std::end(secrets)) {
      if (!value.is_string()) throw core::invalid_argument(key + " must be a string", key);
      if (text != std::end(texts))
        *text->second = value.get<std::string>();
      else
        *sealed->second = value.get<std::string>();
    } else if (key == "verify_tls" || key == "active") {
      if (!value.is_boolean()) throw core::invalid_argument(key + " must be true or false", key);
      (key == "active" ? in.active : in.verify_tls) = value.get<bool>();
    } else if (key == "timeout") {
      if (!value.is_number())
        throw core::invalid_argument("Timeout must be a positive number of seconds.", key);
      in.timeout_seconds = value.get<double>();
    } else if (key == "max_concurrency") {
      if (!value.is_number_integer())
        throw core::invalid_argument("Concurrency limit must be a positive integer.", key);
      in.max_concurrency = value.get<int64_t>();
    } else if (key.ends_with("_set") || key == "created" || key == "updated" || key == "reg_type") {
      // What source_to_json shows: a client may send back what it read.
    } else {
      throw core::invalid_argument("unknown member " + key, key);
    }
  }
  return in;
}

DataSource validate_source(const SourceInput& in, const SourceSecrets* kept) {
  DataSource d;
  check_code(in.code);
  d.code = in.code;
  if (in.name.empty()) throw core::invalid_argument("Name is required.", "name");
  d.name = in.name;
  if (!in.registry_type.empty()) {
    auto t = parse_registry_type(in.registry_type);
    if (!t)
      throw core::invalid_argument("Registry type " + in.registry_type +
                                       " is unknown: ibr, social, crvs, dr or fr (any spelling "
                                       "of the DCI registry types)",
                                   "registry_type");
    d.registry_type = *t;
  }
  if (in.base_url.empty()) throw core::invalid_argument("Base URL is required.", "base_url");
  check_url(in.base_url, "Base URL", "base_url");
  if (in.base_url.back() == '/')
    throw core::invalid_argument("Base URL should not end with a slash", "base_url");
  d.base_url = in.base_url;
  d.sync_search_endpoint =
      endpoint(in.sync_search_endpoint, kDefaultSyncSearchEndpoint, "sync_search_endpoint");
  d.search_endpoint = endpoint(in.search_endpoint, kDefaultSearchEndpoint, "search_endpoint");
  d.subscribe_endpoint =
      endpoint(in.subscribe_endpoint, kDefaultSubscribeEndpoint, "subscribe_endpoint");
  d.token_endpoint = endpoint(in.token_endpoint, kDefaultTokenEndpoint, "token_endpoint");

  if (!in.auth_type.empty()) {
    auto a = parse_auth_type(in.auth_type);
    if (!a)
      throw core::invalid_argument("Authentication type is none, bearer, basic or oauth2.",
                                   "auth_type");
    d.auth = *a;
  }
  d.secrets.bearer_token = secret(in.bearer_token, kept ? &kept->bearer_token : nullptr);
  d.secrets.basic_password = secret(in.basic_password, kept ? &kept->basic_password : nullptr);
  d.secrets.oauth2_client_secret =
      secret(in.oauth2_client_secret, kept ? &kept->oauth2_client_secret : nullptr);
  d.basic_username = in.basic_username;
  d.oauth2_token_url = in.oauth2_token_url;
  d.oauth2_client_id = in.oauth2_client_id;
  d.oauth2_scope = in.oauth2_scope;
  if (!in.oauth2_credential_location.empty()) {
    auto l = parse_credential_location(in.oauth2_credential_location);
    if (!l)
      throw core::invalid_argument("OAuth2 credential location is body or query.",
                                   "oauth2_credential_location");
    d.oauth2_credential_location = *l;
  }
  if (d.auth == AuthType::kOauth2) {
    if (d.oauth2_token_url.empty())
      throw core::invalid_argument("OAuth2 Token URL is required when using OAuth2 authentication.",
                                   "oauth2_token_url");
    check_url(d.oauth2_token_url, "OAuth2 Token URL", "oauth2_token_url");
    if (d.oauth2_client_id.empty())
      throw core::invalid_argument("OAuth2 Client ID is required when using OAuth2 authentication.",
                                   "oauth2_client_id");
    if (d.secrets.oauth2_client_secret.empty())
      throw core::invalid_argument(
          "OAuth2 Client Secret is required when using OAuth2 authentication.",
          "oauth2_client_secret");
  }
  if (d.auth == AuthType::kBearer && d.secrets.bearer_token.empty())
    throw core::invalid_argument("Bearer Token is required when using Bearer Token authentication.",
                                 "bearer_token");
  if (d.auth == AuthType::kBasic) {
    if (d.basic_username.empty() || d.basic_username.find(':') != std::string::npos)
      throw core::invalid_argument(
          "Basic authentication needs a username (without ':') and a password.", "basic_username");
    if (d.secrets.basic_password.empty())
      throw core::invalid_argument("Basic authentication needs a username and a password.",
                                   "basic_password");
  }

  if (in.timeout_seconds) {
    double s = *in.timeout_seconds;
    if (!(s > 0) || !std::isfinite(s) || s > 3600)
      throw core::invalid_argument("Timeout must be a positive number of seconds (at most 3600).",
                                   "timeout");
    d.timeout = std::chrono::milliseconds(std::max<int64_t>(1, std::llround(s * 1000)));
  }
  if (in.max_concurrency) {
    if (*in.max_concurrency <= 0 || *in.max_concurrency > 10'000)
      throw core::invalid_argument("Concurrency limit must be a positive integer (at most 10000).",
                                   "max_concurrency");
    d.max_concurrency = int(*in.max_concurrency);
  }

  if (d.auth != AuthType::kNone && in.our_sender_id.empty())
    throw core::invalid_argument("Sender ID is required for authenticated connections.",
                                 "our_sender_id");
  check_sender_id(in.our_sender_id);
  d.our_sender_id = in.our_sender_id;
  if (!in.our_callback_uri.empty())
    check_url(in.our_callback_uri, "Callback URI", "our_callback_uri");
  d.our_callback_uri = in.our_callback_uri;
  d.receiver_id = in.receiver_id;
  d.verify_tls = in.verify_tls;
  d.active = in.active;
  if (!in.state.empty()) {
    auto s = parse_source_state(in.state);
    if (!s) throw core::invalid_argument("State is draft, testing, active or error.", "state");
    d.state = *s;
  }
  d.notes = in.notes;
  return d;
}

Json source_to_json(const DataSource& d) {
  return {{"code", d.code},
          {"name", d.name},
          {"registry_type", std::string(registry_type_name(d.registry_type))},
          {"reg_type", std::string(registry_type_wire(d.registry_type))},
          {"base_url", d.base_url},
          {"sync_search_endpoint", d.sync_search_endpoint},
          {"search_endpoint", d.search_endpoint},
          {"subscribe_endpoint", d.subscribe_endpoint},
          {"token_endpoint", d.token_endpoint},
          {"our_sender_id", d.our_sender_id},
          {"our_callback_uri", d.our_callback_uri},
          {"receiver_id", d.receiver_id},
          {"auth_type", std::string(auth_type_name(d.auth))},
          {"bearer_token_set", !d.secrets.bearer_token.empty()},
          {"basic_username", d.basic_username},
          {"basic_password_set", !d.secrets.basic_password.empty()},
          {"oauth2_token_url", d.oauth2_token_url},
          {"oauth2_client_id", d.oauth2_client_id},
          {"oauth2_client_secret_set", !d.secrets.oauth2_client_secret.empty()},
          {"oauth2_scope", d.oauth2_scope},
          {"oauth2_credential_location",
           std::string(credential_location_name(d.oauth2_credential_location))},
          {"timeout", double(d.timeout.count()) / 1000.0},
          {"verify_tls", d.verify_tls},
          {"max_concurrency", d.max_concurrency},
          {"active", d.active},
          {"state", std::string(source_state_name(d.state))},
          {"notes", d.notes},
          {"created", core::format_rfc3339(d.created)},
          {"updated", core::format_rfc3339(d.updated)}};
}

}  // namespace registrar::dci_client
