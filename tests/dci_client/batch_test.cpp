// Batch files: CSV and JSONL reading, one result line per registrant, and a batch that is
// interrupted and resumed without re-sending what is done (against the real IBR).
#include "dci_client/batch.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "dci_client/check_fixture.h"

namespace registrar::dci_client {
namespace {

using test::beneficiary;
using Json = nlohmann::json;

TEST(BatchFile, CsvWithQuotesIdentifiersAndBadLines) {
  std::string text =
      "\xEF\xBB\xBFreference,identifiers,given_name,family_name,birth_date,sex\r\n"
      "r1,NID:N-100;UIN:U-1,Amina,Otieno,1975-02-12,F\r\n"
      "\n"
      "r2,,\"Jo, \"\"Joe\"\"\",Kamau,1990,M\n"
      "r3,NID,,,,\n"
      "r4,,,,12/04/1980,\n"
      "\"r5\nstill r5\",NID:N-5,,,,\n"
      "r6,NID:N-6\n";
  BatchFile f = parse_batch(text, true);
  EXPECT_EQ(f.digest.size(), 64u);
  ASSERT_EQ(f.lines.size(), 6u);
  EXPECT_EQ(f.lines[0].line, 2u);
  EXPECT_EQ(f.lines[0].error, "");
  EXPECT_EQ(f.lines[0].registrant.identifiers,
            (std::vector<RegistrantId>{{"NID", "N-100"}, {"UIN", "U-1"}}));
  EXPECT_EQ(f.lines[0].registrant.birth_date, "1975-02-12");
  EXPECT_EQ(f.lines[1].line, 4u);  // the blank line 3 is skipped, numbering is the file's
  EXPECT_EQ(f.lines[1].registrant.given_name, "Jo, \"Joe\"");
  EXPECT_NE(f.lines[2].error.find("TYPE:VALUE"), std::string::npos);
  EXPECT_NE(f.lines[3].error.find("birth_date"), std::string::npos);
  EXPECT_EQ(f.lines[4].registrant.reference, "r5\nstill r5");
  EXPECT_EQ(f.lines[4].line, 7u);
  EXPECT_EQ(f.lines[5].line, 9u);  // after a record spanning two lines
  EXPECT_EQ(f.lines[5].registrant.identifiers[0].value, "N-6");
  // A different file has a different digest; the same bytes the same.
  EXPECT_EQ(parse_batch(text, true).digest, f.digest);
  EXPECT_NE(parse_batch(text + "r7,NID:N-7\n", true).digest, f.digest);
  EXPECT_THROW(parse_batch("name,uin\nA,1\n", true), core::Error);
}

TEST(BatchFile, JsonlOneRegistrantPerLine) {
  BatchFile f = parse_batch(
      "{\"reference\":\"a\",\"identifiers\":[{\"type\":\"NID\",\"value\":\"1\"}]}\n"
      "not json\n"
      "\n"
      "{\"given_name\":\"Ana\",\"sex\":\"female\"}\n"
      "{}\n",
      false);
  ASSERT_EQ(f.lines.size(), 4u);
  EXPECT_EQ(f.lines[0].error, "");
  EXPECT_EQ(f.lines[1].error, "not a JSON object");
  EXPECT_EQ(f.lines[2].line, 4u);
  EXPECT_EQ(f.lines[2].registrant.given_name, "Ana");
  EXPECT_FALSE(f.lines[3].error.empty());
}

TEST(BatchFile, ResultLines) {
  BatchLine line{7, {}, ""};
  line.registrant.reference = "R,7";
  Check c;
  c.id = "id-7";
  c.state = CheckState::kCompleted;
  c.result = CheckResult::kConfirmedMatch;
  c.matched_programmes = {"Cash", "Food"};
  EXPECT_EQ(result_line(line, &c, true), "7,\"R,7\",id-7,completed,confirmed_match,Cash;Food,");
  Json j = Json::parse(result_line(line, &c, false));
  EXPECT_EQ(j["line"], 7);
  EXPECT_EQ(j["result"], "confirmed_match");
  EXPECT_FALSE(j.contains("error"));
  BatchLine bad{8, {}, "birth_date: must be..."};
  Json b = Json::parse(result_line(bad, nullptr, false));
  EXPECT_EQ(b["state"], "invalid");
  EXPECT_EQ(b["error"], "birth_date: must be...");
}

class BatchDb : public test::ChecksTest {
 protected:
  BatchDb() {
    std::vector<Json> people;
    for (int i = 0; i < 10; i += 2)
      people.push_back(beneficiary("b" + std::to_string(i), "P", "Q", "1980-01-01",
                                   "N-" + std::to_string(i), "Prog " + std::to_string(i)));
    remote_.enrol(people);
    std::string csv = "reference,identifier_type,identifier_value\n";
    for (int i = 0; i < 10; ++i)
      csv += "r" + std::to_string(i) + ",NID,N-" + std::to_string(i) + "\n";
    csv += "bad,NID,\n";
    file_ = parse_batch(csv, true);
  }
  BatchFile file_;
};

TEST_P(BatchDb, InterruptedBatchResumesWithoutResendingWhatIsDone) {
  BatchOptions options;
  options.source = "ibr_main";
  options.window = 1;  // one envelope (3 checks) in flight at a time
  // First run: the IBR answers the first envelope, then the process "dies" with the second in
  // flight (its answer never comes back).
  std::vector<std::pair<size_t, size_t>> progress;
  options.progress = [&](size_t done, size_t total) { progress.push_back({done, total}); };
  BatchSummary first;
  {
    // Only the first envelope is answered: hold everything after it.
    struct HoldAfterFirst : SourceClient {
      test::IbrSourceClient& real;
      int posts = 0;
      explicit HoldAfterFirst(test::IbrSourceClient& r) : real(r) {}
      void post(const std::string& s, Endpoint e, Json m,
                std::function<void(PeerAnswer)> done) override {
        if (++posts == 2) real.set(test::IbrSourceClient::Behaviour::kHold);
        real.post(s, e, std::move(m), std::move(done));
      }
    } client(client_);
    CheckService dying(db_, clock_, background_, &client, service_->settings());
    std::thread runner([&] {
      // The stopped service refuses the third window: the batch ends with an error.
      EXPECT_THROW(run_batch(dying, file_, options, actor_, first), core::Error);
    });
    // Wait until the second envelope is held, then "kill": stop the service (its completions
    // write nothing from now on, and it sends nothing more), then end the held POST.
    while (client_.posts().size() < 2) std::this_thread::yield();
    dying.stop();
    client_.release_held({0, "killed", nullptr, false});
    runner.join();
  }
  auto prefix = batch_prefix("ibr_main", file_.digest);
  auto made = db_.read([&](soci::session& s) { return db::batch_checks(s, prefix); });
  // A line's check is made in the transaction that sends it: the 4 lines never sent have none.
  ASSERT_EQ(made.size(), 6u);
  size_t completed = 0, checking = 0;
  for (const auto& c : made) {
    completed += c.state == CheckState::kCompleted;
    checking += c.state == CheckState::kChecking;
  }
  EXPECT_EQ(completed, 3u);
  EXPECT_EQ(checking, 3u);  // the envelope in flight when it died
  EXPECT_EQ(client_.items_sent(), 6u);

  // Resume: the 3 done are not sent again; the 3 left `checking` by the dead run and the 4
  // never sent are.
  client_.set(test::IbrSourceClient::Behaviour::kAnswer);
  progress.clear();
  BatchSummary second;
  auto checks = run_batch(*service_, file_, options, actor_, second);
  EXPECT_EQ(client_.items_sent(), 6u + 7u);
  EXPECT_EQ(second.lines, 11u);
  EXPECT_EQ(second.invalid, 1u);
  EXPECT_EQ(second.already_done, 3u);
  EXPECT_EQ(second.sent, 7u);
  EXPECT_EQ(second.confirmed, 5u);  // even NIDs are enrolled
  EXPECT_EQ(second.no_match, 5u);
  EXPECT_EQ(second.failed + second.pending, 0u);
  ASSERT_EQ(checks.size(), 11u);
  EXPECT_FALSE(checks[10].has_value());  // the bad line
  EXPECT_EQ(checks[4]->matched_programmes, std::vector<std::string>{"Prog 4"});
  EXPECT_EQ(checks[3]->result, CheckResult::kNoMatch);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.front(), (std::pair<size_t, size_t>{3, 10}));
  EXPECT_EQ(progress.back(), (std::pair<size_t, size_t>{10, 10}));

