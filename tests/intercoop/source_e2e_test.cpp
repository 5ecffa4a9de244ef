// The source side end to end: two registrar processes on loopback, on each database backend. The
// source (our members' organisation, peer "sourcecoop") sends a member's data with their consent
// to the target (peer "targetcoop"), whose service `contract` requires nif and name. Each side
// imports the descriptor the other printed with `registrar intercoop descriptor`; members come
// from a CSV file; members sign in with tokens whose subject is their member id.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "store/database.h"
#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar::intercoop {
namespace {

using Json = nlohmann::json;

// The path part of an http://127.0.0.1:port/... URL.
std::string path_of(const std::string& url) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

class SourceEndToEnd : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    target_db_ = std::make_unique<testing::TestDatabase>(GetParam());
    source_db_ = std::make_unique<testing::TestDatabase>(GetParam());
    testing::ProcessOptions t;
    t.database_url = target_db_->url();
    t.extra_config =
        "[intercoop]\npeer_id = \"targetcoop\"\nname = \"Target Coop\"\n"
        "default_service = \"contract\"\n"
        "privacy_policy_url = \"https://target.example/privacy\"\n";
    target_ = std::make_unique<testing::RegistrarProcess>(t);
    testing::ProcessOptions s;
    s.database_url = source_db_->url();
    s.extra_config = "[intercoop]\npeer_id = \"sourcecoop\"\nname = \"Source Coop\"\n";
    source_ = std::make_unique<testing::RegistrarProcess>(s);

    // The target's service, then its descriptor (targetUrl from its public URL).
    cli_ok(*target_,
           "intercoop services add contract --field nif --field name "
           "--description \"Contrato de luz\" --description \"ca=Contracte de llum\"");
    auto target_env = target_->env();
    target_env["REGISTRAR_INTERCOOP_PUBLIC_URL"] = target_->url();
    auto target_desc = testing::run_registrar("intercoop descriptor", target_env);
    ASSERT_EQ(target_desc.exit_code, 0) << target_desc.output;
    // Our descriptor: the target imports it to verify what we sign.
    auto source_desc = testing::run_registrar("intercoop descriptor", source_->env());
    ASSERT_EQ(source_desc.exit_code, 0) << source_desc.output;
    source_descriptor_ = yaml_of(source_desc.output);
    target_descriptor_ = yaml_of(target_desc.output);
    ASSERT_NE(target_descriptor_.find("intercoopVersions:\n- '1.0'\n- '2.0'\n"), std::string::npos)
        << target_descriptor_;
    cli_ok(*target_,
           "intercoop peers import " + target_->dir().write("sourcecoop.yaml", source_descriptor_));
    cli_ok(*source_,
           "intercoop peers import " + source_->dir().write("targetcoop.yaml", target_descriptor_));
    auto catalogue = cli_ok(*source_, "intercoop peers services list");
    ASSERT_NE(catalogue.find("targetcoop/contract  fields=nif,name"), std::string::npos)
        << catalogue;

