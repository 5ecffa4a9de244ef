// Streamed responses (Response::stream) over real loopback connections: chunked framing, the
// pieces produced one at a time with the first on the wire before the next is made, gzip
// deflated piece by piece, HTTP/1.0 and HEAD answered whole, and a producer that fails cutting
// the body short. Structural assertions only: no timings.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "core/random.h"
#include "http/client.h"
#include "http/compression.h"
#include "http/server.h"
#include "support/raw_client.h"

namespace registrar::http {
namespace {

using namespace std::chrono_literals;
using testing::RawClient;

// Hands out `pieces` in order; before piece `wait_before` (when set) it waits for `go`.
class Pieces final : public BodyStream {
 public:
  explicit Pieces(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {}
  std::optional<std::string> next() override {
    ++calls;
    if (next_ == fail_at) throw std::runtime_error("the producer failed");
    if (next_ == wait_before && wait_before > 0)
      released_in_time = go.wait_for(60s) == std::future_status::ready;
    if (next_ == pieces_.size()) return std::nullopt;
    return pieces_[next_++];
  }
  size_t wait_before = 0, fail_at = size_t(-1);
  std::shared_future<void> go;
  bool released_in_time = false;
  std::atomic<int> calls{0};

 private:
  std::vector<std::string> pieces_;
  size_t next_ = 0;
};

// The chunks of a chunked body that starts at `raw` (after the header); `complete` when the
// last chunk was there.
struct Chunks {
  std::vector<std::string> chunks;
  bool complete = false;
  std::string joined() const {
    std::string out;
    for (const auto& c : chunks) out += c;
    return out;
  }
};
Chunks dechunk(std::string_view raw) {
  Chunks out;
  for (;;) {
    size_t eol = raw.find("\r\n");
    if (eol == std::string_view::npos) return out;
    size_t n = std::stoul(std::string(raw.substr(0, eol)), nullptr, 16);
    if (n == 0) {
      out.complete = raw.substr(eol) == "\r\n\r\n";
      return out;
    }
    if (raw.size() < eol + 2 + n + 2) return out;
    out.chunks.emplace_back(raw.substr(eol + 2, n));
    raw.remove_prefix(eol + 2 + n + 2);
  }
}

class StreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.get("/stream", [this](Request& r) {
      Response res;
      res.headers.set("Content-Type", "text/plain");
      res.stream = producer_;
      if (r.query_param("gzip")) compress_if_accepted(r, res, 1024, GzipMode::kHuffmanOnly);
      return res;
    });
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.access_log = false;
    server_ = std::make_unique<Server>(o, router_, metrics_);
    port_ = server_->listen();
    thread_ = std::thread([this] { server_->run(false); });
  }
  void TearDown() override {
    server_->shutdown();
    thread_.join();
  }
  // The raw response to `request`, read until the body's last chunk or the connection's end.
  std::string exchange(RawClient& c, const std::string& request) {
    EXPECT_TRUE(c.send(request));
    std::string raw;
    for (int i = 0; i < 1000; ++i) {
      std::string more = c.read_some(5s);
      if (more.empty()) break;
      raw += more;
      if (raw.ends_with("\r\n0\r\n\r\n")) break;
    }
    return raw;
  }
  static std::string head_of(const std::string& raw) { return raw.substr(0, raw.find("\r\n\r\n")); }
  static std::string body_of(const std::string& raw) {
    return raw.substr(raw.find("\r\n\r\n") + 4);
  }

