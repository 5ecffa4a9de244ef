// The three ways MOSIP wraps a sync answer's AES key (docs/compatibility.md "sync — key types"):
// LOCAL (OAEP SHA-256 / MGF1 SHA-256), ANDROID (SHA-256 / MGF1 SHA-1) and TPM (the TPMT_PUBLIC's
// name hash for both, label "\0"). The TPM public areas are built by an independent Python
// marshaller (tpm_public.py) and every ciphertext is decrypted by mosip_decrypt.py; over HTTP on
// each backend, machines onboarded with such keys receive answers they can decrypt.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/base64.h"
#include "http/client.h"
#include "store/migrations.h"
#include "support/databases.h"
#include "support/loopback_server.h"
#include "support/python_runner.h"
#include "support/temp_dir.h"
#include "sync/machine_crypto.h"
#include "sync/mosip_routes.h"
#include "sync/service.h"
#include "sync/tpm_public.h"

namespace registrar::sync {
namespace {

using testing::read_file;

const crypto::PrivateKey& rsa_key(int i) {
  static const crypto::PrivateKey keys[] = {crypto::PrivateKey::generate(crypto::KeyType::kRsa),
                                            crypto::PrivateKey::generate(crypto::KeyType::kRsa),
                                            crypto::PrivateKey::generate(crypto::KeyType::kRsa)};
  return keys[i];
}

std::vector<std::string> python(const std::string& script, const std::vector<Json>& cases) {
  std::vector<std::string> lines;
  for (const auto& c : cases) lines.push_back(c.dump());
  auto out = registrar::testing::run_python(
      script, read_file(std::string(SYNC_TEST_DIR) + "/" + script + ".py"), lines);
  EXPECT_EQ(out.size(), cases.size());
  return out;
}

// {"public", "keyIndex"} of the key's TPM public area, from tpm_public.py.
Json tpm_public_of(const crypto::PrivateKey& key, const std::string& name_alg = "sha256",
                   int exponent = 65537) {
  auto out = python("tpm_public",
                    {{{"key", key.to_pem()}, {"name_alg", name_alg}, {"exponent", exponent}}});
  return out.empty() ? Json() : Json::parse(out[0]);
}

std::vector<std::string> decrypt(const std::vector<Json>& cases) {
  return python("mosip_decrypt", cases);
}

TEST(MosipKeyTypesTest, TpmPublicAreasParseToTheSameRsaKey) {
  for (const char* alg : {"sha256", "sha1"}) {
    for (int exponent : {65537, 0}) {
      Json tpm = tpm_public_of(rsa_key(0), alg, exponent);
      auto raw = core::base64_decode_lenient(tpm["public"].get<std::string>());
      ASSERT_TRUE(raw);
      auto parsed = parse_tpm_rsa_public(*raw);
      ASSERT_TRUE(parsed) << alg;
      EXPECT_EQ(parsed->name_alg, std::string(alg) == "sha1" ? kTpmAlgSha1 : kTpmAlgSha256);
      EXPECT_EQ(parsed->key_bits, 2048);
      EXPECT_EQ(parsed->exponent, 65537u);  // 0 means the default
      EXPECT_EQ(rsa_spki_der(parsed->modulus, parsed->exponent),
                rsa_key(0).public_key().to_spki_der());
      // Not a TPM structure: a DER key, a truncated area, one with bytes left over.
      EXPECT_FALSE(parse_tpm_rsa_public(rsa_key(0).public_key().to_spki_der()));
      EXPECT_FALSE(parse_tpm_rsa_public(raw->substr(0, raw->size() - 1)));
      EXPECT_FALSE(parse_tpm_rsa_public(*raw + "x"));
    }
  }
}

TEST(MosipKeyTypesTest, EachKindOfKeyDecryptsOnlyWithItsOwnParameters) {
  Json tpm = tpm_public_of(rsa_key(0));
  Json tpm_sha1 = tpm_public_of(rsa_key(0), "sha1");
  const std::string pem = rsa_key(0).public_key().to_pem();
  const std::string der_b64 = core::base64_encode(rsa_key(0).public_key().to_spki_der());
  MachineKey local = machine_key(der_b64, false), android = machine_key(pem, true),
             on_tpm = machine_key(tpm["public"].get<std::string>(), true),
             on_tpm1 = machine_key(tpm_sha1["public"].get<std::string>(), false);
  EXPECT_EQ(local.wrap, KeyWrap::kLocal);
  EXPECT_EQ(android.wrap, KeyWrap::kAndroid);
  EXPECT_EQ(on_tpm.wrap, KeyWrap::kTpm);  // a TPM key is TPM whatever the machine's type
  EXPECT_EQ(on_tpm1.tpm_name_alg, kTpmAlgSha1);

  const std::string priv = rsa_key(0).to_pem();
  auto sealed = [&](const MachineKey& k, const char* text) {
    return encrypt_for_machine_b64(k, text);
  };
  auto out = decrypt(
      {{{"key", priv}, {"data", sealed(local, "L")}, {"scheme", "local"}},
       {{"key", priv}, {"data", sealed(android, "A")}, {"scheme", "android"}},
       {{"key", priv}, {"data", sealed(on_tpm, "T")}, {"scheme", "tpm"}},
       {{"key", priv}, {"data", sealed(on_tpm1, "T1")}, {"scheme", "tpm"}, {"tpm_hash", "sha1"}},
       // Each with another kind's parameters: refused.
       {{"key", priv}, {"data", sealed(android, "x")}, {"scheme", "local"}},
       {{"key", priv}, {"data", sealed(on_tpm, "x")}, {"scheme", "local"}},
       {{"key", priv}, {"data", sealed(local, "x")}, {"scheme", "tpm"}}});
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(std::vector<std::string>(out.begin(), out.begin() + 4),
            (std::vector<std::string>{"L", "A", "T", "T1"}));
  for (size_t i = 4; i < out.size(); ++i) EXPECT_EQ(out[i].rfind("ERROR", 0), 0u) << out[i];
}

class MosipKeyTypesHttpTest : public ::testing::TestWithParam<std::string> {
 protected:
  MosipKeyTypesHttpTest() : tdb_(GetParam()), db_(tdb_.options(4)) {
    store::migrate(db_, {store::platform_schema(), {"sync", {rows_migration()}}}, clock_);
    router_.add_authenticator(
        http::kBearerAuthenticator,
        std::make_shared<registrar::testing::FixedTokenAuthenticator>(
            std::map<std::string, std::vector<std::string>>{{"client", {"sync:client"}}}));
    add_mosip_routes(router_, service_, "sync:client", {});
    server_ = std::make_unique<registrar::testing::LoopbackServer>(router_);
  }
  void put(const std::string& entity, Json body) {
    service_.put(*find_entity(entity), body, "admin");
  }
  // The machine's registrationConfiguration from /configs, as sent (encrypted).
  std::string configs(const std::string& key_index) {
    http::ClientRequest r;
    r.url = server_->url("/v1/syncdata/configs/" + key_index);
    r.headers.set("Authorization", "Bearer client");
    auto resp = http::fetch(r);
    EXPECT_EQ(resp.status, 200) << resp.body;
    Json body = Json::parse(resp.body);
    EXPECT_TRUE(body["errors"].is_null()) << resp.body;
    return body["response"]["configDetail"]["registrationConfiguration"].get<std::string>();
  }