    cli_ok(*source_, "intercoop members import " +
                         source_->dir().write("members.csv",
                                              "member,lang,nif,name,email\n"
                                              "m1,ca,12345678Z,\"Bunny, Bugs\",bugs@example.org\n"
                                              "m2,es,87654321X,\"Duck, Daffy\",\n"));
    m1_ = testing::issue_token(source_->env(), "portal --subject m1", "--scope intercoop:member");
    m2_ = testing::issue_token(source_->env(), "portal --subject m2", "--scope intercoop:member");
  }

  // A descriptor as a 1.0-only peer writes it: ours ends with the 2.0 keys (intercoopVersions,
  // publickeyEd25519), which such a peer does not have.
  static std::string only_1_0(const std::string& descriptor) {
    return descriptor.substr(0, descriptor.find("intercoopVersions:"));
  }

  // The descriptor is the output's YAML (log lines, if any, come first and start with '{').
  static std::string yaml_of(const std::string& output) {
    size_t at = output.find("intercoopVersion:");
    return at == std::string::npos ? output : output.substr(at);
  }

  static std::string cli_ok(const testing::RegistrarProcess& p, const std::string& args) {
    auto r = p.cli(args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.output;
    return r.output;
  }

  // Ordered, so that a member's fields go in the order written here.
  http::Response call(const std::string& token, http::Method m, const std::string& path,
                      const nlohmann::ordered_json& body = nullptr) {
    http::Headers h;
    h.set("Authorization", "Bearer " + token);
    if (!body.is_null()) h.set("Content-Type", "application/json");
    return source_->request(m, path, body.is_null() ? "" : body.dump(), h);
  }
  http::Response send(const std::string& token, const std::string& member,
                      const std::string& service) {
    return call(token, http::Method::kPost, "/v1/intercoop/transfers",
                {{"member", member}, {"peer", "targetcoop"}, {"service", service}});
  }
  // Ordered: the log keeps the order the fields were sent in.
  nlohmann::ordered_json log_of(const std::string& token, const std::string& member) {
    auto r = call(token, http::Method::kGet, "/v1/intercoop/transfers?member=" + member);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? nlohmann::ordered_json::parse(r.body)["transfers"]
                           : nlohmann::ordered_json::array();
  }

  // Rows in the target's table of received transfers, read straight from its database.
  int target_transfers() {
    store::Database db(target_db_->options(1));
    return db.read([](soci::session& s) {
      int n = 0;
      s << "SELECT COUNT(*) FROM intercoop_transfers", soci::into(n);
      return n;
    });
  }

  // The source's audit entries about `subject`: "actor action detail" lines, oldest first.
  std::vector<std::string> source_audit(const std::string& subject) {
    store::Database db(source_db_->options(1));
    return db.read([&](soci::session& s) {
      std::vector<std::string> out;
      soci::rowset<soci::row> rows =
          (s.prepare
               << "SELECT actor, action, detail FROM audit_log WHERE subject = :s ORDER BY id",
           soci::use(subject));
      for (const auto& r : rows)
        out.push_back(r.get<std::string>(0) + " " + r.get<std::string>(1) + " " +
                      r.get<std::string>(2));
      return out;
    });
  }

  std::string source_descriptor_, target_descriptor_;
  std::unique_ptr<testing::TestDatabase> target_db_, source_db_;
  std::unique_ptr<testing::RegistrarProcess> target_, source_;
  std::string m1_, m2_;
};

