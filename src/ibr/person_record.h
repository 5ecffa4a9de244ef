// A stored beneficiary record (the SPDCI Beneficiary or Person shapes, dci-ibr.md §3.3) as the
// duplicate matcher sees it: name parts, birth date, sex, location code and identifiers. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ibr/matching/normalize.h"
#include "ibr/matching/person.h"

namespace registrar::ibr {

// The person fields of a record, before name normalisation.
struct PersonFields {
  std::string name;  // the name parts joined by spaces: given, second/middle, surname
  matching::BirthDate birth;
  matching::Sex sex = matching::Sex::kUnknown;
  std::string location;
  std::vector<matching::Identifier> identifiers;
};

// Where the person is: member.demographic_info.person (Beneficiary), demographic_info.person,
// person, else the record itself (Person). name: a string, or an object whose given_name /
// first_name, second_name / middle_name, surname / family_name / last_name are joined in that
// order (maiden_name, prefix and suffix are left out: they name someone else or nobody);
// birth_date (also date_of_birth, dob); sex (also gender); location: sub_region_code,
// location_code or location, on the person or in its address object. Identifiers as
// identifiers_of() finds them.
PersonFields person_fields(const nlohmann::json& record);

matching::Person to_person(const PersonFields& fields, matching::NameNormalizer& normalizer);

// "1980-04-12", "1980-04-12T00:00", "1980-04", "1980": missing parts are 0 (unknown). nullopt
// when the text is none of these.
std::optional<matching::BirthDate> parse_birth_date(std::string_view text);
// "F", "female", "M", "male", "O", "other" in any case, and the numeric codes 1 (male), 2
// (female); nullopt otherwise.
std::optional<matching::Sex> parse_sex(std::string_view text);

}  // namespace registrar::ibr