  registrar::testing::TestDatabase tdb_;
  core::ManualClock clock_{core::from_unix_seconds(1'800'000'000)};
  store::Database db_;
  SyncService service_{db_, clock_, SyncSettings{}};
  http::Router router_;
  std::unique_ptr<registrar::testing::LoopbackServer> server_;
};

// A TPM machine onboarded with its TPMT_PUBLIC (key index over those bytes, as MOSIP), an
// Android machine (its specification's type ANDROID) and a software one: each decrypts its
// answer with its own parameters.
TEST_P(MosipKeyTypesHttpTest, MachinesReceiveAnswersWrappedForTheirKind) {
  put("registration_center_types", {{"code", "REG"}, {"name", "Regular"}, {"langCode", "eng"}});
  put("registration_centers",
      {{"id", "10001"}, {"name", "Centre"}, {"centerTypeCode", "REG"}, {"langCode", "eng"}});
  put("machine_types", {{"code", "ANDROID"}, {"name", "Android tablet"}, {"langCode", "eng"}});
  put("machine_specifications",
      {{"id", "SPEC-A"}, {"name", "Tablet"}, {"machineTypeCode", "ANDROID"}, {"langCode", "eng"}});
  put("configurations", {{"name", "mosip.registration.timeout"}, {"value", "30"}});
  Json tpm = tpm_public_of(rsa_key(0));
  put("machines", {{"id", "M-TPM"},
                   {"name", "tpm-laptop"},
                   {"publicKey", tpm["public"]},
                   {"regCenterId", "10001"}});
  put("machines", {{"id", "M-AND"},
                   {"name", "tablet"},
                   {"publicKey", rsa_key(1).public_key().to_pem()},
                   {"machineSpecId", "SPEC-A"},
                   {"regCenterId", "10001"}});
  put("machines", {{"id", "M-SW"},
                   {"name", "laptop"},
                   {"publicKey", rsa_key(2).public_key().to_pem()},
                   {"regCenterId", "10001"}});
  EXPECT_EQ(service_.machine_by_id("M-TPM")->machine["keyIndex"], tpm["keyIndex"]);

  const std::string tpm_data = configs(tpm["keyIndex"]);
  const std::string android_data = configs("tablet");  // by name: MOSIP's fallback
  const std::string local_data = configs("laptop");
  auto out = decrypt({{{"key", rsa_key(0).to_pem()}, {"data", tpm_data}, {"scheme", "tpm"}},
                      {{"key", rsa_key(1).to_pem()}, {"data", android_data}, {"scheme", "android"}},
                      {{"key", rsa_key(2).to_pem()}, {"data", local_data}, {"scheme", "local"}},
                      {{"key", rsa_key(1).to_pem()}, {"data", android_data}, {"scheme", "local"}}});
  ASSERT_EQ(out.size(), 4u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(Json::parse(out[i], nullptr, false),
              Json::parse(R"({"mosip.registration.timeout": "30"})"))
        << out[i];
  EXPECT_EQ(out[3].rfind("ERROR", 0), 0u) << out[3];
}

INSTANTIATE_TEST_SUITE_P(Backends, MosipKeyTypesHttpTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::sync
