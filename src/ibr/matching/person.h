// What the matcher knows of a person: normalised name parts (see normalize.h), date of birth,
// sex, location code and identifiers. Pure data; no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace registrar::ibr::matching {

// 0 means unknown: registries often hold only a year, or a year and a month.
struct BirthDate {
  uint16_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
  friend bool operator==(const BirthDate&, const BirthDate&) = default;
};

enum class Sex : uint8_t { kUnknown = 0, kFemale = 1, kMale = 2, kOther = 3 };

struct Identifier {
  std::string type;  // e.g. "NID", "UIN", a programme's beneficiary id type
  std::string value;
  friend bool operator==(const Identifier&, const Identifier&) = default;
};

struct Person {
  std::vector<std::string> name_tokens;  // from NameNormalizer::tokens(), in written order
  BirthDate birth;
  Sex sex = Sex::kUnknown;
  std::string location;  // hierarchical code, e.g. "KE-047-003"; "" when unknown
  std::vector<Identifier> identifiers;
};

// The same without ownership, so that the index can score its stored records in place without
// building a Person per candidate. Names of more than kMaxNameTokens parts keep the first ones.
inline constexpr size_t kMaxNameTokens = 6;
struct PersonView {
  std::array<std::string_view, kMaxNameTokens> tokens{};
  uint8_t token_count = 0;
  BirthDate birth;
  Sex sex = Sex::kUnknown;
  std::string_view location;
};

PersonView view_of(const Person& p);

// "1984", "1984-03" or "1984-03-07" as far as the date is known; "" without a year.
std::string birth_date_text(const BirthDate& d);
// "F", "M", "O"; "" when unknown.
const char* sex_code(Sex s);

}  // namespace registrar::ibr::matching
