// Property tests of the validators' fast path (one scan over the digits, filter tables built per
// policy, Verhoeff two digits at a time): on random and adversarial input, under random policies
// and both Detail modes, IdValidator gives exactly what a naive transcription of spec §2.1 / §2.3
// gives. The reference below is written from the spec's text, shares no code with src/ids except
// verhoeff_valid (the string walk, pinned to published vectors elsewhere), and is slow on purpose.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ids/filter_scan.h"
#include "ids/issuance.h"
#include "ids/validators.h"
#include "ids/verhoeff.h"

namespace registrar::ids {
namespace {

// ---- reference ----

bool ref_sequence(const std::string& id, int n) {
  if (n <= 0) return false;
  for (size_t i = 0; i + n <= id.size(); ++i) {
    const std::string w = id.substr(i, n);
    if (std::string("0123456789").find(w) != std::string::npos ||
        std::string("9876543210").find(w) != std::string::npos)
      return true;
  }
  return false;
}

bool ref_repeating(const std::string& id, int n) {  // (\d)\d{0,n-1}\1
  if (n <= 0) return false;
  for (size_t i = 0; i < id.size(); ++i)
    for (size_t j = i + 1; j < id.size() && j - i <= static_cast<size_t>(n); ++j)
      if (id[i] == id[j]) return true;
  return false;
}

bool ref_run(const std::string& id, int n) {  // ([0-9])\1{n}
  if (n <= 0) return false;
  for (size_t i = 0; i + n + 1 <= id.size(); ++i)
    if (id.substr(i, n + 1) == std::string(n + 1, id[i])) return true;
  return false;
}

bool ref_block(const std::string& id, int n) {  // (\d{n,}).*?\1
  if (n <= 0) return false;
  for (size_t i = 0; i + n <= id.size(); ++i)
    for (size_t j = i + n; j + n <= id.size(); ++j)
      if (id.substr(i, n) == id.substr(j, n)) return true;
  return false;
}

bool ref_even(const std::string& id, int n) {  // [2468]{n}
  if (n <= 0) return false;
  for (size_t i = 0; i + n <= id.size(); ++i)
    if (id.substr(i, n).find_first_not_of("2468") == std::string::npos) return true;
  return false;
}

struct RefFilters {
  uint32_t all = 0, first = 0;  // every hit; the first in MOSIP's generator order
};

RefFilters ref_filters(const std::string& id, const Policy& p) {
  const bool uin = p.type == IdType::kUin;
  const bool v13 = uin && p.rule_set == RuleSet::kV13;
  bool restricted = false, prefix = false;
  for (const auto& r : p.restricted_numbers) restricted |= id.find(r) != std::string::npos;
  if (!uin)
    for (const auto& s : p.not_start_with) prefix |= id.rfind(s, 0) == 0;
  const std::pair<bool, uint32_t> checks[] = {
      {ref_sequence(id, p.sequence_limit), kFilterSequence},
      {!v13 && ref_repeating(id, p.repeating_limit), kFilterRepeating},
      {v13 && ref_run(id, p.repeating_limit), kFilterRepeatingRun},
      {ref_block(id, p.repeating_block_limit), kFilterRepeatingBlock},
      {uin && ref_even(id, p.conjugative_even_digits_limit), kFilterEvenDigits},
      {restricted, kFilterRestricted},
      {prefix, kFilterNotStartWith},
  };
  RefFilters f;
  for (const auto& [hit, bit] : checks) {
    if (!hit) continue;
    if (f.all == 0) f.first = bit;
    f.all |= bit;
  }
  return f;
}

// First n == last n (reversed or not), off when n <= 0 or n > length.
bool ref_ends(const std::string& id, int n, bool reversed) {
  if (n <= 0 || static_cast<size_t>(n) > id.size()) return false;
  std::string tail = id.substr(id.size() - n);
  if (reversed) tail.assign(tail.rbegin(), tail.rend());
  return id.substr(0, n) == tail;
}

// validate(id, detail) as spec §2.3 states it: checks in order, the first failure wins; with
// kAll every failure is kept, except that nothing runs after "empty" or "not digits".
ValidationResult reference(const std::string& id, const Policy& p, Detail detail) {
  const bool uin = p.type == IdType::kUin, vid = p.type == IdType::kVid;
  const bool all = detail == Detail::kAll;
  ValidationResult r;
  bool stop = false;
  auto fail = [&](IdError e) {
    if (r.error == IdError::kNone) r.error = e;
    r.errors |= uint64_t{1} << static_cast<unsigned>(e);
    stop = !all;
  };
  if (id.empty()) {
    fail(uin ? IdError::kUinEmpty : vid ? IdError::kVidEmpty : IdError::kPridEmpty);
    return r;
  }
  if (id.size() != static_cast<size_t>(p.length))
    fail(uin ? IdError::kUinLength : vid ? IdError::kVidLength : IdError::kPridLength);
  if (stop) return r;
  if (id.find_first_not_of("0123456789") != std::string::npos) {
    fail(uin ? IdError::kUinNonDigit : vid ? IdError::kVidNonDigit : IdError::kPridNonDigit);
    return r;
  }
  if (uin && (id[0] == '0' || id[0] == '1')) fail(IdError::kUinStart);
  if (stop) return r;
  const RefFilters f = ref_filters(id, p);
  r.filters = all ? f.all : f.first;
  if (f.all != 0)
    fail(uin ? IdError::kUinFilter : vid ? IdError::kVidFilter : IdError::kPridFilter);
  if (stop) return r;
  if (!verhoeff_valid(id))
    fail(uin ? IdError::kUinChecksum : vid ? IdError::kVidChecksum : IdError::kPridChecksum);
  if (stop || !uin) return r;
  if (ref_ends(id, p.reverse_digits_limit, true)) fail(IdError::kUinReversed);
  if (stop) return r;
  if (ref_ends(id, p.digits_limit, false)) fail(IdError::kUinFirstLast);
  return r;
}

// ---- generators (fixed seed: a failure reproduces) ----

struct Rng {
  uint64_t s;
  uint32_t next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(s >> 33);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<uint32_t>(n)); }
  char digit() { return static_cast<char>('0' + below(10)); }
  std::string digits(int n) {
    std::string s(static_cast<size_t>(n), '0');
    for (auto& c : s) c = digit();
    return s;
  }
};

