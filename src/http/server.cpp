#include "http/server.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <csignal>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"

namespace registrar::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

std::pair<std::string, uint16_t> parse_listen_address(const std::string& listen) {
  std::string host;
  std::string port;
  if (!listen.empty() && listen[0] == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
      throw std::invalid_argument("listen address must look like [::1]:8080, got '" + listen + "'");
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || listen.find(':') != colon)
      throw std::invalid_argument("listen address must look like 127.0.0.1:8080, got '" + listen +
                                  "'");
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("listen port must be a number from 0 to 65535, got '" + port + "'");
  unsigned long p = std::stoul(port);
  if (p > 65535) throw std::invalid_argument("listen port must be at most 65535");
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) throw std::invalid_argument("listen host must be an IP address, got '" + host + "'");
  return {host, uint16_t(p)};
}

namespace {

// Request ids we generate: a random per-process prefix plus a counter. Unique across instances,
// and cheaper than drawing 128 random bits per request.
std::string next_request_id() {
  static const std::string prefix = core::random_token(6);
  static std::atomic<uint64_t> counter{0};
  uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  char buf[24];
  int len = std::snprintf(buf, sizeof buf, "-%llx", static_cast<unsigned long long>(n));
  return prefix + std::string(buf, size_t(len));
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// The Date header, formatted once a second per thread.
const std::string& http_date() {
  thread_local std::string cached;
  thread_local std::time_t cached_at = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_at) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
    cached_at = now;
  }
  return cached;
}

Response error_response(const core::Error& e, const std::string& request_id) {
  Response r = Response::problem(core::http_status(e.kind()), "", e.what(), e.field(), request_id);
  if (!e.fields().empty()) {
    Json body = Json::parse(r.body);
    Json errors = Json::array();
    for (auto& f : e.fields()) errors.push_back({{"field", f.field}, {"message", f.message}});
    body["errors"] = errors;
    r.body = body.dump();
  }
  if (e.kind() == core::ErrorKind::kUnavailable) r.headers.set("Retry-After", "1");
  return r;
}

std::string allow_header(const std::vector<Method>& methods) {
  std::string out;
  for (Method m : methods) {
    if (!out.empty()) out += ", ";
    out += method_name(m);
  }
  return out;
}

}  // namespace

// One connection's bookkeeping, so that shutdown can close idle connections.
// `close_now` and `alive` are touched only on the connection's strand; `busy` is read by shutdown
// from the I/O thread that runs it.
struct ConnectionState {
  asio::any_io_executor strand;
  std::function<void()> close_now;
  bool alive = true;
  std::atomic<bool> busy{false};
};

// Closes the connection's socket on its strand, unless the connection has already ended.
void request_close(const std::shared_ptr<ConnectionState>& state) {
  asio::post(state->strand, [state] {
    if (state->alive && state->close_now) state->close_now();
  });
}

struct Server::Impl {
  ServerOptions opts;
  const Router& router;
  core::Metrics& metrics;
  std::shared_ptr<Authenticator> authenticator;

  asio::io_context ioc;
  asio::thread_pool workers;
  std::optional<asio::ssl::context> tls;
  tcp::acceptor acceptor{ioc};
  std::optional<asio::signal_set> signals;
  asio::steady_timer drain_timer{ioc};

  std::mutex conn_mu;
  std::set<std::shared_ptr<ConnectionState>> connections;
  std::atomic<bool> draining{false};
  std::atomic<size_t> open_connections{0};
  uint32_t unmatched_metrics_id = 0;

  Impl(ServerOptions o, const Router& r, core::Metrics& m)
      : opts(std::move(o)),
        router(r),
        metrics(m),
        workers(size_t(std::max(1, opts.worker_threads))) {}

  awaitable<void> accept_loop();
  template <class Stream>
  awaitable<void> serve_connection(Stream stream, std::string remote,
                                   std::shared_ptr<ConnectionState> state);
  awaitable<void> start_connection(tcp::socket socket);
  awaitable<Response> dispatch(Request& req, const Route* route);
  Response invoke_sync(Request& req, const Route& route);
  void begin_shutdown();
  void maybe_finish_drain();
};

