// The server's life: binding the listener, the I/O threads and worker pool, accepting
// connections, their watchdog timers, and the graceful shutdown. One request's path is in
// server_request.cpp.
#include "http/server.h"

#include <sys/resource.h>

#include <csignal>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "http/server_impl.h"

namespace registrar::http {

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

size_t connection_capacity(size_t wanted, uint64_t descriptor_limit) {
  constexpr size_t kMinimum = 16;
  if (descriptor_limit <= kReservedDescriptors + kMinimum) return std::min(wanted, kMinimum);
  return std::min<uint64_t>(wanted, descriptor_limit - kReservedDescriptors);
}

namespace {

// Raises the soft limit on open files to the hard one, and returns the limit in force.
uint64_t raise_descriptor_limit() {
  struct rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return RLIM_INFINITY;
  if (rl.rlim_cur < rl.rlim_max) {
    const rlim_t before = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &rl) == 0) {
      log::info("descriptor_limit_raised",
                {{"from", uint64_t(before)}, {"to", uint64_t(rl.rlim_cur)}});
    } else {
      rl.rlim_cur = before;
    }
  }
  return rl.rlim_cur;
}

}  // namespace

Server::Server(ServerOptions options, const Router& router, core::Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {
  router.resolve();
  impl_->accept_failures = &metrics.counter(
      "http_accept_failures_total", "Failed accepts (out of descriptors, mostly); they back off.");
  impl_->refused_per_address = &metrics.counter(
      "http_connections_refused_per_address_total",
      "Connections closed at once: their address had server.max_connections_per_address open.");
  const ServerOptions& o = impl_->opts;
  if (o.rate_limit_per_address.enabled())
    impl_->address_limiter = std::make_unique<RateLimiter>(o.rate_limit_per_address);
  if (o.rate_limit_per_client.enabled())
    impl_->client_limiter = std::make_unique<RateLimiter>(o.rate_limit_per_client);
  impl_->limited_per_address =
      &metrics.counter("http_rate_limited_total",
                       "Requests refused with 429 by server.rate_limit.*.", "limit=\"address\"");
  impl_->limited_per_client =
      &metrics.counter("http_rate_limited_total",
                       "Requests refused with 429 by server.rate_limit.*.", "limit=\"client\"");
  impl_->refused_in_flight = &metrics.counter(
      "http_refused_in_flight_total",
      "Requests refused with 503: server.max_in_flight requests were being handled.");
  impl_->unmatched_metrics_id = metrics.route_id("unmatched");
  for (const Route* r : router.routes()) r->metrics_id = metrics.route_id(r->pattern);
}

Server::~Server() {
  impl_->workers.join();
}

void Server::post_to_workers(std::function<void()> fn) {
  asio::post(impl_->workers, std::move(fn));
}

uint16_t Server::listen() {
  auto [host, port] = parse_listen_address(impl_->opts.listen);
  const uint64_t descriptors = raise_descriptor_limit();
  if (size_t capacity = connection_capacity(impl_->opts.max_connections, descriptors);
      capacity < impl_->opts.max_connections) {
    log::warn(
        "max_connections_lowered",
        {{"configured", impl_->opts.max_connections},
         {"now", capacity},
         {"descriptor_limit", descriptors},
         {"why", "each connection is a descriptor; raise the limit (LimitNOFILE=) to allow more"}});
    impl_->opts.max_connections = capacity;
  }
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
    core::MutexLock lock(conn_mu);
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

std::shared_ptr<Connection> Server::Impl::admit(IoExecutor executor, const std::string& address) {
  if (open_connections.load() >= opts.max_connections) {
    log::warn("connection_limit", {{"max_connections", opts.max_connections}});
    return nullptr;
  }
  auto conn = std::make_shared<Connection>(executor, address);
  {
    core::MutexLock lock(conn_mu);
    size_t& from_address = per_address[address];
    if (opts.max_connections_per_address && from_address >= opts.max_connections_per_address) {
      if (from_address == 0) per_address.erase(address);
      refused_per_address->add();
      log::debug("connection_limit_per_address",
                 {{"address", address}, {"max", opts.max_connections_per_address}});
      return nullptr;
    }
    ++from_address;
    connections.insert(conn);
  }
  open_connections++;
  return conn;
}

void Server::Impl::release(const Connection& conn) {
  core::MutexLock lock(conn_mu);
  auto it = per_address.find(conn.address);
  if (it != per_address.end() && --it->second == 0) per_address.erase(it);
}

// Accept failures back off: when descriptors run out (EMFILE, ENFILE) the pending connection
// stays in the backlog and accept fails again at once, so retrying at once would spin an I/O
// thread and flood the log. The wait doubles from 10 ms to 1 s; the log says so at the first
// failure and then at every doubling, and once more when accepting works again.
awaitable<void> Server::Impl::accept_loop() {
  Timer backoff(contexts[0]->get_executor());
  int failures_in_a_row = 0;
  for (;;) {
    auto& ctx = *contexts[next_context++ % contexts.size()];
    error_code ec;
    Socket socket(ctx.get_executor());
    co_await acceptor.async_accept(socket, asio::redirect_error(use_io, ec));
    if (ec) {
      if (draining || ec == asio::error::operation_aborted) co_return;
      accept_failures->add();
      const auto wait = std::chrono::milliseconds(10 << std::min(failures_in_a_row, 7));
      if ((failures_in_a_row & (failures_in_a_row - 1)) == 0)  // 0, 1, 2, 4, 8...
        log::warn("accept_failed", {{"error", ec.message()},
                                    {"failures_in_a_row", failures_in_a_row + 1},
                                    {"retry_in_ms", std::min<int64_t>(wait.count(), 1000)}});
      ++failures_in_a_row;
      backoff.expires_after(std::min<std::chrono::milliseconds>(wait, std::chrono::seconds(1)));
      co_await backoff.async_wait(asio::redirect_error(use_io, ec));
      continue;
    }
    if (failures_in_a_row) {
      log::info("accept_recovered", {{"failures", failures_in_a_row}});
      failures_in_a_row = 0;
    }
    auto endpoint = socket.remote_endpoint(ec);
    auto conn =
        admit(ctx.get_executor(), ec ? std::string("unknown") : endpoint.address().to_string());
    if (!conn) {
      socket.close(ec);
      continue;
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
    log::debug("connection_error", {{"remote", remote}, {"error", core::loggable_message(e)}});
  }
  // The stream is gone (or about to be, with this frame): nothing may touch it any more.
  conn->socket = nullptr;
  conn->busy = false;
  if (conn->watchdog_timer) conn->watchdog_timer->cancel();
  release(*conn);
  {
    core::MutexLock lock(conn_mu);
    connections.erase(conn);
  }
  open_connections--;
  maybe_finish_drain();
}

}  // namespace registrar::http
