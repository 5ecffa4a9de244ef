#include "ibr/matching/person.h"

#include <cstdio>

namespace registrar::ibr::matching {

std::string birth_date_text(const BirthDate& d) {
  if (d.year == 0) return "";
  char buf[16];
  if (d.month == 0)
    std::snprintf(buf, sizeof buf, "%04u", unsigned{d.year});
  else if (d.day == 0)
    std::snprintf(buf, sizeof buf, "%04u-%02u", unsigned{d.year}, unsigned{d.month});
  else
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", unsigned{d.year}, unsigned{d.month},
                  unsigned{d.day});
  return buf;
}

const char* sex_code(Sex s) {
  switch (s) {
    case Sex::kFemale:
      return "F";
    case Sex::kMale:
      return "M";
    case Sex::kOther:
      return "O";
    case Sex::kUnknown:
      break;
  }
  return "";
}

}  // namespace registrar::ibr::matching