// Random policies around the defaults, including what policy_problems would refuse (empty or
// non-digit entries, sequence limit 1) and block limits / windows beyond the scan's tables, so
// both the fast and the stepwise path are exercised.
Policy random_policy(Rng& g) {
  Policy p = default_policy(static_cast<IdType>(g.below(3)));
  p.rule_set = g.below(2) ? RuleSet::kV13 : RuleSet::kV12;
  p.length = 2 + g.below(g.below(4) ? 15 : 35);
  p.sequence_limit = g.below(6);
  p.repeating_limit = g.below(5);
  p.repeating_block_limit = g.below(6);
  if (p.type == IdType::kUin) {
    p.conjugative_even_digits_limit = g.below(6);
    p.digits_limit = g.below(7);
    p.reverse_digits_limit = g.below(7);
  }
  auto list = [&](int max_len) {
    std::vector<std::string> out(static_cast<size_t>(g.below(4)));
    for (auto& e : out) {
      e = g.digits(1 + g.below(max_len));
      if (g.below(40) == 0)
        e = "";
      else if (g.below(40) == 0)
        e[0] = 'x';
    }
    return out;
  };
  p.restricted_numbers = list(6);
  p.not_start_with = list(3);
  return p;
}

// An ID for `p`: random digits around the policy length, then (sometimes) planted patterns
// that the filters look for, a valid check digit, a non-digit, or nothing at all.
std::string random_id(Rng& g, const Policy& p) {
  int n = g.below(2) ? p.length : p.length + g.below(5) - 2;
  if (g.below(20) == 0) n = g.below(41);
  std::string id = g.digits(std::max(n, 0));
  auto plant = [&](const std::string& what) {
    if (what.empty() || what.size() > id.size()) return;
    id.replace(static_cast<size_t>(g.below(static_cast<int>(id.size() - what.size()) + 1)),
               what.size(), what);
  };
  const int kinds = g.below(4);  // several plants may overlap, as in real input
  for (int k = 0; k < kinds && !id.empty(); ++k) {
    switch (g.below(9)) {
      case 0: {  // ascending or descending run
        const int len = 1 + g.below(6), start = g.below(10);
        std::string run;
        const bool up = g.below(2);
        for (int i = 0; i < len; ++i)
          run += static_cast<char>('0' + (start + (up ? i : -i) + 20) % 10);
        plant(run);
        break;
      }
      case 1: {  // a digit again within a few places
        const std::string d(1, g.digit());
        plant(d + g.digits(g.below(4)) + d);
        break;
      }
      case 2:  // a run of one digit
        plant(std::string(static_cast<size_t>(1 + g.below(5)), g.digit()));
        break;
      case 3: {  // a block again later
        const std::string b = g.digits(1 + g.below(4));
        plant(b + g.digits(g.below(6)) + b);
        break;
      }
      case 4: {  // even digits
        std::string e;
        for (int i = g.below(6); i-- > 0;) e += "2468"[g.below(4)];
        plant(e);
        break;
      }
      case 5:  // a restricted number or a forbidden prefix
        if (!p.restricted_numbers.empty())
          plant(p.restricted_numbers[g.below(static_cast<int>(p.restricted_numbers.size()))]);
        if (!p.not_start_with.empty() && g.below(2)) {
          const auto& s = p.not_start_with[g.below(static_cast<int>(p.not_start_with.size()))];
          if (s.size() <= id.size()) id.replace(0, s.size(), s);
        }
        break;
      case 6: {  // the first digits again at the end, maybe reversed
        const size_t m = std::min(id.size() / 2, static_cast<size_t>(1 + g.below(7)));
        std::string head = id.substr(0, m);
        if (g.below(2)) head.assign(head.rbegin(), head.rend());
        id.replace(id.size() - m, m, head);
        break;
      }
      case 7:  // leading 0 / 1
        id[0] = static_cast<char>('0' + g.below(3));
        break;
      case 8:  // not a digit (ASCII or not)
        id[static_cast<size_t>(g.below(static_cast<int>(id.size())))] =
            g.below(2) ? static_cast<char>(g.next()) : "a /:"[g.below(4)];
        break;
    }
  }
  // Half of the digit strings get a valid check digit, so the checks after it are reached.
  if (id.size() >= 2 && g.below(2) && id.find_first_not_of("0123456789") == std::string::npos)
    id.back() = verhoeff_check_digit(std::string_view(id).substr(0, id.size() - 1));
  return id;
}

