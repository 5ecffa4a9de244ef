// The package (spec §1–2) and the target's check order (§3.1a), each failure with its class,
// message and arguments.
#include "intercoop/package.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

#include "intercoop/yaml_emit.h"
#include "intercoop/yaml_parse.h"
#include "key_fixture.h"

namespace registrar::intercoop {
namespace {

using testing::other_key;
using testing::test_key;

PeerKeyLookup only_somillusio() {
  return [](std::string_view peer) -> std::optional<crypto::PublicKey> {
    if (peer == "somillusio") return test_key().public_key();
    return std::nullopt;
  };
}

// The text of a package whose fields are given as they go on the wire.
std::string package_text(const std::string& version, const std::string& payload,
                         const std::string& signature) {
  return "intercoopVersion: " + version + "\npayload: " + payload + "\nsignature: " + signature +
         "\n";
}

// Expects `text` to fail with this class and these arguments.
void expect_failure(const std::string& text, ErrorClass error,
                    const std::vector<std::string>& args) {
  try {
    receive_package(text, only_somillusio());
    ADD_FAILURE() << "accepted:\n" << text;
  } catch (const ProtocolError& e) {
    EXPECT_EQ(info(e.error_class()).name, info(error).name) << e.what() << "\n" << text;
    EXPECT_EQ(e.arguments(), args) << text;
  }
}

std::string signed_payload_b64(const std::string& payload) {
  return b64encode(sign_payload(payload, test_key()));
}

TEST(IntercoopPackage, MakesTheSpecExamplePackage) {
  const std::string payload = "originpeer: somillusio\nnif: 12345678Z\n";
  yaml::Value fields = {{"originpeer", "somillusio"}, {"nif", "12345678Z"}};
  EXPECT_EQ(yaml::dump(fields), payload);
  std::string text = make_package(fields, test_key());
  // §1.1: key order, quoted version, URL-safe base64 with padding on one line.
  const std::string head =
      "intercoopVersion: '1.0'\npayload: b3JpZ2lucGVlcjogc29taWxsdXNpbwpuaWY6IDEyMzQ1Njc4Wgo=\n"
      "signature: ";
  ASSERT_EQ(text.substr(0, head.size()), head);
  std::string signature = text.substr(head.size());
  EXPECT_EQ(signature.size(), 344u + 1);  // 256 bytes of RSA-2048, then "\n"
  EXPECT_EQ(signature.find_first_of("+/"), std::string::npos);
  // PKCS#1 v1.5 is deterministic: the same key signs the same bytes the same way.
  EXPECT_EQ(signature, b64encode(sign_payload(payload, test_key())) + "\n");

  ReceivedPackage got = receive_package(text, only_somillusio());
  EXPECT_EQ(got.payload, payload);
  EXPECT_EQ(got.origin_peer, "somillusio");
  EXPECT_EQ(got.values, fields);
}

TEST(IntercoopPackage, SignatureCoversTheExactTransmittedBytes) {
  // Not what our emitter would write: the verifier must not re-serialise.
  const std::string payload = "originpeer:   somillusio   # a comment\npostalcode: '01001'\n";
  std::string text = make_package_for_payload(payload, test_key());
  ReceivedPackage got = receive_package(text, only_somillusio());
  EXPECT_EQ(got.payload, payload);
  EXPECT_EQ(got.values["postalcode"], "01001");
  // One byte more and it no longer verifies.
  std::string tampered =
      package_text("'1.0'", b64encode(payload + " "), signed_payload_b64(payload));
  expect_failure(tampered, ErrorClass::kBadSignature, {});
  EXPECT_THROW(make_package_for_payload("originpeer: \xff\n", test_key()), std::invalid_argument);
}

TEST(IntercoopPackage, AcceptsBothPemFormsOfAnRsaKey) {
  std::string spki = test_key().public_key().to_pem();
  std::string pkcs1 = testing::pkcs1_public_pem(test_key().public_key());
  ASSERT_NE(spki.find("BEGIN PUBLIC KEY"), std::string::npos);
  ASSERT_NE(pkcs1.find("BEGIN RSA PUBLIC KEY"), std::string::npos);
  std::string text = make_package(yaml::Value{{"originpeer", "somillusio"}}, test_key());
  for (const auto& pem : {spki, pkcs1}) {
    auto key = parse_peer_key(pem);
    ASSERT_TRUE(key) << pem;
    auto lookup = [&](std::string_view) { return key; };
    EXPECT_NO_THROW(receive_package(text, lookup)) << pem;
  }
  EXPECT_FALSE(parse_peer_key("not a key"));
  EXPECT_FALSE(parse_peer_key(test_key().to_pem()));  // a private key is not a peer's key
  auto ec = crypto::PrivateKey::generate(crypto::KeyType::kEcP256);
  EXPECT_FALSE(parse_peer_key(ec.public_key().to_pem()));
}

TEST(IntercoopPackage, Base64IsPythonsUrlsafeDecoding) {
  EXPECT_EQ(b64encode(std::string("\x00\x10\x83", 3)), "ABCD");
  EXPECT_EQ(b64encode(std::string("\x01\x00\x02", 3)), "AQAC");
  EXPECT_EQ(b64encode("\xfb\xff"), "-_8=");
  EXPECT_EQ(b64decode("-_8="), "\xfb\xff");
  EXPECT_EQ(b64decode("+/8="), "\xfb\xff");                         // the standard alphabet too
  EXPECT_EQ(b64decode("AQ\nA C"), std::string("\x01\x00\x02", 3));  // junk skipped
  EXPECT_EQ(b64decode("AA==ignored"), std::string("\x00", 1));      // stops after the padding
  std::string error;
  EXPECT_FALSE(b64decode("AA", &error));
  EXPECT_EQ(error, "Incorrect padding");
  EXPECT_FALSE(b64decode("AAAAA", &error));
  EXPECT_EQ(error,
            "Invalid base64-encoded string: number of data characters (5) cannot be 1 more than a "
            "multiple of 4");
  EXPECT_FALSE(b64decode("\xc3\xa9", &error));
  EXPECT_EQ(error, "string argument should contain only ASCII characters");
}

// binascii.a2b_base64's non-strict decoding one character at a time, as its C source reads: the
// reference for b64decode, which takes whole quads at once when it can.
std::optional<std::string> reference_b64decode(std::string_view text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  int pos = 0, pads = 0;
  unsigned acc = 0, bits = 0;
  for (char ch : text)  // a str argument must be ASCII as a whole, before any decoding
    if (static_cast<unsigned char>(ch) >= 0x80) return std::nullopt;
  for (char ch : text) {
    if (ch == '=') {
      if (pos >= 2 && pos + ++pads >= 4) return out;
      continue;
    }
    int v = ch == '+' || ch == '-' ? 62 : ch == '/' || ch == '_' ? 63 : int(kAlphabet.find(ch));
    if (v < 0 || size_t(v) == std::string::npos) continue;
    pads = 0;
    acc = (acc << 6) | unsigned(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xFF);
    }
    pos = (pos + 1) % 4;
  }
  if (pos != 0) return std::nullopt;
  return out;
}

TEST(IntercoopPackage, Base64DecodingMatchesTheCharacterByCharacterReference) {
  // Random texts over data characters of both alphabets, padding, junk and a non-ASCII byte, so
  // that whole quads, quads broken by junk or padding, and every failure occur.
  const std::string chars = "AQgw09az+/-_====\n .*\xc3";
  std::mt19937 rng(20261203);
  int decoded = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    size_t n = rng() % 24;
    bool plain = rng() % 2 == 0;  // half of them data characters only: the fast path throughout
    for (size_t i = 0; i < n; ++i) text += plain ? chars[rng() % 8] : chars[rng() % chars.size()];
    auto want = reference_b64decode(text);
    auto got = b64decode(text);
    ASSERT_EQ(got.has_value(), want.has_value()) << text;
    if (got) {
      ASSERT_EQ(*got, *want) << text;
      ++decoded;
    }
  }
  EXPECT_GT(decoded, 5000);  // the corpus exercised successful decodings, not only failures
}

