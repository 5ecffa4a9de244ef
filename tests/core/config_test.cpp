#include "core/config.h"

#include <gtest/gtest.h>

namespace registrar::core {
namespace {

ConfigSchema schema() {
  ConfigSchema s;
  s.add_string("server.listen", "127.0.0.1:8080", "listen address");
  s.add_int("server.io_threads", 1, "threads", 1, 64);
  s.add_bool("server.access_log", true, "access log");
  s.add_list("ids.restricted", {"1234"}, "restricted numbers");
  s.add_json("identity.issuers", Json::array(), "trusted issuers");
  s.add_secret("identity.master_key", "key");
  return s;
}

bool mentions(const ConfigError& e, const std::string& text) {
  for (auto& p : e.problems())
    if (p.find(text) != std::string::npos) return true;
  return false;
}

TEST(Config, DefaultsApplyWhenNothingIsSet) {
  Config c = Config::from_toml(schema(), "");
  EXPECT_EQ(c.str("server.listen"), "127.0.0.1:8080");
  EXPECT_EQ(c.integer("server.io_threads"), 1);
  EXPECT_TRUE(c.boolean("server.access_log"));
  EXPECT_EQ(c.list("ids.restricted"), std::vector<std::string>{"1234"});
  EXPECT_EQ(c.source("server.listen"), "default");
}

TEST(Config, FileValuesOverrideDefaultsAndEnvOverridesFile) {
  Config c = Config::from_toml(schema(),
                               "[server]\nlisten = \"0.0.0.0:9000\"\nio_threads = 4\n"
                               "[ids]\nrestricted = [\"1\", \"2\"]\n"
                               "[[identity.issuers]]\nissuer = \"a\"\njwks_url = \"http://x\"\n",
                               {{"REGISTRAR_SERVER_IO_THREADS", "8"}});
  EXPECT_EQ(c.str("server.listen"), "0.0.0.0:9000");
  EXPECT_EQ(c.source("server.listen"), "file");
  EXPECT_EQ(c.integer("server.io_threads"), 8);
  EXPECT_EQ(c.source("server.io_threads"), "env");
  EXPECT_EQ(c.list("ids.restricted").size(), 2u);
  ASSERT_TRUE(c.json("identity.issuers").is_array());
  EXPECT_EQ(c.json("identity.issuers")[0]["issuer"], "a");
}

TEST(Config, ReportsEveryProblemWithItsKey) {
  try {
    Config::from_toml(schema(),
                      "[server]\nlisen = \"x\"\nio_threads = \"four\"\naccess_log = 1\n"
                      "[nope]\nx = 1\n",
                      {{"REGISTRAR_SERVER_IO_THREAD", "2"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(mentions(e, "server.lisen: unknown key"));
    EXPECT_TRUE(mentions(e, "server.io_threads: must be an integer"));
    EXPECT_TRUE(mentions(e, "server.access_log: must be a boolean"));
    EXPECT_TRUE(mentions(e, "nope: unknown key"));
    EXPECT_TRUE(mentions(e, "REGISTRAR_SERVER_IO_THREAD: unknown environment variable"));
    EXPECT_EQ(e.problems().size(), 5u);
  }
}

TEST(Config, RangeChecksNameTheKey) {
  try {
    Config::from_toml(schema(), "[server]\nio_threads = 0\n");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_TRUE(mentions(e, "server.io_threads: must be between 1 and 64"));
  }
}

TEST(Config, BadEnvValueNamesKeyAndVariable) {
  try {
    Config::from_toml(schema(), "", {{"REGISTRAR_SERVER_ACCESS_LOG", "maybe"}});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_TRUE(mentions(e, "server.access_log (from REGISTRAR_SERVER_ACCESS_LOG)"));
  }
}

TEST(Config, SyntaxErrorsGiveLineAndColumn) {
  try {
    Config::from_toml(schema(), "[server]\nlisten = \n");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_TRUE(mentions(e, "line 2"));
  }
}

TEST(Config, EnvListsAreCommaSeparatedAndJsonIsParsed) {
  Config c = Config::from_toml(schema(), "",
                               {{"REGISTRAR_IDS_RESTRICTED", "1,22,333"},
                                {"REGISTRAR_IDENTITY_ISSUERS", R"([{"issuer":"b"}])"}});
  EXPECT_EQ(c.list("ids.restricted"), (std::vector<std::string>{"1", "22", "333"}));
  EXPECT_EQ(c.json("identity.issuers")[0]["issuer"], "b");
}

TEST(Config, SecretsAreRedactedInDescribe) {
  ConfigSchema s = schema();
  Config c = Config::from_toml(s, "[identity]\nmaster_key = \"hunter2\"\n");
  std::string shown = c.describe(s).dump();
  EXPECT_EQ(shown.find("hunter2"), std::string::npos);
  EXPECT_NE(shown.find("(set)"), std::string::npos);
}

TEST(Config, TestHarnessVariablesAreIgnored) {
  EXPECT_NO_THROW(
      Config::from_toml(schema(), "", {{"REGISTRAR_TEST_PG_URL", "x"}, {"REGISTRAR_CONFIG", "y"}}));
}

TEST(Config, EnvNameMapping) {
  EXPECT_EQ(env_name("server.io_threads"), "REGISTRAR_SERVER_IO_THREADS");
}

}  // namespace
}  // namespace registrar::core