TEST_P(SourceEndToEnd, ConsentedTransferArrivesOnceAndIsInTheMembersLog) {
  // What the member consents to: exactly what goes, in order; nothing is sent by looking.
  auto preview = call(m1_, http::Method::kGet,
                      "/v1/intercoop/transfers/preview?member=m1&peer=targetcoop&service=contract");
  ASSERT_EQ(preview.status, 200) << preview.body;
  auto shown = nlohmann::ordered_json::parse(preview.body);
  EXPECT_EQ(shown["peer_name"], "Target Coop");
  EXPECT_EQ(shown["title"], "Contracte de llum") << "m1 reads Catalan";
  EXPECT_EQ(shown["url"], target_->url("/intercoop/activateService"));
  EXPECT_EQ(shown["version"], "2.0");  // both declared 2.0
  EXPECT_EQ(target_transfers(), 0);
  EXPECT_EQ(call(m2_, http::Method::kGet,
                 "/v1/intercoop/transfers/preview?member=m1&peer=targetcoop&service=contract")
                .status,
            403);

  auto r = send(m1_, "m1", "contract");
  ASSERT_EQ(r.status, 200) << r.body << "\n" << source_->log();
  Json sent = Json::parse(r.body);
  std::string url = sent["continuation_url"];
  ASSERT_EQ(url.rfind(target_->url("/intercoop/continuation/"), 0), 0u) << url;

  // The member's browser lands on the target's page: the data is there, once.
  auto page = target_->get(path_of(url));
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("12345678Z"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("Bunny, Bugs"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("sourcecoop"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("bugs@example.org"), std::string::npos) << "not a required field";
  EXPECT_EQ(target_->get(path_of(url)).status, 410);

  // The consent log: exactly the fields and values sent, where, and the target's answer.
  auto log = log_of(m1_, "m1");
  ASSERT_EQ(log.size(), 1u) << log.dump();
  EXPECT_EQ(log[0]["id"].get<std::string>(), sent["consent"].get<std::string>());
  EXPECT_EQ(log[0]["peer"], "targetcoop");
  EXPECT_EQ(log[0]["service"], "contract");
  EXPECT_EQ(log[0]["fields"].dump(),
            R"({"originpeer":"sourcecoop","nif":"12345678Z","name":"Bunny, Bugs"})");
  EXPECT_EQ(log[0]["fields"], shown["fields"]);
  EXPECT_EQ(log[0]["url"], target_->url("/intercoop/activateService"));
  EXPECT_EQ(log[0]["version"], "2.0");
  EXPECT_EQ(log[0]["outcome"], "accepted");
  EXPECT_EQ(log[0]["answer"]["status"], 200);
  EXPECT_EQ(log[0]["answer"]["continuation_url"], url);
  std::string uuid = log[0]["answer"]["uuid"];
  EXPECT_NE(url.find(uuid), std::string::npos) << url << " " << uuid;
  EXPECT_FALSE(log[0]["answered"].is_null());
  // Audited with the member as actor: the import, the send and the answer, field names only.
  auto audit = source_audit("m1");
  ASSERT_EQ(audit.size(), 3u) << ::testing::PrintToString(audit);
  EXPECT_EQ(audit[0].rfind("cli:", 0), 0u) << audit[0];
  EXPECT_NE(audit[0].find(" intercoop.member.import "), std::string::npos) << audit[0];
  EXPECT_EQ(audit[1].rfind("m1 intercoop.transfer.send ", 0), 0u) << audit[1];
  EXPECT_NE(audit[1].find(R"("fields":["originpeer","nif","name"])"), std::string::npos)
      << audit[1];
  EXPECT_NE(audit[1].find(R"("version":"2.0")"), std::string::npos) << audit[1];
  EXPECT_EQ(audit[2].rfind("m1 intercoop.transfer.answer ", 0), 0u) << audit[2];
  for (const auto& line : audit) EXPECT_EQ(line.find("12345678Z"), std::string::npos) << line;
  // Another member's log is theirs alone.
  EXPECT_TRUE(log_of(m2_, "m2").empty());
}

TEST_P(SourceEndToEnd, AMemberActsOnlyForThemself) {
  // m1's token for m2's data: refused, nothing logged, nothing sent.
  auto r = send(m1_, "m2", "contract");
  EXPECT_EQ(r.status, 403) << r.body;
  auto peek = call(m1_, http::Method::kGet, "/v1/intercoop/transfers?member=m2");
  EXPECT_EQ(peek.status, 403) << peek.body;
  EXPECT_TRUE(log_of(m2_, "m2").empty());
  // An administrator cannot send for a member either: not without the member scope, and not
  // with it under their own subject.
  std::string admin = testing::issue_token(source_->env(), "ops", "--scope intercoop:admin");
  EXPECT_EQ(send(admin, "m2", "contract").status, 403);
  std::string both = testing::issue_token(source_->env(), "ops",
                                          "--scope intercoop:admin --scope intercoop:member");
  EXPECT_EQ(send(both, "m2", "contract").status, 403);
  EXPECT_TRUE(log_of(m2_, "m2").empty());
  // The target received nothing.
  EXPECT_EQ(target_transfers(), 0);
  // m2 themself can.
  EXPECT_EQ(send(m2_, "m2", "contract").status, 200);
  EXPECT_EQ(target_transfers(), 1);
}

TEST_P(SourceEndToEnd, TheTargetsRefusalIsLoggedAndToldInWords) {
  // The target as a 1.0 peer, as far as we know: we send 1.0 (and log it).
  cli_ok(*source_, "intercoop peers import " +
                       source_->dir().write("targetcoop.yaml", only_1_0(target_descriptor_)));
  // Our catalogue is out of date: it says `short` needs only nif, but every 1.0 package to this
  // targetUrl reaches `contract`, which needs nif and name.
  cli_ok(*source_, "intercoop peers services add targetcoop short --field nif");
  auto r = send(m1_, "m1", "short");
  ASSERT_EQ(r.status, 502) << r.body;
  Json problem = Json::parse(r.body);
  EXPECT_EQ(problem["error"], "MissingField");
  EXPECT_EQ(problem["message"], "Required field 'name' missing on the payload");
  // m1 reads Catalan (their record), so do the words.
  EXPECT_EQ(problem["detail"],
            "Target Coop necessita la dada 'name', que aquest servei no ha enviat. No s’ha activat "
            "res; aviseu-nos, si us plau.")
      << r.body;
  auto log = log_of(m1_, "m1");
  ASSERT_EQ(log.size(), 1u) << log.dump();
  EXPECT_EQ(log[0]["id"].get<std::string>(), problem["consent"].get<std::string>());
  EXPECT_EQ(log[0]["fields"].dump(), R"({"originpeer":"sourcecoop","nif":"12345678Z"})");
  EXPECT_EQ(log[0]["version"], "1.0");
  EXPECT_EQ(log[0]["outcome"], "refused");
  EXPECT_EQ(log[0]["answer"]["status"], 400);
  EXPECT_EQ(log[0]["answer"]["error"], "MissingField");
  EXPECT_EQ(log[0]["answer"]["arguments"].dump(), R"(["name"])");
  // In the language the portal asks for.
  auto es = call(m1_, http::Method::kPost, "/v1/intercoop/transfers?lang=es",
                 {{"member", "m1"}, {"peer", "targetcoop"}, {"service", "short"}});
  ASSERT_EQ(es.status, 502) << es.body;
  EXPECT_EQ(Json::parse(es.body)["detail"],
            "Target Coop necesita el dato 'name', que este servicio no ha enviado. No se ha "
            "activado nada; avísenos, por favor.");
  // A field the member does not have is refused here, before anything is logged or sent.
  cli_ok(*source_, "intercoop peers services add targetcoop mail --field email");
  auto lacking = send(m2_, "m2", "mail");
  EXPECT_EQ(lacking.status, 422) << lacking.body;
  EXPECT_TRUE(log_of(m2_, "m2").empty());
}

TEST_P(SourceEndToEnd, OneVersionOnlyNeverAFallback) {
  // 1.0 both ways: the target's catalogue of what it accepts from us says 1.0, ours of it too.
  cli_ok(*target_, "intercoop peers import " +
                       target_->dir().write("sourcecoop.yaml", only_1_0(source_descriptor_)));
  cli_ok(*source_, "intercoop peers import " +
                       source_->dir().write("targetcoop.yaml", only_1_0(target_descriptor_)));
  auto r = send(m1_, "m1", "contract");
  ASSERT_EQ(r.status, 200) << r.body;
  auto log = log_of(m1_, "m1");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["version"], "1.0");
  EXPECT_EQ(target_transfers(), 1);

  // We think the target takes 2.0; the target knows us as 1.0 only and refuses our 2.0
  // package. It is logged as a 2.0 refusal, and nothing is sent again in 1.0.
  cli_ok(*source_,
         "intercoop peers import " + source_->dir().write("targetcoop.yaml", target_descriptor_));
  r = send(m1_, "m1", "contract");
  ASSERT_EQ(r.status, 502) << r.body;
  Json problem = Json::parse(r.body);
  EXPECT_EQ(problem["error"], "WrongVersion");
  EXPECT_EQ(problem["message"], "Wrong protocol version, expected 1.0, received 2.0");
  // In m1's Catalan.
  EXPECT_NE(problem["detail"].get<std::string>().find("versió del protocol"), std::string::npos)
      << r.body;
  log = log_of(m1_, "m1");
  ASSERT_EQ(log.size(), 2u) << log.dump();
  EXPECT_EQ(log[0]["version"], "2.0");
  EXPECT_EQ(log[0]["outcome"], "refused");
  EXPECT_EQ(log[0]["answer"]["status"], 400);
  EXPECT_EQ(target_transfers(), 1);
}

TEST_P(SourceEndToEnd, MembersThroughTheAdminApiAndTheCsvImport) {
  std::string admin = testing::issue_token(source_->env(), "ops", "--scope intercoop:admin");
  // Fields keep their order; the member scope does not reach the admin API.
  auto put = call(admin, http::Method::kPut, "/v1/intercoop/members/m3",
                  {{"lang", "en"}, {"fields", {{"nif", "11111111H"}, {"name", "Pig, Porky"}}}});
  EXPECT_EQ(put.status, 201) << put.body;
  auto got = call(admin, http::Method::kGet, "/v1/intercoop/members/m3");
  ASSERT_EQ(got.status, 200) << got.body;
  auto m3 = nlohmann::ordered_json::parse(got.body);
  EXPECT_EQ(m3["fields"].dump(), R"({"nif":"11111111H","name":"Pig, Porky"})");
  EXPECT_EQ(m3["lang"], "en");
  EXPECT_EQ(call(m1_, http::Method::kGet, "/v1/intercoop/members/m3").status, 403);
  EXPECT_EQ(call(admin, http::Method::kPut, "/v1/intercoop/members/m4", {{"lang", "fr"}}).status,
            400);
  EXPECT_EQ(call(admin, http::Method::kPut, "/v1/intercoop/members/m4",
                 {{"fields", {{"originpeer", "evil"}}}})
                .status,
            400);
  // Values of the original's user record types are kept as they are (spec §1.2: innerid: 666,
  // proxynif: null, lists); a mapping is refused naming the field, and nothing is stored.
  auto typed =
      call(admin, http::Method::kPut, "/v1/intercoop/members/m4",
           {{"fields", {{"innerid", 666}, {"proxynif", nullptr}, {"email", {"a@example.org"}}}}});
  EXPECT_EQ(typed.status, 201) << typed.body;
  EXPECT_EQ(nlohmann::ordered_json::parse(typed.body)["fields"].dump(),
            R"({"innerid":666,"proxynif":null,"email":["a@example.org"]})");
  auto nested = call(admin, http::Method::kPut, "/v1/intercoop/members/m4",
                     {{"fields", {{"nif", "1"}, {"address", {{"city", "Murcia"}}}}}});
  EXPECT_EQ(nested.status, 400) << nested.body;
  EXPECT_EQ(Json::parse(nested.body)["field"], "fields/address") << nested.body;
  EXPECT_EQ(call(admin, http::Method::kGet, "/v1/intercoop/members/m4").body, typed.body);
  EXPECT_EQ(call(admin, http::Method::kDelete, "/v1/intercoop/members/m4").status, 204);
  EXPECT_EQ(call(admin, http::Method::kDelete, "/v1/intercoop/members/m3").status, 204);
  EXPECT_EQ(call(admin, http::Method::kGet, "/v1/intercoop/members/m3").status, 404);

  // A file with one bad row is refused by its line number, and nothing of it is stored.
  auto bad = source_->cli(
      "intercoop members import " +
      source_->dir().write("bad.csv", "member,nif\nm5,55555555K\nm6,66666666Q,extra\n"));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("line 3: 3 cells, the header has 2"), std::string::npos) << bad.output;
  auto list = call(admin, http::Method::kGet, "/v1/intercoop/members");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find("m5"), std::string::npos) << list.body;
  EXPECT_EQ(Json::parse(list.body)["members"].size(), 2u) << list.body;  // m1, m2
}

