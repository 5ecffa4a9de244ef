// The source side's pure rules: members from CSV, the catalogue from a descriptor, the payload
// a transfer sends, and reading the target's answer as the original's ApiClient does.
#include <gtest/gtest.h>

#include "core/error.h"
#include "intercoop/paging.h"
#include "intercoop/source_model.h"
#include "intercoop/source_side.h"
#include "intercoop/yaml_emit.h"
#include "support/refusal.h"

namespace registrar::intercoop {
namespace {

std::string csv_error(std::string_view text) {
  try {
    parse_members_csv(text);
  } catch (const core::Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(MembersCsv, ReadsHeaderQuotesLanguagesAndEmptyCells) {
  auto members = parse_members_csv(
      "member,nif,name,lang,postalcode\r\n"
      "m1,12345678Z,\"Bunny, Bugs\",ca,01022\r\n"
      "\r\n"
      "m2,87654321X,\"Say \"\"hi\"\"\nsecond line\",,\r\n");
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].id, "m1");
  EXPECT_EQ(members[0].lang, "ca");
  // Cells stay text in the header's order: '01022' is a postal code, not a number.
  EXPECT_EQ(members[0].fields.dump(),
            R"({"nif":"12345678Z","name":"Bunny, Bugs","postalcode":"01022"})");
  EXPECT_EQ(members[1].lang, "es");  // empty: the protocol's fallback language
  EXPECT_EQ(members[1].fields["name"], "Say \"hi\"\nsecond line");
  EXPECT_FALSE(members[1].fields.contains("postalcode"));  // empty cell: no value
}

TEST(MembersCsv, ABadRowRefusesTheFileWithItsLine) {
  EXPECT_EQ(csv_error("nif,name\n1,a\n"), "line 1: no 'member' column");
  EXPECT_EQ(csv_error("member,nif\nm1,1\nm2\n"), "line 3: 1 cells, the header has 2");
  EXPECT_EQ(csv_error("member,lang\nm1,es\nm2,fr\n"), "line 3: lang: es, ca or en");
  EXPECT_EQ(csv_error("member,nif\nm1,1\nm1,2\n"), "line 3: member 'm1' twice");
  EXPECT_EQ(csv_error("member,nif\n,1\n"),
            "line 2: member id: 1-255 characters, no control characters");
  // A quoted line break moves the line count on: the bad row starts on line 4.
  EXPECT_EQ(csv_error("member,name\nm1,\"a\nb\"\nm2,x,y\n"), "line 4: 3 cells, the header has 2");
  EXPECT_EQ(csv_error("member,name\nm1,\"open\n"), "line 2: a quoted cell is not closed");
  EXPECT_EQ(csv_error("member,na me\nm1,x\n"),
            "line 1: column 'na me' is not a field name (letters, digits, '_')");
  EXPECT_EQ(csv_error("member,originpeer\nm1,x\n"),
            "line 1: column 'originpeer' is not a field name (letters, digits, '_')");
  EXPECT_EQ(csv_error("member,nif,nif\nm1,1,2\n"), "line 1: column 'nif' twice");
  EXPECT_EQ(csv_error("member,name\nm1,\xff\n"), "line 2: field name: text must be UTF-8");
}

// What check_member refuses, and the field it names: a JSON pointer into the PUT body.
std::string member_error_field(const char* fields_json) {
  Member m;
  m.id = "m1";
  m.fields = yaml::Value::parse(fields_json);
  return testing::refused_field([&] { check_member(m); });
}

TEST(Members, ValuesAreTheOriginalsUserRecordTypes) {
  // Spec §1.2's user record: text, a number (innerid: 666), null (proxynif), lists (email),
  // and true/false, which its YAML carries too.
  EXPECT_EQ(member_error_field(R"({"nif":"12345678Z","innerid":666,"proxynif":null,)"
                               R"("email":["a@example.org"],"phone":[],"share":1.5,"pays":true})"),
            testing::kAccepted);
  // A mapping, or a list inside a list, is no field of the original's: refused, naming it.
  EXPECT_EQ(member_error_field(R"({"nif":"1","address":{"city":"Murcia"}})"), "fields/address");
  EXPECT_EQ(member_error_field(R"({"email":["a@example.org",{"b":1}]})"), "fields/email/1");
  EXPECT_EQ(member_error_field(R"({"email":[["a"]]})"), "fields/email/0");
  EXPECT_EQ(member_error_field(R"({"originpeer":"evil"})"), "fields/originpeer");
  EXPECT_EQ(member_error_field(R"({"na/me~":"x"})"), "fields/na~1me~0");
  EXPECT_EQ(member_error_field(R"([1])"), "fields");
}

Member bugs() {
  Member m;
  m.id = "m1";
  m.lang = "ca";
  m.fields = yaml::Value::parse(
      R"({"nif":"12345678Z","name":"Bunny, Bugs","email":["bugs@example.org"],"proxynif":null})");
  return m;
}

RemoteService service(std::vector<std::string> fields) {
  return RemoteService{"targetcoop", "contract", std::move(fields), "", ""};
}

TEST(Payload, ExactlyTheServicesFieldsInTheRecordsOrderAfterOriginpeer) {
  auto p = build_payload("sourcecoop", bugs(), service({"email", "nif", "lang", "originpeer"}));
  EXPECT_EQ(p.dump(),
            R"({"originpeer":"sourcecoop","nif":"12345678Z","email":["bugs@example.org"],)"
            R"("lang":"ca"})");
  // It goes out as the original's YAML.
  EXPECT_EQ(yaml::dump(p),
            "originpeer: sourcecoop\nnif: 12345678Z\nemail:\n- bugs@example.org\nlang: ca\n");
  // A null value is a value (Python's `in`), sent as null.
  EXPECT_TRUE(build_payload("s", bugs(), service({"proxynif"}))["proxynif"].is_null());
}

TEST(Payload, RefusesAFieldTheMemberLacksAndAServiceWithoutFields) {
  try {
    build_payload("sourcecoop", bugs(), service({"nif", "phone"}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kUnprocessable);
    EXPECT_NE(std::string(e.what()).find("'phone'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(build_payload("sourcecoop", bugs(), service({})), core::Error);
}

TEST(Catalogue, ServicesFromADescriptorWithTheirOwnOrTheDefaultFields) {
  auto d = yaml::Value::parse(R"({"peerid":"somacme","fields":["nif","name"],
    "services":{"contrata":{"name":{"es":"Contrata"},"description":"d"},
                "alta":{"name":"Alta","fields":["nif","email"]}}})");
  auto services = remote_services_from_descriptor(d);
  ASSERT_TRUE(services);
  ASSERT_EQ(services->size(), 2u);
  EXPECT_EQ((*services)[0].name, "contrata");
  EXPECT_EQ((*services)[0].peer, "somacme");
  EXPECT_EQ((*services)[0].fields, (std::vector<std::string>{"nif", "name"}));
  EXPECT_EQ((*services)[0].title.dump(), R"({"es":"Contrata"})");
  EXPECT_EQ((*services)[1].fields, (std::vector<std::string>{"nif", "email"}));
  EXPECT_FALSE(remote_services_from_descriptor(yaml::Value::parse(R"({"peerid":"x"})")));
  // A peerid that is not a string is refused by name (it escaped as a JSON type error: found by
  // the descriptor fuzzer).
  EXPECT_THROW(remote_services_from_descriptor(
                   yaml::Value::parse(R"({"peerid":{"a":1},"services":{"a":{"fields":["nif"]}}})")),
               core::Error);
  EXPECT_THROW(
      remote_services_from_descriptor(yaml::Value::parse(R"({"services":{"a":{"fields":"nif"}}})")),
      core::Error);
  EXPECT_THROW(remote_services_from_descriptor(yaml::Value::parse(R"({"services":{"A b":{}}})")),
               core::Error);
}

TEST(TargetAnswer, AcceptedWithItsContinuationUrl) {
  auto a = read_target_answer(200, "application/yaml",
                              "uuid: 0b7a1c9e-1f2d-4c3b-8a9d-2e4f6a8b0c1d\n"
                              "continuationUrl: https://t.coop/c?token=0b7a\n");
  EXPECT_TRUE(a.accepted);
  EXPECT_EQ(a.uuid, "0b7a1c9e-1f2d-4c3b-8a9d-2e4f6a8b0c1d");
  EXPECT_EQ(a.continuation_url, "https://t.coop/c?token=0b7a");
  EXPECT_EQ(answer_json(a).dump(), R"({"status":200,"uuid":"0b7a1c9e-1f2d-4c3b-8a9d-2e4f6a8b0c1d",)"
                                   R"("continuation_url":"https://t.coop/c?token=0b7a"})");
}

TEST(TargetAnswer, ProtocolErrorsAndBackendErrorsAsTheOriginalsClient) {
  auto refused = read_target_answer(
      400, "application/yaml",
      "error: MissingField\nmessage: Required field 'name' missing on the payload\n"
      "arguments:\n- name\n");
  EXPECT_FALSE(refused.accepted);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.error, "MissingField");
  EXPECT_EQ(refused.message, "Required field 'name' missing on the payload");
  EXPECT_EQ(refused.arguments, (std::vector<std::string>{"name"}));

  // §4.6: the Content-Type must be exactly application/yaml, errors included.
  auto charset = read_target_answer(200, "application/yaml; charset=utf-8", "uuid: x\n");
  EXPECT_EQ(charset.error, "BackendError");
  EXPECT_EQ(charset.arguments[0], "Wrong mime type received: application/yaml; charset=utf-8");
  EXPECT_EQ(charset.message,
            "Error comunicating with the other entity\n"
            "Wrong mime type received: application/yaml; charset=utf-8");
  EXPECT_EQ(read_target_answer(500, "", "oops").arguments[0],
            "Wrong mime type received: Unspecified");
  EXPECT_EQ(read_target_answer(200, "application/yaml", "- a\n").arguments[0],
            "Wrong content format");
  EXPECT_EQ(read_target_answer(200, "application/yaml", "uuid: x\n").arguments[0],
            "Wrong content format");
  EXPECT_EQ(read_target_answer(200, "application/yaml", "a: [\n")
                .arguments[0]
                .rfind("Bad yaml response\n", 0),
            0u);
  // Not a protocol error: the body's text.
  EXPECT_EQ(read_target_answer(502, "application/yaml", "detail: proxy down\n").arguments[0],
            "detail: proxy down\n");
  EXPECT_EQ(no_answer("connect refused").message,
            "Error comunicating with the other entity\nconnect refused");
}

TEST(Translate, TheMembersLanguageElseSpanishElseAsItIs) {
  auto v = yaml::Value::parse(R"({"es":"Contrato","ca":"Contracte"})");
  EXPECT_EQ(translate(v, "ca"), "Contracte");
  EXPECT_EQ(translate(v, "en"), "Contrato");
  EXPECT_EQ(translate(yaml::Value::parse(R"({"ca":"x"})"), "en").dump(), R"({"ca":"x"})");
  EXPECT_EQ(translate("plain", "ca"), "plain");
}

TEST(TargetUrl, ActivateServiceIsAppendedOnce) {
  EXPECT_EQ(activate_url("https://t.coop/intercoop"), "https://t.coop/intercoop/activateService");
  EXPECT_EQ(activate_url("https://t.coop/intercoop/"), "https://t.coop/intercoop/activateService");
}

// The refusal told to the member, in their language (es, ca; English otherwise), naming the
// field the target missed.
TEST(MemberWords, ARefusalIsToldInTheMembersLanguage) {
  TargetAnswer missing;
  missing.error = "MissingField";
  missing.arguments = {"email"};
  EXPECT_EQ(member_words(missing, "Target Coop", "en"),
            "Target Coop needs your 'email', which this service did not send. Nothing was "
            "activated; please tell us.");
  EXPECT_EQ(member_words(missing, "Target Coop", "es"),
            "Target Coop necesita el dato 'email', que este servicio no ha enviado. No se ha "
            "activado nada; avísenos, por favor.");
  EXPECT_EQ(member_words(missing, "Target Coop", "ca"),
            "Target Coop necessita la dada 'email', que aquest servei no ha enviat. No s’ha "
            "activat res; aviseu-nos, si us plau.");
  EXPECT_EQ(member_words(missing, "T", "de"), member_words(missing, "T", "en"));
  TargetAnswer other;
  other.error = "Teapot";
  other.message = "I am {a teapot}";
  EXPECT_EQ(member_words(other, "T", "ca"),
            "T ha rebutjat les dades (I am {a teapot}). No s’ha "
            "activat res.")
      << "the target's message is set as it is";
  TargetAnswer unreachable;
  unreachable.error = "BackendError";
  EXPECT_EQ(member_words(unreachable, "T", "es"),
            "No hemos podido obtener de T una respuesta que entendamos, así que no sabemos si ha "
            "recibido sus datos. Pregunte a T antes de volver a intentarlo.");
}

TEST(OurDescriptor, NamesUsOurKeyAndTheServiceATargetUrlReaches) {
  Service s;
  s.name = "contract";
  s.fields = {"nif", "name"};
  // The title in every language the description has (§4.1: `name` is translatable).
  s.description = yaml::Value::parse(R"({"es":"Contrato","ca":"Contracte"})");
  auto d = our_descriptor("targetcoop", "Target Coop", "PEM", "https://t.coop/intercoop", &s);
  EXPECT_EQ(yaml::dump(d),
            "intercoopVersion: '1.0'\npeerVersion: 1\npeerid: targetcoop\nname: Target Coop\n"
            "targetUrl: https://t.coop/intercoop\nservices:\n  contract:\n    name:\n"
            "      es: Contrato\n      ca: Contracte\n    description:\n      es: Contrato\n"
            "      ca: Contracte\n    fields:\n    - nif\n    - name\n"
            "publickey: PEM\n");
  // Without Spanish (which §4.1 requires of a language map): the service's id as its title.
  Service bare = s;
  bare.description = yaml::Value::parse(R"({"ca":"Contracte"})");
  auto b = our_descriptor("targetcoop", "T", "PEM", "https://t.coop/intercoop", &bare);
  EXPECT_EQ(b["services"]["contract"]["name"], yaml::Value("contract"));
  EXPECT_EQ(yaml::dump(our_descriptor("sourcecoop", "S", "PEM", "", &s)),
            "intercoopVersion: '1.0'\npeerVersion: 1\npeerid: sourcecoop\nname: S\n"
            "publickey: PEM\n");
  // With our 2.0 key: the versions we speak and that key, after the 1.0 ones.
  EXPECT_EQ(yaml::dump(our_descriptor("sourcecoop", "S", "PEM", "", &s, "ED")),
            "intercoopVersion: '1.0'\npeerVersion: 1\npeerid: sourcecoop\nname: S\n"
            "publickey: PEM\nintercoopVersions:\n- '1.0'\n- '2.0'\npublickeyEd25519: ED\n");
}

}  // namespace
}  // namespace registrar::intercoop

namespace registrar::intercoop {
namespace {

TEST(PagingTest, CursorsRoundTripAndRejectWhatWasNotWritten) {
  PageCursor c{1796288655218803, "9f1c6a0e-3b1d-4c55-8d2e-0a6b7c8d9e0f"};
  std::string text = format_cursor(c);
  EXPECT_EQ(text, "1796288655218803.9f1c6a0e-3b1d-4c55-8d2e-0a6b7c8d9e0f");
  auto back = parse_cursor(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->us, c.us);
  EXPECT_EQ(back->id, c.id);
  for (const char* bad : {"", ".", "12", "12.", ".abc", "0.abc", "-5.abc", "1x.abc", "12.a b",
                          "12.a'--", "99999999999999999999.abc"})
    EXPECT_FALSE(parse_cursor(bad)) << bad;
}

// A target's refusal in words a member understands, never the protocol's message alone.
TEST(MemberWords, ServiceRulesRefusalsSayWhyWithoutJargon) {
  TargetAnswer a;
  a.error = "NotAvailable";
  a.arguments = {"contract", "postalcode", "28001"};
  EXPECT_EQ(member_words(a, "Som Energia"),
            "Som Energia does not offer this service to you where you live. Nothing was "
            "activated.");
  a.arguments = {"contract", "peerroles", "customer"};
  EXPECT_NE(member_words(a, "Som Energia").find("as a member of our organisation"),
            std::string::npos);
  a.error = "LimitReached";
  a.message = "Service 'contract' accepts at most 2 transfers per member every 86400 s";
  std::string words = member_words(a, "Som Energia");
  EXPECT_NE(words.find("try again later"), std::string::npos);
  EXPECT_EQ(words.find("86400"), std::string::npos);
}

// No answer we can read is not a refusal: the target may have kept the data.
TEST(MemberWords, NoAnswerIsUnansweredNotRefused) {
  TargetAnswer none = no_answer("timeout");
  EXPECT_EQ(outcome_of(none), "unanswered");
  EXPECT_NE(member_words(none, "Som Energia").find("we do not know whether it received"),
            std::string::npos);
  TargetAnswer garbled = read_target_answer(500, "text/html", "<h1>oops</h1>");
  EXPECT_EQ(outcome_of(garbled), "unanswered");
  TargetAnswer refused = read_target_answer(
      403, "application/yaml",
      "error: BadPeer\nmessage: The entity 'x' is not a recognized one\narguments: [x]\n");
  EXPECT_EQ(outcome_of(refused), "refused");
  TargetAnswer ok;
  ok.accepted = true;
  EXPECT_EQ(outcome_of(ok), "accepted");
}

}  // namespace
}  // namespace registrar::intercoop
