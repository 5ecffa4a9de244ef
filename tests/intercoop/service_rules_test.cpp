// A service's rules (intercoop/service_rules.h): roles, availability by value or prefix, the
// member's key for per-member limits, and the JSON they are stored and shown as.
#include "intercoop/service_rules.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "support/refusal.h"

namespace registrar::intercoop {
namespace {

yaml::Value bugs() {
  return yaml::Value::parse(R"({"originpeer": "somillusio", "nif": "12345678Z",
      "peerroles": ["member", "worker"], "innerid": 666, "postalcode": "08001", "country": "ES"})");
}

TEST(ServiceRules, NoRulesLetEveryoneIn) {
  EXPECT_FALSE(unavailable_for(bugs(), ServiceRules{}));
  EXPECT_FALSE(unavailable_for(yaml::Value::object(), ServiceRules{}));
}

TEST(ServiceRules, RolesNeedOneInCommon) {
  ServiceRules r;
  r.roles = {"customer", "WORKER"};
  EXPECT_FALSE(unavailable_for(bugs(), r));
  r.roles = {"customer"};
  auto no = unavailable_for(bugs(), r);
  ASSERT_TRUE(no);
  EXPECT_EQ(no->field, "peerroles");
  EXPECT_EQ(no->value, "member,worker");
  yaml::Value one = bugs();
  one["peerroles"] = "customer";  // one role as text is read as a list of one
  EXPECT_FALSE(unavailable_for(one, r));
  one.erase("peerroles");
  EXPECT_EQ(unavailable_for(one, r)->value, "");
}

TEST(ServiceRules, AvailabilityByValueOrPrefixEveryRule) {
  ServiceRules r;
  r.availability = {{"country", {"es", "PT"}, {}}, {"postalcode", {}, {"08", "17", "25", "43"}}};
  EXPECT_FALSE(unavailable_for(bugs(), r));
  yaml::Value madrid = bugs();
  madrid["postalcode"] = "28001";
  auto no = unavailable_for(madrid, r);
  ASSERT_TRUE(no);
  EXPECT_EQ(no->field, "postalcode");
  EXPECT_EQ(no->value, "28001");
  yaml::Value france = bugs();
  france["country"] = "FR";
  EXPECT_EQ(unavailable_for(france, r)->field, "country");
  yaml::Value none = bugs();
  none.erase("postalcode");
  EXPECT_EQ(unavailable_for(none, r)->value, "");
  // A number is read as its digits (a peer that left the postal code unquoted).
  yaml::Value number = bugs();
  number["postalcode"] = 8001;
  EXPECT_EQ(unavailable_for(number, r)->value, "8001");
  yaml::Value list = bugs();
  list["country"] = yaml::Value::array({"ES"});
  EXPECT_TRUE(unavailable_for(list, r)) << "a list is not a country";
}

TEST(ServiceRules, TheMemberIsTheInnerIdElseTheNif) {
  EXPECT_EQ(member_key(bugs()), "666");
  yaml::Value v = bugs();
  v.erase("innerid");
  EXPECT_EQ(member_key(v), "12345678Z");
  v.erase("nif");
  EXPECT_FALSE(member_key(v));
  v["innerid"] = "";
  EXPECT_FALSE(member_key(v));
}

TEST(ServiceRules, JsonRoundTripAndRefusalsNameThePart) {
  ServiceRules r;
  r.roles = {"member"};
  r.availability = {{"postalcode", {}, {"08"}}};
  r.limits.per_member = 2;
  r.limits.window_s = 3600;
  yaml::Value j = rules_to_json(r);
  EXPECT_EQ(j.dump(),
            R"({"roles":["member"],"availability":[{"field":"postalcode","prefixes":["08"]}],)"
            R"("limits":{"per_member":2,"window_s":3600}})");
  ServiceRules back = rules_from_json(j);
  EXPECT_EQ(rules_to_json(back), j);
  EXPECT_EQ(rules_to_json(ServiceRules{}).dump(), "{}");
  EXPECT_EQ(rules_to_json(rules_from_json(yaml::Value())).dump(), "{}");

  auto field_of = [](const char* json) {
    return testing::refused_field([&] { rules_from_json(yaml::Value::parse(json)); });
  };
  EXPECT_EQ(field_of(R"([1])"), "rules");
  EXPECT_EQ(field_of(R"({"colour": 1})"), "rules");
  EXPECT_EQ(field_of(R"({"roles": "member"})"), "roles");
  EXPECT_EQ(field_of(R"({"roles": [""]})"), "roles");
  EXPECT_EQ(field_of(R"({"availability": [{"values": ["ES"]}]})"), "availability");
  EXPECT_EQ(field_of(R"({"availability": [{"field": "country"}]})"), "availability");
  EXPECT_EQ(field_of(R"({"availability": [{"field": "country", "values": "ES"}]})"),
            "availability.values");
  EXPECT_EQ(field_of(R"({"limits": {"per_member": -1}})"), "limits.per_member");
  EXPECT_EQ(field_of(R"({"limits": {"window_s": 0}})"), "limits.window_s");
  EXPECT_EQ(field_of(R"({"limits": {"per_peer": 1.5}})"), "limits.per_peer");
  EXPECT_EQ(field_of(R"({"limits": {"per_peer": 10}})"), testing::kAccepted);
}

}  // namespace
}  // namespace registrar::intercoop