// The console's reads: the member's catalogue in their language or another, and the operators'
// paged lists on each side (field names only, never the values).
TEST_P(SourceEndToEnd, TheCatalogueAndTheOperatorsListsPageOnTheServer) {
  auto cat = call(m1_, http::Method::kGet, "/v1/intercoop/catalogue?member=m1");
  ASSERT_EQ(cat.status, 200) << cat.body;
  EXPECT_EQ(Json::parse(cat.body)["lang"], "ca") << "the member's own language";
  auto peers = nlohmann::ordered_json::parse(cat.body)["peers"];
  ASSERT_EQ(peers.size(), 1u) << cat.body;
  EXPECT_EQ(peers[0]["peer"], "targetcoop");
  EXPECT_EQ(peers[0]["name"], "Target Coop");
  EXPECT_EQ(peers[0]["version"], "2.0");
  // From the target's descriptor (intercoop.privacy_policy_url).
  EXPECT_EQ(peers[0]["privacy_policy_url"], "https://target.example/privacy");
  ASSERT_EQ(peers[0]["services"].size(), 1u) << cat.body;
  EXPECT_EQ(peers[0]["services"][0]["service"], "contract");
  // Our descriptor's title has every language of the service (§4.1 `name` is translatable).
  EXPECT_EQ(peers[0]["services"][0]["title"], "Contracte de llum");
  // m1 reads Catalan: the description has it; English falls back to Spanish (§4.2).
  EXPECT_EQ(peers[0]["services"][0]["description"], "Contracte de llum");
  EXPECT_EQ(peers[0]["services"][0]["fields"].dump(), R"(["nif","name"])");
  auto en = call(m1_, http::Method::kGet, "/v1/intercoop/catalogue?member=m1&lang=en");
  ASSERT_EQ(en.status, 200) << en.body;
  EXPECT_EQ(Json::parse(en.body)["peers"][0]["services"][0]["description"], "Contrato de luz");
  EXPECT_EQ(Json::parse(en.body)["peers"][0]["services"][0]["title"], "Contrato de luz");
  auto preview = call(m1_, http::Method::kGet,
                      "/v1/intercoop/transfers/preview?member=m1&peer=targetcoop&service=contract"
                      "&lang=es");
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(Json::parse(preview.body)["description"], "Contrato de luz");
  auto bad_lang = call(m1_, http::Method::kGet, "/v1/intercoop/catalogue?member=m1&lang=e1");
  EXPECT_EQ(bad_lang.status, 400);
  EXPECT_EQ(Json::parse(bad_lang.body)["field"], "lang") << bad_lang.body;
  EXPECT_EQ(call(m2_, http::Method::kGet, "/v1/intercoop/catalogue?member=m1").status, 403);
  std::string stranger =
      testing::issue_token(source_->env(), "portal --subject m9", "--scope intercoop:member");
  EXPECT_EQ(call(stranger, http::Method::kGet, "/v1/intercoop/catalogue?member=m9").status, 404);
  std::string admin = testing::issue_token(source_->env(), "ops", "--scope intercoop:admin");
  EXPECT_EQ(call(admin, http::Method::kGet, "/v1/intercoop/catalogue?member=m1").status, 403);
  // A disabled peer is not offered.
  ASSERT_EQ(call(admin, http::Method::kPost, "/v1/intercoop/peers/targetcoop/disable").status, 200);
  cat = call(m1_, http::Method::kGet, "/v1/intercoop/catalogue?member=m1");
  EXPECT_EQ(Json::parse(cat.body)["peers"].size(), 0u) << cat.body;
  ASSERT_EQ(call(admin, http::Method::kPost, "/v1/intercoop/peers/targetcoop/enable").status, 200);

  for (int i = 0; i < 3; ++i) ASSERT_EQ(send(m1_, "m1", "contract").status, 200);
  ASSERT_EQ(send(m2_, "m2", "contract").status, 200);

  // The target's operators: every received transfer once across pages, newest first.
  std::string target_admin = testing::issue_token(target_->env(), "ops", "--scope intercoop:admin");
  auto target_get = [&](const std::string& token, const std::string& path) {
    http::Headers h;
    h.set("Authorization", "Bearer " + token);
    return target_->request(http::Method::kGet, path, "", h);
  };
  std::vector<std::string> uuids, times;
  std::string before;
  for (int page = 0; page < 3; ++page) {
    auto r = target_get(target_admin, "/v1/intercoop/transfers/received?limit=2" +
                                          (before.empty() ? "" : "&before=" + before));
    ASSERT_EQ(r.status, 200) << r.body << target_->log();
    EXPECT_EQ(r.body.find("12345678Z"), std::string::npos) << "names, not values: " << r.body;
    Json j = Json::parse(r.body);
    EXPECT_EQ(j["transfers"].size(), page < 2 ? 2u : 0u) << r.body;
    for (const auto& t : j["transfers"]) {
      EXPECT_EQ(t["peer"], "sourcecoop");
      EXPECT_EQ(t["service"], "contract");
      EXPECT_EQ(t["fields"].dump(), R"(["originpeer","nif","name"])");
      EXPECT_TRUE(t["consumed"].is_null());
      uuids.push_back(t["uuid"]);
      times.push_back(t["received"]);
    }
    if (page < 2) {
      ASSERT_TRUE(j["next_before"].is_string()) << r.body;
      before = j["next_before"];
    } else {
      EXPECT_TRUE(j["next_before"].is_null()) << r.body;
    }
  }
  ASSERT_EQ(uuids.size(), 4u);
  EXPECT_EQ(std::set<std::string>(uuids.begin(), uuids.end()).size(), 4u);
  EXPECT_TRUE(std::is_sorted(times.rbegin(), times.rend())) << "newest first";
  auto filtered = target_get(target_admin, "/v1/intercoop/transfers/received?peer=nobody");
  ASSERT_EQ(filtered.status, 200) << filtered.body;
  EXPECT_EQ(Json::parse(filtered.body)["transfers"].size(), 0u);
  auto bad_before = target_get(target_admin, "/v1/intercoop/transfers/received?before=x");
  EXPECT_EQ(bad_before.status, 400);
  EXPECT_EQ(Json::parse(bad_before.body)["field"], "before") << bad_before.body;
  std::string target_member =
      testing::issue_token(target_->env(), "portal --subject m1", "--scope intercoop:member");
  EXPECT_EQ(target_get(target_member, "/v1/intercoop/transfers/received").status, 403);

  // The source's operators: the members' consent log, by member, paged.
  auto page1 = call(admin, http::Method::kGet, "/v1/intercoop/consents?member=m1&limit=2");
  ASSERT_EQ(page1.status, 200) << page1.body;
  Json p1 = Json::parse(page1.body);
  ASSERT_EQ(p1["consents"].size(), 2u) << page1.body;
  EXPECT_EQ(page1.body.find("Bunny"), std::string::npos) << "names, not values: " << page1.body;
  EXPECT_EQ(p1["consents"][0]["fields"].dump(), R"(["originpeer","nif","name"])");
  EXPECT_EQ(p1["consents"][0]["outcome"], "accepted");
  EXPECT_EQ(p1["consents"][0]["version"], "2.0");
  auto page2 = call(
      admin, http::Method::kGet,
      "/v1/intercoop/consents?member=m1&limit=2&before=" + p1["next_before"].get<std::string>());
  ASSERT_EQ(page2.status, 200) << page2.body;
  Json p2 = Json::parse(page2.body);
  ASSERT_EQ(p2["consents"].size(), 1u) << page2.body;
  EXPECT_TRUE(p2["next_before"].is_null());
  EXPECT_NE(p2["consents"][0]["id"], p1["consents"][0]["id"]);
  EXPECT_NE(p2["consents"][0]["id"], p1["consents"][1]["id"]);
  auto all = call(admin, http::Method::kGet, "/v1/intercoop/consents");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Json::parse(all.body)["consents"].size(), 4u) << all.body;
  EXPECT_EQ(call(m1_, http::Method::kGet, "/v1/intercoop/consents?member=m1").status, 403);
}

