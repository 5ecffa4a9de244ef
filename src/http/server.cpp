#include "http/server.h"

#include "http/burst.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <csignal>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "http/wire.h"

namespace registrar::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// Each I/O thread runs its own io_context, and a connection lives on exactly one of them. So a
// connection's handlers never run concurrently, no strand is needed, and every async operation
// uses the concrete io_context executor instead of the type-erased any_io_executor: both matter
// on the per-request path.
using IoExecutor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, IoExecutor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, IoExecutor>;
using TlsStream = asio::ssl::stream<Socket>;
template <class T>
using awaitable = asio::awaitable<T, IoExecutor>;
constexpr asio::use_awaitable_t<IoExecutor> use_io;

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
  error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) throw std::invalid_argument("listen host must be an IP address, got '" + host + "'");
  return {host, uint16_t(p)};
}

namespace {

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

bool is_disconnect(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
         ec == asio::error::broken_pipe || ec == bhttp::error::end_of_stream ||
         ec == bhttp::error::partial_message || ec == asio::ssl::error::stream_truncated;
}

// Parses a request straight into our Request: Beast's request_parser would first build a
// basic_fields (an allocation per header) that the server then copied into Request.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  explicit RequestParser(Request& req) : req_(req) {}

 private:
  // Reserved up front at most (the route's limit is checked before the body is read; this only
  // bounds the allocation a declared length alone can cause).
  static constexpr uint64_t kMaxReserve = 64 * 1024;

  void on_request_impl(bhttp::verb, beast::string_view method, beast::string_view target, int,
                       error_code&) override {
    req_.method_text.assign(method.data(), method.size());
    req_.target.assign(target.data(), target.size());
  }
  void on_response_impl(int, beast::string_view, int, error_code&) override {}
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value,
                     error_code&) override {
    req_.headers.add(std::string(name.data(), name.size()),
                     std::string(value.data(), value.size()));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) req_.body.reserve(static_cast<size_t>(std::min(*length, kMaxReserve)));
  }
  size_t on_body_impl(beast::string_view body, error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  Request& req_;
};

// defer_to_burst_end (http/burst.h): the I/O thread's io_context and its queue of deferred work.
thread_local asio::io_context* t_io_context = nullptr;
thread_local std::vector<std::unique_ptr<DeferredWork>> t_burst;

template <class Step>
void run_guarded(Step&& step) {
  try {
    step();
  } catch (const std::exception& e) {
    log::error("deferred_work_failed", {{"error", e.what()}});
  }
}

class FunctionWork final : public DeferredWork {
 public:
  FunctionWork(std::function<void()> heavy, std::function<void()> then)
      : heavy_(std::move(heavy)), then_(std::move(then)) {}
  void heavy() override { heavy_(); }
  void then() override { then_(); }

 private:
  std::function<void()> heavy_, then_;
};

// Runs every queued job's heavy part, then every `then`. Posted once per burst, when the first job
// is queued: the read completions already queued on the io_context run before it, so the jobs
// that their handlers queue join this same drain.
void drain_burst() {
  std::vector<std::unique_ptr<DeferredWork>> jobs;
  jobs.swap(t_burst);
  for (auto& j : jobs) run_guarded([&j] { j->heavy(); });
  for (auto& j : jobs) run_guarded([&j] { j->then(); });
}

// Marks the calling thread as the I/O thread of `ctx` for as long as it runs it.
struct IoThreadScope {
  explicit IoThreadScope(asio::io_context& ctx) { t_io_context = &ctx; }
  ~IoThreadScope() {
    t_io_context = nullptr;
    t_burst.clear();
  }
};

}  // namespace

void defer_to_burst_end(std::unique_ptr<DeferredWork> work) {
  if (!t_io_context) {
    run_guarded([&work] { work->heavy(); });
    run_guarded([&work] { work->then(); });
    return;
  }
  const bool first = t_burst.empty();
  t_burst.push_back(std::move(work));
  if (first) asio::post(*t_io_context, drain_burst);
}

void defer_to_burst_end(std::function<void()> heavy, std::function<void()> then) {
  defer_to_burst_end(std::make_unique<FunctionWork>(std::move(heavy), std::move(then)));
}