TEST(IntercoopPackage, ContainerFailuresAreBadMessageOrWrongVersion) {
  const std::string payload = "originpeer: somillusio\n";
  const std::string p64 = b64encode(payload), s64 = signed_payload_b64(payload);
  try {
    read_package("a: [\n");
    ADD_FAILURE();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.error_class(), ErrorClass::kBadMessage);
    EXPECT_EQ(e.arguments()[0].rfind("Bad message YAML format\n", 0), 0u) << e.arguments()[0];
  }
  expect_failure("payload: x\n", ErrorClass::kBadMessage, {"missing intercoopVersion"});
  expect_failure("just text\n", ErrorClass::kBadMessage, {"missing intercoopVersion"});
  // Unquoted 1.0 is a float in YAML 1.1: Python refuses it, with this message.
  expect_failure(package_text("1.0", p64, s64), ErrorClass::kWrongVersion, {"1.0", "1.0"});
  expect_failure(package_text("'2.0'", p64, s64), ErrorClass::kWrongVersion, {"1.0", "2.0"});
  expect_failure(package_text("", p64, s64), ErrorClass::kWrongVersion, {"1.0", "None"});
  expect_failure("intercoopVersion: '1.0'\n", ErrorClass::kBadMessage, {"missing payload"});
  expect_failure("intercoopVersion: '1.0'\npayload: " + p64 + "\n", ErrorClass::kBadMessage,
                 {"missing signature"});
  expect_failure(package_text("'1.0'", "AA", s64), ErrorClass::kBadMessage,
                 {"Payload is invalid Base64: Incorrect padding"});
  expect_failure(package_text("'1.0'", "ABCD", s64), ErrorClass::kBadMessage,
                 {"Payload is not base64 coded UTF8"});
  expect_failure(package_text("'1.0'", "[1]", s64), ErrorClass::kBadMessage,
                 {"Payload is invalid Base64: not a string"});
}

