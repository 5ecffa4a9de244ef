// The DCI routes over real HTTP with the real binary: signed envelopes from a registered sender
// are served and the answers verify with the key from our JWKS; every way of failing the
// signature is refused (§7.8) with nothing stored.
#include <gtest/gtest.h>

#include <memory>

#include "core/base64.h"
#include "core/clock.h"
#include "crypto/keys.h"
#include "dci/envelope.h"
#include "dci/signature.h"
#include "ibr/api_fixture.h"
#include "ibr/examples.h"

namespace registrar::ibr {
namespace {

using namespace test;
using namespace std::chrono_literals;

class IbrApiTest : public IbrProcessTest {
 protected:
  IbrApiTest() { start(); }
};

TEST_P(IbrApiTest, SignedUpdateAndSearchAnswersVerifyWithOurJwks) {
  auto r = post(kUpdates, signed_body("notify", updates_message("111")));
  ASSERT_EQ(r.status, 200) << r.body;
  crypto::PublicKey ours = our_key();
  dci::Envelope answer = dci::parse_envelope(r.body);
  expect_verifies(answer, ours);
  EXPECT_EQ(answer.common().action, "on-notify");
  EXPECT_EQ(answer.common().receiver_id, "sp-mis");
  EXPECT_EQ(answer.message["enrolled_response"][0]["status"], "succ");

  auto s = post(kSearch, signed_body("search", search_message("111")));
  ASSERT_EQ(s.status, 200) << s.body;
  dci::Envelope found = dci::parse_envelope(s.body);
  expect_verifies(found, ours);
  EXPECT_EQ(found.common().action, "on-search");
  const Json& item = found.message["search_response"][0];
  EXPECT_EQ(item["status"], "succ");
  EXPECT_EQ(item["data"]["reg_records"][0]["programs"][0]["name"], "Cash Transfer");
  // The /ibr alias serves the same.
  EXPECT_EQ(post("/ibr/sync/search", signed_body("search", search_message("111"))).status, 200);
}

TEST_P(IbrApiTest, EveryBrokenSignatureIsRefusedWithNothingStored) {
  std::string good = signed_body("notify", updates_message("222"));

  // A changed byte in the message.
  std::string changed = good;
  changed.replace(changed.find("ref-222"), 7, "ref-223");
  expect_refused(post(kUpdates, changed), 401, "err.signature.invalid");

  // An expired window.
  core::ManualClock past(core::SystemClock::instance().now() - 1h);
  dci::Signer old(key_, dci::SignatureAlgorithm::kEd25519, "sp-mis", "k1", past);
  expect_refused(
      post(kUpdates, old.sign_envelope(header("sp-mis", "notify"), updates_message("222"))), 401,
      "err.signature.invalid");

  // A wrong key for a known sender.
  dci::Signer wrong(crypto::PrivateKey::generate(crypto::KeyType::kEd25519),
                    dci::SignatureAlgorithm::kEd25519, "sp-mis", "k1",
                    core::SystemClock::instance());
  expect_refused(
      post(kUpdates, wrong.sign_envelope(header("sp-mis", "notify"), updates_message("222"))), 401,
      "err.signature.invalid");

  // An unknown sender.
  dci::Signer stranger(key_, dci::SignatureAlgorithm::kEd25519, "stranger", "k1",
                       core::SystemClock::instance());
  expect_refused(
      post(kUpdates, stranger.sign_envelope(header("stranger", "notify"), updates_message("222"))),
      401, "err.sender_id.invalid");

  // No signature, and no sender_id.
  Json unsigned_body = Json::parse(good);
  unsigned_body["signature"] = "";
  expect_refused(post(kUpdates, unsigned_body.dump()), 401, "err.signature.missing");
  unsigned_body["signature"] = "unsigned-stub";
  expect_refused(post(kUpdates, unsigned_body.dump()), 401, "err.signature.missing");
  Json no_sender = Json::parse(good);
  no_sender["header"]["sender_id"] = "";
  expect_refused(post(kUpdates, no_sender.dump()), 400, "err.sender_id.invalid");
  expect_refused(post(kUpdates, "{not json"), 400, "err.request.bad");

  EXPECT_EQ(count("222"), 0);

  // A disabled sender: the good request itself is refused now.
  EXPECT_EQ(admin_post("/v1/ibr/senders/sp-mis/disable", Json::object()).status, 204);
  expect_refused(post(kUpdates, good), 401, "err.sender_id.invalid");
  admin_post("/v1/ibr/senders", Json{{"sender_id", "sp-mis"}, {"public_key", raw_key(key_)}});
  EXPECT_EQ(count("222"), 0);
  EXPECT_EQ(post(kUpdates, good).status, 200);
  EXPECT_EQ(count("222"), 1);
}

TEST_P(IbrApiTest, SpecExamplesPassThroughWhenSigned) {
  // processflow1: enrollment of a beneficiary (its sample action is "register").
  Json req = example("processflow1req.json");
  dci::MsgHeader h = header("sp-mis", "register");
  auto r = post(kUpdates, signer_.sign_envelope(h, req["message"]));
  ASSERT_EQ(r.status, 200) << r.body;
  Json answer = Json::parse(r.body);
  EXPECT_EQ(answer["message"]["enrolled_response"][0]["reference_id"], "NID:0205202401");
  EXPECT_EQ(answer["message"]["enrolled_response"][0]["status"], "succ");
  // processflow3a: search by UIN, nobody holds it.
  Json search = example("processflow3areq.json");
  auto s = post(kSearch, signer_.sign_envelope(header("sp-mis", "search"), search["message"]));
  ASSERT_EQ(s.status, 200) << s.body;
  Json item = Json::parse(s.body)["message"]["search_response"][0];
  EXPECT_EQ(item["status"], "succ");
  EXPECT_EQ(item["pagination"]["total_count"], 0);
  // processflow2: the programmes of a person, by an identifier of any type (processflow1's NID).
  Json enrolled = example("processflow2req.json");
  enrolled["message"]["enrolled_criteria"]["query"]["attribute_value"] = "0205202401";
  auto e = post("/registry/sync/enrolled",
                signer_.sign_envelope(header("sp-mis", "search"), enrolled["message"]));
  ASSERT_EQ(e.status, 200) << e.body;
  Json records = Json::parse(e.body)["message"]["search_response"][0]["data"]["reg_records"];
  ASSERT_EQ(records.size(), 1u) << e.body;
  EXPECT_EQ(records[0]["programs"][0]["id"], "DCI001");
}

Json criteria_item(const std::string& ref, const std::string& type, Json query) {
  return {{"reference_id", ref},
          {"timestamp", "2024-01-01T00:00:00Z"},
          {"search_criteria",
           {{"query_type", type},
            {"query", std::move(query)},
            {"pagination", {{"page_size", 10}, {"page_number", 1}}}}}};
}

Json cond(const std::string& attribute, const std::string& value, const std::string& op = "eq") {
  return {{"attribute_name", attribute}, {"operator", op}, {"attribute_value", value}};
}

TEST_P(IbrApiTest, ExpressionAndPredicateSearchesFindAFuzzyDuplicate) {
  Json b = {
      {"reference_id", "ref-amina"},
      {"@type", "Beneficiary"},
      {"member",
       {{"demographic_info",
         {{"person",
           {{"name", {{"first_name", "Amina"}, {"second_name", "Wanjiku"}, {"surname", "Otieno"}}},
            {"sex", "F"},
            {"birth_date", "1975-02-12"},
            {"sub_region_code", "KE-047-003"}}}}},
        {"programme_identifier",
         {{"programme", {{"programme_identifier", "CT"}, {"programme_name", "Cash"}}},
          {"enrolment_status", "Active"}}}}}};
  Json other = b;
  other["reference_id"] = "ref-oksana";
  other["member"]["demographic_info"]["person"]["name"] = {{"first_name", "Oksana"},
                                                           {"surname", "Petrenko"}};
  other["member"]["demographic_info"]["person"]["birth_date"] = "1962-09-01";
  Json upd = {{"transaction_id", "t-1"}, {"enrolled_updates", {{"beneficiaries", {b, other}}}}};
  ASSERT_EQ(post(kUpdates, signed_body("notify", upd)).status, 200);

  // Swapped order, accents, a typo, the middle name missing.
  Json predicate =
      Json::array({{{"seq_num", 1},
                    {"expression1", cond("surname", "ÓTIENO")},
                    {"condition", "and"},
                    {"expression2", cond("given_name", "Aminna")}},
                   {{"seq_num", 2}, {"expression1", cond("birth_date", "1975-02-12")}}});
  Json expression = {{"type", "ns:org:QueryType:NoSql"},
                     {"value",
                      {{"expression",
                        {{"collection", "Beneficiary"},
                         {"query",
                          {{"$and",
                            {{{"name", {{"$eq", "OTIENO Wanjiku Amina"}}}},
                             {{"birth_date", {{"$eq", "1975-12-02"}}}},
                             {{"sex", "F"}}}}}}}}}}};
  Json stranger = Json::array({{{"expression1", cond("name", "Li Wei")}},
                               {{"expression1", cond("birth_date", "2001-05-05")}}});
  Json malformed = Json::array({{{"expression1", cond("birth_date", "1975", "gt")}}});
  Json msg = {
      {"transaction_id", "t-3"},
      {"search_request",
       {criteria_item("a", "predicate", predicate), criteria_item("b", "expression", expression),
        criteria_item("c", "predicate", stranger), criteria_item("d", "predicate", malformed)}}};
  auto r = post(kSearch, signed_body("search", msg));
  ASSERT_EQ(r.status, 200) << r.body;
  dci::Envelope answer = dci::parse_envelope(r.body);
  expect_verifies(answer, our_key());
  const Json& items = answer.message["search_response"];
  ASSERT_EQ(items.size(), 4u);
  // The predicate's name (typo, accent, order, middle name missing) scores below a name match
  // (0.8) but the person is found on name and date together; the expression's full name matches.
  const char* agreeing[] = {"birth_date", "name"};
  for (int i : {0, 1}) {
    ASSERT_EQ(items[i]["status"], "succ") << items[i];
    const Json& records = items[i]["data"]["reg_records"];
    ASSERT_EQ(records.size(), 1u) << items[i];
    const Json& m = records[0]["registrar_match"];
    EXPECT_EQ(m["reference_id"], "ref-amina");
    EXPECT_GE(m["score"].get<double>(), 0.82);
    EXPECT_NE(m["level"], "none");
    EXPECT_NE(m["matched_fields"].dump().find(std::string("\"") + agreeing[i] + "\""),
              std::string::npos)
        << m.dump();
    EXPECT_EQ(m["enrollments"][0]["programme_id"], "CT");
  }
  EXPECT_EQ(items[2]["status"], "succ");
  EXPECT_EQ(items[2]["data"]["reg_records"].size(), 0u);
  EXPECT_EQ(items[3]["status"], "rjct");
  EXPECT_EQ(items[3]["status_reason_code"], "rjct.search_criteria.invalid");
  EXPECT_NE(items[3]["status_reason_message"].get<std::string>().find("operator gt"),
            std::string::npos);
  // The exact identifier search is unchanged beside them.
  EXPECT_EQ(count("111"), 0);
}

TEST_P(IbrApiTest, AdminRoutesNeedTheirScope) {
  EXPECT_EQ(p_->get("/v1/ibr/senders").status, 401);
  http::Headers h;
  h.set("Authorization", "Bearer " + token("other:scope"));
  EXPECT_EQ(p_->get("/v1/ibr/senders", h).status, 403);
  h.set("Authorization", "Bearer " + admin_);
  auto r = p_->get("/v1/ibr/senders", h);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["senders"][0]["sender_id"], "sp-mis");
  auto bad = admin_post("/v1/ibr/senders", Json{{"sender_id", "x"}, {"public_key", "nope"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_P(IbrApiTest, CliAddsListsAndDisablesSenders) {
  auto add = p_->cli("ibr senders add cli-sender --name Cli --public-key " + raw_key(key_));
  EXPECT_EQ(add.exit_code, 0) << add.output;
  auto list = p_->cli("ibr senders list");
  EXPECT_NE(list.output.find("cli-sender  active"), std::string::npos) << list.output;
  EXPECT_EQ(p_->cli("ibr senders disable cli-sender").exit_code, 0);
  list = p_->cli("ibr senders list");
  EXPECT_NE(list.output.find("cli-sender  disabled"), std::string::npos) << list.output;
  EXPECT_NE(p_->cli("ibr senders add bad --public-key nope").exit_code, 0);
  // A callback URL prefix for the async routes: http(s) only.
  auto cb = p_->cli("ibr senders add cb-sender --public-key " + raw_key(key_) +
                    " --callback-url https://cb.example/dci");
  EXPECT_EQ(cb.exit_code, 0) << cb.output;
  list = p_->cli("ibr senders list");
  EXPECT_NE(list.output.find("callback_url=https://cb.example/dci"), std::string::npos)
      << list.output;
  EXPECT_NE(p_->cli("ibr senders add cb-bad --public-key " + raw_key(key_) +
                    " --callback-url ftp://cb.example/dci")
                .exit_code,
            0);
}

INSTANTIATE_TEST_SUITE_P(Backends, IbrApiTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

// The development switch: unsigned envelopes pass, with a warning on each.
TEST(IbrApiUnsigned, AllowedOnlyUnderTheSwitchAndWarned) {
  testing::ProcessOptions o;
  o.env["REGISTRAR_IBR_ALLOW_UNSIGNED"] = "true";
  testing::RegistrarProcess p(o);
  Json body = {{"signature", "unsigned-stub"},
               {"header", dci::header_to_json(header("anyone", "notify"))},
               {"message", updates_message("333")}};
  auto r = p.post(kUpdates, body.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(p.log().find("ibr_unsigned_request_accepted"), std::string::npos);
  EXPECT_NE(p.log().find("ibr_allow_unsigned"), std::string::npos);
}

}  // namespace
}  // namespace registrar::ibr
