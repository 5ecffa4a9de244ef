// One request of the asynchronous client, as a coroutine on the client's thread: redirects
// (follow), the retry on a stale pooled connection (attempt), DNS + TCP + TLS (connect), and
// writing the request and reading the response under the size limit (exchange_on).
#include "http/async_client_impl.h"

namespace registrar::http {

using namespace client_detail;

namespace {

std::string millis(std::chrono::milliseconds ms) {
  return std::to_string(ms.count()) + " ms";
}

std::string peer_name(const Url& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  return (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

bool is_timeout(const error_code& ec) {
  return ec == beast::error::timeout || ec == asio::error::timed_out;
}

bool idempotent(Method m) {
  return m == Method::kGet || m == Method::kHead || m == Method::kPut || m == Method::kDelete ||
         m == Method::kOptions;
}

// The step's deadline: its own timeout from now, cut by the total one. Records which applies.
Clock::time_point step_deadline(const Exchange& ex, std::chrono::milliseconds timeout, Attempt& a) {
  auto own = Clock::now() + timeout;
  a.step_timeout = timeout;
  a.total_binding = ex.deadline <= own;
  return std::min(own, ex.deadline);
}

core::Error failure(const Exchange& ex, const Url& url, const Attempt& a) {
  std::string what;
  if (a.too_large || a.ec == bhttp::error::body_limit || a.ec == bhttp::error::header_limit) {
    what = "the response exceeds " + std::to_string(ex.req.max_response_bytes) + " bytes";
  } else if (is_timeout(a.ec) && a.total_binding) {
    what = "total timeout (" + millis(ex.req.timeout) + ") passed during " + a.step;
  } else if (is_timeout(a.ec)) {
    bool connecting = std::string_view(a.step) != "send" && std::string_view(a.step) != "read";
    what = std::string(connecting ? "connect" : "read") + " timeout (" + millis(a.step_timeout) +
           ") passed during " + a.step;
  } else {
    what = std::string(a.step) + " failed: " + a.ec.message();
  }
  return core::Error(core::ErrorKind::kUnavailable, std::string(method_name(ex.req.method)) + " " +
                                                        url.scheme + "://" + peer_name(url) + ": " +
                                                        what);
}

bhttp::request<bhttp::string_body> build_request(const ClientRequest& req, const Url& url,
                                                 bool keep_alive, const std::string& agent) {
  bhttp::request<bhttp::string_body> out;
  out.version(11);
  out.method_string(method_name(req.method));
  out.target(url.target);
  bool default_port = url.port == (url.scheme == "https" ? 443 : 80);
  if (!req.headers.has("Host"))
    out.set(bhttp::field::host,
            default_port
                ? (url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host)
                : peer_name(url));
  if (!req.headers.has("User-Agent")) out.set(bhttp::field::user_agent, agent);
  for (auto& [name, value] : req.headers.all()) out.insert(name, value);
  out.body() = req.body;
  if (!req.body.empty() || req.method == Method::kPost || req.method == Method::kPut ||
      req.method == Method::kPatch)
    out.prepare_payload();
  if (!keep_alive) out.keep_alive(false);
  return out;
}

// The URL a Location header points to, or nullopt when it is not an http(s) URL.
std::optional<Url> redirect_target(const Url& base, std::string location) {
  location = location.substr(0, location.find('#'));
  try {
    auto colon = location.find(':');
    if (colon != std::string::npos && colon < location.find('/')) return parse_url(location);
    if (location.starts_with("//")) return parse_url(base.scheme + ":" + location);
    Url next = base;
    if (location.starts_with("/")) {
      next.target = location;
    } else {  // relative to the current path's directory
      std::string path = base.target.substr(0, base.target.find('?'));
      next.target = path.substr(0, path.rfind('/') + 1) + location;
    }
    return next;
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

// Resolves `host` unless the deadline passes first. asio cannot interrupt a getaddrinfo() that is
// already running, so the timer (or stop()) completes the wait on its own and a late result is
// dropped.
template <class Token>
auto async_resolve_until(std::shared_ptr<Exchange> ex, const Url& url, Clock::time_point deadline,
                         Token&& token) {
  return asio::async_initiate<Token, void(error_code, tcp::resolver::results_type)>(
      [](auto handler, std::shared_ptr<Exchange> ex, std::string host, std::string port,
         Clock::time_point deadline) {
        using Handler = decltype(handler);
        auto slot = std::make_shared<std::optional<Handler>>(std::move(handler));
        auto finish = [slot](error_code ec, tcp::resolver::results_type results) {
          if (!*slot) return;
          Handler h = std::move(**slot);
          slot->reset();
          std::move(h)(ec, std::move(results));
        };
        ex->timer.expires_at(deadline);
        ex->timer.async_wait([finish, ex](const error_code& ec) {
          if (!ec) finish(asio::error::timed_out, {});
          if (ec && ex->cancelled) finish(asio::error::operation_aborted, {});
        });
        ex->resolver->async_resolve(
            host, port, [finish, ex](const error_code& ec, tcp::resolver::results_type results) {
              ex->timer.cancel();
              finish(ec, std::move(results));
            });
      },
      token, std::move(ex), url.host, std::to_string(url.port), deadline);
}

}  // namespace

awaitable<void> HttpClient::Impl::run(std::shared_ptr<Exchange> ex) {
  std::optional<Outcome> outcome;
  try {
    outcome.emplace(co_await follow(ex));
  } catch (const core::Error& e) {
    outcome.emplace(e);
  } catch (const std::exception& e) {
    outcome.emplace(core::Error(core::ErrorKind::kInternal, e.what()));
  }
  active.erase(ex);
  complete(*ex, std::move(*outcome));  // a no-op when stop() has answered already
}

awaitable<Response> HttpClient::Impl::follow(std::shared_ptr<Exchange> ex) {
  Url url = ex->url;
  for (int hops = 0;; ++hops) {
    Response r = co_await attempt(ex, url);
    bool redirect =
        r.status == 301 || r.status == 302 || r.status == 303 || r.status == 307 || r.status == 308;
    auto location = r.headers.get("Location");
    if (!redirect || !location || ex->req.max_redirects <= 0 ||
        (ex->req.method != Method::kGet && ex->req.method != Method::kHead))
      co_return r;
    auto next = redirect_target(url, std::string(*location));
    if (!next || (url.scheme == "https" && next->scheme == "http")) co_return r;
    if (hops >= ex->req.max_redirects)
      throw core::Error(core::ErrorKind::kUnavailable,
                        std::string(method_name(ex->req.method)) + " " + url.scheme + "://" +
                            peer_name(url) + ": more than " +
                            std::to_string(ex->req.max_redirects) + " redirects");
    if (pool_key(*next, ex->req) != pool_key(url, ex->req)) {  // credentials stay with their origin
      Headers kept;
      for (auto& [name, value] : ex->req.headers.all())
        if (!iequals(name, "Authorization") && !iequals(name, "Cookie")) kept.add(name, value);
      ex->req.headers = std::move(kept);
    }
    url = std::move(*next);
  }
}

awaitable<Response> HttpClient::Impl::attempt(std::shared_ptr<Exchange> ex, const Url& url) {
  std::shared_ptr<asio::ssl::context> tls;
  if (url.scheme == "https") tls = tls_context(ex->req);
  const std::string key = pool_key(url, ex->req);
  std::unique_ptr<Conn> conn = take_idle(key);
  bool reused = conn != nullptr;
  for (;;) {
    if (ex->cancelled) throw stopped_error();
    Attempt a;
    {
      struct Release {  // stop() must not reach a connection this frame no longer holds
        Exchange& ex;
        ~Release() { ex.conn = nullptr; }
      } release{*ex};
      if (!conn) {
        conn = new_conn(url, key, tls, ex->req.verify_tls);
        ex->conn = conn.get();
        co_await connect(ex, url, *conn, a);
      }
      ex->conn = conn.get();
      if (!a.ec && !ex->cancelled) {
        if (conn->tls) {
          co_await exchange_on(*conn->tls, *conn, *ex, url, a);
        } else {
          co_await exchange_on(*conn->tcp, *conn, *ex, url, a);
        }
      }
    }
    if (ex->cancelled) throw stopped_error();
    if (!a.ec) {
      if (a.reusable) put_idle(std::move(conn));
      co_return std::move(*a.response);
    }
    // A pooled connection the peer had closed: once more on a new one, when that is safe. A
    // timeout is not retried: the peer may be working on the request.
    bool stale = reused && !a.got_bytes && !a.too_large && !is_timeout(a.ec);
    if (stale && (idempotent(ex->req.method) || !a.sent)) {
      reused = false;
      conn.reset();
      continue;
    }
    throw failure(*ex, url, a);
  }
}

awaitable<void> HttpClient::Impl::connect(std::shared_ptr<Exchange> ex, const Url& url, Conn& conn,
                                          Attempt& a) {
  auto deadline = step_deadline(*ex, ex->req.connect_timeout, a);
  tcp::resolver::results_type endpoints;
  error_code ec;
  auto literal = asio::ip::make_address(url.host, ec);
  if (!ec) {  // an IP address needs no trip to the resolver's thread
    endpoints = tcp::resolver::results_type::create(tcp::endpoint(literal, url.port), url.host,
                                                    std::to_string(url.port));
  } else {
    a.step = "resolve";
    if (!ex->resolver) ex->resolver.emplace(ioc.get_executor());
    endpoints = co_await async_resolve_until(ex, url, deadline, asio::redirect_error(use_io, ec));
    if (ec) {
      a.ec = ec;
      co_return;
    }
  }
  a.step = "connect";
  conn.lowest().expires_at(deadline);
  co_await conn.lowest().async_connect(endpoints, asio::redirect_error(use_io, ec));
  if (!ec && conn.tls) {
    a.step = "TLS handshake";
    co_await conn.tls->async_handshake(asio::ssl::stream_base::client,
                                       asio::redirect_error(use_io, ec));
  }
  if (!ec) {
    error_code ignored;
    conn.lowest().socket().set_option(tcp::no_delay(true), ignored);
  }
  a.ec = ec;
}

template <class Stream>
awaitable<void> HttpClient::Impl::exchange_on(Stream& stream, Conn& conn, Exchange& ex,
                                              const Url& url, Attempt& a) {
  auto& lowest = beast::get_lowest_layer(stream);
  auto out = build_request(ex.req, url, opts.max_idle_per_host > 0, opts.user_agent);
  a.step = "send";
  lowest.expires_at(step_deadline(ex, ex.req.read_timeout, a));
  co_await bhttp::async_write(stream, out, asio::redirect_error(use_io, a.ec));
  if (a.ec) co_return;
  a.sent = true;
  a.step = "read";
  const uint64_t max = ex.req.max_response_bytes;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  for (;;) {  // until a final (non-1xx) response
    parser.emplace();
    parser->header_limit(uint32_t(std::min<uint64_t>(max, UINT32_MAX)));
    parser->body_limit(max);
    if (ex.req.method == Method::kHead) parser->skip(true);
    uint64_t header_bytes = 0;
    bool header_checked = false;
    while (!parser->is_done()) {
      // Each read gets the full read timeout: it is a limit on silence, not on the body's size.
      lowest.expires_at(step_deadline(ex, ex.req.read_timeout, a));
      size_t n = co_await bhttp::async_read_some(stream, conn.buffer, *parser,
                                                 asio::redirect_error(use_io, a.ec));
      if (n > 0 || conn.buffer.size() > 0) a.got_bytes = true;
      if (a.ec) co_return;
      if (header_checked) continue;
      header_bytes += n;  // the parser stops after the header, so this is its exact size
      if (!parser->is_header_done()) continue;
      header_checked = true;
      auto length = parser->content_length();
      if (header_bytes > max || (length && *length > max - header_bytes)) {
        a.too_large = true;
        a.ec = bhttp::error::body_limit;
        co_return;
      }
      parser->body_limit(max - header_bytes);  // chunked and read-to-end bodies
    }
    int status = int(parser->get().result_int());
    if (status < 100 || status >= 200 || status == 101) break;
  }
  auto& msg = parser->get();
  Response r;
  r.status = int(msg.result_int());
  for (auto& field : msg)
    r.headers.add(std::string(field.name_string()), std::string(field.value()));
  r.body = std::move(msg.body());
  a.response = std::move(r);
  a.reusable = msg.keep_alive() && !parser->need_eof() && conn.buffer.size() == 0 &&
               a.response->status != 101;
  lowest.expires_never();
}

}  // namespace registrar::http