// One connection's bookkeeping. Everything but `busy` is touched only on the connection's
// io_context thread; shutdown reaches it through post().
struct Connection {
  IoExecutor executor;
  Socket* socket = nullptr;  // null once the connection has ended
  std::atomic<bool> busy{false};
  // Watchdog: the socket is closed when `deadline` passes. Phases move the deadline by plain
  // assignment; the timer is only re-armed when it fires, so timeouts cost nothing per request.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  bool timed_out = false;
  Timer* watchdog_timer = nullptr;  // cancelled when the connection ends
  explicit Connection(IoExecutor ex) : executor(ex) {}
};

struct Server::Impl {
  ServerOptions opts;
  const Router& router;
  core::Metrics& metrics;
  std::shared_ptr<Authenticator> authenticator;

  std::vector<std::unique_ptr<asio::io_context>> contexts;  // one per I/O thread
  std::atomic<size_t> next_context{0};
  asio::thread_pool workers;
  std::optional<asio::ssl::context> tls;
  asio::basic_socket_acceptor<tcp, IoExecutor> acceptor;
  std::optional<asio::basic_signal_set<IoExecutor>> signals;
  Timer drain_timer;

  std::mutex conn_mu;
  std::set<std::shared_ptr<Connection>> connections;
  std::atomic<bool> draining{false};
  std::atomic<bool> stopped{false};
  std::atomic<size_t> open_connections{0};
  uint32_t unmatched_metrics_id = 0;

  Impl(ServerOptions o, const Router& r, core::Metrics& m)
      : opts(std::move(o)),
        router(r),
        metrics(m),
        contexts(make_contexts(opts.io_threads)),
        workers(size_t(std::max(1, opts.worker_threads))),
        acceptor(contexts[0]->get_executor()),
        drain_timer(contexts[0]->get_executor()) {}

  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> v;
    for (int i = 0; i < std::max(1, n); ++i) v.push_back(std::make_unique<asio::io_context>(1));
    return v;
  }

  awaitable<void> accept_loop();
  awaitable<void> watchdog(std::shared_ptr<Connection> conn);
  awaitable<void> run_connection(Socket socket, std::shared_ptr<Connection> conn);
  template <class Stream>
  awaitable<void> serve(Stream& stream, const std::string& remote, Connection& conn);
  // Blocking routes' handlers run on the workers (authentication included); inline and async
  // ones are authenticated on the I/O thread, a signature check deferred to the burst's end.
  awaitable<Response> dispatch(Request& req, const Route* route);
  Response invoke_sync(Request& req, const Route& route);
  std::optional<Response> authenticate(Request& req, const Route& route);
  std::unique_ptr<PendingAuthentication> start_authentication(Request& req, const Route& route,
                                                              std::optional<Response>& decision);
  awaitable<std::optional<Response>> finish_authentication(
      Request& req, const Route& route, std::unique_ptr<PendingAuthentication> pending);
  Response run_handler(Request& req, const Route& route);
  Response failure_response(const Request& req, const Route& route);
  void begin_shutdown();
  void maybe_finish_drain();
  void stop_all();
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
  error_code ec;
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
  auto& main_ctx = *im.contexts[0];
  if (handle_signals) {
    im.signals.emplace(main_ctx.get_executor(), SIGINT, SIGTERM);
    im.signals->async_wait([&im](const error_code& ec, int sig) {
      if (ec) return;
      log::info("shutdown_requested", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      im.begin_shutdown();
    });
  }
  // Other contexts have no work until connections arrive; keep them running until stop.
  std::vector<asio::executor_work_guard<IoExecutor>> guards;
  for (size_t i = 1; i < im.contexts.size(); ++i)
    guards.emplace_back(im.contexts[i]->get_executor());
  asio::co_spawn(main_ctx, im.accept_loop(), asio::detached);
  std::vector<std::thread> threads;
  for (size_t i = 1; i < im.contexts.size(); ++i)
    threads.emplace_back([ctx = im.contexts[i].get()] {
      IoThreadScope scope(*ctx);
      ctx->run();
    });
  {
    IoThreadScope scope(main_ctx);
    main_ctx.run();
  }
  guards.clear();
  im.stop_all();
  for (auto& t : threads) t.join();
  // Handlers still running on the pool reference requests owned by connection coroutines; wait
  // for them before those coroutines are destroyed with their io_contexts.
  im.workers.join();
  log::info("server_stopped", Json::object());
}

void Server::shutdown() {
  asio::post(impl_->contexts[0]->get_executor(), [im = impl_.get()] { im->begin_shutdown(); });
}

void Server::Impl::stop_all() {
  stopped = true;
  for (auto& ctx : contexts) ctx->stop();
}

