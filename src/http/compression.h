// Response compression for large bodies (MOSIP's sync responses run to megabytes of base64 and
// compress well enough to matter on a registration centre's link). Only gzip: every client that
// asks for anything asks for it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace registrar::http {

// True when the Accept-Encoding header value accepts gzip (a "gzip" or "x-gzip" coding, or "*",
// with a non-zero q).
bool accepts_gzip(std::string_view accept_encoding);

// How hard gzip tries. kFast: deflate level 1 (most of the default level's saving on JSON, in a
// fraction of the time). kHuffmanOnly: no string matching, only entropy coding: for bodies that
// are mostly base64 of ciphertext (MOSIP sync data), which no matching shrinks beyond the 3/4
// that Huffman coding of 64 symbols gives, at several times the speed.
enum class GzipMode { kFast, kHuffmanOnly };

// gzip (RFC 1952) of `data`; throws std::runtime_error when zlib fails (out of memory).
std::string gzip(std::string_view data, GzipMode mode = GzipMode::kFast);
// The inverse, for tests; nullopt when `data` is not a complete gzip stream.
std::optional<std::string> gunzip(std::string_view data);

// A stream of the gzip of what `inner` produces, deflated piece by piece (zlib's state carries
// over: one gzip member for the whole body).
std::shared_ptr<BodyStream> gzip_stream(std::shared_ptr<BodyStream> inner,
                                        GzipMode mode = GzipMode::kFast);

// Compresses the response body in place when the request accepts gzip, the body has at least
// `min_bytes` (a streamed body: always) and the response is not already encoded: sets
// Content-Encoding: gzip. Adds Vary: Accept-Encoding whenever the body was large enough to be
// compressed, so that a cache keeps both forms apart.
void compress_if_accepted(const Request& request, Response& response, size_t min_bytes = 1024,
                          GzipMode mode = GzipMode::kFast);

}  // namespace registrar::http
