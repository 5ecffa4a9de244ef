// The asynchronous client's life: its thread, send(), stop(), the idle connection pool and the
// TLS contexts. One request's path is in async_exchange.cpp.
#include "http/async_client.h"

#include <future>

#include "core/error.h"
#include "core/log.h"
#include "http/async_client_impl.h"

namespace registrar::http {

using namespace client_detail;

Response Outcome::take() {
  if (!ok()) throw error();
  return std::move(response());
}

core::Error stopped_error() {
  return core::Error(core::ErrorKind::kUnavailable, "client stopped");
}

std::string pool_key(const Url& url, const ClientRequest& req) {
  std::string key = url.scheme + "://" + url.host + ":" + std::to_string(url.port);
  if (url.scheme == "https") key += (req.verify_tls ? "|verify|" : "|no-verify|") + req.ca_file;
  return key;
}

HttpClient::Impl::Impl(Options o)
    : opts(std::move(o)), guard(ioc.get_executor()), sweep_timer(ioc.get_executor()) {
  if (opts.metrics) {
    requests = &opts.metrics->counter("registrar_http_client_requests_total",
                                      "Outgoing HTTP requests completed, with a response or not.");
    failures = &opts.metrics->counter("registrar_http_client_failures_total",
                                      "Outgoing HTTP requests that ended without a response.");
  }
}

HttpClient::HttpClient(Options options) : impl_(std::make_shared<Impl>(std::move(options))) {
  // The thread shares ownership: when the client is destroyed from one of its own callbacks the
  // thread is detached and destroys Impl itself once its io_context has run out of work.
  impl_->thread = std::thread([im = impl_] { im->run_thread(); });
  impl_->thread_id = impl_->thread.get_id();
}

HttpClient::~HttpClient() {
  stop();
  if (std::this_thread::get_id() == impl_->thread_id) impl_->thread.detach();
}

void HttpClient::Impl::run_thread() {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {  // complete() catches callbacks' exceptions: a bug here
      log::error("http_client_thread_error", {{"error", core::loggable_message(e)}});
    }
  }
}

void HttpClient::send(ClientRequest request, std::function<void(Outcome)> done) {
  auto ex = std::make_shared<Exchange>(impl_->ioc.get_executor());
  ex->deadline = Clock::now() + request.timeout;
  ex->done = std::move(done);
  std::optional<core::Error> invalid;
  try {
    ex->url = parse_url(request.url);
  } catch (const std::invalid_argument& e) {
    invalid = core::invalid_argument(e.what(), "url");
  }
  if (request.method == Method::kOther)
    invalid = core::invalid_argument("the request method must be a known one", "method");
  ex->req = std::move(request);
  std::unique_lock lock(impl_->mu);
  if (impl_->stopped) {
    lock.unlock();
    impl_->complete(*ex, stopped_error());  // the thread may be gone: answer here
    return;
  }
  // Posted under the lock, so it runs before the stop_all() of a later stop().
  asio::post(impl_->ioc, [im = impl_.get(), ex, invalid = std::move(invalid)]() mutable {
    if (invalid) {
      im->complete(*ex, std::move(*invalid));
    } else {
      im->start(std::move(ex));
    }
  });
}

Response HttpClient::send_and_wait(ClientRequest request) {
  if (std::this_thread::get_id() == impl_->thread_id)
    throw core::Error(core::ErrorKind::kInternal,
                      "HttpClient::send_and_wait called on the client's own thread");
  std::promise<Outcome> promise;
  auto result = promise.get_future();
  send(std::move(request), [&promise](Outcome o) { promise.set_value(std::move(o)); });
  return result.get().take();
}

void HttpClient::stop() {
  impl_->request_stop();
  if (std::this_thread::get_id() == impl_->thread_id) return;  // a callback: cannot wait
  std::lock_guard lock(impl_->join_mu);
  if (impl_->thread.joinable()) impl_->thread.join();
}

void HttpClient::Impl::request_stop() {
  std::lock_guard lock(mu);
  if (stopped) return;
  stopped = true;
  asio::post(ioc, [this] { stop_all(); });
  guard.reset();  // run() returns once stop_all() and the coroutines it ends have finished
}

void HttpClient::Impl::start(std::shared_ptr<Exchange> ex) {
  if (stopping) return complete(*ex, stopped_error());
  active.insert(ex);
  asio::co_spawn(ioc.get_executor(), run(std::move(ex)), asio::detached);
}

// Answers every request in flight and closes what they use; their coroutines then wake with
// errors, find themselves answered and unwind.
void HttpClient::Impl::stop_all() {
  stopping = true;
  auto in_flight = std::move(active);
  active.clear();
  for (auto& ex : in_flight) {
    ex->cancelled = true;
    ex->timer.cancel();
    if (ex->resolver) ex->resolver->cancel();
    if (ex->conn) ex->conn->lowest().close();
  }
  for (auto& ex : in_flight) complete(*ex, stopped_error());
  idle.clear();
  idle_count = 0;
  sweep_timer.cancel();
}

