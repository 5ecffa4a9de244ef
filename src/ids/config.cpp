#include "ids/config.h"

namespace registrar::ids {

void declare_ids_config(core::ConfigSchema& s) {
  declare_policy_config(s);
  s.add_secret("ids.issuance.key",
               "Secret (at least 16 bytes) keying the permutation that makes IDs unpredictable. "
               "Empty: generated on first start and kept in the database (ids_settings). Never "
               "change it once IDs were issued: start is refused if it changes.");
  s.add_int("ids.issuance.block_size", 100'000,
            "Counters an instance leases from the database at a time.", 1'000, 100'000'000);
  s.add_int("ids.issuance.batch_max", 5'000, "IDs written in one group-commit transaction at most.",
            1, 100'000);
  s.add_int("ids.issuance.commit_delay_us", 200,
            "How long the committer gathers issue requests before writing them (microseconds).", 0,
            100'000);
  s.add_int("ids.issuance.max_count", 1'000, "IDs one batch-issue request may ask for.", 1,
            100'000);
  s.add_string("ids.scopes.issue", "ids:issue", "Scope to issue IDs and change their status.");
  s.add_string("ids.scopes.validate", "ids:validate",
               "Scope of the validation routes; empty makes them public.");
  s.add_string("ids.scopes.admin", "ids:admin",
               "Scope for capacity, sequence IDs, token IDs and licence keys.");
  s.add_int("ids.rid.centre_length", 5,
            "RID: centre id digits (MOSIP registrationcenterid.length).", 1, 20);
  s.add_int("ids.rid.machine_length", 5, "RID: machine id digits (MOSIP machineid.length).", 1, 20);
  s.add_int("ids.rid.sequence_length", 5, "RID: sequence digits (MOSIP rid.sequence-length).", 1,
            18);
  s.add_int("ids.rid.timestamp_length", 14, "RID: timestamp digits (MOSIP rid.timestamp-length).",
            14, 14);
  s.add_int("ids.rid.sequence_initial", 1, "RID: first sequence of a centre/machine pair.", 0,
            1'000'000);
  s.add_int("ids.sequence.machine_length", 5, "Machine ID digits (first 10^(n-1)).", 1, 18);
  s.add_int("ids.sequence.centre_length", 5, "Registration centre ID digits.", 1, 18);
  s.add_int("ids.sequence.misp_length", 3, "MISP ID digits.", 1, 18);
  s.add_int("ids.sequence.partner_length", 4, "Partner ID digits.", 1, 18);
  s.add_list("ids.sequence.restricted_numbers", {},
             "Numbers no machine/centre/MISP/partner ID may contain (FRS; MOSIP skips none).");
  s.add_secret("ids.token.uin_salt", "Token ID salt for the UIN (MOSIP tokenid.uin.salt).");
  s.add_secret("ids.token.partner_code_salt",
               "Token ID salt for the partner code (MOSIP tokenid.partnercode.salt).");
  s.add_int("ids.token.length", 36, "Token ID digits (MOSIP tokenid.length).", 1, 154);
  s.add_string("ids.token.variant", "single",
               "single (canonical, id-repository and <= 1.2) or double (keymanager 1.3.0).",
               [](const core::ConfigValue& v) -> std::optional<std::string> {
                 const auto& x = std::get<std::string>(v);
                 if (x == "single" || x == "double") return std::nullopt;
                 return "must be single or double";
               });
  s.add_int("ids.licence.length", 16, "Licence key length (MOSIP licensekey.length).", 8, 128);
  s.add_int("ids.licence.default_days", 365, "Validity of a licence key created without expiry.", 1,
            3'650'000);
  s.add_list("ids.licence.permissions", default_licence_permissions(),
             "Permissions a licence key may be granted (MOSIP mosip.kernel.licensekey.permissions; "
             "the default is MOSIP's list). Each must be named exactly.");
}

IdsConfig read_ids_config(const core::Config& c) {
  IdsConfig out;
  std::vector<std::string> problems;
  for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid}) {
    Policy p = policy_from_config(c, t);
    for (auto& pr : policy_problems(p)) problems.push_back(pr);
    (t == IdType::kUin ? out.uin : t == IdType::kVid ? out.vid : out.prid) = std::move(p);
  }
  out.issuance.key = c.str("ids.issuance.key");
  if (!out.issuance.key.empty() && out.issuance.key.size() < 16)
    problems.push_back("ids.issuance.key: must be at least 16 bytes");
  out.issuance.block_size = c.integer("ids.issuance.block_size");
  out.issuance.batch_max = size_t(c.integer("ids.issuance.batch_max"));
  out.issuance.commit_delay = std::chrono::microseconds(c.integer("ids.issuance.commit_delay_us"));
  out.issuance.max_count = int(c.integer("ids.issuance.max_count"));
  out.scopes.issue = c.str("ids.scopes.issue");
  out.scopes.validate = c.str("ids.scopes.validate");
  out.scopes.admin = c.str("ids.scopes.admin");
  if (out.scopes.issue.empty()) problems.push_back("ids.scopes.issue: must not be empty");
  if (out.scopes.admin.empty()) problems.push_back("ids.scopes.admin: must not be empty");
  out.rid.centre_length = int(c.integer("ids.rid.centre_length"));
  out.rid.machine_length = int(c.integer("ids.rid.machine_length"));
  out.rid.sequence_length = int(c.integer("ids.rid.sequence_length"));
  out.rid.timestamp_length = int(c.integer("ids.rid.timestamp_length"));
  out.rid.length = out.rid.centre_length + out.rid.machine_length + out.rid.sequence_length +
                   out.rid.timestamp_length;
  out.rid_sequence_initial = c.integer("ids.rid.sequence_initial");
  out.sequences.machine_length = int(c.integer("ids.sequence.machine_length"));
  out.sequences.centre_length = int(c.integer("ids.sequence.centre_length"));
  out.sequences.misp_length = int(c.integer("ids.sequence.misp_length"));
  out.sequences.partner_length = int(c.integer("ids.sequence.partner_length"));
  out.sequences.restricted_numbers = c.list("ids.sequence.restricted_numbers");
  for (auto& r : out.sequences.restricted_numbers)
    if (r.empty()) problems.push_back("ids.sequence.restricted_numbers: empty entry");
  out.token.uin_salt = c.str("ids.token.uin_salt");
  out.token.partner_code_salt = c.str("ids.token.partner_code_salt");
  out.token.length = size_t(c.integer("ids.token.length"));
  out.token.variant = c.str("ids.token.variant") == "double" ? TokenIdVariant::kDoubleHash
                                                             : TokenIdVariant::kSingleHash;
  out.licence_length = size_t(c.integer("ids.licence.length"));
  out.licence_default_days = c.integer("ids.licence.default_days");
  out.licence_permissions = c.list("ids.licence.permissions");
  if (out.licence_permissions.empty())
    problems.push_back("ids.licence.permissions: must name at least one permission");
  for (auto& p : out.licence_permissions)
    if (p.find_first_not_of(" \t") == std::string::npos)
      problems.push_back("ids.licence.permissions: empty entry");
  if (!problems.empty()) throw core::ConfigError(std::move(problems));
  return out;
}

}  // namespace registrar::ids