  std::shared_ptr<Pieces> producer_;
  Router router_;
  core::Metrics metrics_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(StreamingTest, SendsEachPieceAsAChunkThenTheLastChunkAndKeepsTheConnection) {
  producer_ = std::make_shared<Pieces>(std::vector<std::string>{"alpha ", "", "beta ", "gamma"});
  RawClient c(port_);
  std::string raw = exchange(c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string head = head_of(raw);
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  Chunks chunks = dechunk(body_of(raw));
  EXPECT_TRUE(chunks.complete);
  // An empty piece is no chunk (it would end the body).
  EXPECT_EQ(chunks.chunks, (std::vector<std::string>{"alpha ", "beta ", "gamma"}));
  // The connection is still usable: the framing was exact.
  producer_ = std::make_shared<Pieces>(std::vector<std::string>{"again"});
  raw = exchange(c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(dechunk(body_of(raw)).joined(), "again");
}

TEST_F(StreamingTest, TheFirstPieceIsOnTheWireBeforeTheNextIsMade) {
  std::promise<void> go;
  producer_ = std::make_shared<Pieces>(std::vector<std::string>{"first", "second"});
  producer_->wait_before = 1;  // piece 2 is made only once the client has read piece 1
  producer_->go = go.get_future().share();
  RawClient c(port_);
  ASSERT_TRUE(c.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string raw;
  while (raw.find("5\r\nfirst\r\n") == std::string::npos) {
    std::string more = c.read_some(5s);
    ASSERT_FALSE(more.empty()) << "the first piece never came: " << raw;
    raw += more;
  }
  EXPECT_EQ(raw.find("second"), std::string::npos);
  go.set_value();
  for (int i = 0; i < 100 && !raw.ends_with("\r\n0\r\n\r\n"); ++i) raw += c.read_some(5s);
  EXPECT_EQ(dechunk(body_of(raw)).chunks, (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(producer_->released_in_time);
  EXPECT_EQ(producer_->calls, 3);  // two pieces and the end, one call each
}

TEST_F(StreamingTest, GzipIsDeflatedPieceByPieceIntoOneMember) {
  // Base64 of random bytes, as MOSIP's sync data: Huffman coding leaves about 3/4, so each
  // piece yields output of its own.
  std::vector<std::string> pieces;
  std::string whole;
  for (int i = 0; i < 4; ++i) {
    pieces.push_back(core::random_token(150'000));
    whole += pieces.back();
  }
  producer_ = std::make_shared<Pieces>(pieces);
  RawClient c(port_);
  std::string raw =
      exchange(c, "GET /stream?gzip=1 HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
  std::string head = head_of(raw);
  EXPECT_NE(head.find("Content-Encoding: gzip"), std::string::npos) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  Chunks chunks = dechunk(body_of(raw));
  ASSERT_TRUE(chunks.complete);
  EXPECT_GE(chunks.chunks.size(), 4u);
  auto plain = gunzip(chunks.joined());
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, whole);
  // The same body through the project's HTTP client, which asks for no gzip: chunked, plain.
  producer_ = std::make_shared<Pieces>(pieces);
  ClientRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port_) + "/stream?gzip=1";
  Response r = fetch(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, whole);
}

TEST_F(StreamingTest, Http10AndHeadGetTheWholeBodyWithItsLength) {
  producer_ = std::make_shared<Pieces>(std::vector<std::string>{"one ", "two"});
  RawClient c(port_);
  ASSERT_TRUE(c.send("GET /stream HTTP/1.0\r\n\r\n"));
  std::string raw = c.read_until_close();
  EXPECT_NE(head_of(raw).find("Content-Length: 7"), std::string::npos) << raw;
  EXPECT_EQ(head_of(raw).find("chunked"), std::string::npos) << raw;
  EXPECT_EQ(body_of(raw), "one two");
}

TEST_F(StreamingTest, AFailingProducerCutsTheBodyShortAndClosesTheConnection) {
  producer_ = std::make_shared<Pieces>(std::vector<std::string>{"one", "two", "three"});
  producer_->fail_at = 2;
  RawClient c(port_);
  ASSERT_TRUE(c.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string raw = c.read_until_close();
  Chunks chunks = dechunk(body_of(raw));
  EXPECT_EQ(chunks.chunks, (std::vector<std::string>{"one", "two"}));
  EXPECT_FALSE(chunks.complete);
  EXPECT_TRUE(c.closed_within(5s));
}

}  // namespace
}  // namespace registrar::http
