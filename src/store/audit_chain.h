// The audit log's hash chain, as pure functions: the canonical encoding of a row, its SHA-256,
// and a verifier that walks rows in id order. No SQL here (store/audit.cpp feeds it rows), so
// that the encoding is tested alone and an auditor's reimplementation has one place to compare
// with. docs/security.md ("The audit log's hash chain") defines the encoding in prose.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace registrar::store {

// The fields a row's hash covers, exactly as stored (detail as its stored JSON text).
struct AuditChainFields {
  long long at_us = 0;
  std::string_view actor, action, subject, request_id;
  std::optional<std::string_view> server_request_id;  // NULL outside a request
  std::string_view detail;
};

// prev_hash of the first chained row: 64 zeros.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Lowercase hex SHA-256 over "registrar-audit-v1\n" and then, in this order, each of at_us (as
// decimal ASCII), actor, action, subject, request_id, server_request_id, detail and prev_hash
// (hex ASCII), each as an 8-byte big-endian length followed by its bytes; a NULL
// server_request_id is the 8 bytes FF..FF with nothing after them.
std::string audit_hash(const AuditChainFields& fields, std::string_view prev_hash);

// One stored row for the verifier.
struct AuditChainRow {
  long long id = 0;
  AuditChainFields fields;
  std::optional<std::string_view> prev_hash, hash;  // both NULL for rows older than the chain
};

struct AuditChainBreak {
  long long id = 0;
  std::string field;  // "hash", "prev_hash", "chain" (an unchained row after the chain began)
  std::string message;
};

// Feed rows in ascending id order. Rows before the first chained one (written before the chain
// existed) are counted as unchained; from the first chained row on, each must carry the previous
// chained row's hash as prev_hash (the first: kAuditGenesisHash) and a hash that its fields
// reproduce. Stops at the first break.
class AuditChainVerifier {
 public:
  // The break this row shows, if any; after a break, further rows are ignored.
  const std::optional<AuditChainBreak>& add(const AuditChainRow& row);

  size_t verified() const { return verified_; }    // chained rows that checked out
  size_t unchained() const { return unchained_; }  // rows before the chain began
  long long head_id() const { return head_id_; }   // last verified row (0: none)
  const std::string& head_hash() const { return expected_prev_; }
  const std::optional<AuditChainBreak>& failure() const { return break_; }

 private:
  size_t verified_ = 0, unchained_ = 0;
  long long head_id_ = 0;
  std::string expected_prev_{kAuditGenesisHash};
  std::optional<AuditChainBreak> break_;
};

}  // namespace registrar::store
