#include "ibr/config.h"

#include "dci/senders.h"

namespace registrar::ibr {

namespace {
std::optional<std::string> id_chars(const core::ConfigValue& v) {
  const auto& s = std::get<std::string>(v);
  if (s.empty()) return "must not be empty";
  // The kid is split on '|' by every verifier (§6.2).
  if (s.find('|') != std::string::npos) return "must not contain '|'";
  return std::nullopt;
}
std::optional<std::string> score_range(const core::ConfigValue& v) {
  double d = std::get<double>(v);
  if (!(d > 0.0 && d <= 1.0)) return "must be in (0, 1]";
  return std::nullopt;
}
}  // namespace

void declare_ibr_config(core::ConfigSchema& s) {
  s.add_string("ibr.sender_id", "registrar-ibr",
               "Our sender_id in DCI headers, and the first part of our signing key's kid.",
               id_chars);
  s.add_string("ibr.key_id", "ibr-1",
               "Key id of the Ed25519 key our DCI answers are signed with (kid "
               "{sender_id}|{key_id}|ed25519 in /.well-known/jwks.json). A new value makes a new "
               "key; the old one stays published.",
               id_chars);
  s.add_bool(
      "ibr.allow_unsigned", false,
      "DEVELOPMENT ONLY: accept DCI envelopes without a signature (\"\", \"unsigned-stub\"). "
      "Warned at start and on each such request.");
  s.add_string("ibr.scopes.admin", "ibr:admin", "Bearer scope of the /ibr/admin routes.");
  s.add_int("ibr.senders_reload_ms", 5000,
            "How often each instance reloads the trusted senders from the database.", 100,
            3'600'000);
  s.add_int("ibr.jwks.min_refetch_ms", 30'000,
            "A DCI request naming a key id that a sender's cached JWKS lacks makes us fetch the "
            "sender's JWKS again, at most once per this interval per sender.",
            0, 86'400'000);
  s.add_int("ibr.jwks.timeout_ms", 10'000,
            "Longest a fetch of a sender's JWKS may take (connect, request and answer).", 100,
            60'000);
  s.add_int("ibr.max_page_size", 1000, "Largest page_size a search may ask for.", 1, 100'000);
  s.add_int(
      "ibr.index.poll_ms", 1000,
      "How often each instance polls the beneficiary change feed into its duplicate-detection "
      "index (another instance's update is found within this).",
      10, 3'600'000);
  s.add({"ibr.match.confirmed", core::ConfigType::kDouble, 0.90,
         "Fuzzy match score from which a hit is a confirmed duplicate (0-1).", score_range});
  s.add({"ibr.match.possible", core::ConfigType::kDouble, 0.82,
         "Fuzzy match score from which a hit is a possible duplicate (0-1; lower hits are not "
         "returned). 0.82 had the best F1 on the synthetic population (docs/ibr-matching.md).",
         score_range});
  s.add_int("ibr.outbox.poll_interval_ms", 1000,
            "How often each instance looks for callbacks and notifications due for delivery.", 10,
            600'000);
  s.add_int("ibr.outbox.max_attempts", 8,
            "Delivery attempts of one callback before it is marked failed.", 1, 1000);
  s.add_int("ibr.outbox.backoff_base_ms", 2000,
            "Delay before the second attempt; each further one doubles it (with jitter).", 1,
            86'400'000);
  s.add_int("ibr.outbox.backoff_cap_ms", 600'000, "Longest delay between two attempts.", 1,
            86'400'000);
  s.add_int("ibr.outbox.request_timeout_ms", 10'000,
            "Time limit of one callback POST (connect to last response byte).", 100, 600'000);
  s.add_int("ibr.outbox.batch", 32, "Callbacks one instance sends at the same time.", 1, 10'000);
}

IbrSettings read_ibr_config(const core::Config& c) {
  IbrSettings out;
  out.sender_id = c.str("ibr.sender_id");
  out.key_id = c.str("ibr.key_id");
  out.allow_unsigned = c.boolean("ibr.allow_unsigned");
  out.admin_scope = c.str("ibr.scopes.admin");
  if (out.admin_scope.empty()) throw core::ConfigError({"ibr.scopes.admin: must not be empty"});
  out.senders_reload = std::chrono::milliseconds(c.integer("ibr.senders_reload_ms"));
  out.max_page_size = c.integer("ibr.max_page_size");
  out.outbox.poll_interval = std::chrono::milliseconds(c.integer("ibr.outbox.poll_interval_ms"));
  out.outbox.max_attempts = c.integer("ibr.outbox.max_attempts");
  out.outbox.backoff_base = std::chrono::milliseconds(c.integer("ibr.outbox.backoff_base_ms"));
  out.outbox.backoff_cap = std::chrono::milliseconds(c.integer("ibr.outbox.backoff_cap_ms"));
  out.outbox.request_timeout =
      std::chrono::milliseconds(c.integer("ibr.outbox.request_timeout_ms"));
  out.outbox.batch = c.integer("ibr.outbox.batch");
  if (out.outbox.backoff_cap < out.outbox.backoff_base)
    throw core::ConfigError({"ibr.outbox.backoff_cap_ms: must not be below backoff_base_ms"});
  out.jwks.min_refetch = std::chrono::milliseconds(c.integer("ibr.jwks.min_refetch_ms"));
  out.jwks.timeout = std::chrono::milliseconds(c.integer("ibr.jwks.timeout_ms"));
  out.index_poll = std::chrono::milliseconds(c.integer("ibr.index.poll_ms"));
  out.match_confirmed = c.real("ibr.match.confirmed");
  out.match_possible = c.real("ibr.match.possible");
  if (out.match_possible > out.match_confirmed)
    throw core::ConfigError({"ibr.match.possible: must not exceed ibr.match.confirmed"});
  return out;
}

matching::IndexOptions index_options(const IbrSettings& s) {
  matching::IndexOptions o;
  o.thresholds.confirmed = s.match_confirmed;
  o.thresholds.possible = s.match_possible;
  return o;
}

std::string signing_kid(const IbrSettings& s) {
  return dci::format_kid(s.sender_id, s.key_id, dci::SignatureAlgorithm::kEd25519);
}

}  // namespace registrar::ibr