void Server::Impl::begin_shutdown() {
  if (draining.exchange(true)) return;
  error_code ec;
  acceptor.close(ec);
  if (signals) signals->cancel();
  std::vector<std::shared_ptr<Connection>> idle;
  {
    std::lock_guard lock(conn_mu);
    for (auto& c : connections)
      if (!c->busy) idle.push_back(c);
  }
  for (auto& c : idle) {
    asio::post(c->executor, [c] {
      if (c->socket && !c->busy) {
        error_code ignored;
        c->socket->shutdown(tcp::socket::shutdown_both, ignored);
        c->socket->close(ignored);
      }
    });
  }
  log::info("draining", {{"open_connections", open_connections.load()}});
  drain_timer.expires_after(opts.drain_timeout);
  drain_timer.async_wait([this](const error_code& e) {
    if (e) return;
    log::warn("drain_timeout", {{"open_connections", open_connections.load()}});
    stop_all();
  });
  maybe_finish_drain();
}

void Server::Impl::maybe_finish_drain() {
  if (draining && open_connections.load() == 0) {
    asio::post(contexts[0]->get_executor(), [this] { drain_timer.cancel(); });
  }
}

awaitable<void> Server::Impl::accept_loop() {
  for (;;) {
    auto& ctx = *contexts[next_context++ % contexts.size()];
    error_code ec;
    Socket socket(ctx.get_executor());
    co_await acceptor.async_accept(socket, asio::redirect_error(use_io, ec));
    if (ec) {
      if (draining || ec == asio::error::operation_aborted) co_return;
      log::warn("accept_failed", log::Json{{"error", ec.message()}});
      continue;
    }
    if (open_connections.load() >= opts.max_connections) {
      log::warn("connection_limit", {{"max_connections", opts.max_connections}});
      socket.close(ec);
      continue;
    }
    auto conn = std::make_shared<Connection>(ctx.get_executor());
    open_connections++;
    {
      std::lock_guard lock(conn_mu);
      connections.insert(conn);
    }
    asio::co_spawn(ctx.get_executor(), run_connection(std::move(socket), conn), asio::detached);
  }
}

awaitable<void> Server::Impl::watchdog(std::shared_ptr<Connection> conn) {
  Timer timer(conn->executor);
  conn->watchdog_timer = &timer;
  struct Detach {
    Connection& c;
    ~Detach() { c.watchdog_timer = nullptr; }
  } detach{*conn};
  while (conn->socket) {
    auto deadline = conn->deadline;
    auto now = std::chrono::steady_clock::now();
    if (deadline <= now) {
      conn->timed_out = true;
      error_code ec;
      conn->socket->shutdown(tcp::socket::shutdown_both, ec);
      conn->socket->close(ec);
      co_return;
    }
    // Wake at most once a second; a phase that moves the deadline earlier is noticed then.
    timer.expires_after(
        std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::seconds(1)));
    error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_io, ec));
    if (stopped) co_return;
  }
}

awaitable<void> Server::Impl::run_connection(Socket socket, std::shared_ptr<Connection> conn) {
  error_code ec;
  auto ep = socket.remote_endpoint(ec);
  std::string remote = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
  socket.set_option(tcp::no_delay(true), ec);
  conn->deadline = std::chrono::steady_clock::now() + opts.header_timeout;
  try {
    if (tls) {
      TlsStream stream(std::move(socket), *tls);
      conn->socket = &stream.next_layer();
      asio::co_spawn(conn->executor, watchdog(conn), asio::detached);
      co_await stream.async_handshake(asio::ssl::stream_base::server, use_io);
      co_await serve(stream, remote, *conn);
      conn->deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      error_code sec;
      co_await stream.async_shutdown(asio::redirect_error(use_io, sec));
      conn->socket = nullptr;
    } else {
      conn->socket = &socket;
      asio::co_spawn(conn->executor, watchdog(conn), asio::detached);
      co_await serve(socket, remote, *conn);
      conn->socket = nullptr;
      socket.shutdown(tcp::socket::shutdown_send, ec);
    }
  } catch (const std::exception& e) {
    conn->socket = nullptr;
    log::debug("connection_error", {{"remote", remote}, {"error", e.what()}});
  }
  // The stream is gone (or about to be, with this frame): nothing may touch it any more.
  conn->socket = nullptr;
  conn->busy = false;
  if (conn->watchdog_timer) conn->watchdog_timer->cancel();
  {
    std::lock_guard lock(conn_mu);
    connections.erase(conn);
  }
  open_connections--;
  maybe_finish_drain();
}

