#include "store/audit_chain.h"

#include <sodium.h>

#include <array>
#include <cstdint>

namespace registrar::store {
namespace {

constexpr std::string_view kDomain = "registrar-audit-v1\n";

class Sha256 {
 public:
  Sha256() { crypto_hash_sha256_init(&state_); }
  void bytes(std::string_view b) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(b.data()), b.size());
  }
  void length(uint64_t n) {
    std::array<unsigned char, 8> be;
    for (int i = 7; i >= 0; --i, n >>= 8) be[size_t(i)] = static_cast<unsigned char>(n & 0xff);
    crypto_hash_sha256_update(&state_, be.data(), be.size());
  }
  void field(std::string_view v) {
    length(v.size());
    bytes(v);
  }
  std::string hex() {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
    crypto_hash_sha256_final(&state_, digest.data());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(digest.size() * 2, '0');
    for (size_t i = 0; i < digest.size(); ++i) {
      out[2 * i] = kHex[digest[i] >> 4];
      out[2 * i + 1] = kHex[digest[i] & 0xf];
    }
    return out;
  }

 private:
  crypto_hash_sha256_state state_;
};

}  // namespace

std::string audit_hash(const AuditChainFields& f, std::string_view prev_hash) {
  Sha256 h;
  h.bytes(kDomain);
  h.field(std::to_string(f.at_us));
  h.field(f.actor);
  h.field(f.action);
  h.field(f.subject);
  h.field(f.request_id);
  if (f.server_request_id)
    h.field(*f.server_request_id);
  else
    h.length(UINT64_MAX);  // NULL: no length a real value could have
  h.field(f.detail);
  h.field(prev_hash);
  return h.hex();
}

const std::optional<AuditChainBreak>& AuditChainVerifier::add(const AuditChainRow& row) {
  if (break_) return break_;
  const std::string id = std::to_string(row.id);
  if (!row.hash || !row.prev_hash) {
    if (verified_ == 0 && !row.hash && !row.prev_hash) {
      ++unchained_;  // written before the chain began
      return break_;
    }
    break_ = AuditChainBreak{row.id, "chain",
                             "row " + id + " has no " + (row.hash ? "prev_hash" : "hash") +
                                 (verified_ ? " after the chain began at a lower id" : "")};
    return break_;
  }
  if (*row.prev_hash != expected_prev_) {
    break_ = AuditChainBreak{
        row.id, "prev_hash",
        "row " + id + "'s prev_hash is not the hash of " +
            (head_id_ ? "row " + std::to_string(head_id_) + ", the chained row before it"
                      : "the chain's start (64 zeros)") +
            ": a row was removed, inserted or reordered before it, or that row's hash changed"};
    return break_;
  }
  if (audit_hash(row.fields, *row.prev_hash) != *row.hash) {
    break_ = AuditChainBreak{row.id, "hash",
                             "row " + id +
                                 "'s fields do not reproduce its hash: the row was "
                                 "changed after it was written"};
    return break_;
  }
  ++verified_;
  head_id_ = row.id;
  expected_prev_ = std::string(*row.hash);
  return break_;
}

}  // namespace registrar::store
