// The data-source model, pure: every spelling of the registry types, the original's validation
// rules and messages (each naming its field), and the JSON the API shows (never a secret).
#include "dci_client/data_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "core/error.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

SourceInput valid() {
  SourceInput in;
  in.code = "ibr_national";
  in.name = "National IBR";
  in.base_url = "https://ibr.example.org/api";
  in.auth_type = "none";
  in.our_sender_id = "openspp.test";
  return in;
}

TEST(SourcesModel, EverySpellingOfTheRegistryTypesNormalisesToTheSpecsWireValue) {
  struct Case {
    const char* spelling;
    const char* name;
    const char* wire;
  };
  const Case cases[] = {
      {"ibr", "ibr", "ns:org:RegistryType:IBR"},
      {"IBR", "ibr", "ns:org:RegistryType:IBR"},
      {"ns:org:RegistryType:IBR", "ibr", "ns:org:RegistryType:IBR"},
      {"NS:ORG:REGISTRYTYPE:ibr", "ibr", "ns:org:RegistryType:IBR"},
      {"SOCIAL_REGISTRY", "social", "ns:org:RegistryType:Social"},
      {"social", "social", "ns:org:RegistryType:Social"},
      {"ns:org:RegistryType:Social", "social", "ns:org:RegistryType:Social"},
      {"crvs", "crvs", "ns:org:RegistryType:Civil"},
      {"CRVS", "crvs", "ns:org:RegistryType:Civil"},
      {"ns:org:RegistryType:Civil", "crvs", "ns:org:RegistryType:Civil"},
      {"DR", "dr", "ns:org:RegistryType:DR"},
      {"ns:org:RegistryType:DR", "dr", "ns:org:RegistryType:DR"},
      {"DISABILITY_REGISTRY", "dr", "ns:org:RegistryType:DR"},
      {"FR", "fr", "ns:org:RegistryType:FR"},
      {"ns:org:RegistryType:FR", "fr", "ns:org:RegistryType:FR"},
      {"FUNCTIONAL_REGISTRY", "fr", "ns:org:RegistryType:FR"},
  };
  for (const auto& c : cases) {
    auto t = parse_registry_type(c.spelling);
    ASSERT_TRUE(t) << c.spelling;
    EXPECT_EQ(registry_type_name(*t), c.name) << c.spelling;
    EXPECT_EQ(registry_type_wire(*t), c.wire) << c.spelling;
    // The normalised names read back.
    EXPECT_EQ(parse_registry_type(registry_type_name(*t)), t);
    EXPECT_EQ(parse_registry_type(registry_type_wire(*t)), t);
  }
  for (const char* bad : {"", "ibrx", "ns:org:RegistryType:", "registry", "ns:org:QueryType:IBR"})
    EXPECT_FALSE(parse_registry_type(bad)) << bad;
}

