// PEM and DER import/export. The PEM armour is parsed here rather than by OpenSSL's PEM reader so
// that the label decides the DER structure explicitly (no guessing between formats) and every
// failure gets a message a client can act on.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "core/base64.h"
#include "crypto/keys.h"
#include "crypto/keys_internal.h"

namespace registrar::crypto {

using detail::EvpPtr;
using detail::fail;

namespace detail {

PemBlock decode_pem(std::string_view text) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kDashes = "-----";
  size_t begin = text.find(kBegin);
  if (begin == std::string_view::npos) fail("not a PEM block (no -----BEGIN line)");
  size_t label_start = begin + kBegin.size();
  size_t label_end = text.find(kDashes, label_start);
  if (label_end == std::string_view::npos) fail("malformed PEM BEGIN line");
  PemBlock block;
  block.label = std::string(text.substr(label_start, label_end - label_start));
  std::string end_line = "-----END " + block.label + "-----";
  size_t body_start = label_end + kDashes.size();
  size_t end = text.find(end_line, body_start);
  if (end == std::string_view::npos) fail("PEM block without its END line: " + end_line);
  std::string_view body = text.substr(body_start, end - body_start);
  // RFC 1421 headers (Proc-Type, DEK-Info) only appear on encrypted legacy keys.
  if (body.find(':') != std::string_view::npos) fail("encrypted PEM keys are not supported");
  auto der = core::base64_decode_lenient(body);
  if (!der || der->empty()) fail("PEM body is not valid base64");
  block.der = std::move(*der);
  return block;
}

std::string encode_pem(std::string_view label, std::string_view der) {
  std::string b64 = core::base64_encode(der);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out += '\n';
  }
  out += "-----END " + std::string(label) + "-----\n";
  return out;
}

}  // namespace detail

namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Runs an OpenSSL d2i function and insists that it consumed the whole input.
template <class Decode>
EvpPtr decode_all(std::string_view der, const char* what, Decode decode) {
  const unsigned char* p = bytes(der);
  EvpPtr key(decode(&p, static_cast<long>(der.size())));
  if (!key) fail(std::string("malformed ") + what + ": " + detail::openssl_reason());
  if (p != bytes(der) + der.size()) fail(std::string("trailing bytes after ") + what);
  return key;
}

}  // namespace

PublicKey PublicKey::from_spki_der(std::string_view der) {
  EvpPtr key = decode_all(der, "SubjectPublicKeyInfo", [](const unsigned char** p, long n) {
    return d2i_PUBKEY(nullptr, p, n);
  });
  return detail::public_from_evp(key.get());
}

PublicKey PublicKey::from_pem(std::string_view pem) {
  detail::PemBlock block = detail::decode_pem(pem);
  if (block.label == "PUBLIC KEY") return from_spki_der(block.der);
  if (block.label == "RSA PUBLIC KEY") {
    EvpPtr key = decode_all(
        block.der, "PKCS#1 RSA public key",
        [](const unsigned char** p, long n) { return d2i_PublicKey(EVP_PKEY_RSA, nullptr, p, n); });
    return detail::public_from_evp(key.get());
  }
  if (block.label == "CERTIFICATE") {
    const unsigned char* p = bytes(block.der);
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(block.der.size()));
    if (!cert) fail("malformed X.509 certificate: " + detail::openssl_reason());
    // The certificate is only a carrier here: no chain or validity checks, as with the original.
    EVP_PKEY* key = X509_get0_pubkey(cert);
    if (!key) {
      X509_free(cert);
      fail("certificate has an unsupported public key: " + detail::openssl_reason());
    }
    try {
      PublicKey pub = detail::public_from_evp(key);
      X509_free(cert);
      return pub;
    } catch (...) {
      X509_free(cert);
      throw;
    }
  }
  if (block.label.find("PRIVATE KEY") != std::string::npos) {
    fail("a private key was supplied where a public key is expected");
  }
  fail("unsupported PEM label '" + block.label +
       "' (expected PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE)");
}

PrivateKey PrivateKey::from_pem(std::string_view pem) {
  detail::PemBlock block = detail::decode_pem(pem);
  EvpPtr key;
  if (block.label == "PRIVATE KEY") {
    key = decode_all(block.der, "PKCS#8 private key", [](const unsigned char** p, long n) {
      return d2i_AutoPrivateKey(nullptr, p, n);
    });
  } else if (block.label == "RSA PRIVATE KEY") {
    key = decode_all(block.der, "PKCS#1 RSA private key", [](const unsigned char** p, long n) {
      return d2i_PrivateKey(EVP_PKEY_RSA, nullptr, p, n);
    });
  } else if (block.label == "EC PRIVATE KEY") {
    key = decode_all(block.der, "SEC 1 EC private key", [](const unsigned char** p, long n) {
      return d2i_PrivateKey(EVP_PKEY_EC, nullptr, p, n);
    });
  } else if (block.label == "ENCRYPTED PRIVATE KEY") {
    fail("encrypted private keys are not supported");
  } else {
    fail("unsupported PEM label '" + block.label +
         "' (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
  }
  sodium_memzero(block.der.data(), block.der.size());
  return detail::private_from_evp(std::move(key));
}

std::string PrivateKey::to_pem() const {
  if (type() == KeyType::kEd25519) {
    // PKCS#8 of an Ed25519 key is a fixed prefix and the 32-byte seed (RFC 8410 §7).
    static constexpr unsigned char kPrefix[] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                                0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    std::string der(reinterpret_cast<const char*>(kPrefix), sizeof kPrefix);
    der.append(reinterpret_cast<const char*>(ed25519_secret().data()), 32);
    std::string out = detail::encode_pem("PRIVATE KEY", der);
    sodium_memzero(der.data(), der.size());
    return out;
  }
  // Secure-heap BIO: the encoded private key is wiped when the BIO is freed.
  BIO* bio = BIO_new(BIO_s_secmem());
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio, evp(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    BIO_free(bio);
    throw core::Error(core::ErrorKind::kInternal, "cannot encode private key");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

}  // namespace registrar::crypto
