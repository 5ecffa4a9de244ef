// The ibr module's SQL: trusted senders, and the beneficiaries senders report with their
// identifiers and programme enrollments. Only this file and store.cpp see SOCI; the services call
// these functions inside db.write / db.read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dci/senders.h"
#include "ibr/records.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::ibr {

std::vector<store::Migration> ibr_migrations();

namespace db {

// Inserts or replaces the sender's record (its key, URL, name...), keeping created_us.
void upsert_sender(soci::session& s, const dci::TrustedSender& sender, core::SystemTime now);
std::optional<dci::TrustedSender> find_sender(soci::session& s, const std::string& sender_id);
std::vector<dci::TrustedSender> all_senders(soci::session& s);
// Records when the sender's JWKS was last fetched and what came of it. False when no such sender.
bool record_key_fetch(soci::session& s, const std::string& sender_id, core::SystemTime at,
                      const std::string& result);
// False when no such sender.
bool set_sender_active(soci::session& s, const std::string& sender_id, bool active,
                       core::SystemTime now);

// The beneficiary's stored form, or nullopt. Deleted ones are returned (deleted = true), so a
// repeated deletion is recognised as such.
std::optional<StoredBeneficiary> find_beneficiary(soci::session& s, const std::string& sender_id,
                                                  const std::string& reference_id);
// Replaces the beneficiary with `b`: its record, identifiers and enrollments.
void put_beneficiary(soci::session& s, const Beneficiary& b, core::SystemTime now);
// Marks it deleted and removes its identifiers and enrollments (a deleted person is not found).
void delete_beneficiary(soci::session& s, const std::string& sender_id,
                        const std::string& reference_id, core::SystemTime now);

// Beneficiaries (not deleted) holding identifier (type, value) — any type when `type` is "" —
// ordered by sender and reference,
// `limit` from `offset`; `total` receives the count of all.
std::vector<StoredBeneficiary> find_by_identifier(soci::session& s, const std::string& type,
                                                  const std::string& value, int64_t offset,
                                                  int64_t limit, int64_t& total);
std::vector<Enrollment> enrollments_of(soci::session& s, const std::string& sender_id,
                                       const std::string& reference_id);

}  // namespace db
}  // namespace registrar::ibr