TEST(SourcesModel, AValidSourceGetsTheDefaultsOfSection4) {
  DataSource d = validate_source(valid());
  EXPECT_EQ(d.registry_type, RegistryType::kIbr);
  EXPECT_EQ(d.sync_search_endpoint, "/registry/sync/search");
  EXPECT_EQ(d.search_endpoint, "/registry/search");
  EXPECT_EQ(d.subscribe_endpoint, "/registry/subscribe");
  EXPECT_EQ(d.token_endpoint, "/oauth2/client/token");
  EXPECT_EQ(d.timeout, std::chrono::milliseconds(30'000));
  EXPECT_EQ(d.effective_receiver_id(), "https://ibr.example.org/api");
  EXPECT_TRUE(d.verify_tls);
  EXPECT_TRUE(d.active);
  EXPECT_EQ(d.state, SourceState::kDraft);
  // OpenSPP's default authentication is OAuth2.
  SourceInput no_auth = valid();
  no_auth.auth_type = "";
  EXPECT_THROW(validate_source(no_auth), core::Error);
}

// One broken input, the field it must name and a word the original's message contains.
struct Broken {
  const char* what;
  std::function<void(SourceInput&)> change;
  const char* field;
  const char* word;
};

TEST(SourcesModel, EachRuleRefusesWithTheOriginalsMessageAndNamesTheField) {
  const Broken cases[] = {
      {"uppercase code", [](SourceInput& i) { i.code = "MixedCase"; }, "code", "lowercase"},
      {"code with '-'", [](SourceInput& i) { i.code = "bad-code!"; }, "code", "alphanumeric"},
      {"code with space", [](SourceInput& i) { i.code = "a b"; }, "code", "alphanumeric"},
      {"empty code", [](SourceInput& i) { i.code = ""; }, "code", "code"},
      {"no name", [](SourceInput& i) { i.name = ""; }, "name", "name"},
      {"unknown registry type", [](SourceInput& i) { i.registry_type = "banana"; }, "registry_type",
       "registry type"},
      {"no scheme", [](SourceInput& i) { i.base_url = "dci.example.org"; }, "base_url", "http"},
      {"ftp", [](SourceInput& i) { i.base_url = "ftp://dci.example.org"; }, "base_url", "http"},
      {"trailing slash", [](SourceInput& i) { i.base_url = "https://dci.example.org/"; },
       "base_url", "slash"},
      {"endpoint without slash", [](SourceInput& i) { i.search_endpoint = "registry/search"; },
       "search_endpoint", "slash"},
      {"oauth2 without token url",
       [](SourceInput& i) {
         i.auth_type = "oauth2";
         i.oauth2_client_id = "cid";
         i.oauth2_client_secret = "secret";
       },
       "oauth2_token_url", "token url"},
      {"oauth2 token url not http",
       [](SourceInput& i) {
         i.auth_type = "oauth2";
         i.oauth2_token_url = "auth.example.org/token";
         i.oauth2_client_id = "cid";
         i.oauth2_client_secret = "secret";
       },
       "oauth2_token_url", "http"},
      {"oauth2 without client id",
       [](SourceInput& i) {
         i.auth_type = "OAuth2";
         i.oauth2_token_url = "https://auth.example.org/token";
         i.oauth2_client_secret = "secret";
       },
       "oauth2_client_id", "client id"},
      {"oauth2 without client secret",
       [](SourceInput& i) {
         i.auth_type = "oauth2";
         i.oauth2_token_url = "https://auth.example.org/token";
         i.oauth2_client_id = "cid";
       },
       "oauth2_client_secret", "client secret"},
      {"oauth2 with the mask as secret",
       [](SourceInput& i) {
         i.auth_type = "oauth2";
         i.oauth2_token_url = "https://auth.example.org/token";
         i.oauth2_client_id = "cid";
         i.oauth2_client_secret = "********";
       },
       "oauth2_client_secret", "client secret"},
      {"bearer without token", [](SourceInput& i) { i.auth_type = "bearer"; }, "bearer_token",
       "bearer token"},
      {"basic without password",
       [](SourceInput& i) {
         i.auth_type = "basic";
         i.basic_username = "u";
       },
       "basic_password", "password"},
      {"zero timeout", [](SourceInput& i) { i.timeout_seconds = 0; }, "timeout", "positive"},
      {"negative timeout", [](SourceInput& i) { i.timeout_seconds = -5; }, "timeout", "positive"},
      {"zero concurrency", [](SourceInput& i) { i.max_concurrency = 0; }, "max_concurrency",
       "positive"},
      {"authenticated without sender id",
       [](SourceInput& i) {
         i.auth_type = "bearer";
         i.bearer_token = "tok";
         i.our_sender_id = "";
       },
       "our_sender_id", "sender id"},
      {"sender id with '|'", [](SourceInput& i) { i.our_sender_id = "a|b"; }, "our_sender_id",
       "sender id"},
      {"callback not http", [](SourceInput& i) { i.our_callback_uri = "cb"; }, "our_callback_uri",
       "http"},
      {"unknown auth", [](SourceInput& i) { i.auth_type = "kerberos"; }, "auth_type", "none"},
      {"unknown state", [](SourceInput& i) { i.state = "gone"; }, "state", "draft"},
      {"unknown credential location",
       [](SourceInput& i) { i.oauth2_credential_location = "header"; },
       "oauth2_credential_location", "body"},
  };
  for (const auto& c : cases) {
    SourceInput in = valid();
    c.change(in);
    try {
      validate_source(in);
      ADD_FAILURE() << c.what << ": accepted";
    } catch (const core::Error& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument) << c.what;
      EXPECT_EQ(e.field(), c.field) << c.what << ": " << e.what();
      EXPECT_NE(lower(e.what()).find(c.word), std::string::npos)
          << c.what << ": \"" << e.what() << "\" lacks \"" << c.word << "\"";
    }
  }
}

TEST(SourcesModel, WhatTheOriginalAcceptsIsAccepted) {
  const std::function<void(SourceInput&)> accepted[] = {
      [](SourceInput& i) { i.code = "ok_code_123"; },
      [](SourceInput& i) { i.base_url = "http://dci.example.org/api"; },
      [](SourceInput& i) {
        i.auth_type = "oauth2";
        i.oauth2_token_url = "https://auth.example.org/token";
        i.oauth2_client_id = "cid";
        i.oauth2_client_secret = "secret";
        i.oauth2_credential_location = "query";
      },
      [](SourceInput& i) {
        i.auth_type = "bearer";
        i.bearer_token = "tok";
      },
      [](SourceInput& i) {
        i.auth_type = "basic";
        i.basic_username = "user";
        i.basic_password = "pw";
      },
      [](SourceInput& i) { i.timeout_seconds = 30; },
      [](SourceInput& i) { i.timeout_seconds = 0.25; },
      // A sender id is not needed without authentication.
      [](SourceInput& i) { i.our_sender_id = ""; },
      [](SourceInput& i) { i.registry_type = "ns:org:RegistryType:Civil"; },
  };
  for (const auto& change : accepted) {
    SourceInput in = valid();
    change(in);
    EXPECT_NO_THROW(validate_source(in));
  }
}

TEST(SourcesModel, AReplacementKeepsTheSecretsItLeavesOutAndClearsWithEmpty) {
  SourceInput in = valid();
  in.auth_type = "oauth2";
  in.oauth2_token_url = "https://auth.example.org/token";
  in.oauth2_client_id = "cid";
  SourceSecrets kept{"old-bearer", "", "old-secret"};
  EXPECT_EQ(validate_source(in, &kept).secrets.oauth2_client_secret, "old-secret");
  in.oauth2_client_secret = "********";  // OpenSPP's mask means unchanged
  EXPECT_EQ(validate_source(in, &kept).secrets.oauth2_client_secret, "old-secret");
  in.oauth2_client_secret = "new-secret";
  EXPECT_EQ(validate_source(in, &kept).secrets.oauth2_client_secret, "new-secret");
  in.bearer_token = "";
  EXPECT_EQ(validate_source(in, &kept).secrets.bearer_token, "");
  in.oauth2_client_secret = "";
  EXPECT_THROW(validate_source(in, &kept), core::Error);
}

TEST(SourcesModel, TheJsonShowsWhetherASecretIsSetNeverItsValue) {
  SourceInput in = valid();
  in.auth_type = "oauth2";
  in.oauth2_token_url = "https://auth.example.org/token";
  in.oauth2_client_id = "cid";
  in.oauth2_client_secret = "s3cr3t-value";
  in.bearer_token = "b34rer-value";
  in.registry_type = "IBR";
  Json j = source_to_json(validate_source(in));
  std::string text = j.dump();
  EXPECT_EQ(text.find("s3cr3t-value"), std::string::npos);
  EXPECT_EQ(text.find("b34rer-value"), std::string::npos);
  EXPECT_EQ(j["oauth2_client_secret_set"], true);
  EXPECT_EQ(j["bearer_token_set"], true);
  EXPECT_EQ(j["basic_password_set"], false);
  EXPECT_EQ(j["registry_type"], "ibr");
  EXPECT_EQ(j["reg_type"], "ns:org:RegistryType:IBR");
  EXPECT_EQ(j["timeout"], 30.0);
  // What the API shows reads back as the same source (the secrets aside).
  SourceSecrets kept{"", "", "s3cr3t-value"};
  DataSource again = validate_source(source_input_from_json(j), &kept);
  EXPECT_EQ(source_to_json(again)["base_url"], j["base_url"]);
}

TEST(SourcesModel, TheBodyIsReadStrictly) {
  EXPECT_THROW(source_input_from_json(Json::array()), core::Error);
  try {
    source_input_from_json({{"code", 5}});
    ADD_FAILURE();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.field(), "code");
  }
  try {
    source_input_from_json({{"base_ulr", "https://x"}});
    ADD_FAILURE();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.field(), "base_ulr");
  }
  try {
    source_input_from_json({{"timeout", "30"}});
    ADD_FAILURE();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.field(), "timeout");
    EXPECT_NE(lower(e.what()).find("positive"), std::string::npos);
  }
  SourceInput in = source_input_from_json(
      {{"code", "x"}, {"timeout", 2.5}, {"verify_tls", false}, {"bearer_token", nullptr}});
  EXPECT_EQ(in.timeout_seconds, 2.5);
  EXPECT_FALSE(in.verify_tls);
  EXPECT_FALSE(in.bearer_token.has_value());
}

}  // namespace
}  // namespace registrar::dci_client
