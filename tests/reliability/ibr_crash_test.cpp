// IBR enrollments under kill -9: client threads send signed enrollment updates (one new
// beneficiary each) over HTTP; the server is killed mid-stream and started again on the same
// database. Every acknowledged beneficiary is then found by its NID exactly once, through the
// duplicate-detection index the restarted server rebuilt from the database.
#include <gtest/gtest.h>

#include <cstdio>

#include "crash_fixture.h"
#include "ibr/api_fixture.h"

namespace registrar::reliability {
namespace {

using namespace ibr::test;

std::string nid(int t, int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "9%01d%08d", t, i);
  return buf;
}

class IbrEnrollmentCrashTest : public IbrProcessTest {};

TEST_P(IbrEnrollmentCrashTest, AcknowledgedEnrollmentsSurviveAKill9) {
  start();
  WriteLoad load(4, [&](int t, int i) {
    std::string n = nid(t, i);
    dci::MsgHeader h = header("sp-mis", "notify");
    h.message_id = "m-" + n;
    Json message = updates_message(n);
    message["transaction_id"] = "t-" + n;
    auto r = post(kUpdates, signer_.sign_envelope(h, message));
    expect_status(r, 200, "enrollment " + n);
    const Json body = Json::parse(r.body);
    if (body["message"]["enrolled_response"][0]["status"] != "succ")
      throw Refused("enrollment " + n + " not stored: " + r.body);
    return n;
  });
  ASSERT_TRUE(load.wait_for(150)) << ::testing::PrintToString(load.errors()) << p_->log();
  load.kill_started();
  p_->kill9();
  load.stop();
  ASSERT_EQ(load.errors(), std::vector<std::string>{});

  restart();
  std::vector<std::string> acknowledged = load.acknowledged();
  for (const std::string& n : acknowledged) EXPECT_EQ(count(n), 1) << n;
  EXPECT_GE(acknowledged.size(), 150u);
  // Writes sent at the kill but not acknowledged are there once or not at all.
  for (int t = 0; t < load.threads(); ++t)
    EXPECT_LE(count(nid(t, load.attempts(t) - 1)), 1) << nid(t, load.attempts(t) - 1);
}

RELIABILITY_BACKENDS(IbrEnrollmentCrashTest);

}  // namespace
}  // namespace registrar::reliability
