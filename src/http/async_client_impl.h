// The asynchronous client's insides, shared by async_client.cpp (the client's life: thread,
// send, stop, the idle pool, TLS contexts) and async_exchange.cpp (one request: connect, send,
// read, retry, redirects). Private to src/http.
//
// Everything here except `mu`/`stopped` and the construction of an Exchange is touched only on
// the client's thread, so nothing else needs a lock.
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/metrics.h"
#include "http/async_client.h"

namespace registrar::http {

namespace client_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;
// One thread, one io_context: the concrete executor type, as in the server.
using IoExecutor = asio::io_context::executor_type;
using TcpStream = beast::basic_stream<tcp, IoExecutor, beast::unlimited_rate_policy>;
using TlsStream = beast::ssl_stream<TcpStream>;
using Resolver = asio::ip::basic_resolver<tcp, IoExecutor>;
using Timer = asio::basic_waitable_timer<Clock, asio::wait_traits<Clock>, IoExecutor>;
template <class T>
using awaitable = asio::awaitable<T, IoExecutor>;
constexpr asio::use_awaitable_t<IoExecutor> use_io;

// One TCP (or TLS) connection to a peer: owned by the request using it, or by the idle pool.
struct Conn {
  std::string key;                                  // pool key: scheme, host, port, TLS settings
  std::shared_ptr<asio::ssl::context> tls_context;  // outlives `tls`
  std::optional<TcpStream> tcp;                     // plain http
  std::optional<TlsStream> tls;                     // https
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
  TcpStream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }
};

// One request from send() to its callback, across redirects and the retry.
struct Exchange {
  ClientRequest req;
  Url url;
  std::function<void(Outcome)> done;
  bool pending = true;         // false once `done` has been called (or dropped)
  Clock::time_point deadline;  // the total timeout
  Timer timer;                 // the DNS deadline
  std::optional<Resolver> resolver;
  Conn* conn = nullptr;    // the connection in use, so that stop() can close it
  bool cancelled = false;  // set by stop()
  explicit Exchange(IoExecutor ex) : timer(ex) {}
};

// How one try on one connection went; turned into the error message when it failed.
struct Attempt {
  error_code ec;
  const char* step = "connect";  // resolve, connect, TLS handshake, send, read
  bool sent = false;             // the whole request was written
  bool got_bytes = false;        // any byte of a response arrived
  bool too_large = false;
  bool total_binding = false;  // the current step's deadline was the total timeout
  std::chrono::milliseconds step_timeout{0};
  std::optional<Response> response;
  bool reusable = false;  // the connection may go back to the pool
};

}  // namespace client_detail

struct HttpClient::Impl {
  using Exchange = client_detail::Exchange;
  using Conn = client_detail::Conn;
  using Attempt = client_detail::Attempt;
  template <class T>
  using awaitable = client_detail::awaitable<T>;

  // Declared first so that it is destroyed last: the sockets and timers below belong to it.
  boost::asio::io_context ioc{1};
  const Options opts;
  core::Counter* requests = nullptr;
  core::Counter* failures = nullptr;

  std::optional<boost::asio::executor_work_guard<client_detail::IoExecutor>> guard;
  std::thread thread;
  std::thread::id thread_id;
  std::mutex join_mu;  // two threads calling stop() must not both join

  std::mutex mu;  // orders send()'s post against stop()'s
  bool stopped = false;

  // Client thread only.
  bool stopping = false;
  std::unordered_set<std::shared_ptr<Exchange>> active;
  std::unordered_map<std::string, std::deque<std::unique_ptr<Conn>>> idle;
  size_t idle_count = 0;
  client_detail::Timer sweep_timer;
  bool sweep_armed = false;
  std::map<std::string, std::shared_ptr<boost::asio::ssl::context>> tls_contexts;

  explicit Impl(Options o);

  // async_client.cpp
  void run_thread();
  void request_stop();  // any thread
  void start(std::shared_ptr<Exchange> ex);
  void stop_all();
  void complete(Exchange& ex, Outcome outcome);
  std::unique_ptr<Conn> take_idle(const std::string& key);
  void put_idle(std::unique_ptr<Conn> conn);
  void arm_sweep();
  std::shared_ptr<boost::asio::ssl::context> tls_context(const ClientRequest& req);
  std::unique_ptr<Conn> new_conn(const Url& url, const std::string& key,
                                 std::shared_ptr<boost::asio::ssl::context> tls, bool verify);

  // async_exchange.cpp
  awaitable<void> run(std::shared_ptr<Exchange> ex);
  awaitable<Response> follow(std::shared_ptr<Exchange> ex);
  awaitable<Response> attempt(std::shared_ptr<Exchange> ex, const Url& url);
  awaitable<void> connect(std::shared_ptr<Exchange> ex, const Url& url, Conn& conn, Attempt& a);
  template <class Stream>
  awaitable<void> exchange_on(Stream& stream, Conn& conn, Exchange& ex, const Url& url, Attempt& a);
};

// "client stopped", the error of every request that stop() ends.
core::Error stopped_error();
// "https://host:port|verify|ca_file": requests share a connection only with equal TLS settings.
std::string pool_key(const Url& url, const ClientRequest& req);

}  // namespace registrar::http
