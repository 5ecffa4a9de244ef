// The DCI client against a real IBR: two registrar processes on loopback, on each database
// backend. The IBR (the ibr module, tests/ibr/api_fixture.h) holds beneficiaries reported by a
// programme "sp-mis"; the client (the dci_client module) asks it about its own registrants,
// synchronously and asynchronously, each side trusting the other's key from its JWKS.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <thread>

#include "ibr/api_fixture.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

class DciClientEndToEnd : public ibr::test::IbrProcessTest {
 protected:
  void SetUp() override {
    start();  // the IBR, trusting sp-mis
    for (const char* nid : {"111", "222"}) {
      auto r = post(ibr::test::kUpdates, signed_body("notify", ibr::test::updates_message(nid)));
      ASSERT_EQ(r.status, 200) << r.body;
    }
    client_db_ = std::make_unique<testing::TestDatabase>(GetParam());
    testing::ProcessOptions o;
    o.database_url = client_db_->url();
    client_ = std::make_unique<testing::RegistrarProcess>(o);
    client_token_ = testing::issue_token(
        client_->env(), "ops", "--scope dci:admin --scope dci:checks.run --scope dci:checks.read");

    const std::string ibr_url = "http://127.0.0.1:" + std::to_string(p_->port());
    const std::string client_url = "http://127.0.0.1:" + std::to_string(client_->port());
    // The client's data source: our IBR, no transport auth (the envelope is signed).
    auto src = call(http::Method::kPost, "/v1/dci/sources",
                    {{"code", "national"},
                     {"name", "National IBR"},
                     {"registry_type", "ibr"},
                     {"base_url", ibr_url},
                     {"auth_type", "none"},
                     {"our_sender_id", "sp-client"},
                     {"our_callback_uri", client_url + "/dci_api/v1/ibr/on-search"},
                     {"receiver_id", "registrar-ibr"},
                     {"state", "active"},
                     {"timeout", 10}});
    ASSERT_EQ(src.status, 201) << src.body;
    // Each side trusts the other by its JWKS: no key is copied by hand.
    auto ibr_trusts =
        admin_post("/v1/ibr/senders", Json{{"sender_id", "sp-client"},
                                           {"name", "The client"},
                                           {"jwks_url", client_url + "/.well-known/jwks.json"}});
    ASSERT_EQ(ibr_trusts.status, 201) << ibr_trusts.body;
    auto client_trusts = call(http::Method::kPost, "/v1/dci/senders",
                              {{"sender_id", "registrar-ibr"},
                               {"name", "National IBR"},
                               {"jwks_url", ibr_url + "/.well-known/jwks.json"}});
    ASSERT_EQ(client_trusts.status, 201) << client_trusts.body;
  }

