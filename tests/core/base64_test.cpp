#include "core/base64.h"

#include <gtest/gtest.h>

#include "core/random.h"

namespace registrar::core {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : vectors) {
    EXPECT_EQ(base64_encode(plain), enc);
    EXPECT_EQ(base64_decode(enc), std::string(plain));
  }
}

TEST(Base64, UrlAlphabetHasNoPadding) {
  std::string bytes("\xfb\xff\xfe", 3);
  EXPECT_EQ(base64_encode(bytes), "+//+");
  EXPECT_EQ(base64url_encode(bytes), "-__-");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_decode("Zg"), "f");
}

TEST(Base64, RejectsNonCanonicalInput) {
  EXPECT_FALSE(base64_decode("Zg="));       // wrong length
  EXPECT_FALSE(base64_decode("Zh=="));      // non-zero trailing bits
  EXPECT_FALSE(base64_decode("Zm9v!A=="));  // outside the alphabet
  EXPECT_FALSE(base64url_decode("Zg=="));   // padding is not base64url
  EXPECT_FALSE(base64url_decode("+/"));     // standard alphabet
  EXPECT_FALSE(base64url_decode("Z"));      // a dangling symbol
}

TEST(Base64, LenientDecoderSkipsWhitespace) {
  EXPECT_EQ(base64_decode_lenient("Zm9v\nYmFy\r\n"), "foobar");
  EXPECT_EQ(base64_decode_lenient("Zg"), "f");
  EXPECT_FALSE(base64_decode_lenient("Zm9v*"));
}

// Property: decode(encode(x)) == x for random byte strings of every length up to 300.
TEST(Base64, RoundTripsRandomBytes) {
  for (size_t n = 0; n < 300; ++n) {
    std::string bytes = random_bytes(n);
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
    EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes);
    EXPECT_EQ(base64_decode_lenient(base64_encode(bytes)), bytes);
  }
}

// Reference for base64url_decode: a bit accumulator, one symbol at a time, with the same rules
// (no dangling symbol, zero trailing bits, url alphabet only).
std::optional<std::string> reference_url_decode(std::string_view in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

// Property: on random symbol strings of every length, mostly valid, sometimes with a symbol from
// outside the alphabet or a non-canonical last symbol, the decoder agrees with the reference.
TEST(Base64, UrlDecoderAgreesWithABitAtATimeReference) {
  const std::string symbols =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=. \x80";
  std::string pool = random_bytes(200'000);
  size_t at = 0;
  auto next = [&] { return static_cast<unsigned char>(pool[at++ % pool.size()]); };
  int accepted = 0, refused = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string text(next() % 40, 'A');
    for (char& c : text) c = symbols[next() % (next() % 8 == 0 ? symbols.size() : 64)];
    auto got = base64url_decode(text);
    ASSERT_EQ(got, reference_url_decode(text)) << text;
    (got ? accepted : refused)++;
  }
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(refused, 1000);
}

TEST(Hex, Encodes) {
  EXPECT_EQ(hex_encode(std::string("\x00\xab\xff", 3)), "00abff");
}

}  // namespace
}  // namespace registrar::core
