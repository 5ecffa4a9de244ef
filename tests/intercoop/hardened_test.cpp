// intercoop 2.0's pure parts (hardened.h): the exact payload bytes, the package, reading it back
// with every refusal in its order, the binding checks and the version choice.
#include "intercoop/hardened.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/signature.h"
#include "intercoop/yaml_emit.h"
#include "key_fixture.h"

namespace registrar::intercoop {
namespace {

const crypto::PrivateKey& ed_key() {
  static const crypto::PrivateKey key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  return key;
}

Envelope envelope() {
  return {"somillusio", "somacme", "contract", 1796292000, 1796292300, "AAAAAAAAAAAAAAAAAAAAAAAA"};
}

yaml::Value fields() {
  return {{"nif", "12345678Z"}, {"postalcode", "01022"}};
}

// Keys for somillusio (both versions) and old (1.0 only), none for anyone else.
const PeerKeys* keys_of(std::string_view peer) {
  static const PeerKeys both{
      {"1.0", "2.0"}, testing::test_key().public_key(), ed_key().public_key()};
  static const PeerKeys old{{"1.0"}, testing::test_key().public_key(), std::nullopt};
  static const PeerKeys only2{{"2.0"}, std::nullopt, ed_key().public_key()};
  static const PeerKeys nokey{{"2.0"}, std::nullopt, std::nullopt};
  static const PeerKeys rsa2{{"2.0"}, testing::test_key().public_key(), std::nullopt};
  if (peer == "somillusio") return &both;
  if (peer == "rsa2") return &rsa2;
  if (peer == "old") return &old;
  if (peer == "only2") return &only2;
  if (peer == "nokey") return &nokey;
  return nullptr;
}

// A package over `payload` (any mapping) signed with `key`.
std::string package_of(const yaml::Value& payload, const crypto::PrivateKey& key = ed_key()) {
  std::string bytes = yaml::dump(payload);
  yaml::Value c = yaml::Value::object();
  c["intercoopVersion"] = "2.0";
  c["payload"] = b64encode(bytes);
  c["signature"] = b64encode(sign_hardened(bytes, key));
  return yaml::dump(c);
}

void expect_refused(const std::string& text, ErrorClass error,
                    const std::vector<std::string>& args) {
  try {
    receive_versioned(text, keys_of);
    ADD_FAILURE() << "accepted:\n" << text;
  } catch (const ProtocolError& e) {
    EXPECT_EQ(info(e.error_class()).name, info(error).name) << e.what();
    if (!args.empty()) EXPECT_EQ(e.arguments(), args) << e.what();
  }
}

TEST(Hardened, ThePayloadBytesAreAsDocumented) {
  // docs/intercoop.md "Protocol 2.0": this text, UTF-8, is what is signed.
  const std::string expected =
      "intercoopVersion: '2.0'\n"
      "originpeer: somillusio\n"
      "targetpeer: somacme\n"
      "service: contract\n"
      "issued: 1796292000\n"
      "expires: 1796292300\n"
      "nonce: AAAAAAAAAAAAAAAAAAAAAAAA\n"
      "fields:\n"
      "  nif: 12345678Z\n"
      "  postalcode: '01022'\n";
  EXPECT_EQ(yaml::dump(hardened_payload(envelope(), fields())), expected);
  std::string text = make_hardened_package(envelope(), fields(), ed_key());
  const std::string head = "intercoopVersion: '2.0'\npayload: " + b64encode(expected) + "\n";
  ASSERT_EQ(text.substr(0, head.size()), head) << text;
  // Ed25519 is deterministic: the signature is the one over those bytes, 64 bytes in 88 chars.
  std::string sig = b64encode(sign_hardened(expected, ed_key()));
  EXPECT_EQ(sig.size(), 88u);
  EXPECT_EQ(text, head + "signature: " + sig + "\n");
  EXPECT_TRUE(verify_hardened(expected, *b64decode(sig), ed_key().public_key()));
  EXPECT_FALSE(verify_hardened(expected + " ", *b64decode(sig), ed_key().public_key()));
  EXPECT_FALSE(verify_hardened(expected, *b64decode(sig), testing::test_key().public_key()));
  // An RSA key signs RSA-PSS (ARsaKeyAloneSigns2_0WithPss), never PKCS#1 v1.5.
  EXPECT_FALSE(verify_hardened(
      expected, crypto::sign_bytes(testing::test_key(), crypto::JwsAlg::kRS256, expected),
      testing::test_key().public_key()));
}

TEST(Hardened, APackageReadsBackAsItsEnvelopeAndFields) {
  Received r = receive_versioned(make_hardened_package(envelope(), fields(), ed_key()), keys_of);
  EXPECT_EQ(r.package.version, "2.0");
  ASSERT_TRUE(r.hardened);
  const Envelope& e = r.hardened->envelope;
  EXPECT_EQ(std::tie(e.origin_peer, e.target_peer, e.service, e.issued, e.expires, e.nonce),
            std::make_tuple(std::string("somillusio"), std::string("somacme"),
                            std::string("contract"), int64_t{1796292000}, int64_t{1796292300},
                            std::string("AAAAAAAAAAAAAAAAAAAAAAAA")));
  EXPECT_EQ(r.stored.dump(),
            R"({"originpeer":"somillusio","nif":"12345678Z","postalcode":"01022"})");
  // The same peer's 1.0 package still passes, stored as its payload.
  Received v1 = receive_versioned(
      make_package({{"originpeer", "somillusio"}, {"nif", "1"}}, testing::test_key()), keys_of);
  EXPECT_FALSE(v1.hardened);
  EXPECT_EQ(v1.stored.dump(), R"({"originpeer":"somillusio","nif":"1"})");
}

TEST(Hardened, EveryEnvelopeKeyIsRequiredAndTyped) {
  yaml::Value good = hardened_payload(envelope(), fields());
  for (const char* key : {"intercoopVersion", "originpeer", "targetpeer", "service", "issued",
                          "expires", "nonce", "fields"}) {
    yaml::Value p = good;
    p.erase(key);
    // Without originpeer it is 1.0's step 6; the others are 2.0's own.
    expect_refused(package_of(p), ErrorClass::kMissingField, {key});
  }
  auto with = [&](const char* key, yaml::Value v) {
    yaml::Value p = good;
    p[key] = std::move(v);
    return package_of(p);
  };
  expect_refused(with("intercoopVersion", "1.0"), ErrorClass::kBadMessage, {});
  expect_refused(with("targetpeer", 7), ErrorClass::kBadMessage, {});
  expect_refused(with("service", ""), ErrorClass::kBadMessage, {});
  expect_refused(with("issued", "2026-12-03"), ErrorClass::kBadMessage, {});
  expect_refused(with("expires", 1.5), ErrorClass::kBadMessage, {});
  expect_refused(with("nonce", "too-short"), ErrorClass::kBadMessage, {});
  expect_refused(with("nonce", "has spaces in it, sixteen+"), ErrorClass::kBadMessage, {});
  expect_refused(with("fields", yaml::Value::array()), ErrorClass::kBadMessage, {});
  expect_refused(with("fields", {{"originpeer", "x"}}), ErrorClass::kBadMessage, {});
}

TEST(Hardened, ThePeerMustHaveDeclaredTheVersionAndHoldItsKey) {
  auto from = [](const char* origin) {
    Envelope e = envelope();
    e.origin_peer = origin;
    return make_hardened_package(e, fields(), ed_key());
  };
  expect_refused(from("stranger"), ErrorClass::kBadPeer, {"stranger"});
  expect_refused(from("old"), ErrorClass::kWrongVersion, {"1.0", "2.0"});
  expect_refused(from("nokey"), ErrorClass::kBadPeer, {"nokey"});
  expect_refused(make_package({{"originpeer", "only2"}}, testing::test_key()),
                 ErrorClass::kWrongVersion, {"2.0", "1.0"});
  const auto other = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  expect_refused(make_hardened_package(envelope(), fields(), other), ErrorClass::kBadSignature, {});
  // A 2.0 package is WrongVersion for a 1.0-only reader (the original's peers).
  EXPECT_THROW(read_package(make_hardened_package(envelope(), fields(), ed_key())), ProtocolError);
}

void expect_binding(const Envelope& e, const char* us, const char* service, int64_t now,
                    std::optional<ErrorClass> error) {
  try {
    check_binding(e, us, service, now);
    EXPECT_FALSE(error) << "accepted at " << now;
  } catch (const ProtocolError& x) {
    ASSERT_TRUE(error) << x.what();
    EXPECT_EQ(info(x.error_class()).name, info(*error).name) << x.what();
  }
}

TEST(Hardened, TheBindingRefusesRedirectedStaleAndOverlongPackages) {
  const Envelope e = envelope();
  const int64_t t = e.issued;
  expect_binding(e, "somacme", "contract", t, std::nullopt);
  expect_binding(e, "somacme", "contract", e.expires - 1, std::nullopt);
  expect_binding(e, "other", "contract", t, ErrorClass::kWrongTarget);
  expect_binding(e, "", "contract", t, ErrorClass::kWrongTarget);
  expect_binding(e, "somacme", "open", t, ErrorClass::kWrongTarget);
  expect_binding(e, "somacme", "contract", e.expires, ErrorClass::kExpiredMessage);
  expect_binding(e, "somacme", "contract", t - kMaxClockSkewS, std::nullopt);
  expect_binding(e, "somacme", "contract", t - kMaxClockSkewS - 1, ErrorClass::kExpiredMessage);
  Envelope long_lived = e;
  long_lived.expires = e.issued + kMaxPackageLifetimeS + 1;
  expect_binding(long_lived, "somacme", "contract", t, ErrorClass::kBadMessage);
  Envelope backwards = e;
  backwards.expires = e.issued;
  expect_binding(backwards, "somacme", "contract", t, ErrorClass::kBadMessage);
  try {
    check_binding(e, "somacme", "contract", e.expires + 5);
    ADD_FAILURE();
  } catch (const ProtocolError& x) {
    EXPECT_EQ(x.arguments(), (std::vector<std::string>{"1796292000", "1796292300", "1796292305"}));
    EXPECT_EQ(x.http_status(), 403);
  }
}

TEST(Hardened, TheBestCommonVersionAndFreshNonces) {
  using V = std::vector<std::string>;
  EXPECT_EQ(choose_version(V{"1.0", "2.0"}), "2.0");
  EXPECT_EQ(choose_version(V{"2.0", "1.0"}), "2.0");
  EXPECT_EQ(choose_version(V{"1.0"}), "1.0");
  EXPECT_EQ(choose_version(V{"2.0"}), "2.0");
  EXPECT_EQ(choose_version(V{"3.0"}), std::nullopt);
  EXPECT_EQ(choose_version(V{}), std::nullopt);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string n = new_nonce();
    EXPECT_EQ(n.size(), 24u);
    EXPECT_TRUE(valid_nonce(n)) << n;
    seen.insert(n);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_TRUE(valid_nonce(std::string(16, 'a')));
  EXPECT_TRUE(valid_nonce(std::string(64, '_')));
  EXPECT_FALSE(valid_nonce(std::string(15, 'a')));
  EXPECT_FALSE(valid_nonce(std::string(65, 'a')));
  EXPECT_FALSE(valid_nonce("aaaaaaaaaaaaaaa="));
}

// Without an Ed25519 key a 2.0 peer signs RSA-PSS-SHA256 with its RSA key; the registry, not the
// package, decides which: PKCS#1 v1.5 is refused, and so is RSA from a peer with an Ed25519 key.
TEST(Hardened, ARsaKeyAloneSigns2_0WithPss) {
  Envelope e = envelope();
  e.origin_peer = "rsa2";
  Received r = receive_versioned(make_hardened_package(e, fields(), testing::test_key()), keys_of);
  EXPECT_EQ(r.hardened->envelope.origin_peer, "rsa2");
  std::string bytes = yaml::dump(hardened_payload(e, fields()));
  EXPECT_EQ(sign_hardened(bytes, testing::test_key()).size(), 256u);  // RSA-2048
  EXPECT_TRUE(verify_hardened(bytes, sign_hardened(bytes, testing::test_key()),
                              testing::test_key().public_key()));
  yaml::Value c = yaml::Value::object();
  c["intercoopVersion"] = "2.0";
  c["payload"] = b64encode(bytes);
  c["signature"] =
      b64encode(crypto::sign_bytes(testing::test_key(), crypto::JwsAlg::kRS256, bytes));
  expect_refused(yaml::dump(c), ErrorClass::kBadSignature, {});
  expect_refused(make_hardened_package(envelope(), fields(), testing::test_key()),
                 ErrorClass::kBadSignature, {});
  // Keys 2.0 does not sign with.
  EXPECT_THROW(sign_hardened(bytes, crypto::PrivateKey::generate(crypto::KeyType::kEcP256)),
               std::invalid_argument);
}

TEST(Hardened, OnlyEd25519PemIsA2_0Key) {
  EXPECT_TRUE(parse_hardened_key(ed_key().public_key().to_pem()));
  EXPECT_FALSE(parse_hardened_key(testing::test_key().public_key().to_pem()));
  EXPECT_FALSE(parse_hardened_key("nope"));
  EXPECT_FALSE(parse_hardened_key(""));
}

}  // namespace
}  // namespace registrar::intercoop
