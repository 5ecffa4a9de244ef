#include "identity/secrets.h"

#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/base64.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "core/secret_file.h"

namespace registrar::identity {

MasterKey::MasterKey(std::string key_bytes) : key_(std::move(key_bytes)) {
  if (key_.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    throw core::invalid_argument("master key must be 32 bytes", "identity.master_key");
}

MasterKey MasterKey::load(const std::string& inline_value, const std::string& file, bool create) {
  core::ensure_sodium();
  auto decode = [](const std::string& text, const std::string& where) {
    auto bytes = core::base64_decode_lenient(text);
    if (!bytes || bytes->size() != 32)
      throw core::invalid_argument(where + " must hold 32 bytes in base64", "identity.master_key");
    return MasterKey(*bytes);
  };
  if (!inline_value.empty()) return decode(inline_value, "identity.master_key");
  if (file.empty())
    throw core::invalid_argument("set identity.master_key or identity.master_key_file",
                                 "identity.master_key_file");
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (!create)
      throw core::invalid_argument("master key file " + file + " does not exist",
                                   "identity.master_key_file");
    auto parent = std::filesystem::path(file).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (core::create_secret_file(file, core::base64_encode(core::random_bytes(32)) + "\n"))
      log::warn("master_key_generated", {{"file", file},
                                         {"note",
                                          "back this file up: without it the signing keys "
                                          "in the database cannot be opened"}});
  }
  if (auto exposure = core::secret_file_exposure(file))
    log::warn("master_key_file_exposed", {{"file", file}, {"problem", *exposure}});
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return decode(ss.str(), "master key file " + file);
}

std::string MasterKey::seal(std::string_view plaintext, std::string_view context) const {
  std::string nonce = core::random_bytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  std::string out(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out.data()), &len,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr,
      reinterpret_cast<const unsigned char*>(nonce.data()),
      reinterpret_cast<const unsigned char*>(key_.data()));
  out.resize(len);
  return "v1." + core::base64url_encode(nonce) + "." + core::base64url_encode(out);
}

std::optional<std::string> MasterKey::open(std::string_view sealed,
                                           std::string_view context) const {
  if (sealed.substr(0, 3) != "v1.") return std::nullopt;
  sealed.remove_prefix(3);
  auto dot = sealed.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto nonce = core::base64url_decode(sealed.substr(0, dot));
  auto cipher = core::base64url_decode(sealed.substr(dot + 1));
  if (!nonce || !cipher || nonce->size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
      cipher->size() < crypto_aead_xchacha20poly1305_ietf_ABYTES)
    return std::nullopt;
  std::string out(cipher->size(), '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &len, nullptr,
          reinterpret_cast<const unsigned char*>(cipher->data()), cipher->size(),
          reinterpret_cast<const unsigned char*>(context.data()), context.size(),
          reinterpret_cast<const unsigned char*>(nonce->data()),
          reinterpret_cast<const unsigned char*>(key_.data())) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

HashCost parse_hash_cost(std::string_view name) {
  if (name == "interactive") return HashCost::kInteractive;
  if (name == "moderate") return HashCost::kModerate;
  if (name == "minimal") return HashCost::kMinimal;
  throw std::invalid_argument("must be interactive, moderate or minimal");
}

std::string hash_secret(std::string_view secret, HashCost cost) {
  core::ensure_sodium();
  unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (cost == HashCost::kModerate) {
    ops = crypto_pwhash_OPSLIMIT_MODERATE;
    mem = crypto_pwhash_MEMLIMIT_MODERATE;
  } else if (cost == HashCost::kMinimal) {
    ops = crypto_pwhash_OPSLIMIT_MIN;
    mem = crypto_pwhash_MEMLIMIT_MIN;
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, secret.data(), secret.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw core::Error(core::ErrorKind::kInternal, "out of memory hashing a secret");
  return out;
}

bool verify_secret(std::string_view secret, const std::string& encoded_hash) {
  core::ensure_sodium();
  return crypto_pwhash_str_verify(encoded_hash.c_str(), secret.data(), secret.size()) == 0;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string generate_client_secret() {
  return core::random_token(32);
}

}  // namespace registrar::identity
