#include "ibr/callback_url.h"

#include "core/error.h"

namespace registrar::ibr {

namespace {

core::Error bad_uri(const std::string& message) {
  return core::invalid_argument(message, "header.sender_uri");
}

}  // namespace

bool url_under(const std::string& url, const std::string& prefix) {
  if (prefix.empty() || url.compare(0, prefix.size(), prefix) != 0) return false;
  if (url.size() == prefix.size() || prefix.back() == '/') return true;
  char next = url[prefix.size()];
  return next == '/' || next == '?' || next == '#';
}

std::string callback_target(const std::optional<std::string>& sender_uri,
                            const std::string& registered) {
  if (!sender_uri || sender_uri->empty()) {
    if (registered.empty())
      throw bad_uri("sender_uri is required: no callback URL is registered for this sender");
    return registered;
  }
  const std::string& uri = *sender_uri;
  if (uri.size() > 2048) throw bad_uri("sender_uri is longer than 2048 characters");
  for (unsigned char c : uri)
    if (c <= 0x20 || c >= 0x7f) throw bad_uri("sender_uri must be a plain ASCII URL");
  size_t host = uri.rfind("https://", 0) == 0 ? 8 : uri.rfind("http://", 0) == 0 ? 7 : 0;
  if (host == 0 || host == uri.size() || uri.find_first_of("/?#", host) == host)
    throw bad_uri("sender_uri must be an absolute http:// or https:// URL");
  // "https://a.example@evil.example/": the userinfo form hides the real host.
  if (uri.find('@') != std::string::npos) throw bad_uri("sender_uri must not carry userinfo");
  if (!registered.empty() && !url_under(uri, registered))
    throw bad_uri("sender_uri is not under the callback URL registered for this sender");
  return uri;
}

std::string notify_url_for(const std::string& url) {
  static const std::string kLast = "/on-subscribe";
  if (url.size() > kLast.size() && url.compare(url.size() - kLast.size(), kLast.size(), kLast) == 0)
    return url.substr(0, url.size() - kLast.size()) + "/notify";
  return url;
}

bool subscription_matches(const Subscription& sub, const std::vector<Identifier>& identifiers) {
  for (const auto& id : identifiers)
    if ((sub.id_type == "*" || sub.id_type == id.type) &&
        (sub.id_value == "*" || sub.id_value == id.value))
      return true;
  return false;
}

}  // namespace registrar::ibr
