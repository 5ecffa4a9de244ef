// The ids module's configuration beyond the per-type policies (policy.h declares ids.uin.*,
// ids.vid.*, ids.prid.*): issuance tuning, the issuance key, scopes, RID layout, sequence IDs,
// token ID salts and licence keys.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/config.h"
#include "ids/issuance.h"
#include "ids/licence.h"
#include "ids/policy.h"
#include "ids/token_id.h"
#include "ids/validators.h"

namespace registrar::ids {

struct IssuanceConfig {
  std::string key;               // ids.issuance.key; empty: generated and kept in the database
  int64_t block_size = 100'000;  // counters leased per database round trip
  size_t batch_max = 5'000;      // IDs written per group-commit transaction at most
  std::chrono::microseconds commit_delay{200};  // how long the committer gathers requests
  int max_count = 1'000;                        // IDs one batch-issue request may ask for
};

struct ScopeConfig {
  std::string issue = "ids:issue";        // issue IDs, MOSIP GET/PUT
  std::string validate = "ids:validate";  // validation routes ("" = public)
  std::string admin = "ids:admin";        // capacity, sequences, licences
};

struct SequenceConfig {
  int machine_length = 5, centre_length = 5, misp_length = 3, partner_length = 4;
  std::vector<std::string> restricted_numbers;
};

struct TokenConfig {
  std::string uin_salt, partner_code_salt;
  size_t length = 36;
  TokenIdVariant variant = TokenIdVariant::kSingleHash;
};

struct IdsConfig {
  Policy uin, vid, prid;
  IssuanceConfig issuance;
  ScopeConfig scopes;
  RidFormat rid;
  int64_t rid_sequence_initial = 1;
  SequenceConfig sequences;
  TokenConfig token;
  size_t licence_length = 16;
  int64_t licence_default_days = 365;
  // What a licence may be granted (MOSIP mosip.kernel.licensekey.permissions).
  std::vector<std::string> licence_permissions = default_licence_permissions();

  const Policy& policy(IdType t) const {
    return t == IdType::kUin ? uin : t == IdType::kVid ? vid : prid;
  }
};

void declare_ids_config(core::ConfigSchema& schema);
// Reads and checks every key; throws core::ConfigError naming the keys at fault (including a
// policy that admits no ID).
IdsConfig read_ids_config(const core::Config& config);

}  // namespace registrar::ids