Server::Server(ServerOptions options, const Router& router, core::Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {
  impl_->unmatched_metrics_id = metrics.route_id("unmatched");
  for (const Route* r : router.routes()) r->metrics_id = metrics.route_id(r->pattern);
}

Server::~Server() {
  impl_->workers.join();
}

void Server::set_authenticator(std::shared_ptr<Authenticator> a) {
  impl_->authenticator = std::move(a);
}

void Server::post_to_workers(std::function<void()> fn) {
  asio::post(impl_->workers, std::move(fn));
}

uint16_t Server::listen() {
  auto [host, port] = parse_listen_address(impl_->opts.listen);
  if (!impl_->opts.tls_cert_file.empty() || !impl_->opts.tls_key_file.empty()) {
    if (impl_->opts.tls_cert_file.empty() || impl_->opts.tls_key_file.empty())
      throw std::runtime_error("server.tls_cert_file and server.tls_key_file must be set together");
    impl_->tls.emplace(asio::ssl::context::tls_server);
    impl_->tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1);
    try {
      impl_->tls->use_certificate_chain_file(impl_->opts.tls_cert_file);
      impl_->tls->use_private_key_file(impl_->opts.tls_key_file, asio::ssl::context::pem);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot load TLS certificate or key: " + std::string(e.what()));
    }
  }
  tcp::endpoint ep(asio::ip::make_address(host), port);
  boost::system::error_code ec;
  auto& acc = impl_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + impl_->opts.listen + ": " + ec.message());
  return acc.local_endpoint().port();
}

void Server::run(bool handle_signals) {
  auto& im = *impl_;
  if (handle_signals) {
    im.signals.emplace(im.ioc, SIGINT, SIGTERM);
    im.signals->async_wait([&im](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      log::info("shutdown_requested", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      im.begin_shutdown();
    });
  }
  asio::co_spawn(im.ioc, im.accept_loop(), asio::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, im.opts.io_threads); ++i)
    threads.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : threads) t.join();
  // Handlers still running on the pool reference requests owned by connection coroutines; wait
  // for them before those coroutines are destroyed with the io_context.
  im.workers.join();
  log::info("server_stopped", Json::object());
}

void Server::shutdown() {
  asio::post(impl_->ioc, [im = impl_.get()] { im->begin_shutdown(); });
}

void Server::Impl::begin_shutdown() {
  if (draining.exchange(true)) return;
  boost::system::error_code ec;
  acceptor.close(ec);
  if (signals) signals->cancel();
  std::vector<std::shared_ptr<ConnectionState>> idle;
  {
    std::lock_guard lock(conn_mu);
    for (auto& c : connections)
      if (!c->busy) idle.push_back(c);
  }
  for (auto& c : idle) request_close(c);
  log::info("draining", {{"open_connections", open_connections.load()}});
  drain_timer.expires_after(opts.drain_timeout);
  drain_timer.async_wait([this](const boost::system::error_code& e) {
    if (e) return;
    log::warn("drain_timeout", {{"open_connections", open_connections.load()}});
    ioc.stop();
  });
  maybe_finish_drain();
}

void Server::Impl::maybe_finish_drain() {
  if (draining && open_connections.load() == 0) {
    asio::post(ioc, [this] { drain_timer.cancel(); });
  }
}

awaitable<void> Server::Impl::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::make_strand(ioc),
                                                        asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (draining || ec == asio::error::operation_aborted) co_return;
      log::warn("accept_failed", log::Json{{"error", ec.message()}});
      continue;
    }
    if (open_connections.load() >= opts.max_connections) {
      log::warn("connection_limit", {{"max_connections", opts.max_connections}});
      boost::system::error_code ignore;
      socket.close(ignore);
      continue;
    }
    auto ex = socket.get_executor();
    asio::co_spawn(ex, start_connection(std::move(socket)), asio::detached);
  }
}

awaitable<void> Server::Impl::start_connection(tcp::socket socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  std::string remote = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
  socket.set_option(tcp::no_delay(true), ec);
  auto state = std::make_shared<ConnectionState>();
  state->strand = socket.get_executor();
  open_connections++;
  {
    std::lock_guard lock(conn_mu);
    connections.insert(state);
  }
  try {
    if (tls) {
      beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
      beast::get_lowest_layer(stream).expires_after(opts.header_timeout);
      co_await stream.async_handshake(asio::ssl::stream_base::server, use_awaitable);
      co_await serve_connection(std::move(stream), remote, state);
    } else {
      co_await serve_connection(beast::tcp_stream(std::move(socket)), remote, state);
    }
  } catch (const std::exception& e) {
    log::debug("connection_error", {{"remote", remote}, {"error", e.what()}});
  }
  // Still on the connection's strand, before any other handler of it can run: the stream that
  // close_now refers to is gone.
  state->alive = false;
  state->close_now = nullptr;
  {
    std::lock_guard lock(conn_mu);
    connections.erase(state);
  }
  open_connections--;
  maybe_finish_drain();
}

