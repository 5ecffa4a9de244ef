// A registrant as a duplication check holds it: who we ask the IBRs about (dci-ibr.md §8.1, with
// the person's attributes besides identifiers so that an IBR can match fuzzily). Pure.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace registrar::dci_client {

struct RegistrantId {
  std::string type;  // any type the IBR knows: UIN, NID, BRN, urn:dci:id:uin...
  std::string value;
  bool operator==(const RegistrantId&) const = default;
};

struct Registrant {
  std::string reference;  // ours (the registrant's id in this programme), shown with the check
  std::vector<RegistrantId> identifiers;
  std::string given_name;
  std::string family_name;
  std::string other_names;
  std::string birth_date;  // YYYY-MM-DD, YYYY-MM or YYYY
  std::string sex;         // F, M, O, female, male, other
  std::string location;    // a location code

  bool has_person() const {
    return !given_name.empty() || !family_name.empty() || !other_names.empty() ||
           !birth_date.empty() || !sex.empty() || !location.empty();
  }
  bool operator==(const Registrant&) const = default;
};

// Reads {reference, identifiers: [{type, value}], given_name, family_name, other_names,
// birth_date, sex, location}; also accepts identifier_type/identifier_value for one identifier
// (OpenSPP's check fields). Every member is a string (null: absent), but reference, an
// identifier's value and location may also be a whole number, kept as its digits. Throws
// core::Error(kInvalidArgument) naming the field at fault (identifiers[1].value): another type,
// blank identifier type or value ("Identifier type cannot be empty." as OpenSPP says), a
// malformed date or sex, nothing to search by.
Registrant registrant_from_json(const nlohmann::json& j);

// The same shape back. Without `with_identifier_values` each identifier keeps its type only
// (what viewers may see, §8.1).
nlohmann::json registrant_to_json(const Registrant& r, bool with_identifier_values);

}  // namespace registrar::dci_client