void expect_same(const ValidationResult& got, const ValidationResult& want, const std::string& id,
                 Detail detail) {
  const char* mode = detail == Detail::kAll ? "kAll" : "kFirst";
  ASSERT_EQ(got.error, want.error)
      << mode << " \"" << id << "\": " << got.code() << " vs " << want.code();
  ASSERT_EQ(got.errors, want.errors) << mode << " \"" << id << "\"";
  ASSERT_EQ(got.filters, want.filters) << mode << " \"" << id << "\"";
  ASSERT_EQ(got.param, want.param) << mode << " \"" << id << "\"";
}

std::string describe(const Policy& p) {
  std::string s =
      std::string(id_type_name(p.type)) + (p.rule_set == RuleSet::kV13 ? " 1.3" : "") + " length " +
      std::to_string(p.length) + " seq " + std::to_string(p.sequence_limit) + " rep " +
      std::to_string(p.repeating_limit) + " block " + std::to_string(p.repeating_block_limit) +
      " even " + std::to_string(p.conjugative_even_digits_limit) + " first/last " +
      std::to_string(p.digits_limit) + "/" + std::to_string(p.reverse_digits_limit) + " restricted";
  for (const auto& r : p.restricted_numbers) s += " \"" + r + "\"";
  s += " not-start";
  for (const auto& r : p.not_start_with) s += " \"" + r + "\"";
  return s;
}

void check_policy(const Policy& p, Rng& g, int ids) {
  SCOPED_TRACE(describe(p));
  const IdValidator v(p);
  for (int i = 0; i < ids; ++i) {
    const std::string id = random_id(g, p);
    for (Detail detail : {Detail::kFirst, Detail::kAll}) {
      expect_same(v.validate(id, detail), reference(id, p, detail), id, detail);
      if (testing::Test::HasFatalFailure()) return;
    }
    ASSERT_EQ(v.valid(id), reference(id, p, Detail::kFirst).ok()) << id;
  }
}

// ---- properties ----

TEST(ValidatorProperties, DefaultPoliciesAgreeWithReference) {
  Rng g{20261122};
  for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid}) {
    Policy p = default_policy(t);
    check_policy(p, g, 30000);
    if (t == IdType::kUin) {
      p.rule_set = RuleSet::kV13;
      check_policy(p, g, 30000);
    }
  }
}

