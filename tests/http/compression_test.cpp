#include "http/compression.h"

#include <gtest/gtest.h>

#include <random>

namespace registrar::http {
namespace {

TEST(AcceptsGzip, ReadsCodingsAndQValues) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("br, x-gzip"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.0, br"));
  EXPECT_FALSE(accepts_gzip("gzipx, deflate"));
}

TEST(Gzip, RoundTripsAndWritesTheGzipHeader) {
  std::mt19937 rng(7);
  std::string data;
  for (int i = 0; i < 100000; ++i) data += static_cast<char>('a' + rng() % 4);
  std::string z = gzip(data);
  ASSERT_GE(z.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x1f);  // RFC 1952 ID1, ID2, CM = deflate
  EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x8b);
  EXPECT_EQ(z[2], 8);
  EXPECT_LT(z.size(), data.size() / 2);
  EXPECT_EQ(gunzip(z), data);
  EXPECT_EQ(gunzip(gzip("")), "");
  std::string huffman = gzip(data, GzipMode::kHuffmanOnly);
  EXPECT_EQ(gunzip(huffman), data);
  EXPECT_LT(huffman.size(), data.size() / 3);       // 4 symbols: 2 bits of 8
  EXPECT_FALSE(gunzip(z.substr(0, z.size() - 5)));  // truncated
  EXPECT_FALSE(gunzip("not gzip at all"));
}

TEST(CompressIfAccepted, CompressesLargeBodiesForClientsThatAsk) {
  Request req;
  req.headers.set("Accept-Encoding", "gzip, deflate");
  Response big = Response::text(200, std::string(5000, 'x'));
  compress_if_accepted(req, big);
  EXPECT_EQ(big.headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(big.headers.get("Vary"), "Accept-Encoding");
  EXPECT_EQ(gunzip(big.body), std::string(5000, 'x'));

  Response small = Response::text(200, "short");
  compress_if_accepted(req, small);
  EXPECT_FALSE(small.headers.has("Content-Encoding"));
  EXPECT_FALSE(small.headers.has("Vary"));
  EXPECT_EQ(small.body, "short");

  Request plain;  // no Accept-Encoding: the body stays, Vary says it could have differed
  Response other = Response::text(200, std::string(5000, 'y'));
  compress_if_accepted(plain, other);
  EXPECT_FALSE(other.headers.has("Content-Encoding"));
  EXPECT_EQ(other.headers.get("Vary"), "Accept-Encoding");
  EXPECT_EQ(other.body, std::string(5000, 'y'));

  Response encoded = Response::text(200, std::string(5000, 'z'));
  encoded.headers.set("Content-Encoding", "br");
  compress_if_accepted(req, encoded);
  EXPECT_EQ(encoded.headers.get("Content-Encoding"), "br");
  EXPECT_EQ(encoded.body, std::string(5000, 'z'));
}

}  // namespace
}  // namespace registrar::http
