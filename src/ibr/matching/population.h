// A seeded synthetic population of enrolled people for testing and benchmarking duplicate
// detection (`registrar ibr seed`): names of several cultures and scripts, dates of birth, sex,
// location codes and identifiers, with duplicates injected at a given rate that carry the errors
// real registries show, and the ground truth of who is who.
#pragma once

#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "ibr/matching/normalize.h"
#include "ibr/matching/person.h"

namespace registrar::ibr::matching {

// The errors an injected duplicate carries (one or two of them), as bits.
enum InjectedError : uint16_t {
  kErrorTypo = 1 << 0,             // a letter substituted, dropped, doubled or transposed
  kErrorSwappedOrder = 1 << 1,     // family name written first (or last, for Chinese)
  kErrorMissingMiddle = 1 << 2,    // middle name left out
  kErrorTransliteration = 1 << 3,  // a part in another script or another Latin spelling
  kErrorDayMonthSwap = 1 << 4,
  kErrorMissingDay = 1 << 5,
  kErrorYearTypo = 1 << 6,
  kErrorMoved = 1 << 7,  // another village of the same district
};

struct SyntheticRecord {
  uint32_t person = 0;  // ground truth: the records of one real person share this
  std::string full_name;
  BirthDate birth;
  Sex sex = Sex::kUnknown;
  std::string location;
  std::string programme;
  std::vector<Identifier> identifiers;
  uint16_t errors = 0;  // InjectedError bits; 0 for an original record
};

// Not thread-safe; deterministic for a given seed (and standard library).
class PopulationGenerator {
 public:
  PopulationGenerator(uint64_t seed, double duplicate_rate);
  SyntheticRecord next();

 private:
  struct NamePart {
    uint16_t list = 0;  // which list of the culture (female, male, family)
    uint16_t entry = 0;
    uint8_t spelling = 0;
    std::string typo;  // set when a typo replaced the spelling
  };
  struct Original {
    uint32_t person;
    uint8_t culture;
    std::vector<NamePart> given;   // first, then middle names
    std::vector<NamePart> family;  // family name(s)
    BirthDate birth;
    Sex sex;
    std::string location;
    std::string national_id;
  };

  Original make_original();
  SyntheticRecord render(const Original& o, bool family_first) const;
  SyntheticRecord duplicate_of(Original o);
  bool apply_error(Original& o, InjectedError error, bool& family_first);
  uint8_t latin_spelling(std::string_view entry);
  uint32_t uniform(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  std::mt19937_64 rng_;
  double duplicate_rate_;
  uint32_t next_person_ = 0;
  uint32_t next_serial_ = 0;  // programme identifiers: unique, so no exact match is accidental
  // Recent originals that duplicates are drawn from; bounded so that a seed of millions streams.
  std::deque<Original> recent_;
};

// What the index holds for a record: its name normalised, the rest as is.
Person to_person(const SyntheticRecord& r, NameNormalizer& normalizer);

std::vector<SyntheticRecord> generate_population(size_t count, double duplicate_rate,
                                                 uint64_t seed);

}  // namespace registrar::ibr::matching
