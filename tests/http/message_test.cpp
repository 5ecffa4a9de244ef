#include "http/message.h"

#include <gtest/gtest.h>

#include <cctype>
#include <random>

#include "core/error.h"

namespace registrar::http {
namespace {

TEST(PercentDecode, DecodesAndRejectsMalformedEscapes) {
  EXPECT_EQ(percent_decode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_FALSE(percent_decode("%2", false));
  EXPECT_FALSE(percent_decode("%zz", false));
  EXPECT_FALSE(percent_decode("abc%", false));
}

// A character-at-a-time decoder, as RFC 3986 §2.1 reads, for the property test below.
std::optional<std::string> reference_decode(std::string_view in, bool plus_is_space) {
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size() || !hex(in[i + 1]) || !hex(in[i + 2])) return std::nullopt;
      out += char(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += (in[i] == '+' && plus_is_space) ? ' ' : in[i];
    }
  }
  return out;
}

TEST(PercentDecode, MatchesTheCharacterAtATimeDefinition) {
  std::mt19937 rng(20261201);
  const std::string alphabet = "ab/%+2fFzZ0 ";
  for (int n = 0; n < 20000; ++n) {
    std::string in(rng() % 12, ' ');
    for (char& c : in) c = alphabet[rng() % alphabet.size()];
    for (bool plus : {false, true})
      ASSERT_EQ(percent_decode(in, plus), reference_decode(in, plus)) << '"' << in << '"' << plus;
  }
}

TEST(ParseForm, SplitsPairs) {
  auto f = parse_form("grant_type=client_credentials&scope=a+b&empty=&flag");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 4u);
  EXPECT_EQ((*f)[1], (std::pair<std::string, std::string>{"scope", "a b"}));
  EXPECT_EQ((*f)[2].second, "");
  EXPECT_EQ((*f)[3].first, "flag");
  EXPECT_FALSE(parse_form("a=%"));
}

TEST(Headers, CaseInsensitiveLookupAndSet) {
  Headers h;
  h.add("Content-Type", "a");
  h.add("X-Thing", "1");
  EXPECT_EQ(h.get("content-type"), "a");
  h.set("CONTENT-TYPE", "b");
  EXPECT_EQ(h.get("Content-Type"), "b");
  EXPECT_EQ(h.all().size(), 2u);
  EXPECT_FALSE(h.get("missing"));
}

// ASCII letters fold; nothing else does (the '@'/'`' and '['/'{' pairs differ only in bit 0x20
// as letters do, and bytes above 0x7f never fold).
TEST(Headers, IequalsFoldsOnlyAsciiLetters) {
  EXPECT_TRUE(iequals("Content-Type", "content-TYPE"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("abc", "abcd"));
  EXPECT_FALSE(iequals("@", "`"));
  EXPECT_FALSE(iequals("[", "{"));
  EXPECT_FALSE(iequals("\xc4", "\xe4"));
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      const char x = static_cast<char>(a), y = static_cast<char>(b);
      const bool letters = std::isalpha(a) && std::isalpha(b) && a < 128 && b < 128;
      const bool want = a == b || (letters && (a | 0x20) == (b | 0x20));
      ASSERT_EQ(iequals(std::string_view(&x, 1), std::string_view(&y, 1)), want) << a << " " << b;
    }
}

TEST(Request, JsonBodyErrorsNameTheProblem) {
  Request r;
  r.body = "{\"a\":";
  try {
    r.json_body();
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument);
    EXPECT_EQ(e.field(), "body");
  }
  r.body = "";
  EXPECT_THROW(r.json_body(), core::Error);
  // A number past a double's range: the 400 names it (nlohmann's out_of_range once escaped here).
  r.body = "[1e400]";
  try {
    r.json_body();
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("a number too large for a double"), std::string::npos)
        << e.what();
  }
  r.body = "{}";
  r.headers.set("Content-Type", "text/plain");
  try {
    r.json_body();
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kUnprocessable);
  }
  r.headers.set("Content-Type", "application/cloudevents+json; charset=utf-8");
  EXPECT_TRUE(r.json_body().is_object());
}

TEST(Request, JsonBodyReadsAsNlohmannDoesButForNul) {
  Request r;
  auto message = [&r]() -> std::string {
    try {
      r.json_body();
    } catch (const core::Error& e) {
      return e.what();
    }
    return "accepted";
  };
  r.body = R"({"a":1,"b":[true,null,-2.5],"a":"last"})";  // duplicates: the last counts
  EXPECT_EQ(r.json_body(), Json::parse(r.body));
  EXPECT_EQ(r.json_body()["a"], "last");
  r.body = R"({"a":1,})";
  EXPECT_NE(message().find("at byte 8"), std::string::npos) << message();
  r.body = std::string(R"({"a":1})") + '\0' + "junk";  // nlohmann would stop at the NUL
  EXPECT_NE(message().find("at byte 8: a NUL byte"), std::string::npos) << message();
  // Nesting past core::kMaxJsonDepth is refused by name (nlohmann's dump and copy recurse).
  r.body = R"({"a":)" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
  EXPECT_EQ(message(), "request body is not valid JSON (nested deeper than 64 levels)");
}

TEST(Request, QueryParameters) {
  Request r;
  r.query = "a=1&b=x%20y";
  EXPECT_EQ(r.query_param("b"), "x y");
  EXPECT_FALSE(r.query_param("c"));
}

TEST(Response, ProblemBodyIsRfc9457) {
  Response r = Response::problem(400, "", "uin is not 10 digits", "uin", "req-1");
  EXPECT_EQ(r.headers.get("Content-Type"), "application/problem+json");
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["status"], 400);
  EXPECT_EQ(j["title"], "Bad Request");
  EXPECT_EQ(j["detail"], "uin is not 10 digits");
  EXPECT_EQ(j["field"], "uin");
  EXPECT_EQ(j["request_id"], "req-1");
}

}  // namespace
}  // namespace registrar::http
