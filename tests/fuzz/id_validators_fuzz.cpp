// Every identifier validator the ids routes expose, on the same text, and the parsers of what
// the MOSIP routes read besides (licenseExpiryTime, RID centre and machine ids).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ids/issuance.h"
#include "ids/licence.h"
#include "ids/policy.h"
#include "ids/validators.h"

using namespace registrar::ids;

namespace {

struct Validators {
  IdValidator uin12{default_policy(IdType::kUin)};
  IdValidator uin13{[] {
    Policy p = default_policy(IdType::kUin);
    p.rule_set = RuleSet::kV13;
    return p;
  }()};
  IdValidator vid{default_policy(IdType::kVid)};
  IdValidator prid{default_policy(IdType::kPrid)};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Validators v;
  const std::string_view id(reinterpret_cast<const char*>(data), size);
  for (const IdValidator* validator : {&v.uin12, &v.uin13, &v.vid, &v.prid}) {
    (void)validator->validate(id, Detail::kAll);
    (void)validator->valid(id);
  }
  (void)validate_rid(id);
  (void)validate_rid(id, {}, std::string_view("10001"), std::string_view("10002"), Detail::kAll);
  (void)valid_rid_timestamp(id);
  (void)validate_misp_id(id);
  (void)licence_key_well_formed(id, 16);
  (void)validate_licence_key(id, 16, nullptr, TimePoint{});
  (void)validate_partner_id(id, 5, std::nullopt);
  (void)validate_partner_id(id, 5, true);
  (void)parse_licence_expiry_ms(id);
  (void)build_rid(id, id, 1, TimePoint{});
  return 0;
}
