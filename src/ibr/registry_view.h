// What the console and operators read of the registry, apart from the DCI routes: the stored
// beneficiaries filtered and paged (by key), each summarised (name, birth date, identifiers,
// programmes), and one beneficiary's duplicate candidates with their scores and matched fields.
// SQL runs on the caller's session; the candidates come from the module's duplicate index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ibr/beneficiary_index.h"
#include "ibr/person_search.h"
#include "ibr/records.h"
#include "store/database.h"

namespace registrar::ibr {

struct EnrollmentFilter {
  std::string sender_id;   // "" for any
  std::string identifier;  // an identifier value of any type; "" for any
  std::string programme;   // a programme id or name; "" for any
  // Keyset: beneficiaries after this key, in (sender_id, reference_id) order.
  std::string after_sender;
  std::string after_reference;
  int64_t limit = 50;
};

// The opaque `next` of a page (base64url of the last key), and back; nullopt when malformed.
std::string page_cursor(const std::string& sender_id, const std::string& reference_id);
std::optional<std::pair<std::string, std::string>> read_page_cursor(const std::string& cursor);

namespace db {
// Live beneficiaries matching `f`, in key order, at most f.limit; `updated_us` receives each
// one's last update time (same order).
std::vector<StoredBeneficiary> list_beneficiaries(soci::session& s, const EnrollmentFilter& f,
                                                  std::vector<int64_t>* updated_us = nullptr);
}  // namespace db

// {sender_id, reference_id, name, birth_date, sex, location, identifiers: [{type, value}],
// enrollments: [{programme_id, programme_name, status, enrolment_date, end_date}]}: what a
// person reads of a record (the record as sent is in the DCI answers).
nlohmann::json beneficiary_summary(const StoredBeneficiary& b,
                                   const std::vector<Enrollment>& enrollments);

// The beneficiaries that may be the same person as `b`: every other one holding one of its
// identifiers (score 1, confirmed, matched "identifier"), and every one its person (name, birth
// date, sex, location) scores at least the index's "possible" threshold against; best first, at
// most `limit`. Empty when the index does not hold `b` yet.
std::vector<PersonHit> duplicates_of(BeneficiaryIndex& index, const StoredBeneficiary& b,
                                     size_t limit);

}  // namespace registrar::ibr
