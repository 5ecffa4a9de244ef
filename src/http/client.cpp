#include "http/client.h"

#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "core/error.h"

namespace registrar::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

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

namespace {

template <class Stream>
Response exchange(Stream& stream, const Url& u, const ClientRequest& req, asio::io_context& ioc,
                  std::chrono::steady_clock::time_point deadline) {
  bhttp::request<bhttp::string_body> out{
      bhttp::string_to_verb(std::string(method_name(req.method))), u.target, 11};
  out.set(bhttp::field::host, u.host + ":" + std::to_string(u.port));
  out.set(bhttp::field::user_agent, "registrar");
  for (auto& [k, v] : req.headers.all()) out.set(k, v);
  out.body() = req.body;
  if (!req.body.empty() || req.method == Method::kPost || req.method == Method::kPut)
    out.prepare_payload();
  out.keep_alive(false);

  beast::error_code ec;
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(req.max_response_bytes);
  beast::get_lowest_layer(stream).expires_at(deadline);
  bhttp::async_write(stream, out, [&](beast::error_code e, size_t) {
    ec = e;
    if (e) return;
    bhttp::async_read(stream, buffer, parser, [&](beast::error_code e2, size_t) { ec = e2; });
  });
  ioc.run();
  if (ec)
    throw core::Error(core::ErrorKind::kUnavailable,
                      "HTTP exchange with " + u.host + " failed: " + ec.message());
  auto& msg = parser.get();
  Response r;
  r.status = int(msg.result_int());
  for (auto& f : msg) r.headers.add(std::string(f.name_string()), std::string(f.value()));
  r.body = std::move(msg.body());
  return r;
}

}  // namespace

Response fetch(const ClientRequest& req) {
  Url u;
  try {
    u = parse_url(req.url);
  } catch (const std::invalid_argument& e) {
    throw core::invalid_argument(e.what(), "url");
  }
  asio::io_context ioc;
  auto deadline = std::chrono::steady_clock::now() + req.timeout;
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto results = resolver.resolve(u.host, std::to_string(u.port), ec);
  if (ec)
    throw core::Error(core::ErrorKind::kUnavailable,
                      "cannot resolve " + u.host + ": " + ec.message());

  auto connect = [&](beast::tcp_stream& s) {
    s.expires_at(deadline);
    s.async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    ioc.run();
    ioc.restart();
    if (ec)
      throw core::Error(
          core::ErrorKind::kUnavailable,
          "cannot connect to " + u.host + ":" + std::to_string(u.port) + ": " + ec.message());
  };

  if (u.scheme == "http") {
    beast::tcp_stream stream(ioc);
    connect(stream);
    return exchange(stream, u, req, ioc, deadline);
  }
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  if (req.ca_file.empty()) {
    ctx.set_default_verify_paths();
  } else {
    ctx.load_verify_file(req.ca_file);
  }
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str()))
    throw core::Error(core::ErrorKind::kUnavailable, "cannot set TLS server name");
  stream.set_verify_callback(asio::ssl::host_name_verification(u.host));
  connect(beast::get_lowest_layer(stream));
  stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
  ioc.run();
  ioc.restart();
  if (ec)
    throw core::Error(core::ErrorKind::kUnavailable,
                      "TLS handshake with " + u.host + " failed: " + ec.message());
  return exchange(stream, u, req, ioc, deadline);
}

}  // namespace registrar::http