  http::Response call(http::Method m, const std::string& path, const Json& body = nullptr) {
    http::Headers h;
    h.set("Authorization", "Bearer " + client_token_);
    if (!body.is_null()) h.set("Content-Type", "application/json");
    return client_->request(m, path, body.is_null() ? "" : body.dump(), h);
  }
  static Json registrant(const std::string& ref, const std::string& nid) {
    return {{"reference", ref}, {"identifiers", {{{"type", "NID"}, {"value", nid}}}}};
  }
  // Creates and runs checks for `registrants` in `mode`; returns their ids.
  std::vector<std::string> run(const Json& registrants, const std::string& mode) {
    auto r =
        call(http::Method::kPost, "/v1/dci/checks",
             {{"source", "national"}, {"registrants", registrants}, {"run", true}, {"mode", mode}});
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    std::vector<std::string> ids;
    Json created = Json::parse(r.body);  // named: a range-for over a temporary's member dangles
    for (const auto& c : created["items"]) ids.push_back(c["id"]);
    return ids;
  }
  // The check once it left `ready` / `checking` (or as it is after a generous wait, so that a
  // failure shows its state rather than hanging).
  Json settled(const std::string& id) {
    Json c;
    for (int i = 0; i < 600; ++i) {
      auto r = call(http::Method::kGet, "/v1/dci/checks/" + id);
      EXPECT_EQ(r.status, 200) << r.body;
      c = Json::parse(r.body);
      if (c["state"] == "completed" || c["state"] == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return c;
  }

  std::unique_ptr<testing::TestDatabase> client_db_;
  std::unique_ptr<testing::RegistrarProcess> client_;
  std::string client_token_;
};

TEST_P(DciClientEndToEnd, SyncChecksFindWhoIsEnrolledElsewhere) {
  auto ids = run(Json::array({registrant("A", "111"), registrant("B", "999")}), "sync");
  ASSERT_EQ(ids.size(), 2u);
  Json enrolled = settled(ids[0]);
  EXPECT_EQ(enrolled["state"], "completed") << enrolled.dump();
  EXPECT_EQ(enrolled["result"], "confirmed_match") << enrolled.dump();
  EXPECT_NE(enrolled.dump().find("Cash Transfer"), std::string::npos) << enrolled.dump();
  Json unknown = settled(ids[1]);
  EXPECT_EQ(unknown["state"], "completed") << unknown.dump();
  EXPECT_EQ(unknown["result"], "no_match") << unknown.dump();
  // A completed check run again changes nothing and says so.
  auto again = call(http::Method::kPost, "/v1/dci/checks/" + ids[0] + "/run", Json::object());
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(settled(ids[0])["result"], "confirmed_match");
}

TEST_P(DciClientEndToEnd, AsyncChecksAreCompletedByTheIbrsSignedCallback) {
  auto ids = run(Json::array({registrant("C", "222"), registrant("D", "998")}), "async");
  ASSERT_EQ(ids.size(), 2u);
  Json found = settled(ids[0]);
  EXPECT_EQ(found["state"], "completed") << found.dump();
  EXPECT_EQ(found["result"], "confirmed_match") << found.dump();
  EXPECT_FALSE(found.value("correlation_id", "").empty()) << found.dump();
  Json none = settled(ids[1]);
  EXPECT_EQ(none["state"], "completed") << none.dump();
  EXPECT_EQ(none["result"], "no_match") << none.dump();
}

TEST_P(DciClientEndToEnd, SyncAnswersOfAnIbrNoLongerTrustedAreRefused) {
  auto off = call(http::Method::kPost, "/v1/dci/senders/registrar-ibr/disable", Json::object());
  ASSERT_EQ(off.status, 204) << off.body;
  auto ids = run(Json::array({registrant("F", "111")}), "sync");
  ASSERT_EQ(ids.size(), 1u);
  Json c = settled(ids[0]);
  EXPECT_EQ(c["state"], "failed") << c.dump();
  EXPECT_NE(c.value("error_message", "").find("the answer's signature was refused"),
            std::string::npos)
      << c.dump();
  EXPECT_FALSE(c.contains("result") && c["result"].is_string()) << c.dump();
}

TEST_P(DciClientEndToEnd, AnIbrThatIsDownFailsTheCheckWithAReason) {
  p_.reset();  // the IBR stops: connection refused
  auto ids = run(Json::array({registrant("E", "111")}), "sync");
  ASSERT_EQ(ids.size(), 1u);
  Json c = settled(ids[0]);
  EXPECT_EQ(c["state"], "failed") << c.dump();
  EXPECT_NE(c.value("error_message", "").find("connection"), std::string::npos) << c.dump();
}

// A batch file's result lines (result.csv: line, reference, check_id, state, result,
// matched_programmes, error), by reference, each followed by the whole line.
std::map<std::string, std::vector<std::string>> result_lines(const std::string& path) {
  std::map<std::string, std::vector<std::string>> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cols.push_back(c);
    cols.push_back(line);  // last: the whole line (a quoted error may hold commas)
    if (cols.size() >= 5) out[cols[1]] = cols;
  }
  return out;
}

TEST_P(DciClientEndToEnd, IbrKilledMidBatchLeavesTruthfulChecksAndTheBatchResumes) {
  // One registrant per envelope, so that the batch is still running when the IBR dies; every
  // third one is enrolled there.
  constexpr int kRegistrants = 1500;
  const std::string file = client_->dir().file("batch.csv");
  const std::string out = client_->dir().file("batch.result.csv");
  {
    std::ofstream f(file);
    f << "reference,identifier_type,identifier_value\n";
    for (int i = 0; i < kRegistrants; ++i)
      f << "R" << i << ",NID," << (i % 3 == 0 ? "111" : "9" + std::to_string(i)) << "\n";
  }
  auto env = client_->env();
  env["REGISTRAR_DCI_CLIENT_CHECKS_BATCH_SIZE"] = "1";
  env["REGISTRAR_DCI_CLIENT_RETRIES"] = "0";  // a dead IBR fails a check at once
  const std::string command = "dci check --source national " + file + " --out " + out;
  auto batch = std::async(std::launch::async, [&] { return testing::run_registrar(command, env); });
  auto completed = [&] {
    auto r = call(http::Method::kGet, "/v1/dci/checks?state=completed&limit=1000");
    return r.status == 200 ? Json::parse(r.body)["items"].size() : size_t(0);
  };
  while (batch.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready &&
         completed() < 30) {
  }
  p_->kill9();
  testing::CommandResult first = batch.get();
  ASSERT_EQ(first.exit_code, 0) << first.output;  // nothing pending: answered or failed

  // Every check says what happened: answered right, or failed with the reason.
  auto lines = result_lines(out);
  ASSERT_EQ(lines.size(), size_t(kRegistrants));
  size_t answered = 0, failed = 0;
  std::map<std::string, std::string> first_ids;
  for (const auto& [ref, cols] : lines) {
    int i = std::stoi(ref.substr(1));
    first_ids[ref] = cols[2];
    if (cols[3] == "completed") {
      ++answered;
      EXPECT_EQ(cols[4], i % 3 == 0 ? "confirmed_match" : "no_match") << ref;
    } else {
      ++failed;
      EXPECT_EQ(cols[3], "failed") << ref;
      EXPECT_NE(cols.back().find("connection"), std::string::npos) << ref << ": " << cols.back();
    }
  }
  EXPECT_GT(answered, 0u);
  ASSERT_GT(failed, 0u) << "the batch ended before the IBR died: nothing tested";

  // The IBR comes back (same database, key and port); the batch resumes: what was answered is
  // kept, what failed is sent again.
  restart();
  testing::CommandResult second = testing::run_registrar(command + " --retry-failed", env);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("already_done=" + std::to_string(answered) + " "), std::string::npos)
      << second.output;
  EXPECT_NE(second.output.find("sent=" + std::to_string(failed) + " "), std::string::npos)
      << second.output;
  auto again = result_lines(out);
  ASSERT_EQ(again.size(), size_t(kRegistrants));
  for (const auto& [ref, cols] : again) {
    int i = std::stoi(ref.substr(1));
    EXPECT_EQ(cols[2], first_ids[ref]) << ref;  // the same check, resumed
    EXPECT_EQ(cols[3], "completed") << ref;
    EXPECT_EQ(cols[4], i % 3 == 0 ? "confirmed_match" : "no_match") << ref;
  }
}

