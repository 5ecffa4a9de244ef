// Packages between registrar and an independent peer (intercoop_peer.py: python3-yaml and
// python3-cryptography, written from the spec): Python's packages, signed with Python's key and
// its public key given in either PEM form, verify here; ours verify there; and malformed or
// tampered packages fail with the same error class and arguments on both sides.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "intercoop/package.h"
#include "intercoop/yaml_emit.h"
#include "intercoop/yaml_parse.h"
#include "key_fixture.h"
#include "python_runner.h"
#include "yaml_generator.h"

namespace registrar::intercoop {
namespace {

using testing::same;

std::string peer_script() {
  std::ifstream in(std::string(INTERCOOP_TEST_DIR) + "/intercoop_peer.py");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the peer over `requests`; the first answer line is its public key in both PEM forms.
std::vector<yaml::Value> run_peer(const std::vector<yaml::Value>& requests) {
  std::vector<std::string> lines;
  for (const auto& r : requests) lines.push_back(r.dump(-1, ' ', true));
  std::vector<yaml::Value> answers;
  for (const auto& a : testing::run_python("peer", peer_script(), lines))
    answers.push_back(yaml::Value::parse(a));
  EXPECT_EQ(answers.size(), requests.size() + 1) << "the python peer failed";
  return answers;
}

// Random payload fields as a portal would send: originpeer first, then anything.
std::vector<yaml::Value> random_fields(uint64_t seed, int count) {
  testing::YamlGenerator gen(seed);
  std::vector<yaml::Value> out;
  for (int i = 0; i < count; ++i) {
    yaml::Value fields = {{"originpeer", "somillusio"}};
    yaml::Value more = gen.document();
    if (more.is_object())
      for (auto& [k, v] : more.items())
        if (k != "originpeer") fields[k] = v;
    out.push_back(fields);
  }
  return out;
}

TEST(IntercoopPackagePython, PythonPackagesVerifyHereWithEitherPemForm) {
  ASSERT_TRUE(testing::python_available()) << "python3 with yaml/cryptography missing"
                                           << " (scripts/install-deps.sh installs them)";
  auto fields = random_fields(7, 200);
  std::vector<yaml::Value> requests;
  for (const auto& f : fields) requests.push_back({{"op", "sign"}, {"fields", f}});
  auto answers = run_peer(requests);
  ASSERT_EQ(answers.size(), fields.size() + 1);
  auto spki = parse_peer_key(answers[0]["spki"].get<std::string>());
  auto pkcs1 = parse_peer_key(answers[0]["pkcs1"].get<std::string>());
  ASSERT_TRUE(spki && pkcs1);
  ASSERT_NE(answers[0]["pkcs1"].get<std::string>().find("BEGIN RSA PUBLIC KEY"), std::string::npos);
  int failures = 0;
  for (size_t i = 0; i < fields.size() && failures < 5; ++i) {
    const auto& key = i % 2 ? spki : pkcs1;
    std::string text = answers[i + 1]["package"];
    try {
      ReceivedPackage got = receive_package(text, [&](std::string_view) { return key; });
      // The same values, and the payload bytes are what our emitter writes for them.
      bool ok = same(got.values, fields[i]) && got.payload == yaml::dump(fields[i]);
      EXPECT_TRUE(ok) << "package " << i << ":\n" << text << "\nreads as " << got.values.dump();
      failures += !ok;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "package " << i << " refused: " << e.what() << "\n" << text;
      ++failures;
    }
  }
}

TEST(IntercoopPackagePython, OurPackagesVerifyInPythonWithEitherPemForm) {
  ASSERT_TRUE(testing::python_available()) << "python3 with yaml/cryptography missing"
                                           << " (scripts/install-deps.sh installs them)";
  auto fields = random_fields(8, 200);
  const std::string spki = testing::test_key().public_key().to_pem();
  const std::string pkcs1 = testing::pkcs1_public_pem(testing::test_key().public_key());
  std::vector<yaml::Value> requests;
  for (size_t i = 0; i < fields.size(); ++i) {
    requests.push_back({{"op", "parse"},
                        {"package", make_package(fields[i], testing::test_key())},
                        {"keys", {{"somillusio", i % 2 ? spki : pkcs1}}}});
  }
  auto answers = run_peer(requests);
  ASSERT_EQ(answers.size(), fields.size() + 1);
  int failures = 0;
  for (size_t i = 0; i < fields.size() && failures < 5; ++i) {
    const auto& a = answers[i + 1];
    bool ok = a.contains("values") && same(a["values"], fields[i]);
    EXPECT_TRUE(ok) << "package " << i << ":\n"
                    << requests[i]["package"].get<std::string>() << "\npython: " << a.dump();
    failures += !ok;
  }
}

TEST(IntercoopPackagePython, BothSidesRefuseTheSamePackagesTheSameWay) {
  ASSERT_TRUE(testing::python_available()) << "python3 with yaml/cryptography missing"
                                           << " (scripts/install-deps.sh installs them)";
  const auto& key = testing::test_key();
  const std::string payload = "originpeer: somillusio\nnif: 12345678Z\n";
  const std::string p64 = b64encode(payload);
  const std::string s64 = b64encode(sign_payload(payload, key));
  auto pkg = [](const std::string& version, const std::string& p, const std::string& s) {
    return "intercoopVersion: " + version + "\npayload: " + p + "\nsignature: " + s + "\n";
  };
  auto with_payload = [&](const std::string& body) {
    return pkg("'1.0'", b64encode(body), b64encode(sign_payload(body, key)));
  };
  std::string flipped = s64;
  flipped[20] = flipped[20] == 'A' ? 'B' : 'A';
  const std::vector<std::string> packages = {
      pkg("'1.0'", p64, s64),  // good
      "a: [\n",
      "payload: x\n",
      pkg("1.0", p64, s64),
      pkg("'2.0'", p64, s64),
      pkg("", p64, s64),
      "intercoopVersion: '1.0'\n",
      "intercoopVersion: '1.0'\npayload: " + p64 + "\n",
      pkg("'1.0'", "AA", s64),
      pkg("'1.0'", "ABCD", s64),
      pkg("'1.0'", "AAAAA", s64),
      with_payload("originpeer: [\n"),
      with_payload("nif: 12345678Z\n"),
      with_payload("- a list\n"),
      with_payload("originpeer: badpeer\n"),
      pkg("'1.0'", p64, flipped),
      pkg("'1.0'", p64, "AA"),
      pkg("'1.0'", p64, b64encode(sign_payload(payload, testing::other_key()))),
      pkg("'1.0'", b64encode(payload + " "), s64),
      pkg("'1.0'", b64encode("nif: 1\n"), "AA"),
      pkg("'0.9'", "AA", "AA"),
  };
  const std::string spki = key.public_key().to_pem();
  std::vector<yaml::Value> requests;
  for (const auto& p : packages)
    requests.push_back({{"op", "parse"}, {"package", p}, {"keys", {{"somillusio", spki}}}});
  auto answers = run_peer(requests);
  ASSERT_EQ(answers.size(), packages.size() + 1);
  auto ours = [&](const std::string& text) -> yaml::Value {
    try {
      return {{"values", receive_package(text, [&](std::string_view peer) {
                           return peer == "somillusio" ? std::optional(key.public_key())
                                                       : std::nullopt;
                         }).values}};
    } catch (const ProtocolError& e) {
      return {{"error", info(e.error_class()).name},
              {"arguments", e.arguments()},
              {"message", e.what()}};
    }
  };
  size_t refused = 0;
  for (size_t i = 0; i < packages.size(); ++i) {
    yaml::Value theirs = answers[i + 1];
    refused += theirs.contains("error");
    yaml::Value mine = ours(packages[i]);
    std::string context = "package " + std::to_string(i) + ":\n" + packages[i] +
                          "\npython: " + theirs.dump() + "\nours:   " + mine.dump();
    if (theirs.contains("values")) {
      EXPECT_TRUE(mine.contains("values") && same(mine["values"], theirs["values"])) << context;
      continue;
    }
    ASSERT_TRUE(mine.contains("error")) << context;
    EXPECT_EQ(mine["error"], theirs["error"]) << context;
    // YAML errors are each library's own words (spec §7.13); everything else is exact.
    std::string message = theirs["message"];
    bool yaml_words = theirs["error"] == "BadFormat" ||
                      message.rfind("Malformed message: Bad message YAML format", 0) == 0;
    if (!yaml_words) {
      EXPECT_EQ(mine["arguments"], theirs["arguments"]) << context;
      EXPECT_EQ(mine["message"], theirs["message"]) << context;
    }
  }
  EXPECT_EQ(refused, packages.size() - 1) << "all but the first package are bad";
}

}  // namespace
}  // namespace registrar::intercoop
