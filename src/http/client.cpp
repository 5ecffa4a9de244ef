#include "http/client.h"

#include <stdexcept>

#include "http/async_client.h"

namespace registrar::http {

Url parse_url(const std::string& url) {
  Url u;
  auto sep = url.find("://");
  if (sep == std::string::npos) throw std::invalid_argument("URL must be absolute: " + url);
  u.scheme = url.substr(0, sep);
  if (u.scheme != "http" && u.scheme != "https")
    throw std::invalid_argument("URL scheme must be http or https: " + url);
  auto rest = url.substr(sep + 3);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string::npos)
    throw std::invalid_argument("URL must have a host and no user info: " + url);
  std::string port;
  if (authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) throw std::invalid_argument("bad IPv6 host in URL: " + url);
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (port.empty()) {
    u.port = u.scheme == "https" ? 443 : 80;
  } else {
    if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
        std::stoul(port) > 65535)
      throw std::invalid_argument("bad port in URL: " + url);
    u.port = uint16_t(std::stoul(port));
  }
  return u;
}

// One short-lived client per call: one connection, closed after the response (no pool), and no
// state shared between callers.
Response fetch(const ClientRequest& req) {
  HttpClient::Options options;
  options.max_idle_per_host = 0;
  HttpClient client(options);
  return client.send_and_wait(req);
}

}  // namespace registrar::http
