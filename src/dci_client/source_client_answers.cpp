#include "dci_client/source_client_answers.h"

#include <algorithm>
#include <cmath>

namespace registrar::dci_client {
namespace {

bool contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

std::string seconds(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

// What the registry said about its refusal, when the body says anything we can read.
std::string peer_detail(const nlohmann::json& body) {
  std::string said;
  if (!body.is_object()) return said;
  auto text = [](const nlohmann::json& j, const char* key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto m = body.find("message"); m != body.end() && m->is_object()) {
    if (auto e = m->find("error"); e != m->end() && e->is_object()) {
      said = text(*e, "code");
      std::string msg = text(*e, "message");
      if (!msg.empty()) said += (said.empty() ? "" : ": ") + msg;
    }
  }
  if (auto e = body.find("errors");
      said.empty() && e != body.end() && e->is_array() && !e->empty() && (*e)[0].is_object())
    said = text((*e)[0], "code") + " " + text((*e)[0], "message");
  if (said.empty()) said = text(body, "detail");
  if (said.empty()) said = text(body, "error");
  if (said.size() > 300) said = said.substr(0, 300) + "...";
  return said;
}

std::string status_words(int status) {
  switch (status) {
    case 400:
      return "the registry refused the request as invalid";
    case 401:
      return "the registry refused our credentials or signature (check the data source's "
             "authentication and our key in its sender registry)";
    case 403:
      return "the registry denied us access";
    case 404:
      return "the registry has no such endpoint (check the base URL and the endpoints)";
    case 408:
    case 504:
      return "the registry timed out; it will be tried again";
    case 429:
      return "the registry asks us to slow down; it will be tried again";
    default:
      if (status >= 500) return "the registry failed or is unavailable; it will be tried again";
      if (status >= 300 && status < 400) return "the registry redirects (check the base URL)";
      return "the registry refused the request";
  }
}

}  // namespace

std::string loggable_url(const std::string& url) {
  return url.substr(0, url.find_first_of("?#"));
}

PeerAnswer transport_failure(const core::Error& error, const std::string& url,
                             std::chrono::milliseconds timeout) {
  PeerAnswer a;
  const std::string what = error.what();
  const std::string where = loggable_url(url);
  if (error.kind() == core::ErrorKind::kInvalidArgument) {
    a.error = "bad URL " + where + ": " + what;
  } else if (contains(what, "client stopped")) {
    a.error = "not sent: the server is shutting down";
  } else if (contains(what, "timeout")) {
    a.error =
        "timeout: no answer from " + where + " within " + seconds(timeout) + " (" + what + ")";
    a.retryable = true;
  } else if (contains(what, "TLS") || contains(what, "certificate") || contains(what, "ssl") ||
             contains(what, "SSL")) {
    a.error = "TLS: the secure connection to " + where +
              " failed (check its certificate, or verify_tls for a test registry): " + what;
  } else if (contains(what, "resolve")) {
    a.error = "DNS: cannot resolve the host of " + where + " (check the base URL): " + what;
  } else if (contains(what, "exceeds")) {
    a.error = "the answer of " + where + " is too large: " + what;
  } else {
    a.error = "connection: cannot reach " + where + ": " + what;
    a.retryable = true;
  }
  return a;
}

PeerAnswer http_answer(const http::Response& r, const std::string& url, bool parse_success) {
  PeerAnswer a;
  a.http_status = r.status;
  const bool success = r.status >= 200 && r.status < 300;
  if (success) a.raw = r.body;
  if (success && !parse_success) return a;
  a.body = nlohmann::json::parse(r.body, nullptr, false);
  if (a.body.is_discarded()) a.body = nullptr;
  const std::string prefix = "HTTP " + std::to_string(r.status) + " from " + loggable_url(url);
  if (r.status >= 200 && r.status < 300) {
    if (a.body.is_null()) a.error = prefix + ": the answer is not JSON";
    return a;
  }
  a.error = prefix + ": " + status_words(r.status);
  std::string said = peer_detail(a.body);
  if (!said.empty()) a.error += " (the registry said: " + said + ")";
  a.retryable = r.status >= 500 || r.status == 429 || r.status == 408;
  return a;
}

std::chrono::milliseconds retry_delay(int64_t retry, std::chrono::milliseconds base,
                                      std::chrono::milliseconds cap, double unit) {
  double full = double(base.count()) * std::pow(2.0, double(std::clamp<int64_t>(retry - 1, 0, 40)));
  full = std::min(full, double(cap.count()));
  double half = full / 2;
  return std::chrono::milliseconds(std::llround(half + half * std::clamp(unit, 0.0, 1.0)));
}

}  // namespace registrar::dci_client
