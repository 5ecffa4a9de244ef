// OAuth2 client-credentials tokens of the data sources (dci-ibr.md §4 "OAuth2 token"): POST the
// token URL with grant_type=client_credentials, client_id, client_secret [, scope] as a form body
// (or, credential location "query", as the query string: the OpenCRVS workaround); read
// access_token and expires_in (a number, or a string as the SPDCI authz spec types it; 3600 when
// absent). A token is cached per source and reused while now < expiry - 60 s; requests that need
// one while it is being fetched wait for that fetch instead of starting their own.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/thread_annotations.h"
#include "dci_client/data_source.h"
#include "dci_client/seams.h"
#include "http/async_client.h"

namespace registrar::dci_client {

inline constexpr std::chrono::seconds kTokenExpiryMargin{60};
inline constexpr std::chrono::seconds kDefaultTokenLifetime{3600};

// application/x-www-form-urlencoded.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

// The token request for a source (its URL carries the credentials when the location is query).
http::ClientRequest token_request(const DataSource& source);

struct TokenAnswer {
  std::string access_token;
  std::chrono::seconds expires_in = kDefaultTokenLifetime;
};
// Reads the token endpoint's answer; on failure `error` is set (operator words) and the token
// empty. Pure.
TokenAnswer read_token_answer(const http::Response& response, const std::string& url,
                              PeerAnswer& error);

// Held by shared_ptr: a fetch's completion keeps it alive.
class OAuth2Tokens : public std::enable_shared_from_this<OAuth2Tokens> {
 public:
  // (token, failure): the token when failure.ok(), else why none could be had.
  using Done = std::function<void(std::string, PeerAnswer)>;

  OAuth2Tokens(http::HttpClient& client, const core::Clock& clock)
      : client_(client), clock_(clock) {}

  // A valid token for `source`: at once (on the calling thread) when cached, else after a fetch
  // (on the HTTP client's thread). Never blocks.
  void get(const DataSource& source, Done done) EXCLUDES(mu_);
  // Forgets `token` when it is still the cached one of `code` (the registry refused it: 401),
  // so that the next get() fetches a new one; a newer token another request fetched stays.
  void invalidate(const std::string& code, const std::string& token) EXCLUDES(mu_);
  // Token requests sent so far (tests and metrics).
  int64_t fetches() const EXCLUDES(mu_);

 private:
  struct Entry {
    std::string credentials;  // what the token was fetched with; another value refetches
    std::string token;
    core::SystemTime expires_at{};
    bool fetching = false;
    std::vector<Done> waiting;
  };
  void fetched(const std::string& code, const std::string& token, core::SystemTime expires_at,
               const PeerAnswer& failure) EXCLUDES(mu_);

  http::HttpClient& client_;
  const core::Clock& clock_;
  mutable core::Mutex mu_;
  std::map<std::string, Entry> cache_ GUARDED_BY(mu_);
  int64_t fetches_ GUARDED_BY(mu_) = 0;
};

}  // namespace registrar::dci_client