Response Server::Impl::invoke_sync(Request& req, const Route& route) {
  try {
    if (route.authenticated) {
      if (!authenticator)
        return Response::problem(401, "", "no authenticator is configured", "", req.request_id);
      if (auto denied = authenticator->authenticate(req, route)) return std::move(*denied);
    }
    return route.handler(req);
  } catch (const core::Error& e) {
    return error_response(e, req.request_id);
  } catch (const std::exception& e) {
    log::error("handler_failed",
               {{"request_id", req.request_id}, {"route", route.pattern}, {"error", e.what()}});
    return Response::problem(500, "", "internal error; see the server log for this request id", "",
                             req.request_id);
  }
}

awaitable<Response> Server::Impl::dispatch(Request& req, const Route* route) {
  if (route->handler && route->exec == Exec::kInline) co_return invoke_sync(req, *route);
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Response)>(
      [this, &req, route](auto completion) {
        using Completion = decltype(completion);
        auto shared = std::make_shared<Completion>(std::move(completion));
        auto io_ex = asio::prefer(asio::get_associated_executor(*shared),
                                  asio::execution::outstanding_work.tracked);
        Responder responder([shared, io_ex](Response r) {
          asio::post(io_ex, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
        });
        if (route->handler) {
          asio::post(workers,
                     [this, &req, route, responder] { responder(invoke_sync(req, *route)); });
          return;
        }
        try {
          if (route->authenticated) {
            if (!authenticator) {
              responder(
                  Response::problem(401, "", "no authenticator is configured", "", req.request_id));
              return;
            }
            if (auto denied = authenticator->authenticate(req, *route)) {
              responder(std::move(*denied));
              return;
            }
          }
          route->async_handler(req, responder);
        } catch (const core::Error& e) {
          responder(error_response(e, req.request_id));
        } catch (const std::exception& e) {
          log::error("handler_failed", {{"request_id", req.request_id}, {"error", e.what()}});
          responder(Response::problem(500, "", "internal error", "", req.request_id));
        }
      },
      use_awaitable);
}

namespace {

void append_access_log(std::string& line, const Request& req, std::string_view route, int status,
                       double seconds, size_t bytes_out) {
  line.reserve(256);
  line += "{\"time\":\"";
  line += core::format_rfc3339(core::SystemClock::instance().now(), true);
  line += "\",\"level\":\"info\",\"event\":\"access\",\"request_id\":\"";
  log::append_json_escaped(line, req.request_id);
  line += "\",\"remote\":\"";
  log::append_json_escaped(line, req.remote);
  line += "\",\"method\":\"";
  log::append_json_escaped(line, req.method_text);
  line += "\",\"route\":\"";
  log::append_json_escaped(line, route);
  line += "\",\"status\":";
  line += std::to_string(status);
  line += ",\"duration_ms\":";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", seconds * 1000);
  line += buf;
  line += ",\"bytes_in\":";
  line += std::to_string(req.body.size());
  line += ",\"bytes_out\":";
  line += std::to_string(bytes_out);
  if (req.principal) {
    line += ",\"client\":\"";
    log::append_json_escaped(line, req.principal->client_id);
    line += "\"";
  }
  line += "}";
}

}  // namespace

