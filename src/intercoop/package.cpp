#include "intercoop/package.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>

#include "core/base64.h"
#include "intercoop/yaml_emit.h"
#include "intercoop/yaml_parse.h"

namespace registrar::intercoop {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The value of a base64 character in either alphabet (standard and urlsafe), -1 for any other.
constexpr std::array<int8_t, 256> kB64Values = [] {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int c = 'A'; c <= 'Z'; ++c) t[size_t(c)] = int8_t(c - 'A');
  for (int c = 'a'; c <= 'z'; ++c) t[size_t(c)] = int8_t(c - 'a' + 26);
  for (int c = '0'; c <= '9'; ++c) t[size_t(c)] = int8_t(c - '0' + 52);
  t['+'] = t['-'] = 62;
  t['/'] = t['_'] = 63;
  return t;
}();

unsigned char u8c(char c) {
  return static_cast<unsigned char>(c);
}

int b64_value(unsigned char c) {
  return kB64Values[c];
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80             ? 1
            : (c & 0xE0) == 0xC0 ? 2
            : (c & 0xF0) == 0xE0 ? 3
            : (c & 0xF8) == 0xF0 ? 4
                                 : 0;
    if (n == 0 || s.size() - i < size_t(n)) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (int k = 1; k < n; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

[[noreturn]] void bad_message(std::string detail) {
  throw ProtocolError(ErrorClass::kBadMessage, {std::move(detail)});
}

}  // namespace

std::string b64encode(std::string_view bytes) {
  std::string out = core::base64_encode(bytes);
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

// binascii.a2b_base64 in its default (non-strict) mode, after urlsafe_b64decode's translation.
std::optional<std::string> b64decode(std::string_view text, std::string* error) {
  auto fail = [&](std::string message) -> std::optional<std::string> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80)
      return fail("string argument should contain only ASCII characters");
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  int quad_pos = 0, pads = 0;
  unsigned left = 0;
  size_t data_chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    // The common case first: a whole quad of data characters at a quad boundary.
    if (quad_pos == 0 && i + 4 <= text.size()) {
      int a = b64_value(u8c(text[i])), b = b64_value(u8c(text[i + 1])),
          c = b64_value(u8c(text[i + 2])), d = b64_value(u8c(text[i + 3]));
      if ((a | b | c | d) >= 0) {
        unsigned v = unsigned(a) << 18 | unsigned(b) << 12 | unsigned(c) << 6 | unsigned(d);
        char three[3] = {char(v >> 16), char(v >> 8), char(v)};
        out.append(three, 3);
        data_chars += 4;
        pads = 0;
        i += 3;
        continue;
      }
    }
    char ch = text[i];
    if (ch == '=') {
      if (quad_pos >= 2 && quad_pos + ++pads >= 4) return out;  // the rest is ignored
      continue;
    }
    int v = b64_value(static_cast<unsigned char>(ch));
    if (v < 0) continue;
    pads = 0;
    ++data_chars;
    switch (quad_pos) {
      case 0:
        left = unsigned(v);
        break;
      case 1:
        out += char((left << 2) | (unsigned(v) >> 4));
        left = unsigned(v) & 0x0F;
        break;
      case 2:
        out += char((left << 4) | (unsigned(v) >> 2));
        left = unsigned(v) & 0x03;
        break;
      case 3:
        out += char((left << 6) | unsigned(v));
        break;
    }
    quad_pos = (quad_pos + 1) % 4;
  }
  if (quad_pos == 1)
    return fail("Invalid base64-encoded string: number of data characters (" +
                std::to_string(data_chars) + ") cannot be 1 more than a multiple of 4");
  if (quad_pos != 0) return fail("Incorrect padding");
  return out;
}

std::string sign_payload(std::string_view payload, const crypto::PrivateKey& key) {
  if (key.type() != crypto::KeyType::kRsa)
    throw std::invalid_argument("intercoop 1.0 signs with an RSA key");
  MdCtx ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha1(), nullptr, key.evp()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, u8(payload), payload.size()) != 1)
    throw std::runtime_error("RSA-SHA1 signing failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, u8(payload),
                     payload.size()) != 1)
    throw std::runtime_error("RSA-SHA1 signing failed");
  sig.resize(len);
  return sig;
}

