// Where an async request's callback goes (docs/ibr.md, "Callback URLs"). Pure.
//
// header.sender_uri is text the caller chose, and we POST to it: a signed sender could point us
// at any host our network reaches. So it must be an absolute http(s) URL, and when the sender's
// record has a registered callback URL it must lie under it (same scheme, host and port, and a
// path that continues at a '/' boundary); a request without sender_uri uses the registered URL
// (the spec's "default uri configured as part of onboarding"). Without a registration any http(s)
// URL is accepted, as OpenSPP's clients expect: register one for every sender in production.
#pragma once

#include <optional>
#include <string>

#include "ibr/async_store.h"
#include "ibr/records.h"

namespace registrar::ibr {

// The URL to POST to. Throws core::Error(kInvalidArgument, field "header.sender_uri"), which the
// DCI routes answer as 400 err.sender_uri.invalid.
std::string callback_target(const std::optional<std::string>& sender_uri,
                            const std::string& registered);

// True when `url` is `prefix` or continues it at a '/', '?' or '#' (a prefix ending in '/' also
// matches anything under it).
bool url_under(const std::string& url, const std::string& prefix);

// Where a subscription's notifications go: its on-subscribe URL with a last segment
// "on-subscribe" replaced by "notify" (OpenSPP's receivers, dci-ibr.md §1.2), else that URL.
std::string notify_url_for(const std::string& on_subscribe_url);

// Whether an event about a person holding `identifiers` concerns the subscription (its filter's
// type and value, "*" matching any).
bool subscription_matches(const Subscription& subscription,
                          const std::vector<Identifier>& identifiers);

}  // namespace registrar::ibr
