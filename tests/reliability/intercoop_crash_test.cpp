// intercoop transfers under kill -9: the test is the source peer; client threads POST signed
// 1.0 packages (one member's NIF each) to the target over HTTP; the server is killed while
// batches are being committed and started again on the same database. Every acknowledged
// transfer is then readable by its uuid with its own data, and no package was stored twice
// (each NIF was sent once, so a NIF in two received transfers is a duplicate).
#include <gtest/gtest.h>

#include <map>

#include "crash_fixture.h"
#include "intercoop/package.h"
#include "intercoop/yaml_parse.h"

namespace registrar::reliability {
namespace {

namespace yaml = intercoop::yaml;

const std::string kActivate = "/intercoop/services/contract/activateService";

class IntercoopCrashTest : public CrashTest {
 protected:
  // The NIF of the transfer `uuid` holds, read through the target's route ("" if none).
  std::string nif_of(const std::string& uuid) {
    auto r = p_->get(kActivate + "/" + uuid);
    EXPECT_EQ(r.status, 200) << uuid << ": " << r.body;
    return r.status == 200 ? yaml::load(r.body)["nif"].get<std::string>() : "";
  }
  // The uuid of every transfer received, from the admin list (newest first, paged).
  std::vector<std::string> received(const std::string& admin) {
    std::vector<std::string> out;
    std::string before;
    for (int page = 0; page < 100; ++page) {
      auto r = p_->get("/v1/intercoop/transfers/received?service=contract&limit=200" +
                           (before.empty() ? "" : "&before=" + before),
                       testing::bearer(admin));
      EXPECT_EQ(r.status, 200) << r.body;
      const Json body = Json::parse(r.body);
      for (const auto& t : body["transfers"]) out.push_back(t["uuid"]);
      if (body["next_before"].is_null()) break;
      before = body["next_before"];
    }
    return out;
  }

  crypto::PrivateKey key_ = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
};

TEST_P(IntercoopCrashTest, AcknowledgedTransfersSurviveAKill9AndNoneIsStoredTwice) {
  start();
  const std::string admin = token("--scope intercoop:admin");
  auto peer = post_json(
      "/v1/intercoop/peers",
      {{"id", "somillusio"}, {"name", "Som Il·lusió"}, {"public_key", key_.public_key().to_pem()}},
      admin);
  ASSERT_EQ(peer.status, 201) << peer.body;
  auto service = post_json("/v1/intercoop/services",
                           {{"name", "contract"}, {"fields", {"nif", "name"}}}, admin);
  ASSERT_EQ(service.status, 201) << service.body;

  WriteLoad load(4, [&](int t, int i) {
    std::string nif = "NIF" + std::to_string(t) + "-" + std::to_string(i);
    yaml::Value v = yaml::Value::object();
    v["originpeer"] = "somillusio";
    v["nif"] = nif;
    v["name"] = "Maria Puig";
    auto r = p_->post(kActivate, intercoop::make_package(v, key_), "application/yaml");
    expect_status(r, 200, "transfer " + nif);
    return yaml::load(r.body)["uuid"].get<std::string>() + " " + nif;
  });
  ASSERT_TRUE(load.wait_for(150)) << ::testing::PrintToString(load.errors()) << p_->log();
  kill_under(load);
  ASSERT_EQ(load.errors(), std::vector<std::string>{});

  restart();
  std::vector<std::string> acknowledged = load.acknowledged();
  for (const std::string& key : acknowledged) {
    std::string uuid = key.substr(0, key.find(' ')), nif = key.substr(key.find(' ') + 1);
    EXPECT_EQ(nif_of(uuid), nif) << uuid;
  }
  // Every stored transfer, acknowledged or caught by the kill after its commit: each NIF once.
  std::map<std::string, int> stored;
  std::vector<std::string> uuids = received(admin);
  for (const std::string& uuid : uuids) ++stored[nif_of(uuid)];
  for (const auto& [nif, n] : stored) EXPECT_EQ(n, 1) << nif << " stored " << n << " times";
  int sent = 0;
  for (int t = 0; t < load.threads(); ++t) sent += load.attempts(t);
  EXPECT_GE(uuids.size(), acknowledged.size());
  EXPECT_LE(uuids.size(), size_t(sent));
  EXPECT_GE(acknowledged.size(), 150u);
}

RELIABILITY_BACKENDS(IntercoopCrashTest);

}  // namespace
}  // namespace registrar::reliability
