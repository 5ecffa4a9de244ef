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

TEST(Hex, Encodes) {
  EXPECT_EQ(hex_encode(std::string("\x00\xab\xff", 3)), "00abff");
}

}  // namespace
}  // namespace registrar::core
