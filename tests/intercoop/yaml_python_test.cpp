// The YAML dialect against PyYAML itself (/usr/bin/python3, python3-yaml): for thousands of
// generated documents, Python reads our text to the same values, Python's own dump (SafeDumper
// with the original's options and yamlns' literal style) is byte for byte our dump, and we read
// Python's dump to the same values. A second test gives both readers random plain scalars, where
// YAML 1.1 typing lives. The seed is fixed and printed on failure; REGISTRAR_INTERCOOP_SEED
// overrides it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <optional>

#include "core/base64.h"
#include "intercoop/yaml_emit.h"
#include "intercoop/yaml_parse.h"
#include "python_runner.h"
#include "yaml_generator.h"

namespace registrar::intercoop {
namespace {

using testing::kPython;
using testing::same;

uint64_t seed() {
  if (const char* s = std::getenv("REGISTRAR_INTERCOOP_SEED")) return std::strtoull(s, nullptr, 10);
  return 20261202;
}

std::string unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += char(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

// In: {"value": <JSON>, "yaml": <hex of our dump>}. Out: {"loaded": Python's reading of our dump,
// "dumped": hex of Python's dump of the value}. Dates would come back tagged, never as strings.
constexpr const char* kRoundTripScript = R"PY(
import json, sys, yaml

class Dumper(yaml.SafeDumper):
    pass

def represent_str(dumper, s):  # yamlns >= 0.9: literal style for multi-line strings
    return dumper.represent_scalar('tag:yaml.org,2002:str', s, style='|' if '\n' in s else None)

Dumper.add_representer(str, represent_str)

def tagged(o):
    return {"__type__": type(o).__name__, "text": str(o)}

out = open(sys.argv[2], "w", encoding="ascii")
for line in open(sys.argv[1], encoding="ascii"):
    case = json.loads(line)
    try:
        loaded = yaml.safe_load(bytes.fromhex(case["yaml"]).decode("utf-8"))
    except Exception as e:
        loaded = {"__error__": str(e)}
    dumped = yaml.dump(case["value"], Dumper=Dumper, default_flow_style=False,
                       allow_unicode=True, sort_keys=False)
    out.write(json.dumps({"loaded": loaded, "dumped": dumped.encode("utf-8").hex()},
                         default=tagged) + "\n")
)PY";

TEST(IntercoopYamlPython, GeneratedDocumentsRoundTripBothWaysAndDumpIdentically) {
  ASSERT_TRUE(testing::python_available()) << kPython << " with yaml/cryptography missing"
                                           << " (scripts/install-deps.sh installs them)";
  uint64_t s = seed();
  testing::YamlGenerator gen(s);
  std::vector<yaml::Value> values;
  std::vector<std::string> ours, lines;
  for (int i = 0; i < 3000; ++i) {
    values.push_back(gen.document());
    ours.push_back(yaml::dump(values.back()));
    yaml::Value line = {{"value", values.back()}, {"yaml", core::hex_encode(ours.back())}};
    lines.push_back(line.dump(-1, ' ', true));
  }
  auto answers = testing::run_python("yaml_roundtrip", kRoundTripScript, lines);
  ASSERT_EQ(answers.size(), values.size()) << "python failed; seed " << s;
  int failures = 0;
  for (size_t i = 0; i < values.size() && failures < 5; ++i) {
    auto answer = yaml::Value::parse(answers[i]);
    std::string theirs = unhex(answer["dumped"].get<std::string>());
    std::string context = "seed " + std::to_string(s) + ", document " + std::to_string(i) +
                          "\nvalue: " + values[i].dump() + "\nours:\n" + ours[i];
    bool ok = true;
    if (!same(answer["loaded"], values[i])) {
      ok = false;
      ADD_FAILURE() << context << "\npython read our text as " << answer["loaded"].dump();
    }
    if (theirs != ours[i]) {
      ok = false;
      ADD_FAILURE() << context << "\npython dumps:\n" << theirs;
    }
    try {
      auto back = yaml::load(theirs);
      if (!same(back, values[i])) {
        ok = false;
        ADD_FAILURE() << context << "\nwe read python's dump as " << back.dump();
      }
    } catch (const std::exception& e) {
      ok = false;
      ADD_FAILURE() << context << "\nwe cannot read python's dump: " << e.what();
    }
    failures += !ok;
  }
}

// In: hex of a document `k: <plain scalar>`. Out: {"v": value} or {"error": ...}; dates and
// datetimes come back as {"__timestamp__": ...}.
constexpr const char* kPlainScript = R"PY(
import datetime, json, math, sys, yaml

def plain(v):  # JSON has no inf / nan
    if isinstance(v, float) and not math.isfinite(v):
        return {"__float__": repr(v)}
    return v

def tagged(o):
    if isinstance(o, (datetime.date, datetime.datetime)):
        return {"__timestamp__": str(o)}
    return {"__type__": type(o).__name__}

out = open(sys.argv[2], "w", encoding="ascii")
for line in open(sys.argv[1], encoding="ascii"):
    try:
        doc = yaml.safe_load(bytes.fromhex(line.strip()).decode("utf-8"))
        out.write(json.dumps({"v": plain(doc["k"])}, default=tagged) + "\n")
    except Exception as e:
        out.write(json.dumps({"error": type(e).__name__}) + "\n")
)PY";

TEST(IntercoopYamlPython, PlainScalarsAreTypedAsPyYamlTypesThem) {
  ASSERT_TRUE(testing::python_available()) << kPython << " with yaml/cryptography missing"
                                           << " (scripts/install-deps.sh installs them)";
  uint64_t s = seed() + 1;
  std::mt19937_64 rng(s);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  // Number-like texts built from the pieces the 1.1 patterns look at, bool-like words in random
  // case, and random strings over the same alphabet.
  auto digits = [&](const char* set) {
    std::string d;
    for (size_t n = 1 + pick(4); n > 0; --n) d += pick(6) == 0 ? '_' : set[pick(std::strlen(set))];
    return d;
  };
  auto number = [&] {
    static const char* kSigns[] = {"", "", "-", "+"};
    std::string t = kSigns[pick(4)];
    switch (pick(8)) {
      case 0:
        return t + "0x" + digits("0123456789abcdefABCDEF");
      case 1:
        return t + "0b" + digits("01");
      case 2:
        return t + "0" + digits("01234567");
      case 3:
        return t + (pick(2) ? ".inf" : ".nan");
      default:
        break;
    }
    t += digits("0123456789");
    for (size_t n = pick(3) == 0 ? 1 + pick(3) : 0; n > 0; --n) t += ":" + std::to_string(pick(70));
    if (pick(2)) t += "." + (pick(3) ? digits("0123456789") : "");
    if (pick(3) == 0)
      t += std::string(pick(2) ? "e" : "E") + "-+"[pick(2)] + std::to_string(pick(400));
    return t;
  };
  static const std::vector<std::string> kWords = {"yes",  "no", "on", "off", "true", "false",
                                                  "null", "y",  "n",  "nan", "inf"};
  static const std::string kAlphabet = "0000111789_:.-+eEbxXoaAfFyYnNtTrRuUlLsSiI~";
  std::vector<std::string> texts = testing::tricky_scalars();
  for (int i = 0; i < 6000; ++i) {
    std::string t;
    switch (pick(4)) {
      case 0:
      case 1:
        t = number();
        break;
      case 2:
        t = kWords[pick(kWords.size())];
        for (char& c : t)
          if (pick(3) == 0) c = char(std::toupper(c));
        if (pick(2)) t = std::string(1, char(std::toupper(t[0]))) + t.substr(1);
        break;
      default:
        for (size_t n = 1 + pick(7); n > 0; --n) t += kAlphabet[pick(kAlphabet.size())];
    }
    texts.push_back(t);
  }
  std::vector<std::string> lines;
  for (const auto& t : texts) lines.push_back(core::hex_encode("k: " + t + "\n"));
  auto answers = testing::run_python("yaml_plain", kPlainScript, lines);
  ASSERT_EQ(answers.size(), texts.size()) << "python failed; seed " << s;
  int failures = 0, typed = 0;
  for (size_t i = 0; i < texts.size() && failures < 10; ++i) {
    auto answer = yaml::Value::parse(answers[i]);
    std::string doc = "k: " + texts[i] + "\n";
    std::string mine;
    yaml::Value value;
    try {
      value = yaml::load(doc)["k"];
    } catch (const std::exception& e) {
      mine = e.what();
    }
    bool ok;
    if (answer.contains("error")) {
      ok = !mine.empty();  // refused by both
    } else if (!mine.empty()) {
      ok = false;
    } else if (answer["v"].is_object() && answer["v"].contains("__float__")) {
      std::string f = answer["v"]["__float__"];
      ok = value.is_number_float() &&
           (f == "nan" ? std::isnan(value.get<double>())
                       : value.get<double>() == (f == "inf" ? HUGE_VAL : -HUGE_VAL));
    } else if (answer["v"].is_object() && answer["v"].contains("__timestamp__")) {
      ok = value.is_string() && yaml::resolve_plain(texts[i]) == yaml::ScalarType::kTimestamp;
    } else {
      ok = same(value, answer["v"]);
    }
    typed += !answer.contains("error") && !answer["v"].is_string();
    if (!ok) {
      ++failures;
      ADD_FAILURE() << "seed " << s << ": plain scalar '" << texts[i]
                    << "'\n  python: " << answers[i]
                    << "\n  ours:   " << (mine.empty() ? value.dump() : "error " + mine);
    }
  }
  EXPECT_GT(typed, 1000) << "the generator should make many non-string scalars";
}

}  // namespace
}  // namespace registrar::intercoop