template <class Stream>
awaitable<void> Server::Impl::serve_connection(Stream stream, std::string remote,
                                               std::shared_ptr<ConnectionState> state) {
  auto& lowest = beast::get_lowest_layer(stream);
  state->close_now = [&lowest]() {
    boost::system::error_code ec;
    lowest.socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest.socket().close(ec);
  };
  beast::flat_buffer buffer;
  bool first = true;
  for (;;) {
    if (draining) break;
    state->busy = false;
    // Wait for the first byte of the next request under the idle (keep-alive) timeout.
    if (buffer.size() == 0) {
      lowest.expires_after(first ? opts.header_timeout : opts.idle_timeout);
      boost::system::error_code ec;
      size_t n = co_await stream.async_read_some(buffer.prepare(4096),
                                                 asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      buffer.commit(n);
    }
    first = false;
    state->busy = true;
    auto started = std::chrono::steady_clock::now();

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
    // The real limit depends on the route, known only after the header; Beast would otherwise
    // fail the header read itself when Content-Length exceeds the default.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    lowest.expires_after(opts.header_timeout);
    boost::system::error_code hec;
    co_await bhttp::async_read_header(stream, buffer, parser,
                                      asio::redirect_error(use_awaitable, hec));

    Request req;
    req.remote = remote;
    Response res;
    const Route* route = nullptr;
    bool close_after = false;
    bool handled = false;

    auto reject = [&](int status, std::string_view detail) {
      res = Response::problem(status, "", detail, "", req.request_id);
      close_after = true;
      handled = true;
    };

    if (hec) {
      if (hec == beast::error::timeout || hec == bhttp::error::end_of_stream ||
          hec == asio::error::operation_aborted || hec == asio::error::eof ||
          hec == asio::error::connection_reset)
        break;
      req.request_id = next_request_id();
      req.method_text = "-";
      if (hec == bhttp::error::header_limit) {
        reject(431, "request header exceeds " + std::to_string(opts.max_header_bytes) + " bytes");
      } else {
        reject(400, "malformed HTTP request: " + hec.message());
      }
    } else {
      auto& h = parser.get();
      req.method_text = std::string(h.method_string());
      req.method = parse_method(req.method_text);
      req.target = std::string(h.target());
      auto q = req.target.find('?');
      std::string_view raw_path = std::string_view(req.target).substr(0, q);
      if (q != std::string::npos) req.query = req.target.substr(q + 1);
      for (auto& f : h) req.headers.add(std::string(f.name_string()), std::string(f.value()));
      auto rid = req.headers.get("X-Request-Id");
      req.request_id = (rid && acceptable_request_id(*rid)) ? std::string(*rid) : next_request_id();
      auto decoded = percent_decode(raw_path, false);
      if (raw_path.empty() || raw_path[0] != '/' || !decoded) {
        reject(400, "request target must be an absolute path with valid percent-encoding");
      } else {
        req.path = std::move(*decoded);
        auto match = router.match(req.method, req.path);
        if (!match.route) {
          if (!match.allowed.empty()) {
            res = Response::problem(405, "",
                                    "method " + req.method_text + " is not allowed on " + req.path,
                                    "", req.request_id);
            res.headers.set("Allow", allow_header(match.allowed));
          } else {
            res = Response::problem(404, "", "no route for " + req.path, "", req.request_id);
          }
          handled = true;
          // The body (if any) is still on the wire; read and discard it within limits below.
        } else {
          route = match.route;
          req.path_params = std::move(match.params);
        }
        size_t limit =
            (route && route->max_body_bytes) ? route->max_body_bytes : opts.max_body_bytes;
        parser.body_limit(limit);
        auto len = parser.content_length();
        if (len && *len > limit) {
          reject(413, "request body of " + std::to_string(*len) + " bytes exceeds the limit of " +
                          std::to_string(limit) + " bytes");
        } else if (!parser.is_done()) {
          if (auto expect = req.headers.get("Expect"); expect && iequals(*expect, "100-continue")) {
            bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
            lowest.expires_after(opts.write_timeout);
            co_await bhttp::async_write(stream, cont, use_awaitable);
          }
          lowest.expires_after(opts.body_timeout);
          boost::system::error_code bec;
          co_await bhttp::async_read(stream, buffer, parser,
                                     asio::redirect_error(use_awaitable, bec));
          if (bec == bhttp::error::body_limit) {
            reject(413, "request body exceeds the limit of " + std::to_string(limit) + " bytes");
          } else if (bec == beast::error::timeout) {
            log::info("body_timeout", {{"remote", remote}, {"request_id", req.request_id}});
            break;
          } else if (bec) {
            if (bec == asio::error::eof || bec == bhttp::error::partial_message ||
                bec == asio::error::connection_reset || bec == asio::error::operation_aborted)
              break;
            reject(400, "malformed HTTP request body: " + bec.message());
          }
        }
        if (!handled) {
          req.body = std::move(parser.get().body());
          res = co_await dispatch(req, route);
        }
        if (!parser.get().keep_alive()) close_after = true;
      }
    }

    if (draining) close_after = true;
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), 11};
    for (auto& [k, v] : res.headers.all()) out.set(k, v);
    out.set(bhttp::field::server, "registrar");
    out.set(bhttp::field::date, http_date());
    out.set("X-Request-Id", req.request_id);
    size_t body_size = res.body.size();
    if (req.method == Method::kHead) {
      out.content_length(body_size);
    } else {
      out.body() = std::move(res.body);
      out.prepare_payload();
    }
    out.keep_alive(!close_after);
    lowest.expires_after(opts.write_timeout);
    boost::system::error_code wec;
    co_await bhttp::async_write(stream, out, asio::redirect_error(use_awaitable, wec));

    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics.observe_request(route ? route->metrics_id : unmatched_metrics_id, req.method_text,
                            res.status, seconds);
    if (opts.access_log && log::enabled(log::Level::kInfo)) {
      std::string line;
      append_access_log(line, req, route ? std::string_view(route->pattern) : "unmatched",
                        res.status, seconds, body_size);
      log::write_raw(log::Level::kInfo, line);
    }
    if (wec || close_after) break;
  }
  state->busy = false;
  lowest.expires_after(std::chrono::seconds(5));
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    boost::system::error_code sec;
    co_await stream.async_shutdown(asio::redirect_error(use_awaitable, sec));
  }
  boost::system::error_code ec;
  lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
  lowest.close();
}

}  // namespace registrar::http
