#include "ibr/matching/population.h"

#include <array>

#include <cstdio>

#include "ibr/matching/population_internal.h"

namespace registrar::ibr::matching {
namespace {

constexpr size_t kRecentOriginals = 1 << 16;
constexpr std::array<std::string_view, 5> kProgrammes = {"CASH", "FOOD", "SCHOOL", "HEALTH",
                                                         "PENSION"};

int days_in(int month) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[static_cast<size_t>(month - 1)];
}

}  // namespace

size_t spelling_count(std::string_view entry) {
  size_t n = 1;
  for (char ch : entry) n += ch == '|';
  return n;
}

std::string_view spelling(std::string_view entry, size_t k) {
  for (; k > 0; --k) entry.remove_prefix(entry.find('|') + 1);
  return entry.substr(0, entry.find('|'));
}

std::span<const std::string_view> list_of(const Culture& c, uint16_t list) {
  return list == kFemale ? c.female : list == kMale ? c.male : c.family;
}

std::string location_code(std::string_view country, uint32_t district, uint32_t village) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2s-%03u-%03u", country.data(), district, village);
  return buf;
}

PopulationGenerator::PopulationGenerator(uint64_t seed, double duplicate_rate)
    : rng_(seed), duplicate_rate_(duplicate_rate) {}

uint8_t PopulationGenerator::latin_spelling(std::string_view entry) {
  const size_t n = spelling_count(entry);
  if (n == 1) return 0;  // a Latin-script name: its one spelling
  // The first Latin spelling is the usual one; the others are the variants clerks also write.
  return static_cast<uint8_t>(chance(0.75) ? 1 : 1 + uniform(static_cast<uint32_t>(n - 1)));
}

PopulationGenerator::Original PopulationGenerator::make_original() {
  Original o;
  o.person = next_person_++;
  o.culture = static_cast<uint8_t>(uniform(static_cast<uint32_t>(cultures().size())));
  const Culture& c = cultures()[o.culture];
  o.sex = chance(0.5) ? Sex::kFemale : Sex::kMale;
  const uint16_t own = o.sex == Sex::kFemale ? kFemale : kMale;
  auto part = [&](uint16_t list) {
    return NamePart{list,
                    static_cast<uint16_t>(uniform(static_cast<uint32_t>(list_of(c, list).size()))),
                    0,
                    {}};
  };
  o.given.push_back(part(own));
  if (c.patronymic_family) {
    o.family = {part(kMale), part(kMale)};  // father's and grandfather's names
  } else {
    if (chance(0.7)) o.given.push_back(part(own));  // a middle name, or a two-syllable Han name
    o.family.push_back(part(kFamily));
    // Latin American paternal and maternal surnames.
    if (c.two_family_names && chance(0.8)) o.family.push_back(part(kFamily));
  }
  // A record is written in one script: all parts native, or all Latin.
  const bool native = chance(c.native_script_share);
  for (auto* parts : {&o.given, &o.family})
    for (NamePart& p : *parts) {
      const std::string_view entry = list_of(c, p.list)[p.entry];
      p.spelling = native ? 0 : latin_spelling(entry);
    }
  o.birth.year = static_cast<uint16_t>(1940 + uniform(80));
  o.birth.month = static_cast<uint8_t>(1 + uniform(12));
  o.birth.day = chance(0.02) ? 0 : static_cast<uint8_t>(1 + uniform(days_in(o.birth.month)));
  o.location = location_code(c.country, 1 + uniform(60), 1 + uniform(40));
  // Unique per person and random-looking: the multiplier is coprime with 10^9.
  o.national_id = std::string(c.country) +
                  std::to_string(100000000 + (o.person * 2654435761ull) % 900000000ull);
  return o;
}

SyntheticRecord PopulationGenerator::render(const Original& o, bool family_first) const {
  const Culture& c = cultures()[o.culture];
  SyntheticRecord r;
  r.person = o.person;
  auto append = [&](const std::vector<NamePart>& parts) {
    for (const NamePart& p : parts) {
      if (!r.full_name.empty()) r.full_name.push_back(' ');
      r.full_name +=
          p.typo.empty() ? std::string(spelling(list_of(c, p.list)[p.entry], p.spelling)) : p.typo;
    }
  };
  if (family_first) append(o.family);
  append(o.given);
  if (!family_first) append(o.family);
  r.birth = o.birth;
  r.sex = o.sex;
  r.location = o.location;
  return r;
}

SyntheticRecord PopulationGenerator::next() {
  SyntheticRecord r;
  if (!recent_.empty() && chance(duplicate_rate_)) {
    r = duplicate_of(recent_[uniform(static_cast<uint32_t>(recent_.size()))]);
  } else {
    Original o = make_original();
    r = render(o, cultures()[o.culture].family_first);
    if (chance(0.7)) r.identifiers.push_back({"NID", o.national_id});
    recent_.push_back(std::move(o));
    if (recent_.size() > kRecentOriginals) recent_.pop_front();
  }
  r.programme = std::string(kProgrammes[uniform(kProgrammes.size())]);
  r.identifiers.push_back({r.programme + "_ID", std::to_string(10000000 + next_serial_++)});
  return r;
}

Person to_person(const SyntheticRecord& r, NameNormalizer& normalizer) {
  return Person{normalizer.tokens(r.full_name), r.birth, r.sex, r.location, r.identifiers};
}

}  // namespace registrar::ibr::matching