void HttpClient::Impl::complete(Exchange& ex, Outcome outcome) {
  if (!ex.pending) return;
  ex.pending = false;
  auto done = std::move(ex.done);
  ex.done = nullptr;
  if (requests) requests->add();
  if (failures && !outcome.ok()) failures->add();
  if (!done) return;
  try {
    done(std::move(outcome));
  } catch (const std::exception& e) {
    log::error("http_client_callback_threw", {{"error", core::loggable_message(e)}});
  } catch (...) {
    log::error("http_client_callback_threw", {{"error", "not a std::exception"}});
  }
}

// Most recently used first: the likeliest to be still open at the peer.
std::unique_ptr<Conn> HttpClient::Impl::take_idle(const std::string& key) {
  auto it = idle.find(key);
  if (it == idle.end()) return nullptr;
  auto& queue = it->second;
  auto now = Clock::now();
  std::unique_ptr<Conn> found;
  while (!queue.empty() && !found) {
    auto conn = std::move(queue.back());
    queue.pop_back();
    --idle_count;
    if (now - conn->idle_since < opts.idle_timeout) found = std::move(conn);
  }
  if (queue.empty()) idle.erase(it);
  return found;
}

void HttpClient::Impl::put_idle(std::unique_ptr<Conn> conn) {
  if (stopping || opts.max_idle_per_host == 0) return;
  auto& queue = idle[conn->key];
  if (queue.size() >= opts.max_idle_per_host) {  // drop the oldest of this peer
    queue.pop_front();
    --idle_count;
  }
  if (idle_count >= opts.max_idle_total) {
    if (queue.empty()) idle.erase(conn->key);
    return;
  }
  conn->lowest().expires_never();  // an old deadline must not fire while it waits
  conn->idle_since = Clock::now();
  queue.push_back(std::move(conn));
  ++idle_count;
  arm_sweep();
}

// Closes expired idle connections now and then, so that their sockets do not linger; take_idle
// checks the expiry exactly anyway.
void HttpClient::Impl::arm_sweep() {
  if (sweep_armed || idle_count == 0 || stopping) return;
  sweep_armed = true;
  sweep_timer.expires_after(
      std::max<Clock::duration>(opts.idle_timeout / 2, std::chrono::milliseconds(10)));
  sweep_timer.async_wait([this](const error_code& ec) {
    sweep_armed = false;
    if (ec || stopping) return;
    auto now = Clock::now();
    for (auto it = idle.begin(); it != idle.end();) {
      auto& queue = it->second;
      while (!queue.empty() && now - queue.front()->idle_since >= opts.idle_timeout) {
        queue.pop_front();
        --idle_count;
      }
      it = queue.empty() ? idle.erase(it) : std::next(it);
    }
    arm_sweep();
  });
}

// One context per (verification, CA file), loaded once for the client's life: a CA bundle that
// changes on disk is seen by a new client.
std::shared_ptr<asio::ssl::context> HttpClient::Impl::tls_context(const ClientRequest& req) {
  std::string key = (req.verify_tls ? "verify|" : "no-verify|") + req.ca_file;
  if (auto it = tls_contexts.find(key); it != tls_contexts.end()) return it->second;
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  if (req.verify_tls) {
    error_code ec;
    if (req.ca_file.empty()) {
      ctx->set_default_verify_paths(ec);
    } else {
      ctx->load_verify_file(req.ca_file, ec);
    }
    if (ec)
      throw core::Error(core::ErrorKind::kUnavailable,
                        "cannot load the CA certificates" +
                            (req.ca_file.empty() ? std::string() : " from " + req.ca_file) + ": " +
                            ec.message());
    ctx->set_verify_mode(asio::ssl::verify_peer);
  } else {
    ctx->set_verify_mode(asio::ssl::verify_none);
  }
  tls_contexts.emplace(key, ctx);
  return ctx;
}

std::unique_ptr<Conn> HttpClient::Impl::new_conn(const Url& url, const std::string& key,
                                                 std::shared_ptr<asio::ssl::context> tls,
                                                 bool verify) {
  auto conn = std::make_unique<Conn>();
  conn->key = key;
  if (!tls) {
    conn->tcp.emplace(ioc.get_executor());
    return conn;
  }
  conn->tls_context = std::move(tls);
  conn->tls.emplace(ioc.get_executor(), *conn->tls_context);
  error_code not_ip;
  asio::ip::make_address(url.host, not_ip);
  if (not_ip)  // SNI carries host names only (RFC 6066)
    SSL_set_tlsext_host_name(conn->tls->native_handle(), url.host.c_str());
  if (verify) conn->tls->set_verify_callback(asio::ssl::host_name_verification(url.host));
  return conn;
}

}  // namespace registrar::http
