// SenderKeys over real loopback HTTP (registrar's own server publishing JWK Sets) and a real
// database on each backend; the rate limit on a ManualClock.
#include "ibr/sender_keys.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "core/metrics.h"
#include "crypto/keys.h"
#include "http/async_client.h"
#include "http/server.h"
#include "ibr/ibr_fixture.h"

namespace registrar::ibr {
namespace {

using namespace std::chrono_literals;

// A loopback port nothing listens on any more.
uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

crypto::JwksKey jwk(const std::string& kid, const crypto::PublicKey& key) {
  return crypto::JwksKey{kid, std::nullopt, key};
}

class SenderKeysTest : public test::IbrDbTest {
 protected:
  void SetUp() override {
    router_.get("/jwks.json", [this](http::Request&) {
      ++hits_;
      core::MutexLock lock(mu_);
      if (status_ != 200) return http::Response::text(status_, "no");
      return http::Response::json(200, jwks_.to_json());
    });
    http::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.io_threads = 1;
    o.access_log = false;
    server_ = std::make_unique<http::Server>(o, router_, metrics_);
    port_ = server_->listen();
    thread_ = std::thread([this] { server_->run(false); });
    sender_ = senders_->add(
        {"sp-mis", "", "", "http://127.0.0.1:" + std::to_string(port_) + "/jwks.json", "", ""},
        "test", "");
    keys_ = std::make_unique<SenderKeys>(client_, *db_, clock_,
                                         JwksSettings{.min_refetch = 30s, .timeout = 5s});
  }
  void TearDown() override {
    client_.stop();
    server_->shutdown();
    thread_.join();
  }

  void publish(std::vector<crypto::JwksKey> keys, int status = 200) {
    core::MutexLock lock(mu_);
    jwks_ = crypto::Jwks();
    for (auto& k : keys) jwks_.add(std::move(k));
    status_ = status;
  }
  std::optional<std::string> cached_kid(size_t i) {
    auto set = keys_->cached(sender_);
    if (!set || set->keys().size() <= i) return std::nullopt;
    return set->keys()[i].kid;
  }

  crypto::PublicKey a_ = crypto::PrivateKey::generate(crypto::KeyType::kEd25519).public_key();
  crypto::PublicKey b_ = crypto::PrivateKey::generate(crypto::KeyType::kEd25519).public_key();
  http::Router router_;
  core::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
  http::HttpClient client_;
  core::Mutex mu_;
  crypto::Jwks jwks_ GUARDED_BY(mu_);
  int status_ GUARDED_BY(mu_) = 200;
  std::atomic<int> hits_{0};
  dci::TrustedSender sender_;
  std::unique_ptr<SenderKeys> keys_;
};

TEST_P(SenderKeysTest, FetchCachesAndRecords) {
  publish({jwk("sp-mis|a|ed25519", a_), jwk("sp-mis|b|ed25519", b_)});
  EXPECT_EQ(keys_->cached(sender_), nullptr);
  KeyFetch f = keys_->fetch(sender_);
  ASSERT_TRUE(f.ok) << f.error;
  EXPECT_EQ(f.summary(), "ok: sp-mis|a|ed25519, sp-mis|b|ed25519");
  EXPECT_EQ(cached_kid(1), "sp-mis|b|ed25519");
  auto stored = senders_->find("sp-mis");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->last_key_fetch, clock_.now());
  EXPECT_EQ(stored->last_key_fetch_result, f.summary());
  // The kidId picks among the fetched keys.
  auto choice = dci::select_sender_key(&sender_, "sp-mis|b|ed25519", keys_->cached(sender_).get());
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(*choice.key, b_);
  // Another URL for the sender: what was fetched from the old one is not used.
  dci::TrustedSender moved = sender_;
  moved.jwks_url += "?v=2";
  EXPECT_EQ(keys_->cached(moved), nullptr);
}

TEST_P(SenderKeysTest, RefetchIsRateLimitedButOperatorFetchIsNot) {
  publish({jwk("sp-mis|a|ed25519", a_)});
  ASSERT_TRUE(keys_->refetch(sender_));
  EXPECT_EQ(hits_.load(), 1);
  clock_.advance(29s);
  EXPECT_FALSE(keys_->refetch(sender_));  // within min_refetch: no fetch
  EXPECT_EQ(hits_.load(), 1);
  EXPECT_TRUE(keys_->fetch(sender_).ok);  // the operator's fetch goes through ...
  EXPECT_EQ(hits_.load(), 2);
  EXPECT_FALSE(keys_->refetch(sender_));  // ... and does not restart the interval
  clock_.advance(1s);
  publish({jwk("sp-mis|a|ed25519", a_), jwk("sp-mis|b|ed25519", b_)});
  auto again = keys_->refetch(sender_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->keys.size(), 2u);
  EXPECT_EQ(hits_.load(), 3);
}

// A failed fetch does not lock the sender out for min_refetch: the next refetch may come after
// 1 s, then 2 s, 4 s ... (capped at min_refetch), and a success restores the full interval.
TEST_P(SenderKeysTest, RefetchAfterAFailureComesSoonerAndBacksOff) {
  publish({}, 503);
  ASSERT_TRUE(keys_->refetch(sender_));
  EXPECT_FALSE(keys_->refetch(sender_));  // at once: no
  clock_.advance(1s);
  auto second = keys_->refetch(sender_);  // 1 s after one failure
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->ok);
  clock_.advance(1s);
  EXPECT_FALSE(keys_->refetch(sender_));  // two failures: 2 s
  clock_.advance(1s);
  ASSERT_TRUE(keys_->refetch(sender_));
  EXPECT_EQ(hits_.load(), 3);
  publish({jwk("sp-mis|a|ed25519", a_)});
  clock_.advance(4s);  // three failures: 4 s
  auto ok = keys_->refetch(sender_);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->ok);
  EXPECT_EQ(cached_kid(0), "sp-mis|a|ed25519");
  clock_.advance(29s);
  EXPECT_FALSE(keys_->refetch(sender_));  // a success: min_refetch again
  EXPECT_EQ(hits_.load(), 4);
}

TEST_P(SenderKeysTest, FailedFetchKeepsTheKeysAndSaysWhy) {
  publish({jwk("sp-mis|a|ed25519", a_)});
  ASSERT_TRUE(keys_->fetch(sender_).ok);
  publish({}, 503);
  KeyFetch f = keys_->fetch(sender_);
  EXPECT_FALSE(f.ok);
  EXPECT_NE(f.error.find("HTTP 503"), std::string::npos) << f.error;
  EXPECT_EQ(cached_kid(0), "sp-mis|a|ed25519");  // the server being down revokes nothing
  EXPECT_EQ(senders_->find("sp-mis")->last_key_fetch_result, "failed: " + f.error);
  // A set without a usable key is a failure too.
  publish({});
  f = keys_->fetch(sender_);
  EXPECT_FALSE(f.ok);
  EXPECT_NE(f.error.find("no usable key"), std::string::npos) << f.error;
  // Nobody listening.
  dci::TrustedSender gone = sender_;
  gone.jwks_url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/jwks.json";
  f = keys_->fetch(gone);
  EXPECT_FALSE(f.ok);
  EXPECT_NE(f.error.find("fetching http://127.0.0.1:"), std::string::npos) << f.error;
}

INSTANTIATE_TEST_SUITE_P(Backends, SenderKeysTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr
