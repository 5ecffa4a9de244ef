// canonical_json against Python itself: random documents (and random mutations of them) go to one
// /usr/bin/python3 process in a batch file, and each answer must be byte-identical to ours —
// accepted by both with the same bytes, or refused by both. The seed is fixed and printed on a
// failure; REGISTRAR_DCI_SEED overrides it to explore.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

#include "core/base64.h"
#include "dci/canonical_json.h"
#include "support/python_runner.h"

namespace registrar::dci {
namespace {

using registrar::testing::kPython;

// Reads hex-encoded documents, one a line; writes "OK <canonical>" or "ERR" for each. Decoding
// is strict UTF-8 and json.loads gets a str, as our reader's contract says.
constexpr const char* kScript = R"PY(
import json, sys
out = open(sys.argv[2], "w", encoding="ascii")
for line in open(sys.argv[1], encoding="ascii"):
    try:
        text = bytes.fromhex(line.strip()).decode("utf-8")
        out.write("OK " + json.dumps(json.loads(text), sort_keys=True, separators=(",", ":")) + "\n")
    except Exception:
        out.write("ERR\n")
)PY";

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  std::string document() {
    std::string out;
    ws(out);
    value(out, 0);
    ws(out);
    return out;
  }

  std::string mutate(std::string doc) {
    static constexpr std::string_view kInteresting = "{}[],:\"\\u0123456789eE.+- \x7f\xc3\xed";
    int edits = 1 + int(pick(3));
    for (int i = 0; i < edits; ++i) {
      size_t at = doc.empty() ? 0 : pick(doc.size());
      char c = pick(2) ? kInteresting[pick(kInteresting.size())] : char(pick(256));
      switch (pick(3)) {
        case 0:
          if (!doc.empty()) doc[at] = c;
          break;
        case 1:
          doc.insert(doc.begin() + long(at), c);
          break;
        default:
          if (!doc.empty()) doc.erase(at, 1);
      }
    }
    return doc;
  }

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

 private:
  void ws(std::string& out) {
    static constexpr char kWs[] = {' ', '\t', '\n', '\r'};
    if (pick(4) == 0) {
      for (size_t n = pick(3) + 1; n > 0; --n) out += kWs[pick(4)];
    }
  }

  void value(std::string& out, int depth) {
    size_t kind = pick(depth > 5 ? 6 : 9);
    switch (kind) {
      case 0:
        out += pick(2) ? "true" : (pick(2) ? "false" : "null");
        return;
      case 1:
      case 2:
        return integer(out);
      case 3:
      case 4:
        return floating(out);
      case 5:
        return string(out, false);
      case 6:
      case 7:
        return object(out, depth);
      default:
        return array(out, depth);
    }
  }

  void digits(std::string& out, size_t n, bool leading_nonzero) {
    for (size_t i = 0; i < n; ++i)
      out += char('0' + (i == 0 && leading_nonzero ? 1 + pick(9) : pick(10)));
  }

  void integer(std::string& out) {
    if (pick(3) == 0) out += '-';
    size_t len = pick(4) == 0 ? 1 + pick(60) : 1 + pick(6);
    if (pick(8) == 0) {
      out += '0';
    } else {
      digits(out, len, true);
    }
  }

  void floating(std::string& out) {
    switch (pick(12)) {
      case 0:
        out += pick(3) == 0 ? "NaN" : (pick(2) ? "Infinity" : "-Infinity");
        return;
      case 1:  // near the fixed / exponent switch points
        out += pick(2) ? "1e16" : (pick(2) ? "9999999999999999.0" : "0.0001");
        return;
    }
    if (pick(3) == 0) out += '-';
    if (pick(5) == 0) {
      out += '0';
    } else {
      digits(out, 1 + pick(pick(4) == 0 ? 25 : 4), true);
    }
    bool fraction = pick(3) != 0;
    if (fraction) {
      out += '.';
      digits(out, 1 + pick(pick(4) == 0 ? 25 : 5), false);
    }
    if (!fraction || pick(2)) {
      out += pick(2) ? 'e' : 'E';
      size_t sign = pick(3);
      if (sign) out += sign == 1 ? '+' : '-';
      int magnitude = int(pick(5) == 0 ? pick(420) : pick(30));
      out += std::to_string(magnitude);
    }
  }

  void u_escape(std::string& out, uint32_t unit) {
    char buf[8];
    std::snprintf(buf, sizeof buf, pick(2) ? "\\u%04x" : "\\u%04X", unit);
    out += buf;
  }

  void string(std::string& out, bool key) {
    // Keys come from a small pool so that objects get duplicates and close orderings.
    static const std::vector<std::string> kKeys = {"a",
                                                   "b",
                                                   "\\u0061",
                                                   "A",
                                                   "\xc3\xa9",
                                                   "\\u00e9",
                                                   "\xef\xbf\xbd",
                                                   "\\ud83d\\ude00",
                                                   "\xf0\x9f\x98\x80",
                                                   "\\ud800",
                                                   "\\ue000",
                                                   "\xee\x80\x81",
                                                   "",
                                                   "key",
                                                   "\\n",
                                                   "~"};
    out += '"';
    if (key && pick(3) != 0) {
      out += kKeys[pick(kKeys.size())];
      out += '"';
      return;
    }
    for (size_t n = pick(8); n > 0; --n) {
      switch (pick(12)) {
        case 0:
          out += "\\\"";
          break;
        case 1: {
          static constexpr const char* kEsc[] = {"\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"};
          out += kEsc[pick(7)];
          break;
        }
        case 2:
          u_escape(out, uint32_t(pick(0x80)));  // controls and ASCII, escaped
          break;
        case 3:
          u_escape(out, uint32_t(pick(0x10000)));  // any BMP unit, lone surrogates included
          break;
        case 4:
          u_escape(out, uint32_t(0xD800 + pick(0x400)));  // a pair
          u_escape(out, uint32_t(0xDC00 + pick(0x400)));
          break;
        case 5:
          out += pick(2) ? "\xc3\xa9" : "\xe4\xb8\xad";  // é, 中 raw
          break;
        case 6:
          out += pick(2) ? "\xf0\x9f\x98\x80" : "\xf4\x8f\xbf\xbf";  // U+1F600, U+10FFFF raw
          break;
        case 7:
          out += pick(2) ? "\xef\xbf\xbd" : "\x7f";
          break;
        default:
          out += char(0x20 + pick(0x5f));
          if (out.back() == '"' || out.back() == '\\') out.back() = 'x';
      }
    }
    out += '"';
  }

  void array(std::string& out, int depth) {
    out += '[';
    ws(out);
    for (size_t n = pick(5), i = 0; i < n; ++i) {
      if (i) out += ',', ws(out);
      value(out, depth + 1);
      ws(out);
    }
    out += ']';
  }

  void object(std::string& out, int depth) {
    out += '{';
    ws(out);
    for (size_t n = pick(6), i = 0; i < n; ++i) {
      if (i) out += ',', ws(out);
      string(out, true);
      ws(out);
      out += ':';
      ws(out);
      value(out, depth + 1);
      ws(out);
    }
    out += '}';
  }

  std::mt19937_64 rng_;
};

uint64_t seed() {
  if (const char* s = std::getenv("REGISTRAR_DCI_SEED")) return std::strtoull(s, nullptr, 10);
  return 20240115;
}

// Runs Python over `docs`; its answer for each ("OK ..." / "ERR").
std::vector<std::string> python_answers(const std::vector<std::string>& docs) {
  std::vector<std::string> lines;
  for (const auto& d : docs) lines.push_back(core::hex_encode(d));
  return registrar::testing::run_python("dci_canon", kScript, lines);
}

std::string ours(const std::string& doc) {
  auto v = parse_json(doc);
  return v ? "OK " + to_canonical(*v) : "ERR";
}

// Compares, and returns how many documents Python accepted.
size_t compare(const std::vector<std::string>& docs, uint64_t s) {
  auto answers = python_answers(docs);
  EXPECT_EQ(answers.size(), docs.size()) << "python failed; seed " << s;
  if (answers.size() != docs.size()) return 0;
  int failures = 0;
  size_t accepted = 0;
  for (size_t i = 0; i < docs.size() && failures < 5; ++i) {
    std::string mine = ours(docs[i]);
    if (mine != answers[i]) {
      ++failures;
      ADD_FAILURE() << "seed " << s << ", document " << i << ": " << docs[i]
                    << "\n  python: " << answers[i] << "\n  ours:   " << mine;
    }
    accepted += answers[i] != "ERR";
  }
  return accepted;
}

TEST(DciCanonicalJsonPython, RandomDocumentsMatchPython) {
  if (!std::filesystem::exists(kPython)) GTEST_SKIP() << kPython << " not installed";
  uint64_t s = seed();
  Generator gen(s);
  std::vector<std::string> docs;
  for (int i = 0; i < 3000; ++i) docs.push_back(gen.document());
  EXPECT_EQ(compare(docs, s), docs.size()) << "the generator makes valid JSON only";
}

TEST(DciCanonicalJsonPython, MutatedDocumentsMatchPython) {
  if (!std::filesystem::exists(kPython)) GTEST_SKIP() << kPython << " not installed";
  uint64_t s = seed() + 1;
  Generator gen(s);
  std::vector<std::string> docs;
  for (int i = 0; i < 3000; ++i) docs.push_back(gen.mutate(gen.document()));
  size_t accepted = compare(docs, s);
  // Both outcomes must be well represented for the comparison to mean something.
  EXPECT_GT(accepted, docs.size() / 10);
  EXPECT_LT(accepted, docs.size() * 9 / 10);
}

}  // namespace
}  // namespace registrar::dci