bool verify_payload(std::string_view payload, std::string_view signature,
                    const crypto::PublicKey& key) noexcept {
  if (key.type() != crypto::KeyType::kRsa) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha1(), nullptr, key.evp()) == 1 &&
         EVP_DigestVerify(ctx.get(), u8(signature), signature.size(), u8(payload),
                          payload.size()) == 1;
}

std::optional<crypto::PublicKey> parse_peer_key(std::string_view pem) {
  if (pem.find("-----BEGIN PUBLIC KEY-----") == std::string_view::npos &&
      pem.find("-----BEGIN RSA PUBLIC KEY-----") == std::string_view::npos)
    return std::nullopt;
  try {
    auto key = crypto::PublicKey::from_pem(pem);
    if (key.type() != crypto::KeyType::kRsa) return std::nullopt;
    return key;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string make_package_for_payload(std::string_view payload_yaml, const crypto::PrivateKey& key) {
  if (!valid_utf8(payload_yaml)) throw std::invalid_argument("the payload is not UTF-8 text");
  yaml::Value package = yaml::Value::object();
  package["intercoopVersion"] = std::string(kProtocolVersion);
  package["payload"] = b64encode(payload_yaml);
  package["signature"] = b64encode(sign_payload(payload_yaml, key));
  return yaml::dump(package);
}

std::string make_package(const yaml::Value& fields, const crypto::PrivateKey& key) {
  return make_package_for_payload(yaml::dump(fields), key);
}

ReceivedPackage read_package(std::string_view text, bool accept_hardened) {
  yaml::Value container;
  try {
    container = yaml::load(text);
  } catch (const yaml::YamlError& e) {
    bad_message(std::string("Bad message YAML format\n") + e.what());
  }
  if (!container.is_object() || !container.contains("intercoopVersion"))
    bad_message("missing intercoopVersion");
  const auto& version = container["intercoopVersion"];
  bool hardened = accept_hardened && version.is_string() && version.get<std::string>() == "2.0";
  if (!hardened && (!version.is_string() || version.get<std::string>() != kProtocolVersion))
    throw ProtocolError(ErrorClass::kWrongVersion,
                        {std::string(kProtocolVersion), python_str(version)});
  if (!container.contains("payload")) bad_message("missing payload");
  if (!container.contains("signature")) bad_message("missing signature");

  ReceivedPackage package;
  package.version = version.get<std::string>();
  const auto& payload = container["payload"];
  if (!payload.is_string()) bad_message("Payload is invalid Base64: not a string");
  std::string error;
  auto bytes = b64decode(payload.get<std::string>(), &error);
  if (!bytes) bad_message("Payload is invalid Base64: " + error);
  if (!valid_utf8(*bytes)) bad_message("Payload is not base64 coded UTF8");
  package.payload = std::move(*bytes);

  try {
    package.values = yaml::load(package.payload);
  } catch (const yaml::YamlError& e) {
    throw ProtocolError(ErrorClass::kBadFormat, {e.what()});
  }
  if (!package.values.is_object() || !package.values.contains("originpeer"))
    throw ProtocolError(ErrorClass::kMissingField, {"originpeer"});
  package.origin_peer = python_str(package.values["originpeer"]);
  package.signature = container["signature"];
  return package;
}

void check_signature(const ReceivedPackage& package, const crypto::PublicKey& key) {
  std::optional<std::string> signature;
  if (package.signature.is_string()) signature = b64decode(package.signature.get<std::string>());
  if (!signature || !verify_payload(package.payload, *signature, key))
    throw ProtocolError(ErrorClass::kBadSignature, {});
}

ReceivedPackage receive_package(std::string_view text, const PeerKeyLookup& key_of) {
  ReceivedPackage package = read_package(text);
  auto key = key_of(package.origin_peer);
  if (!key) throw ProtocolError(ErrorClass::kBadPeer, {package.origin_peer});
  check_signature(package, *key);
  return package;
}

}  // namespace registrar::intercoop
