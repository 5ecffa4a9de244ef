// Identifier rules of oed-authz: national identity numbers ("SSN", fødselsnummer) are accepted
// when they are exactly 11 ASCII digits, and CloudEvents subjects name an estate as
// "/person/<ssn>". Both as the original does; see the notes on each function.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace registrar::authz {

// Exactly 11 characters, all ASCII '0'-'9'. Like the original there is NO mod-11 check-digit,
// date or D-/H-number check: the original's own test data ("11111111111", "22222222211") fail
// mod 11, and peers send such synthetic numbers in test environments. Non-ASCII digits
// (Arabic-Indic, full-width) and any whitespace are rejected.
bool is_valid_ssn(std::string_view s);

// The estate SSN of an event subject. Accepted: the bare 11 digits, or after splitting on '/',
// trimming each part and dropping empty parts, exactly ["person", <11 digits>] — so
// "/person/X", "person/X", "/person/X/" and "person / X" all work. Anything else throws
// core::Error(kInvalidArgument, "Subject must be SSN with '/person/' prefix", "subject"); a
// missing subject throws kInvalidArgument "Subject is required" (the original's
// ArgumentNullException, also a 400).
std::string estate_from_subject(const std::optional<std::string>& subject);

// First 6 characters (the birth date) for log lines, or the whole string when shorter.
std::string truncate_ssn(std::string_view ssn);

}  // namespace registrar::authz
