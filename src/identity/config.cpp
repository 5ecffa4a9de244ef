#include "identity/config.h"

#include "crypto/signature.h"
#include "http/cors.h"
#include "identity/accounts.h"

namespace registrar::identity {

namespace {

// The challenge keys (identity.challenge_ttl_seconds, the DHP prefix and scopes).
void declare_challenge_config(core::ConfigSchema& s) {
  s.add_int("identity.challenge_ttl_seconds", 60, "How long a challenge nonce can be verified.", 1,
            86'400);
  s.add_string("identity.dhp_prefix", "/dhp",
               "Where the DHP-compatible /login, /generate, /verify routes are mounted (\"/\": at "
               "the root, as the original serves them).",
               [](const core::ConfigValue& v) -> std::optional<std::string> {
                 const auto& p = std::get<std::string>(v);
                 if (p.empty() || p == "/") return std::nullopt;  // the root
                 if (p[0] != '/' || p.back() == '/' || p.find_first_of("{}") != std::string::npos)
                   return "must be \"/\", or start with '/' and not end with one (e.g. /dhp)";
                 return std::nullopt;
               });
  s.add_list("identity.dhp_cors_origins", {"*"},
             "Origins whose pages may call the DHP routes (CORS): [\"*\"] for any, as the "
             "original; exact origins (\"https://wallet.example\"); [] for none.",
             [](const core::ConfigValue& v) -> std::optional<std::string> {
               const auto& origins = std::get<std::vector<std::string>>(v);
               if (origins.empty()) return std::nullopt;
               return http::parse_cors_policy(core::Json{{"origins", origins}}, nullptr);
             });
  s.add_string("identity.scope_generate", "gen_id_challenge",
               "Scope needed to generate challenges.");
  s.add_string("identity.scope_verify", "verify_identity", "Scope needed to verify challenges.");
  s.add_string("identity.dhp_login_client", "",
               "Client whose password grant the DHP /login route runs (empty: /login answers 503 "
               "naming this key, and a warning is logged at start).");
}

ChallengeSettings read_challenge_config(const core::Config& c) {
  ChallengeSettings s;
  s.ttl_seconds = c.integer("identity.challenge_ttl_seconds");
  s.dhp_prefix = c.str("identity.dhp_prefix");
  if (s.dhp_prefix == "/") s.dhp_prefix.clear();  // routes at "/login", "/generate", ...
  s.dhp_cors_origins = c.list("identity.dhp_cors_origins");
  s.scope_generate = c.str("identity.scope_generate");
  s.scope_verify = c.str("identity.scope_verify");
  s.dhp_login_client = c.str("identity.dhp_login_client");
  return s;
}

}  // namespace

namespace {

core::ConfigCheck alg_check() {
  return [](const core::ConfigValue& v) -> std::optional<std::string> {
    if (!crypto::parse_alg(std::get<std::string>(v))) return "must be EdDSA, ES256, RS256 or PS256";
    return std::nullopt;
  };
}

core::ConfigCheck hash_cost_check() {
  return [](const core::ConfigValue& v) -> std::optional<std::string> {
    try {
      parse_hash_cost(std::get<std::string>(v));
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::nullopt;
  };
}

std::optional<std::string> parse_trusted(const core::Json& j, std::vector<TrustedIssuer>* out) {
  if (!j.is_array()) return "must be an array of tables";
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    std::string where = "entry " + std::to_string(i + 1) + ": ";
    if (!e.is_object()) return where + "must be a table";
    TrustedIssuer t;
    for (auto it = e.begin(); it != e.end(); ++it) {
      const std::string& k = it.key();
      if (k != "issuer" && k != "jwks_url" && k != "audience" && k != "algorithms" &&
          k != "ca_file" && k != "scopes" && k != "allow_http" && k != "clock_skew_seconds")
        return where + "unknown key " + k;
    }
    if (!e.contains("issuer") || !e["issuer"].is_string() || e["issuer"].get<std::string>().empty())
      return where + "issuer is required";
    if (!e.contains("jwks_url") || !e["jwks_url"].is_string())
      return where + "jwks_url is required";
    t.issuer = e["issuer"];
    t.jwks_url = e["jwks_url"];
    if (e.contains("allow_http")) {
      if (!e["allow_http"].is_boolean()) return where + "allow_http must be true or false";
      t.allow_http = e["allow_http"];
    }
    std::string url = t.jwks_url;
    const bool http = url.rfind("http://", 0) == 0;
    if (!http && url.rfind("https://", 0) != 0) return where + "jwks_url must be an https URL";
    if (http && !t.allow_http)
      return where +
             "jwks_url must be https (a plain-http JWKS lets anyone on the path forge "
             "tokens; allow_http = true is for tests on loopback)";
    if (!e.contains("audience") || !e["audience"].is_string() ||
        e["audience"].get<std::string>().empty())
      return where +
             "audience is required (the \"aud\" this issuer puts in tokens meant for us; "
             "without it a token meant for another service would be accepted here)";
    t.audience = e["audience"].get<std::string>();
    if (!e.contains("scopes") || !e["scopes"].is_array() || e["scopes"].empty())
      return where + "scopes is required: the scopes this issuer may grant here ([\"*\"] for all)";
    for (auto& sc : e["scopes"]) {
      if (!sc.is_string() || sc.get<std::string>().empty())
        return where + "scopes: each must be a non-empty string";
      t.scopes.push_back(sc);
    }
    if (e.contains("ca_file")) {
      if (!e["ca_file"].is_string()) return where + "ca_file must be a string";
      t.ca_file = e["ca_file"];
    }
    if (e.contains("algorithms")) {
      if (!e["algorithms"].is_array()) return where + "algorithms must be an array";
      t.algs.clear();
      for (auto& a : e["algorithms"]) {
        auto alg = a.is_string() ? crypto::parse_alg(a.get<std::string>()) : std::nullopt;
        if (!alg) return where + "algorithms: each must be EdDSA, ES256, RS256 or PS256";
        t.algs.push_back(*alg);
      }
    }
    if (e.contains("clock_skew_seconds")) {
      const auto& skew = e["clock_skew_seconds"];
      if (!skew.is_number_integer() || skew.get<int64_t>() < 0 || skew.get<int64_t>() > 600)
        return where + "clock_skew_seconds must be a whole number of seconds from 0 to 600";
      t.skew_seconds = skew.get<int64_t>();
    }
    if (out) out->push_back(std::move(t));
  }
  return std::nullopt;
}

}  // namespace

void declare_identity_config(core::ConfigSchema& s) {
  s.add_string("identity.issuer", "registrar", "The iss of tokens this instance issues.");
  s.add_string("identity.audience", "",
               "If set: the aud of tokens this instance issues, and required of them.");
  s.add_int("identity.token_ttl_seconds", 3600, "Lifetime of issued access tokens.", 60, 86'400);
  s.add_int("identity.clock_skew_seconds", 60, "Tolerated clock difference for exp/nbf/iat.", 0,
            600);
  s.add_int("identity.token_cache_entries", 100'000,
            "Verified tokens remembered until they expire (0 disables).", 0, 10'000'000);
  s.add_string("identity.signing_alg", "EdDSA", "Algorithm of new signing keys.", alg_check());
  s.add_int("identity.key_publish_delay_seconds", 300,
            "A rotated-in key is published this long before it signs (> JWKS cache age).", 0,
            7 * 86'400);
  s.add_secret("identity.master_key",
               "Base64 of 32 bytes sealing private keys at rest (or use master_key_file).");
  s.add_string("identity.master_key_file", "var/master.key", "File holding the master key.");
  s.add_bool("identity.create_master_key", true,
             "Create master_key_file with a random key when it does not exist.");
  s.add_string("identity.password_hash_cost", "interactive",
               "Argon2id cost for new secrets: interactive, moderate or minimal (tests only).",
               hash_cost_check());
  s.add_int("identity.login.max_failures_per_account", 10,
            "Wrong secrets for one client or user before it is locked out.", 1, 1'000'000);
  s.add_int("identity.login.max_failures_per_address", 50,
            "Wrong secrets from one client address before it is locked out.", 1, 1'000'000);
  s.add_int("identity.login.first_lockout_seconds", 1,
            "The first lockout; it doubles with each further failure.", 1, 86'400);
  s.add_int("identity.login.max_lockout_seconds", 900, "The longest lockout.", 1, 86'400);
  s.add_int("identity.login.hash_concurrency", 2,
            "Password / client-secret checks (Argon2id) run at once; more wait.", 1, 256);
  s.add_int("identity.login.hash_waiting", 16,
            "Checks that may wait for a slot; beyond, 503 at once.", 0, 100'000);
  s.add_json(
      "identity.trusted_issuers", core::Json::array(),
      "External token issuers: [{issuer, jwks_url (https), audience, scopes (those it may grant "
      "here; [\"*\"] for all), algorithms?, ca_file?, clock_skew_seconds? (default: "
      "identity.clock_skew_seconds), allow_http? (tests only)}].",
      [](const core::ConfigValue& v) { return parse_trusted(std::get<core::Json>(v), nullptr); });
  s.add_int("identity.jwks_min_refresh_seconds", 30,
            "At most one JWKS fetch per trusted issuer this often (unknown kid).", 1, 86'400);
  s.add_int("identity.jwks_max_age_seconds", 3600, "Refetch a trusted issuer's JWKS this often.",
            60, 7 * 86'400);
  s.add_int("identity.revocation.refresh_ms", 5000,
            "Every instance re-reads disabled clients and users, revoked tokens and retired keys "
            "this often: the bound on a revocation made elsewhere taking effect here.",
            10, 3'600'000);
  s.add_string("identity.scopes.admin", "identity:admin",
               "Bearer scope of the /v1/identity admin routes (disable, revoke, retire).",
               [](const core::ConfigValue& v) -> std::optional<std::string> {
                 if (std::get<std::string>(v).empty()) return "must not be empty";
                 return std::nullopt;
               });
  s.add_list("identity.public_clients", {},
             "Clients that sign people in from a browser (the console, client id \"console\"): "
             "the password grant with client_id and no secret; no other grant.",
             [](const core::ConfigValue& v) -> std::optional<std::string> {
               for (const auto& id : std::get<std::vector<std::string>>(v)) {
                 try {
                   check_account_id(id, "identity.public_clients");
                 } catch (const std::exception& e) {
                   return std::string(e.what());
                 }
               }
               return std::nullopt;
             });
  declare_challenge_config(s);
}

IdentityConfig read_identity_config(const core::Config& c) {
  IdentityConfig out;
  out.master_key = c.str("identity.master_key");
  out.master_key_file = c.str("identity.master_key_file");
  out.create_master_key = c.boolean("identity.create_master_key");
  out.hash_cost = parse_hash_cost(c.str("identity.password_hash_cost"));
  out.login.per_account.threshold = c.integer("identity.login.max_failures_per_account");
  out.login.per_address.threshold = c.integer("identity.login.max_failures_per_address");
  out.login.per_account.first_lockout = out.login.per_address.first_lockout =
      std::chrono::seconds(c.integer("identity.login.first_lockout_seconds"));
  out.login.per_account.max_lockout = out.login.per_address.max_lockout =
      std::chrono::seconds(c.integer("identity.login.max_lockout_seconds"));
  out.login.hash_concurrency = static_cast<int>(c.integer("identity.login.hash_concurrency"));
  out.login.hash_waiting = static_cast<int>(c.integer("identity.login.hash_waiting"));
  out.keys.alg = *crypto::parse_alg(c.str("identity.signing_alg"));
  out.keys.publish_delay_seconds = c.integer("identity.key_publish_delay_seconds");
  out.keys.token_ttl_seconds = c.integer("identity.token_ttl_seconds");
  out.keys.clock_skew_seconds = c.integer("identity.clock_skew_seconds");
  out.tokens.issuer = c.str("identity.issuer");
  if (!c.str("identity.audience").empty()) out.tokens.audience = c.str("identity.audience");
  out.tokens.ttl_seconds = c.integer("identity.token_ttl_seconds");
  out.tokens.skew_seconds = c.integer("identity.clock_skew_seconds");
  out.tokens.cache_entries = size_t(c.integer("identity.token_cache_entries"));
  parse_trusted(c.json("identity.trusted_issuers"), &out.tokens.trusted);
  out.tokens.jwks_min_refresh_seconds = c.integer("identity.jwks_min_refresh_seconds");
  out.tokens.jwks_max_age_seconds = c.integer("identity.jwks_max_age_seconds");
  out.challenges = read_challenge_config(c);
  out.revocation.refresh = std::chrono::milliseconds(c.integer("identity.revocation.refresh_ms"));
  out.revocation.max_token_lifetime_seconds = out.tokens.ttl_seconds + out.tokens.skew_seconds;
  out.admin_scope = c.str("identity.scopes.admin");
  out.public_clients = c.list("identity.public_clients");
  return out;
}

}  // namespace registrar::identity