// The response for the exception being handled, thrown by a handler or an authenticator.
Response Server::Impl::failure_response(const Request& req, const Route& route) {
  try {
    throw;
  } catch (const core::Error& e) {
    return error_response(e, req.request_id);
  } catch (const std::exception& e) {
    log::error("handler_failed",
               {{"request_id", req.request_id}, {"route", route.pattern}, {"error", e.what()}});
  }
  return Response::problem(500, "", "internal error; see the server log for this request id", "",
                           req.request_id);
}

std::optional<Response> Server::Impl::authenticate(Request& req, const Route& route) {
  if (!authenticator)
    return Response::problem(401, "", "no authenticator is configured", "", req.request_id);
  try {
    return authenticator->authenticate(req, route);
  } catch (...) {
    return failure_response(req, route);
  }
}

std::unique_ptr<PendingAuthentication> Server::Impl::start_authentication(
    Request& req, const Route& route, std::optional<Response>& decision) {
  if (!authenticator) {
    decision = Response::problem(401, "", "no authenticator is configured", "", req.request_id);
    return nullptr;
  }
  try {
    return authenticator->start(req, route, decision);
  } catch (...) {
    decision = failure_response(req, route);
  }
  return nullptr;
}

Response Server::Impl::run_handler(Request& req, const Route& route) {
  try {
    return route.handler(req);
  } catch (...) {
    return failure_response(req, route);
  }
}

Response Server::Impl::invoke_sync(Request& req, const Route& route) {
  if (route.authenticated) {
    if (auto denied = authenticate(req, route)) return std::move(*denied);
  }
  return run_handler(req, route);
}

// The deferred part of one authentication; `done` resumes the connection's coroutine.
template <class Completion>
class AuthenticationWork final : public DeferredWork {
 public:
  AuthenticationWork(Server::Impl& server, Request& req, const Route& route,
                     std::unique_ptr<PendingAuthentication> pending, Completion done)
      : server_(server),
        req_(req),
        route_(route),
        pending_(std::move(pending)),
        done_(std::move(done)) {}

  void heavy() override {
    try {
      pending_->run_heavy();
    } catch (...) {
      heavy_failed_ = std::current_exception();
    }
  }

  // Completes exactly once, whatever the steps did, so that the request is answered; the I/O
  // thread resumes the connection's coroutine right here.
  void then() override {
    std::optional<Response> decision;
    try {
      if (heavy_failed_) std::rethrow_exception(heavy_failed_);
      decision = pending_->finish(req_, route_);
    } catch (...) {
      decision = server_.failure_response(req_, route_);
    }
    std::move(done_)(std::move(decision));
  }

 private:
  Server::Impl& server_;
  Request& req_;
  const Route& route_;
  std::unique_ptr<PendingAuthentication> pending_;
  Completion done_;
  std::exception_ptr heavy_failed_;
};

awaitable<std::optional<Response>> Server::Impl::finish_authentication(
    Request& req, const Route& route, std::unique_ptr<PendingAuthentication> pending) {
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<IoExecutor>&,
                                          void(std::optional<Response>)>(
      [this, &req, &route, &pending](auto completion) {
        using Work = AuthenticationWork<decltype(completion)>;
        defer_to_burst_end(
            std::make_unique<Work>(*this, req, route, std::move(pending), std::move(completion)));
      },
      use_io);
}

