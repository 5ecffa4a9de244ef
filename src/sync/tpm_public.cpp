#include "sync/tpm_public.h"

namespace registrar::sync {
namespace {

// Big-endian reads over the TPM's marshalled form; false once past the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u16(uint16_t& v) {
    if (in_.size() < 2) return false;
    v = static_cast<uint16_t>(byte(0) << 8 | byte(1));
    in_.remove_prefix(2);
    return true;
  }
  bool u32(uint32_t& v) {
    if (in_.size() < 4) return false;
    v = static_cast<uint32_t>(byte(0)) << 24 | static_cast<uint32_t>(byte(1)) << 16 |
        static_cast<uint32_t>(byte(2)) << 8 | byte(3);
    in_.remove_prefix(4);
    return true;
  }
  // A TPM2B: a 16-bit size, then that many bytes.
  bool sized(std::string& out) {
    uint16_t n = 0;
    if (!u16(n) || in_.size() < n) return false;
    out.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  unsigned byte(size_t i) const { return static_cast<unsigned char>(in_[i]); }
  std::string_view in_;
};

bool is_hash(uint16_t alg) {
  return alg == kTpmAlgSha1 || alg == kTpmAlgSha256 || alg == kTpmAlgSha384 || alg == kTpmAlgSha512;
}

// The symmetric algorithms' keyBits and mode follow their id unless it is NULL
// (TPMT_SYM_DEF_OBJECT); a scheme's hash follows its id unless it is NULL (TPMT_RSA_SCHEME; every
// RSA scheme has one).
bool skip_symmetric(Reader& r) {
  uint16_t alg = 0, bits = 0, mode = 0;
  if (!r.u16(alg)) return false;
  return alg == kTpmAlgNull || (r.u16(bits) && r.u16(mode));
}

std::string der_length(size_t n) {
  if (n < 0x80) return std::string(1, static_cast<char>(n));
  std::string bytes;
  for (; n; n >>= 8) bytes.insert(bytes.begin(), static_cast<char>(n & 0xff));
  return static_cast<char>(0x80 | bytes.size()) + bytes;
}

std::string der(unsigned char tag, std::string_view content) {
  return static_cast<char>(tag) + der_length(content.size()) + std::string(content);
}

// A non-negative INTEGER: leading zeros dropped, one added when the top bit is set.
std::string der_unsigned(std::string_view big_endian) {
  while (big_endian.size() > 1 && big_endian.front() == '\0') big_endian.remove_prefix(1);
  std::string v(big_endian);
  if (v.empty() || (static_cast<unsigned char>(v.front()) & 0x80)) v.insert(v.begin(), '\0');
  return der(0x02, v);
}

}  // namespace

std::optional<TpmRsaPublic> parse_tpm_rsa_public(std::string_view bytes) {
  Reader r(bytes);
  TpmRsaPublic out;
  uint16_t type = 0, scheme_hash = 0;
  std::string policy;
  if (!r.u16(type) || type != kTpmAlgRsa) return std::nullopt;
  if (!r.u16(out.name_alg) || !is_hash(out.name_alg)) return std::nullopt;
  if (!r.u32(out.attributes) || !r.sized(policy) || !skip_symmetric(r)) return std::nullopt;
  if (!r.u16(out.scheme)) return std::nullopt;
  if (out.scheme != kTpmAlgNull && !r.u16(scheme_hash)) return std::nullopt;
  uint32_t exponent = 0;
  if (!r.u16(out.key_bits) || !r.u32(exponent) || !r.sized(out.modulus) || !r.done())
    return std::nullopt;
  if (out.modulus.empty() || out.modulus.size() * 8 != out.key_bits) return std::nullopt;
  out.exponent = exponent == 0 ? 65537 : exponent;
  return out;
}

std::string rsa_spki_der(std::string_view modulus, uint32_t exponent) {
  std::string e;
  for (int shift = 24; shift >= 0; shift -= 8) e += static_cast<char>((exponent >> shift) & 0xff);
  const std::string rsa_key = der(0x30, der_unsigned(modulus) + der_unsigned(e));
  // AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }
  static const std::string kRsaAlgorithm(
      "\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00", 15);
  return der(0x30, kRsaAlgorithm + der(0x03, std::string(1, '\0') + rsa_key));
}

}  // namespace registrar::sync