TEST(IntercoopPackage, PayloadAndPeerFailures) {
  auto with_payload = [](const std::string& payload) {
    return package_text("'1.0'", b64encode(payload), signed_payload_b64(payload));
  };
  try {
    receive_package(with_payload("originpeer: [\n"), only_somillusio());
    ADD_FAILURE();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.error_class(), ErrorClass::kBadFormat);
    EXPECT_EQ(std::string(e.what()).rfind("Error while parsing message as YAML:\n", 0), 0u);
  }
  expect_failure(with_payload("nif: 12345678Z\n"), ErrorClass::kMissingField, {"originpeer"});
  expect_failure(with_payload("- a list\n"), ErrorClass::kMissingField, {"originpeer"});
  expect_failure(with_payload("originpeer: badpeer\n"), ErrorClass::kBadPeer, {"badpeer"});
}

TEST(IntercoopPackage, SignatureFailuresAreBadSignature) {
  const std::string payload = "originpeer: somillusio\n";
  const std::string p64 = b64encode(payload);
  std::string good = signed_payload_b64(payload);
  std::string flipped = good;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  expect_failure(package_text("'1.0'", p64, flipped), ErrorClass::kBadSignature, {});
  expect_failure(package_text("'1.0'", p64, b64encode(sign_payload(payload, other_key()))),
                 ErrorClass::kBadSignature, {});
  expect_failure(package_text("'1.0'", p64, "AA"), ErrorClass::kBadSignature, {});  // Python: 500
  expect_failure(package_text("'1.0'", p64, "QUJD"), ErrorClass::kBadSignature, {});
  expect_failure(package_text("'1.0'", p64, "~"), ErrorClass::kBadSignature, {});
}

TEST(IntercoopPackage, TheEarlierCheckWins) {
  const std::string payload = "originpeer: somillusio\n";
  // Wrong version before a missing payload; a missing payload before a missing signature.
  expect_failure("intercoopVersion: '2'\n", ErrorClass::kWrongVersion, {"1.0", "2"});
  expect_failure("intercoopVersion: '1.0'\nsignature: x\n", ErrorClass::kBadMessage,
                 {"missing payload"});
  // A missing originpeer before an unknown peer's bad signature; the peer before the signature.
  expect_failure(package_text("'1.0'", b64encode("nif: 1\n"), "AA"), ErrorClass::kMissingField,
                 {"originpeer"});
  expect_failure(package_text("'1.0'", b64encode("originpeer: nobody\n"), "AA"),
                 ErrorClass::kBadPeer, {"nobody"});
  // The version before a bad payload.
  expect_failure(package_text("'0.9'", "AA", "AA"), ErrorClass::kWrongVersion, {"1.0", "0.9"});
  EXPECT_NO_THROW(receive_package(
      package_text("'1.0'", b64encode(payload), signed_payload_b64(payload)), only_somillusio()));
}

}  // namespace
}  // namespace registrar::intercoop
