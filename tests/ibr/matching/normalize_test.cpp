#include "ibr/matching/normalize.h"

#include <gtest/gtest.h>

namespace registrar::ibr::matching {
namespace {

class IbrMatchingNormalize : public testing::Test {
 protected:
  static NameNormalizer& normalizer() {
    static NameNormalizer n;  // creating "Any-Latin" loads its rules once for the suite
    return n;
  }
  std::string norm(std::string_view s) { return normalizer().normalize(s); }
};

TEST_F(IbrMatchingNormalize, AsciiIsLowerCasedAndSpacesCollapse) {
  EXPECT_EQ(norm("  John   SMITH "), "john smith");
  EXPECT_EQ(norm("Jean-Pierre\tDupont,"), "jean pierre dupont");
  EXPECT_EQ(norm("O'Brien"), "obrien");
  EXPECT_EQ(norm(""), "");
  EXPECT_EQ(norm(" -- "), "");
}

TEST_F(IbrMatchingNormalize, AccentsAndCaseFold) {
  EXPECT_EQ(norm("José MARÍA Núñez"), "jose maria nunez");
  EXPECT_EQ(norm("Straße"), "strasse");
  EXPECT_EQ(norm("Øyvind Ærø"), "oyvind aero");
  EXPECT_EQ(norm("Łukasz Żółć"), "lukasz zolc");
  EXPECT_EQ(norm("Çağrı Gündoğdu"), "cagri gundogdu");
}

TEST_F(IbrMatchingNormalize, CompatibilityFormsFold) {
  EXPECT_EQ(norm("ＪＯＨＮ"), "john");  // full-width letters
  EXPECT_EQ(norm("ﬁona"), "fiona");     // ligature
}

TEST_F(IbrMatchingNormalize, OtherScriptsTransliterate) {
  EXPECT_EQ(norm("Иван Петров"), "ivan petrov");
  EXPECT_EQ(norm("Ελένη"), "elene");  // ICU writes eta as e-macron, folded to e
  EXPECT_EQ(norm("王伟"), "wang wei");
  const std::string arabic = norm("محمد");
  EXPECT_EQ(arabic, "mhmd");
  EXPECT_FALSE(norm("राम").empty());
  EXPECT_FALSE(norm("አበበ").empty());
  for (const char* s : {"राम शर्मा", "አበበ ቢቂላ", "محمد علي", "王伟"})
    for (unsigned char c : norm(s)) EXPECT_TRUE(c < 0x80) << s;
}

TEST_F(IbrMatchingNormalize, TokensSplitNameParts) {
  EXPECT_EQ(normalizer().tokens("Mary-Ann  van der Berg"),
            (std::vector<std::string>{"mary", "ann", "van", "der", "berg"}));
  EXPECT_TRUE(normalizer().tokens("  ").empty());
}

TEST_F(IbrMatchingNormalize, CloneBehavesAlike) {
  NameNormalizer copy = normalizer().clone();
  EXPECT_EQ(copy.normalize("Мария Ивановна"), norm("Мария Ивановна"));
}

}  // namespace
}  // namespace registrar::ibr::matching
