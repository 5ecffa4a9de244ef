// The errors injected into duplicates: what a second enrolment of the same person by another
// programme, clerk or registry typically gets wrong.
#include <array>

#include "ibr/matching/population.h"
#include "ibr/matching/population_internal.h"

namespace registrar::ibr::matching {
namespace {

constexpr std::array<InjectedError, 8> kErrors = {
    kErrorTypo,         kErrorSwappedOrder, kErrorMissingMiddle, kErrorTransliteration,
    kErrorDayMonthSwap, kErrorMissingDay,   kErrorYearTypo,      kErrorMoved};

bool is_ascii(std::string_view s) {
  for (unsigned char ch : s)
    if (ch >= 0x80) return false;
  return true;
}

}  // namespace

bool PopulationGenerator::apply_error(Original& o, InjectedError error, bool& family_first) {
  const Culture& c = cultures()[o.culture];
  auto text_of = [&](const NamePart& p) {
    return p.typo.empty() ? std::string(spelling(list_of(c, p.list)[p.entry], p.spelling)) : p.typo;
  };
  switch (error) {
    case kErrorTypo: {
      // Only on a Latin-script part: a keyboard slip in a script the test cannot type reliably
      // would be made up.
      std::vector<NamePart*> typeable;
      for (auto* parts : {&o.given, &o.family})
        for (NamePart& p : *parts)
          if (const std::string t = text_of(p); t.size() >= 4 && is_ascii(t))
            typeable.push_back(&p);
      if (typeable.empty()) return false;
      NamePart& p = *typeable[uniform(static_cast<uint32_t>(typeable.size()))];
      std::string t = text_of(p);
      const size_t at = 1 + uniform(static_cast<uint32_t>(t.size() - 2));  // keep the first letter
      switch (uniform(4)) {
        case 0:
          t[at] = static_cast<char>('a' + uniform(26));
          break;  // substitution
        case 1:
          t.erase(at, 1);
          break;  // dropped letter
        case 2:
          t.insert(at, 1, t[at]);
          break;  // doubled letter
        default:
          std::swap(t[at], t[at + 1 < t.size() ? at + 1 : at - 1]);
          break;
      }
      p.typo = t;
      return true;
    }
    case kErrorSwappedOrder:
      family_first = !family_first;
      return true;
    case kErrorMissingMiddle:
      if (o.given.size() > 1) {
        o.given.pop_back();
      } else if (o.family.size() > 1) {
        o.family.pop_back();  // an Ethiopian grandfather's name left out
      } else {
        return false;
      }
      return true;
    case kErrorTransliteration: {
      // Another registry writes the whole name in another script, or in other Latin spellings.
      const bool was_native =
          cultures()[o.culture].native_script_share > 0 && o.given[0].spelling == 0;
      bool changed = false;
      for (auto* parts : {&o.given, &o.family})
        for (NamePart& p : *parts) {
          const std::string_view entry = list_of(c, p.list)[p.entry];
          const size_t n = spelling_count(entry);
          if (n < 2 || !p.typo.empty()) continue;
          const uint8_t before = p.spelling;
          if (was_native)
            p.spelling = latin_spelling(entry);
          else if (chance(0.5))
            p.spelling = 0;
          else
            p.spelling = static_cast<uint8_t>(1 + uniform(static_cast<uint32_t>(n - 1)));
          changed = changed || p.spelling != before;
        }
      return changed;
    }
    case kErrorDayMonthSwap:
      if (o.birth.day == 0 || o.birth.day > 12 || o.birth.day == o.birth.month) return false;
      std::swap(o.birth.day, o.birth.month);
      return true;
    case kErrorMissingDay:
      if (o.birth.day == 0) return false;
      o.birth.day = 0;
      return true;
    case kErrorYearTypo:
      o.birth.year = static_cast<uint16_t>(o.birth.year + (chance(0.5) ? 1 : -1));
      return true;
    case kErrorMoved: {
      // Same country and district, another village.
      const std::string district = o.location.substr(0, o.location.rfind('-'));
      const uint32_t village =
          static_cast<uint32_t>(std::stoul(o.location.substr(district.size() + 1)));
      o.location = district + "-" + std::to_string(1000 + (village % 40) + 1).substr(1);
      return true;
    }
  }
  return false;
}

SyntheticRecord PopulationGenerator::duplicate_of(Original o) {
  bool family_first = cultures()[o.culture].family_first;
  const int wanted = chance(0.35) ? 2 : 1;
  uint16_t applied = 0;
  for (int done = 0, tries = 0; done < wanted && tries < 20; ++tries) {
    const InjectedError e = kErrors[uniform(kErrors.size())];
    if (applied & e) continue;
    if (apply_error(o, e, family_first)) {
      applied |= e;
      ++done;
    }
  }
  SyntheticRecord r = render(o, family_first);
  r.errors = applied;
  // Another programme enrolled this person; sometimes it recorded the national ID too.
  if (chance(0.3)) r.identifiers.push_back({"NID", o.national_id});
  return r;
}

std::vector<SyntheticRecord> generate_population(size_t count, double duplicate_rate,
                                                 uint64_t seed) {
  PopulationGenerator g(seed, duplicate_rate);
  std::vector<SyntheticRecord> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(g.next());
  return out;
}

}  // namespace registrar::ibr::matching
