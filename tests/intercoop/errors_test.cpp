#include "intercoop/errors.h"

#include <gtest/gtest.h>

#include "intercoop/yaml_parse.h"

namespace registrar::intercoop {
namespace {

TEST(IntercoopErrors, EachClassHasTheSpecNameStatusAndMessage) {
  struct Case {
    ErrorClass error;
    std::vector<std::string> args;
    const char* name;
    int status;
    const char* message;
  };
  const Case cases[] = {
      {ErrorClass::kBadPeer,
       {"badpeer"},
       "BadPeer",
       403,
       "The entity 'badpeer' is not a recognized one"},
      {ErrorClass::kBadSignature,
       {},
       "BadSignature",
       403,
       "Signature verification failed, untrusted content"},
      {ErrorClass::kNoSuchUuid,
       {"u"},
       "NoSuchUuid",
       404,
       "No personal data available for uuid 'u'"},
      {ErrorClass::kMissingField,
       {"originpeer"},
       "MissingField",
       400,
       "Required field 'originpeer' missing on the payload"},
      {ErrorClass::kBadFormat,
       {"oops"},
       "BadFormat",
       400,
       "Error while parsing message as YAML:\noops"},
      {ErrorClass::kBadMessage,
       {"missing payload"},
       "BadMessage",
       400,
       "Malformed message: missing payload"},
      {ErrorClass::kWrongVersion,
       {"1.0", "2.0"},
       "WrongVersion",
       400,
       "Wrong protocol version, expected 1.0, received 2.0"},
      {ErrorClass::kBackendError,
       {"x"},
       "BackendError",
       0,
       "Error comunicating with the other entity\nx"},
      // intercoop 2.0's own classes (hardened.h).
      {ErrorClass::kWrongTarget,
       {"other", "contract"},
       "WrongTarget",
       403,
       "Message addressed to peer 'other' for service 'contract', not to this one"},
      {ErrorClass::kExpiredMessage,
       {"100", "400", "500"},
       "ExpiredMessage",
       403,
       "Message valid from 100 to 400, not at 500"},
      {ErrorClass::kReplayedMessage,
       {"n0nce", "somillusio"},
       "ReplayedMessage",
       409,
       "Message 'n0nce' from 'somillusio' was already received"},
      // A service's rules (service_rules.h).
      {ErrorClass::kNotAvailable,
       {"contract", "postalcode", "28001"},
       "NotAvailable",
       403,
       "Service 'contract' is not available for postalcode '28001'"},
      {ErrorClass::kLimitReached,
       {"contract", "2", "member", "86400"},
       "LimitReached",
       429,
       "Service 'contract' accepts at most 2 transfers per member every 86400 s"},
  };
  for (const auto& c : cases) {
    ProtocolError e(c.error, c.args);
    EXPECT_EQ(info(c.error).name, c.name);
    EXPECT_EQ(e.http_status(), c.status) << c.name;
    EXPECT_EQ(std::string(e.what()), c.message);
    EXPECT_EQ(info(c.error).arguments, c.args.size()) << c.name;
    EXPECT_EQ(error_class_named(c.name), c.error);
  }
  EXPECT_EQ(error_class_named("KeyError"), std::nullopt);
}

TEST(IntercoopErrors, BodyIsTheSpecYamlAndReadsBack) {
  ProtocolError e(ErrorClass::kBadPeer, {"badpeer"});
  EXPECT_EQ(error_body_yaml(e),
            "error: BadPeer\nmessage: The entity 'badpeer' is not a recognized one\narguments:\n"
            "- badpeer\n");
  EXPECT_EQ(error_body_yaml(ProtocolError(ErrorClass::kBadSignature, {})),
            "error: BadSignature\nmessage: Signature verification failed, untrusted content\n"
            "arguments: []\n");
  auto back = error_from_body(yaml::load(error_body_yaml(e)));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->error_class(), ErrorClass::kBadPeer);
  EXPECT_EQ(back->arguments(), std::vector<std::string>{"badpeer"});
  EXPECT_STREQ(back->what(), e.what());
  // A multi-line message is written literally and still reads back.
  ProtocolError format(ErrorClass::kBadFormat, {"line 1\nline 2"});
  EXPECT_EQ(yaml::load(error_body_yaml(format))["message"], format.what());
  EXPECT_FALSE(error_from_body(yaml::load("error: Unknown\narguments: []\n")));
  EXPECT_FALSE(error_from_body(yaml::load("message: no class\n")));
}

TEST(IntercoopErrors, ShortArgumentListsNeverCrash) {
  EXPECT_EQ(format_message(ErrorClass::kWrongVersion, {"1.0"}),
            "Wrong protocol version, expected 1.0, received ");
  EXPECT_EQ(python_str(yaml::load("v: 1.0\n")["v"]), "1.0");
  EXPECT_EQ(python_str(yaml::load("v: ~\n")["v"]), "None");
  EXPECT_EQ(python_str(yaml::Value(1e16)), "1e+16");  // repr, not YAML's 1.0e+16
  EXPECT_EQ(python_str(yaml::load("v: yes\n")["v"]), "True");
}

}  // namespace
}  // namespace registrar::intercoop
