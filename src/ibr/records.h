// What the ibr module stores about a beneficiary, apart from the wire shapes (enrollment.h reads
// those). Pure data.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace registrar::ibr {

struct Identifier {
  std::string type;   // as the sender named it: "NID", "UIN", "urn:dci:id:uin"...
  std::string value;  // exact, as sent (numbers in their JSON text)
  bool operator==(const Identifier&) const = default;
};

struct Enrollment {
  std::string programme_id;  // programme_identifier, else the name when only that is given
  std::string programme_name;
  std::string status;          // enrolment_status as sent ("Active", "Graduated"...)
  std::string enrolment_date;  // as sent
  std::string end_date;        // status_change_date / graduation / suspension, "" when none
  bool operator==(const Enrollment&) const = default;
};

// One beneficiary as one sender reported it. The sender's reference id names it: the same
// (sender, reference) reported again replaces it.
struct Beneficiary {
  std::string sender_id;
  std::string reference_id;
  std::vector<Identifier> identifiers;
  std::vector<Enrollment> enrollments;
  nlohmann::json record;  // the Beneficiary object as sent, returned by searches
};

struct StoredBeneficiary {
  std::string sender_id;
  std::string reference_id;
  nlohmann::json record;
  bool deleted = false;
};

}  // namespace registrar::ibr