// POST /v1/dci/batches (the console's CSV upload): one check per row, sent at once; GET tells
// the progress until every row is done, and the results by line. The same file again resumes.
TEST_P(DciClientEndToEnd, ABatchPostedThroughTheApiReportsProgressAndResults) {
  const std::string csv =
      "reference,identifier_type,identifier_value\nR1,NID,111\nR2,NID,404\nR3,,\nR4,NID,222\n";
  auto posted = call(http::Method::kPost, "/v1/dci/batches",
                     {{"source", "national"}, {"file", csv}, {"mode", "sync"}});
  ASSERT_EQ(posted.status, 202) << posted.body;
  Json p = Json::parse(posted.body);
  const std::string id = p["id"];
  EXPECT_EQ(id.rfind("national:", 0), 0u) << id;
  EXPECT_EQ(p["lines"], 4);
  EXPECT_EQ(p["total"], 3);
  EXPECT_EQ(p["sent"], 3);
  ASSERT_EQ(p["invalid"].size(), 1u) << p.dump();
  EXPECT_EQ(p["invalid"][0]["line"], 4);  // R3: CSV data rows count from line 2

  Json status;
  for (int i = 0; i < 600; ++i) {
    auto r = call(http::Method::kGet, "/v1/dci/batches/" + id);
    ASSERT_EQ(r.status, 200) << r.body;
    status = Json::parse(r.body);
    if (status["finished"] == true) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(status["finished"], true) << status.dump();
  EXPECT_EQ(status["done"], 3);
  EXPECT_EQ(status["counts"]["completed"], 3);
  EXPECT_EQ(status["counts"]["confirmed_match"], 2);
  EXPECT_EQ(status["counts"]["no_match"], 1);
  const Json& items = status["items"];
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0]["line"], 2);
  EXPECT_EQ(items[0]["reference"], "R1");
  EXPECT_EQ(items[0]["result"], "confirmed_match");
  EXPECT_EQ(items[0]["matched_programmes"][0], "Cash Transfer") << items[0].dump();
  EXPECT_EQ(items[1]["result"], "no_match");
  EXPECT_EQ(items[2]["reference"], "R4");

  // Paged by line.
  auto page = call(http::Method::kGet, "/v1/dci/batches/" + id + "?limit=2");
  Json first = Json::parse(page.body);
  ASSERT_EQ(first["items"].size(), 2u);
  ASSERT_EQ(first["next"], 3);
  Json rest = Json::parse(call(http::Method::kGet, "/v1/dci/batches/" + id + "?after=3").body);
  ASSERT_EQ(rest["items"].size(), 1u);
  EXPECT_EQ(rest["items"][0]["reference"], "R4");
  EXPECT_TRUE(rest["next"].is_null());

  // The same file again: the same batch, nothing sent twice.
  auto again =
      call(http::Method::kPost, "/v1/dci/batches", {{"source", "national"}, {"file", csv}});
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(Json::parse(again.body)["id"], id);
  EXPECT_EQ(Json::parse(again.body)["sent"], 0);
  EXPECT_EQ(Json::parse(again.body)["done"], 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, DciClientEndToEnd, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::dci_client