// Random digits are rarely valid; issued IDs are, and their one-edit neighbours (a typo, a
// swap, the benchmark's id[2] = id[1]) fail one or two checks: the mix real traffic has.
TEST(ValidatorProperties, IssuedIdsAndNeighboursAgreeWithReference) {
  Rng g{11};
  for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid}) {
    for (RuleSet rules : {RuleSet::kV12, RuleSet::kV13}) {
      if (t != IdType::kUin && rules == RuleSet::kV13) continue;  // a UIN-only switch
      Policy p = default_policy(t);
      p.rule_set = rules;
      SCOPED_TRACE(describe(p));
      const IdValidator v(p);
      const IdGenerator gen(p, "validator-property-key-0123456789");
      CounterBlock block{1000, gen.counter_space()};
      std::vector<IssuedId> issued;
      gen.next_ids(block, 2000, issued);
      ASSERT_EQ(issued.size(), 2000u);
      for (const auto& id : issued) {
        std::vector<std::string> variants{id.id};
        const size_t n = id.id.size();
        std::string typo = id.id;
        typo[static_cast<size_t>(g.below(static_cast<int>(n)))] = g.digit();
        variants.push_back(typo);
        std::string swap = id.id;
        const size_t k = static_cast<size_t>(g.below(static_cast<int>(n) - 1));
        std::swap(swap[k], swap[k + 1]);
        variants.push_back(swap);
        std::string bench = id.id;
        bench[2] = bench[1];
        variants.push_back(bench);
        variants.push_back(id.id.substr(1));
        variants.push_back(id.id + g.digit());
        for (const auto& x : variants)
          for (Detail detail : {Detail::kFirst, Detail::kAll}) {
            expect_same(v.validate(x, detail), reference(x, p, detail), x, detail);
            if (HasFatalFailure()) return;
          }
        ASSERT_TRUE(v.valid(id.id)) << id.id;
      }
    }
  }
}

TEST(ValidatorProperties, RandomPoliciesAgreeWithReference) {
  Rng g{4};
  for (int k = 0; k < 500; ++k) check_policy(random_policy(g), g, 300);
}

TEST(ValidatorProperties, EdgeInputs) {
  Rng g{7};
  for (int k = 0; k < 200; ++k) {
    const Policy p = random_policy(g);
    SCOPED_TRACE(describe(p));
    const IdValidator v(p);
    std::vector<std::string> ids = {"",
                                    "0",
                                    "9",
                                    std::string(static_cast<size_t>(p.length), '5'),
                                    std::string(70, '3'),
                                    std::string(64, '7'),
                                    std::string(static_cast<size_t>(p.length), 'x')};
    for (int n = 1; n <= 66; ++n) ids.push_back(g.digits(n));
    for (const auto& id : ids)
      for (Detail detail : {Detail::kFirst, Detail::kAll}) {
        expect_same(v.validate(id, detail), reference(id, p, detail), id, detail);
        if (HasFatalFailure()) return;
      }
  }
}

TEST(FilterScanProperties, EqualsFilterHitsWhereItApplies) {
  Rng g{99};
  int covered = 0;
  for (int k = 0; k < 400; ++k) {
    const Policy p = random_policy(g);
    const FilterRules rules = validator_filter_rules(p);
    const FilterScan scan(rules);
    for (int i = 0; i < 300; ++i) {
      const std::string id = g.digits(g.below(40));
      if (!scan.covers(id.size())) continue;
      ++covered;
      std::vector<uint8_t> d(id.size());
      for (size_t j = 0; j < id.size(); ++j) d[j] = static_cast<uint8_t>(id[j] - '0');
      ASSERT_EQ(scan.hits(id, d.data()), filter_hits(id, rules, true))
          << describe(p) << " id " << id;
    }
  }
  EXPECT_GT(covered, 50000);  // the scan is not silently refusing everything
}

TEST(FilterScanProperties, RefusesGeneratorRules) {
  Policy p = default_policy(IdType::kUin);
  EXPECT_FALSE(FilterScan(generator_rules(p)).covers(10));
  EXPECT_TRUE(FilterScan(validator_filter_rules(p)).covers(10));
  EXPECT_FALSE(FilterScan(validator_filter_rules(p)).covers(2));  // shorter than a window
  p.repeating_block_limit = 4;
  EXPECT_FALSE(FilterScan(validator_filter_rules(p)).covers(10));
}

TEST(VerhoeffProperties, DigitWalkEqualsStringWalk) {
  Rng g{5};
  for (int i = 0; i < 200000; ++i) {
    std::string id = g.digits(g.below(41));
    if (id.size() >= 2 && g.below(2))
      id.back() = verhoeff_check_digit(std::string_view(id).substr(0, id.size() - 1));
    std::vector<uint8_t> d(id.size() + 1);
    for (size_t j = 0; j < id.size(); ++j) d[j] = static_cast<uint8_t>(id[j] - '0');
    ASSERT_EQ(verhoeff_valid_digits(d.data(), id.size()), verhoeff_valid(id)) << id;
  }
}

}  // namespace
}  // namespace registrar::ids