awaitable<Response> Server::Impl::dispatch(Request& req, const Route* route) {
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<IoExecutor>&, void(Response)>(
      [this, &req, route](auto completion) {
        using Completion = decltype(completion);
        auto shared = std::make_shared<Completion>(std::move(completion));
        // Keep the connection's io_context alive while the response is produced elsewhere.
        auto work = std::make_shared<asio::executor_work_guard<IoExecutor>>(
            asio::get_associated_executor(*shared));
        Responder responder([shared, work](Response r) {
          asio::post(work->get_executor(),
                     [shared, work, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
        });
        if (route->handler) {
          asio::post(workers,
                     [this, &req, route, responder] { responder(invoke_sync(req, *route)); });
          return;
        }
        try {
          route->async_handler(req, responder);  // authenticated by serve()
        } catch (...) {
          responder(failure_response(req, *route));
        }
      },
      use_io);
}

template <class Stream>
awaitable<void> Server::Impl::serve(Stream& stream, const std::string& remote, Connection& conn) {
  using clock = std::chrono::steady_clock;
  beast::flat_buffer buffer;
  std::string out;       // the response's bytes, reused across the connection's requests
  std::string log_line;  // likewise the access-log line
  bool first = true;
  for (;;) {
    if (draining) break;
    conn.busy = false;
    // Wait for the first byte of the next request under the idle (keep-alive) timeout.
    if (buffer.size() == 0) {
      conn.deadline = clock::now() + (first ? opts.header_timeout : opts.idle_timeout);
      error_code ec;
      size_t n =
          co_await stream.async_read_some(buffer.prepare(4096), asio::redirect_error(use_io, ec));
      if (ec) break;
      buffer.commit(n);
    }
    first = false;
    conn.busy = true;
    auto started = clock::now();

    Request req;
    req.headers.reserve(8);
    RequestParser parser(req);
    parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
    // The real limit depends on the route, known only after the header; Beast would otherwise
    // fail the header read itself when Content-Length exceeds the default.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    conn.deadline = started + opts.header_timeout;
    error_code hec;
    co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(use_io, hec));

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
      if (conn.timed_out || is_disconnect(hec)) break;
      req.request_id = wire::next_request_id();
      req.method_text = "-";
      if (hec == bhttp::error::header_limit) {
        reject(431, "request header exceeds " + std::to_string(opts.max_header_bytes) + " bytes");
      } else {
        reject(400, "malformed HTTP request: " + hec.message());
      }
    } else {
      req.method = parse_method(req.method_text);
      auto q = req.target.find('?');
      std::string_view raw_path = std::string_view(req.target).substr(0, q);
      if (q != std::string::npos) req.query = req.target.substr(q + 1);
      auto rid = req.headers.get("X-Request-Id");
      req.request_id =
          (rid && wire::acceptable_request_id(*rid)) ? std::string(*rid) : wire::next_request_id();
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
          handled = true;  // any body is still read (and discarded) below, within limits
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
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            conn.deadline = clock::now() + opts.write_timeout;
            co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                                       use_io);
          }
          conn.deadline = clock::now() + opts.body_timeout;
          error_code bec;
          co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_io, bec));
          if (bec == bhttp::error::body_limit) {
            reject(413, "request body exceeds the limit of " + std::to_string(limit) + " bytes");
          } else if (bec) {
            if (conn.timed_out) {
              log::info("body_timeout", {{"remote", remote}, {"request_id", req.request_id}});
              break;
            }
            if (is_disconnect(bec)) break;
            reject(400, "malformed HTTP request body: " + bec.message());
          }
        }
        if (!handled) {
          // No deadline while the handler runs: it is ours, not the client's, to finish.
          conn.deadline = clock::time_point::max();
          const bool on_io_thread = !route->handler || route->exec == Exec::kInline;
          std::optional<Response> denied;
          if (on_io_thread && route->authenticated) {
            auto pending = start_authentication(req, *route, denied);
            if (pending) denied = co_await finish_authentication(req, *route, std::move(pending));
          }
          if (denied) {
            res = std::move(*denied);
          } else if (route->handler && route->exec == Exec::kInline) {
            res = run_handler(req, *route);
          } else {
            res = co_await dispatch(req, route);
          }
        }
        if (!parser.keep_alive()) close_after = true;
      }
    }

    if (draining) close_after = true;
    out.clear();
    wire::serialize_response(out, res, req.request_id, req.method == Method::kHead, !close_after);
    conn.deadline = clock::now() + opts.write_timeout;
    // Let the I/O thread finish the other requests that are ready before writing this response:
    // a burst of requests is then answered by a burst of writes. Each write on loopback or a
    // LAN wakes the client; back-to-back writes find it awake, where writes spaced by handler
    // work pay a wake-up (and its interrupt) each, 10 µs of system time per request when the
    // handler verifies a signature. The cost is one queued handler per request.
    co_await asio::post(co_await asio::this_coro::executor, use_io);
    error_code wec;
    co_await asio::async_write(stream, asio::buffer(out), asio::redirect_error(use_io, wec));

    double seconds = std::chrono::duration<double>(clock::now() - started).count();
    metrics.observe_request(route ? route->metrics_id : unmatched_metrics_id, req.method_text,
                            res.status, seconds);
    if (opts.access_log && log::enabled(log::Level::kInfo)) {
      log_line.clear();
      wire::append_access_log(log_line, req, route ? std::string_view(route->pattern) : "unmatched",
                              res.status, seconds, res.body.size());
      log::write_raw(log::Level::kInfo, log_line);
    }
    if (wec || close_after) break;
  }
  conn.busy = false;
}

}  // namespace registrar::http