  // A third run sends nothing at all.
  BatchSummary third;
  run_batch(*service_, file_, options, actor_, third);
  EXPECT_EQ(client_.items_sent(), 13u);
  EXPECT_EQ(third.sent, 0u);
  EXPECT_EQ(third.already_done, 10u);
}

TEST_P(BatchDb, AsyncBatchIsCompletedByTheCallbacks) {
  client_.deliver_callbacks_to(service_.get());
  BatchOptions options;
  options.source = "ibr_main";
  options.mode = RunMode::kAsync;
  BatchSummary sum;
  auto checks = run_batch(*service_, file_, options, actor_, sum);
  EXPECT_EQ(sum.sent, 10u);
  EXPECT_EQ(sum.confirmed, 5u);
  EXPECT_EQ(sum.no_match, 5u);
  EXPECT_EQ(sum.pending + sum.failed, 0u);
  auto posts = client_.posts();
  ASSERT_EQ(posts.size(), 4u);  // 10 checks, 3 per envelope
  std::set<std::string> correlation_ids;
  for (const auto& p : posts) {
    EXPECT_EQ(p.endpoint, Endpoint::kSearch);
    correlation_ids.insert(p.message["correlation_id"].get<std::string>());
  }
  EXPECT_EQ(correlation_ids.size(), 4u);  // one per envelope
  EXPECT_EQ(checks[0]->correlation_id, posts[0].message["correlation_id"]);
}

INSTANTIATE_TEST_SUITE_P(Backends, BatchDb,
                         ::testing::ValuesIn(registrar::testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::dci_client
