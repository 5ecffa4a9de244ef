#include "dci_client/oauth2_token.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/log.h"
#include "dci_client/source_client_answers.h"

namespace registrar::dci_client {
namespace {

void append_escaped(std::string& out, const std::string& text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += char(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

std::vector<std::pair<std::string, std::string>> credentials_of(const DataSource& d) {
  std::vector<std::pair<std::string, std::string>> f = {
      {"grant_type", "client_credentials"},
      {"client_id", d.oauth2_client_id},
      {"client_secret", d.secrets.oauth2_client_secret}};
  if (!d.oauth2_scope.empty()) f.emplace_back("scope", d.oauth2_scope);
  return f;
}

// Which credentials a cached token belongs to: a changed source gets a new token.
std::string fingerprint(const DataSource& d) {
  return d.oauth2_token_url + '\n' +
         std::string(credential_location_name(d.oauth2_credential_location)) + '\n' +
         form_encode(credentials_of(d));
}

// expires_in as a number or as the string the SPDCI authz spec types it as.
std::optional<int64_t> lifetime_of(const nlohmann::json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<int64_t>();
  if (v.is_number_float()) return int64_t(v.get<double>());
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end && *end == '\0') return n;
  }
  return std::nullopt;
}

}  // namespace

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    append_escaped(out, name);
    out += '=';
    append_escaped(out, value);
  }
  return out;
}

http::ClientRequest token_request(const DataSource& d) {
  http::ClientRequest req;
  req.method = http::Method::kPost;
  req.url = d.oauth2_token_url;
  std::string form = form_encode(credentials_of(d));
  if (d.oauth2_credential_location == CredentialLocation::kQuery) {
    req.url += (req.url.find('?') == std::string::npos ? '?' : '&') + form;
  } else {
    req.body = std::move(form);
    req.headers.set("Content-Type", "application/x-www-form-urlencoded");
  }
  req.headers.set("Accept", "application/json");
  req.timeout = d.timeout;
  req.read_timeout = d.timeout;
  req.connect_timeout = std::min<std::chrono::milliseconds>(d.timeout, std::chrono::seconds(10));
  req.verify_tls = d.verify_tls;
  req.max_response_bytes = 256 * 1024;
  return req;
}

TokenAnswer read_token_answer(const http::Response& r, const std::string& url, PeerAnswer& error) {
  TokenAnswer t;
  error = http_answer(r, url);
  if (!error.ok()) {
    error.error = "OAuth2 token request: " + error.error;
    return t;
  }
  const nlohmann::json& body = error.body;
  auto token = body.is_object() ? body.find("access_token") : body.end();
  if (!body.is_object() || token == body.end() || !token->is_string() ||
      token->get_ref<const std::string&>().empty()) {
    error.error =
        "OAuth2 token request: the answer of " + loggable_url(url) + " has no access_token";
    return t;
  }
  t.access_token = token->get<std::string>();
  if (auto e = body.find("expires_in"); e != body.end() && !e->is_null()) {
    if (auto n = lifetime_of(*e))
      t.expires_in = std::chrono::seconds(*n);
    else
      log::warn("dci_client_token_lifetime_unreadable",
                {{"url", loggable_url(url)}, {"assumed_s", kDefaultTokenLifetime.count()}});
  }
  return t;
}

void OAuth2Tokens::get(const DataSource& d, Done done) {
  std::string credentials = fingerprint(d);
  http::ClientRequest req;
  {
    core::MutexLock lock(mu_);
    Entry& e = cache_[d.code];
    if (e.credentials == credentials && !e.token.empty() &&
        clock_.now() < e.expires_at - kTokenExpiryMargin) {
      std::string token = e.token;
      lock.unlock();
      done(std::move(token), PeerAnswer{});
      return;
    }
    e.waiting.push_back(std::move(done));
    if (e.fetching && e.credentials == credentials) return;  // that fetch answers us too
    e.fetching = true;
    e.credentials = credentials;
    e.token.clear();
    ++fetches_;
    req = token_request(d);
  }
  std::string url = req.url;
  std::string code = d.code;
  auto timeout = d.timeout;
  client_.send(std::move(req),
               [self = shared_from_this(), code, url, timeout](http::Outcome outcome) {
                 PeerAnswer failure;
                 TokenAnswer t;
                 if (outcome.ok())
                   t = read_token_answer(outcome.response(), url, failure);
                 else
                   failure = transport_failure(outcome.error(), url, timeout);
                 if (!failure.ok())
                   failure.error = failure.error.rfind("OAuth2", 0) == 0
                                       ? failure.error
                                       : "OAuth2 token request: " + failure.error;
                 self->fetched(code, t.access_token, self->clock_.now() + t.expires_in, failure);
               });
}

void OAuth2Tokens::fetched(const std::string& code, const std::string& token,
                           core::SystemTime expires_at, const PeerAnswer& failure) {
  std::vector<Done> waiting;
  {
    core::MutexLock lock(mu_);
    Entry& e = cache_[code];
    e.fetching = false;
    if (failure.ok()) {
      e.token = token;
      e.expires_at = expires_at;
    }
    waiting.swap(e.waiting);
  }
  for (auto& w : waiting) w(failure.ok() ? token : std::string(), failure);
}

void OAuth2Tokens::invalidate(const std::string& code, const std::string& token) {
  core::MutexLock lock(mu_);
  auto it = cache_.find(code);
  if (it != cache_.end() && it->second.token == token) it->second.token.clear();
}

int64_t OAuth2Tokens::fetches() const {
  core::MutexLock lock(mu_);
  return fetches_;
}

}  // namespace registrar::dci_client