// The target's peers and services, by id / name and paged (?after, ?limit, `next`); a caller
// that does not page still gets every row in one answer.
TEST_P(SourceEndToEnd, ThePeersAndServicesListsPageOnTheServer) {
  std::string admin = testing::issue_token(target_->env(), "ops", "--scope intercoop:admin");
  auto get = [&](const std::string& path) {
    http::Headers h;
    h.set("Authorization", "Bearer " + admin);
    auto r = target_->request(http::Method::kGet, path, "", h);
    return std::make_pair(r.status,
                          r.status == 200 || r.status == 400 ? Json::parse(r.body) : Json(r.body));
  };
  for (const char* name : {"z_last", "a_first"}) {
    http::Headers h;
    h.set("Authorization", "Bearer " + admin);
    h.set("Content-Type", "application/json");
    auto r = target_->request(http::Method::kPost, "/v1/intercoop/services",
                              Json{{"name", name}, {"fields", {"nif"}}}.dump(), h);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto names = [](const Json& list) {
    std::vector<std::string> out;
    for (const auto& s : list) out.push_back(s["name"]);
    return out;
  };
  using V = std::vector<std::string>;
  auto [status, all] = get("/v1/intercoop/services");
  ASSERT_EQ(status, 200) << all;
  EXPECT_EQ(names(all["services"]), (V{"a_first", "contract", "z_last"}));
  EXPECT_TRUE(all["next"].is_null()) << all;
  auto [s1, p1] = get("/v1/intercoop/services?limit=2");
  ASSERT_EQ(s1, 200) << p1;
  EXPECT_EQ(names(p1["services"]), (V{"a_first", "contract"}));
  ASSERT_EQ(p1["next"], "contract") << p1;
  auto [s2, p2] = get("/v1/intercoop/services?limit=2&after=contract");
  ASSERT_EQ(s2, 200) << p2;
  EXPECT_EQ(names(p2["services"]), (V{"z_last"}));
  EXPECT_TRUE(p2["next"].is_null()) << p2;

  auto [s3, peers] = get("/v1/intercoop/peers?limit=1");
  ASSERT_EQ(s3, 200) << peers;
  ASSERT_EQ(peers["peers"].size(), 1u) << peers;
  EXPECT_EQ(peers["peers"][0]["id"], "sourcecoop");
  ASSERT_EQ(peers["next"], "sourcecoop") << "a full page may have a successor";
  auto [s4, rest] = get("/v1/intercoop/peers?limit=1&after=sourcecoop");
  ASSERT_EQ(s4, 200) << rest;
  EXPECT_EQ(rest["peers"].size(), 0u) << rest;
  EXPECT_TRUE(rest["next"].is_null()) << rest;
  auto [s5, every] = get("/v1/intercoop/peers");
  ASSERT_EQ(s5, 200) << every;
  EXPECT_EQ(every["peers"].size(), 1u) << every;
  EXPECT_TRUE(every["next"].is_null()) << every;

  auto [s6, bad_limit] = get("/v1/intercoop/peers?limit=0");
  EXPECT_EQ(s6, 400);
  EXPECT_EQ(bad_limit["field"], "limit") << bad_limit;
  auto [s7, bad_after] = get("/v1/intercoop/services?after=" + std::string(256, 'a'));
  EXPECT_EQ(s7, 400);
  EXPECT_EQ(bad_after["field"], "after") << bad_after;
}

INSTANTIATE_TEST_SUITE_P(Backends, SourceEndToEnd, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::intercoop