namespace registrar::intercoop {
namespace {

// In: hex of a YAML text. Out: {"v": value}, {"error": ...} when PyYAML refuses it, or
// {"skip": why} when PyYAML builds what JSON cannot hold (non-string keys, dates, bytes, big ints,
// inf / nan), where this reader refuses on purpose (yaml_parse.h).
constexpr const char* kMutatedScript = R"PY(
import datetime, json, math, sys, yaml

class Unrepresentable(Exception):
    pass

def plain(v):
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            raise Unrepresentable("key")
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        if not -2**63 <= v < 2**64:
            raise Unrepresentable("int")
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise Unrepresentable("float")
        return v
    raise Unrepresentable(type(v).__name__)

out = open(sys.argv[2], "w", encoding="ascii")
for line in open(sys.argv[1], encoding="ascii"):
    try:
        doc = yaml.safe_load(bytes.fromhex(line.strip()).decode("utf-8"))
    except Exception as e:
        out.write(json.dumps({"error": type(e).__name__}) + "\n")
        continue
    try:
        out.write(json.dumps({"v": plain(doc)}) + "\n")
    except (Unrepresentable, RecursionError) as e:
        out.write(json.dumps({"skip": str(e)}) + "\n")
)PY";

// Random edits of valid documents: we never crash, and where PyYAML reads a document into
// something JSON holds, we read the same values. (Refusals may differ: libyaml and PyYAML's
// pure-Python parser disagree on some malformed input; both outcomes are counted.)
TEST(IntercoopYamlPython, MutatedDocumentsReadAsPyYamlReadsThem) {
  ASSERT_TRUE(testing::python_available()) << kPython << " with yaml/cryptography missing"
                                           << " (scripts/install-deps.sh installs them)";
  uint64_t s = seed() + 2;
  testing::YamlGenerator gen(s);
  static const std::string kInteresting = ":-?#&*!|>'\"%@`[]{},\n \t~01.yn<=";
  std::vector<std::string> docs;
  for (int i = 0; i < 3000; ++i) {
    std::string d = yaml::dump(gen.document());
    for (size_t edits = 1 + gen.pick(3); edits > 0; --edits) {
      size_t at = gen.pick(d.size() + 1);
      char c = kInteresting[gen.pick(kInteresting.size())];
      switch (gen.pick(3)) {
        case 0:
          d.insert(d.begin() + long(at), c);
          break;
        case 1:
          if (at < d.size()) d[at] = c;
          break;
        default:
          if (at < d.size()) d.erase(at, 1);
      }
    }
    docs.push_back(d);
  }
  std::vector<std::string> lines;
  for (const auto& d : docs) lines.push_back(core::hex_encode(d));
  auto answers = testing::run_python("yaml_mutated", kMutatedScript, lines);
  ASSERT_EQ(answers.size(), docs.size()) << "python failed; seed " << s;
  int failures = 0, compared = 0, both_refused = 0, only_we_refused = 0, only_python_refused = 0;
  for (size_t i = 0; i < docs.size() && failures < 10; ++i) {
    auto answer = yaml::Value::parse(answers[i]);
    std::optional<yaml::Value> mine;
    std::string why;
    try {
      mine = yaml::load(docs[i]);
    } catch (const yaml::YamlError& e) {
      why = e.what();
    }
    if (answer.contains("skip")) continue;
    if (answer.contains("error")) {
      mine ? ++only_python_refused : ++both_refused;
      continue;
    }
    if (!mine) {
      ++only_we_refused;
      ++failures;
      ADD_FAILURE() << "seed " << s << ", document " << i << ": python reads\n"
                    << docs[i] << "\nas " << answer["v"].dump() << "; we refuse: " << why;
      continue;
    }
    ++compared;
    if (!same(*mine, answer["v"])) {
      ++failures;
      ADD_FAILURE() << "seed " << s << ", document " << i << ":\n"
                    << docs[i] << "\npython: " << answer["v"].dump()
                    << "\nours:   " << mine->dump();
    }
  }
  EXPECT_GT(compared, 1000);
  EXPECT_GT(both_refused, 100);
  // Recorded, not asserted: input PyYAML's pure-Python parser refuses and libyaml (so also
  // PyYAML's CLoader) reads — in the runs looked at, all of it tabs inside plain scalars.
  std::cout << "mutated documents: " << compared << " read alike, " << both_refused
            << " refused by both, " << only_python_refused << " refused by PyYAML only\n";
}

}  // namespace
}  // namespace registrar::intercoop
