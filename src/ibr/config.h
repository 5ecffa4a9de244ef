// The ibr module's settings (keys under ibr.*; docs/operations.md lists them).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/config.h"
#include "dci/sender_keys.h"
#include "ibr/matching/index.h"

namespace registrar::ibr {

// The JWKS fetches of our senders' keys (ibr.jwks.*).
using JwksSettings = dci::JwksSettings;

struct IbrSettings {
  // Who we are in DCI headers (sender_id of our answers) and the key id of our signing key:
  // together they make the kid "{sender_id}|{key_id}|ed25519" published in our JWKS.
  std::string sender_id = "registrar-ibr";
  std::string key_id = "ibr-1";
  // Development only: accept envelopes whose signature is "", "unsigned-stub" or absent.
  bool allow_unsigned = false;
  std::string admin_scope = "ibr:admin";
  // How often each instance reloads the trusted senders (another instance's change arrives
  // within this; a local change at once).
  std::chrono::milliseconds senders_reload{5000};
  int64_t max_page_size = 1000;
  // The outbox of callbacks and notifications (ibr.outbox.*, docs/ibr.md "Outbox").
  struct Outbox {
    std::chrono::milliseconds poll_interval{1000};  // how often due rows are looked for
    int64_t max_attempts = 8;                       // then the row is `failed`
    std::chrono::milliseconds backoff_base{2000};   // delay after the first failure
    std::chrono::milliseconds backoff_cap{600'000};
    std::chrono::milliseconds request_timeout{10'000};  // one POST, connect to last byte
    int64_t batch = 32;                                 // rows in flight per instance
    // How long a claimed row stays ours: past it (the instance died) another claims it.
    std::chrono::milliseconds lease() const { return 2 * request_timeout + poll_interval; }
  } outbox;
  JwksSettings jwks;
  // How often each instance polls the beneficiary change feed into its duplicate index.
  std::chrono::milliseconds index_poll{1000};
  // Fuzzy match score thresholds (matching/score.h): at least `confirmed` is a confirmed
  // duplicate, at least `possible` a possible one; below, not a hit.
  double match_confirmed = 0.90;
  double match_possible = 0.82;
};

void declare_ibr_config(core::ConfigSchema& schema);
// Throws core::ConfigError listing every problem.
IbrSettings read_ibr_config(const core::Config& config);

// The duplicate index's options: the thresholds from the settings, the rest the defaults.
matching::IndexOptions index_options(const IbrSettings& settings);

// The kid our answers carry and the JWKS publishes (§6.2).
std::string signing_kid(const IbrSettings& settings);

}  // namespace registrar::ibr
