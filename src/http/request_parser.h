// A Beast parser that fills http::Request directly. Private to src/http.
#pragma once

#include <boost/beast/http.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

#include "http/message.h"

namespace registrar::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Parses a request straight into our Request: Beast's request_parser would first build a
// basic_fields (an allocation per header) that the server then copied into Request.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  explicit RequestParser(Request& req) : req_(req) {}
  // 11 for HTTP/1.1, 10 for HTTP/1.0 (which has no chunked transfer-encoding).
  int http_version() const { return version_; }

 private:
  // Reserved up front at most (the route's limit is checked before the body is read; this only
  // bounds the allocation a declared length alone can cause).
  static constexpr uint64_t kMaxReserve = 64 * 1024;

  void on_request_impl(bhttp::verb, beast::string_view method, beast::string_view target,
                       int version, boost::system::error_code&) override {
    version_ = version;
    req_.method_text.assign(method.data(), method.size());
    req_.target.assign(target.data(), target.size());
  }
  void on_response_impl(int, beast::string_view, int, boost::system::error_code&) override {}
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value,
                     boost::system::error_code&) override {
    req_.headers.add(std::string(name.data(), name.size()),
                     std::string(value.data(), value.size()));
  }
  void on_header_impl(boost::system::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         boost::system::error_code&) override {
    if (length) req_.body.reserve(static_cast<size_t>(std::min(*length, kMaxReserve)));
  }
  size_t on_body_impl(beast::string_view body, boost::system::error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view,
                            boost::system::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                            boost::system::error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(boost::system::error_code&) override {}

  int version_ = 11;
  Request& req_;
};

}  // namespace registrar::http
