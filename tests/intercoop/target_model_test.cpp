// The target side's pure rules: §4.1 descriptors in and out, the service's required fields and
// allowed peers (§3.1a step 9), tokens anchored at both ends (§7.14), the continuation URL and
// the page's escaping.
#include "intercoop/target_model.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "intercoop/continuation_page.h"
#include "intercoop/yaml_emit.h"
#include "intercoop/yaml_parse.h"
#include "key_fixture.h"
#include "support/refusal.h"

namespace registrar::intercoop {
namespace {

using testing::pkcs1_public_pem;
using testing::test_key;

yaml::Value descriptor() {
  yaml::Value d = yaml::Value::object();
  d["intercoopVersion"] = "1.0";
  d["peerVersion"] = 3;
  d["peerid"] = "somacme";
  d["name"] = "Som Acme";
  d["logo"] = "https://somacme.coop/logo.png";
  d["description"] = {{"es", "Acme"}, {"ca", "Acme cat"}};
  d["url"] = "https://somacme.coop";
  d["targetUrl"] = "https://api.somacme.coop/intercoop";
  d["services"] = {{"contract", {{"name", "Contrato"}}}};
  d["publickey"] = test_key().public_key().to_pem();
  return d;
}

std::string refusal(const yaml::Value& d) {
  return registrar::testing::refused_field([&] { peer_from_descriptor(d); });
}

TEST(DescriptorTest, ReadsTheSchemaKeysAndKeepsTheRest) {
  Peer p = peer_from_descriptor(descriptor());
  EXPECT_EQ(p.id, "somacme");
  EXPECT_EQ(p.name, "Som Acme");
  EXPECT_EQ(p.description["ca"], "Acme cat");
  EXPECT_EQ(p.url, "https://somacme.coop");
  EXPECT_EQ(p.target_url, "https://api.somacme.coop/intercoop");
  EXPECT_EQ(p.versions, std::vector<std::string>{"1.0"});
  EXPECT_TRUE(p.active);
  // Export gives back what was imported, key order included.
  EXPECT_EQ(yaml::dump(descriptor_of(p)), yaml::dump(descriptor()));
}

TEST(DescriptorTest, APkcs1KeyIsAccepted) {
  yaml::Value d = descriptor();
  d["publickey"] = pkcs1_public_pem(test_key().public_key());
  EXPECT_EQ(refusal(d), registrar::testing::kAccepted);
}

TEST(DescriptorTest, RefusesWhatAKeyRingCouldNotUse) {
  auto without = [](const char* key) {
    yaml::Value d = descriptor();
    d.erase(key);
    return d;
  };
  EXPECT_EQ(refusal(without("publickey")), "publickey");
  EXPECT_EQ(refusal(without("peerid")), "peerid");
  EXPECT_EQ(refusal(without("name")), "name");
  EXPECT_EQ(refusal(without("intercoopVersion")), "intercoopVersion");
  yaml::Value d = descriptor();
  d["intercoopVersion"] = 1.0;  // an unquoted 1.0 is a float, not the version string
  EXPECT_EQ(refusal(d), "intercoopVersion");
  d = descriptor();
  d["publickey"] = "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n";
  EXPECT_EQ(refusal(d), "publickey");
  d = descriptor();
  d["peerid"] = "../etc";
  EXPECT_EQ(refusal(d), "peerid");
  d = descriptor();
  d["description"] = {{"es", 3}};
  EXPECT_EQ(refusal(d), "description.es");
  EXPECT_THROW(peer_from_descriptor(yaml::Value("text")), core::Error);
}

// intercoop 2.0: `intercoopVersions` and `publickeyEd25519` (docs/intercoop.md).
TEST(DescriptorTest, VersionsAndTheEd25519KeyComeInAndGoOut) {
  const auto ed = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  yaml::Value d = descriptor();
  EXPECT_EQ(peer_from_descriptor(d).versions, std::vector<std::string>{"1.0"});
  d["intercoopVersions"] = {"1.0", "2.0"};
  d["publickeyEd25519"] = ed.public_key().to_pem();
  Peer p = peer_from_descriptor(d);
  EXPECT_EQ(p.versions, (std::vector<std::string>{"1.0", "2.0"}));
  EXPECT_EQ(p.ed25519_key_pem, ed.public_key().to_pem());
  EXPECT_EQ(descriptor_of(p), d);
  // 2.0 only: no RSA key needed, and none exported.
  d["intercoopVersions"] = {"2.0"};
  d.erase("publickey");
  p = peer_from_descriptor(d);
  EXPECT_EQ(p.public_key_pem, "");
  EXPECT_FALSE(descriptor_of(p).contains("publickey"));
  auto refused = [](const yaml::Value& bad, const std::string& field) {
    try {
      peer_from_descriptor(bad);
      ADD_FAILURE() << bad.dump();
    } catch (const core::Error& e) {
      EXPECT_EQ(e.field(), field) << e.what();
    }
  };
  yaml::Value bad = d;
  bad.erase("publickeyEd25519");
  refused(bad, "publickeyEd25519");
  bad = d;
  bad["publickeyEd25519"] = test_key().public_key().to_pem();  // RSA where Ed25519 belongs
  refused(bad, "publickeyEd25519");
  bad = d;
  bad["intercoopVersions"] = {"1.0"};  // 1.0 without its RSA key
  refused(bad, "publickey");
  for (yaml::Value versions :
       {yaml::Value{"2.0", "2.0"}, yaml::Value{"3.0"}, yaml::Value::array(), yaml::Value("2.0")}) {
    bad = d;
    bad["intercoopVersions"] = versions;
    refused(bad, "intercoopVersions");
  }
}

TEST(DescriptorTest, AHandAddedPeerExportsAMinimalDescriptor) {
  Peer p;
  p.id = "handmade";
  p.name = "Hand Made";
  p.public_key_pem = test_key().public_key().to_pem();
  p.description = "";
  p.url = "";
  std::string text = yaml::dump(descriptor_of(p));
  EXPECT_EQ(text.rfind("intercoopVersion: '1.0'\npeerVersion: 1\npeerid: handmade\n"
                       "name: Hand Made\npublickey: |\n  -----BEGIN PUBLIC KEY-----\n",
                       0),
            0u)
      << text;
  yaml::Value d = yaml::load(text);
  EXPECT_EQ(d["publickey"], p.public_key_pem);
  EXPECT_EQ(peer_from_descriptor(yaml::load(yaml::dump(d))).id, "handmade");
}

TEST(ServiceRulesTest, RequiredFieldsInTheServicesOrder) {
  Service s;
  s.fields = {"originpeer", "nif", "name"};
  yaml::Value payload = yaml::load("originpeer: a\nname: N\n");
  EXPECT_EQ(missing_field(payload, s), "nif");
  payload = yaml::load("originpeer: a\nname: N\nnif:\n");  // null is present, as Python's `in`
  EXPECT_EQ(missing_field(payload, s), std::nullopt);
  s.fields = {};
  EXPECT_EQ(missing_field(payload, s), std::nullopt);
}

TEST(ServiceRulesTest, AllowedPeers) {
  Service s;
  EXPECT_TRUE(peer_allowed(s, "anyone"));
  s.peers = {"a", "b"};
  EXPECT_TRUE(peer_allowed(s, "b"));
  EXPECT_FALSE(peer_allowed(s, "c"));
  EXPECT_FALSE(peer_allowed(s, ""));
}

TEST(NamesTest, TokensAreUuid4AnchoredAtBothEnds) {
  EXPECT_TRUE(valid_token("0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_FALSE(valid_token("0f8fad5b-d9cb-469f-a165-70867728950e.yaml"));
  EXPECT_FALSE(valid_token("x0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_FALSE(valid_token("0F8FAD5B-D9CB-469F-A165-70867728950E"));
  EXPECT_FALSE(valid_token("0f8fad5b-d9cb-369f-a165-70867728950e"));  // not version 4
  EXPECT_FALSE(valid_token(""));
  EXPECT_TRUE(valid_peer_id("som_energia2"));
  EXPECT_FALSE(valid_peer_id("som-energia"));
  EXPECT_FALSE(valid_peer_id(std::string(65, 'a')));
  EXPECT_TRUE(valid_service_name("contrataluz"));
  EXPECT_FALSE(valid_service_name("Contrata"));
  EXPECT_FALSE(valid_service_name(""));
}

TEST(ContinuationTest, TemplateOrOwnPage) {
  EXPECT_EQ(continuation_url("", "http://h:1", "u-1"), "http://h:1/intercoop/continuation/u-1");
  EXPECT_EQ(continuation_url("https://somacme.coop/contract?token={uuid}", "x", "u-1"),
            "https://somacme.coop/contract?token=u-1");
  EXPECT_EQ(continuation_url("/a/{uuid}/b/{uuid}", "x", "u"), "/a/u/b/u");
}

TEST(ContinuationTest, ThePageEscapesEveryValue) {
  Transfer t;
  t.peer = "p<1>";
  t.service = "s";
  t.data = yaml::load(
      "originpeer: p\nname: \"<script>alert('x')</script> & co\"\nemail: [a@b.c, d@e.f]\n"
      "proxynif:\ninnerid: 666\n\"<k>\": v\n");
  std::string html = transfer_page(t);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"),
            std::string::npos);
  EXPECT_NE(html.find("<ul><li>a@b.c</li><li>d@e.f</li></ul>"), std::string::npos);
  EXPECT_NE(html.find(">---<"), std::string::npos);
  EXPECT_NE(html.find(">666<"), std::string::npos);
  EXPECT_NE(html.find("&lt;k&gt;"), std::string::npos);
  EXPECT_NE(html.find("p&lt;1&gt;"), std::string::npos);
}

// The member's language: the transfer's `lang` when it is one of ours, else the browser's
// heaviest Accept-Language entry that is, else English.
TEST(ContinuationTest, ThePageLanguageIsTheMembersThenTheBrowsers) {
  auto data = [](const char* text) { return yaml::load(text); };
  auto es = data("originpeer: p\nlang: es\n");
  auto ca_upper = data("originpeer: p\nlang: CA\n");
  auto german = data("originpeer: p\nlang: de\n");
  auto none = data("originpeer: p\n");
  EXPECT_EQ(page_language(&es, "ca,en"), "es");
  EXPECT_EQ(page_language(&ca_upper, ""), "ca");
  EXPECT_EQ(page_language(&german, "ca-ES,ca;q=0.9"), "ca");
  EXPECT_EQ(page_language(&none, "de-DE,de;q=0.9,es;q=0.8,en;q=0.7"), "es");
  EXPECT_EQ(page_language(nullptr, "en;q=0.5, es;q=0.8"), "es") << "by weight, not order";
  EXPECT_EQ(page_language(nullptr, "es;q=0, ca;q=0.1"), "ca") << "q=0 is refused";
  EXPECT_EQ(page_language(nullptr, "es;q=x, fr"), "en") << "unreadable weight; French not ours";
  EXPECT_EQ(page_language(nullptr, ""), "en");
  EXPECT_EQ(page_language(nullptr, "*"), "en");
}

TEST(ContinuationTest, EveryPageSpeaksTheLanguageAskedAndDeclaresIt) {
  Transfer t;
  t.peer = "somillusio";
  t.service = "contract";
  t.data = yaml::load("originpeer: somillusio\nnif: 12345678Z\n");
  std::string es = transfer_page(t, "es");
  EXPECT_NE(es.find("<html lang=\"es\">"), std::string::npos) << es;
  EXPECT_NE(es.find("<h1>Datos recibidos</h1>"), std::string::npos) << es;
  EXPECT_NE(es.find("de <b>somillusio</b> para el servicio <b>contract</b>:"), std::string::npos)
      << es;
  EXPECT_NE(es.find(">12345678Z<"), std::string::npos);
  std::string ca = transfer_page(t, "ca");
  EXPECT_NE(ca.find("<html lang=\"ca\">"), std::string::npos) << ca;
  EXPECT_NE(ca.find("<h1>Dades rebudes</h1>"), std::string::npos) << ca;
  EXPECT_NE(transfer_page(t).find("<h1>Data received</h1>"), std::string::npos);
  EXPECT_NE(used_page("ca").find("<h1>Enllaç ja utilitzat</h1>"), std::string::npos);
  EXPECT_NE(used_page("es").find("ya se ha utilizado"), std::string::npos);
  EXPECT_NE(not_found_page("es").find("<h1>Enlace no válido</h1>"), std::string::npos);
  EXPECT_NE(not_found_page("ca").find("no existeix o ha caducat"), std::string::npos);
  std::string other = not_found_page("de");
  EXPECT_NE(other.find("<html lang=\"en\">"), std::string::npos) << other;
  EXPECT_NE(other.find("unknown or has expired"), std::string::npos) << other;
}

}  // namespace
}  // namespace registrar::intercoop
