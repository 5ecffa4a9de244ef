// Machine signatures (docs/sync.md, "Machine signatures"): the "sync-machine" authenticator of the
// cursor API. A registration machine signs each request with its signing key as a compact JWS in
// `Authorization: Machine <JWS>`; the payload binds the method, the request target, the time and
// the body's SHA-256, and the header's `kid` is the signing key's index (spec §6.1), so the server
// finds the machine without any other credential. Blocking (reads the machine from the database):
// only for routes that run on workers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/auth.h"
#include "sync/machine_cache.h"

namespace registrar::sync {

inline constexpr const char* kMachineAuthenticator = "sync-machine";
inline constexpr const char* kMachineSubjectPrefix = "machine:";

// The checks of one signed request, apart from the database and the signature: what the
// payload must say about `method`, `target` and `body` at `now_s`. nullopt when it fits, else
// the message of the check that failed. Pure.
std::optional<std::string> check_machine_claims(const Json& payload, std::string_view method,
                                                std::string_view target, std::string_view body,
                                                int64_t now_s, int64_t skew_s);

// base64url (no padding) of SHA-256(bytes): the payload's bodySha256.
std::string body_sha256_b64(std::string_view bytes);

class MachineAuthenticator final : public http::Authenticator {
 public:
  // GET requests (the pull, which checks its entry in its own statement) are authenticated
  // against cached machines; others against the database.
  MachineAuthenticator(MachineCache& machines, int64_t skew_s);
  std::optional<http::Failure> authenticate(http::Request& request,
                                            const http::Route& route) override;

 private:
  MachineCache& machines_;
  const int64_t skew_s_;
};

// The machine id of a principal this authenticator set ("" for any other principal).
std::string machine_id_of(const http::Request& request);

}  // namespace registrar::sync
