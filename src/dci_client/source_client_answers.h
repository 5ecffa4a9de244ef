// What an exchange with a data source came to, in words an operator can act on (timeout, TLS,
// DNS, connection, the HTTP status and what the registry said), and whether a later attempt may
// succeed. Pure: no I/O, used by the SourceClient and the OAuth2 token fetch.
#pragma once

#include <chrono>
#include <string>

#include "core/error.h"
#include "dci_client/seams.h"
#include "http/message.h"

namespace registrar::dci_client {

// The URL without its query and fragment (which may carry credentials): for messages and logs.
std::string loggable_url(const std::string& url);

// A failure with no HTTP answer (http::HttpClient's error): timeout, TLS, DNS or connection.
// Retryable: timeout and connection; not: TLS, DNS, a malformed URL, an oversized answer, a
// stopped client.
PeerAnswer transport_failure(const core::Error& error, const std::string& url,
                             std::chrono::milliseconds timeout);

// An HTTP answer: ok for a 2xx with a JSON body; otherwise the status in words, with what the
// registry said (a DCI ERR ack's error, an errors[] or a problem's detail) when it said anything.
// Retryable: 5xx, 429 and 408.
// `parse_success`: whether a 2xx body is parsed into `body` (and refused when it is not JSON);
// without, it is only kept in `raw` for a caller that parses it itself (a sync answer, parsed
// once for its signature and its items).
PeerAnswer http_answer(const http::Response& response, const std::string& url,
                       bool parse_success = true);

// The delay before retry `retry` (1 for the first): base doubled per retry, at most cap, then
// "equal jitter" (half fixed, half scaled by unit ∈ [0, 1]) so that many clients refused at the
// same moment do not come back together.
std::chrono::milliseconds retry_delay(int64_t retry, std::chrono::milliseconds base,
                                      std::chrono::milliseconds cap, double unit);

}  // namespace registrar::dci_client
