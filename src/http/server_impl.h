// The server's insides, shared by its sources (server.cpp: listening, connections, shutdown;
// server_request.cpp: one request from header to access log; burst.cpp: deferred work). Private
// to src/http: Boost.Asio and Beast stay in this folder.
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/metrics.h"
#include "core/thread_annotations.h"
#include "http/server.h"

namespace registrar::http {

namespace asio = boost::asio;
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
  std::string address;              // the client's IP, counted in Impl::per_address
  Connection(IoExecutor ex, std::string addr) : executor(ex), address(std::move(addr)) {}
};

class RequestParser;  // request_parser.h (Beast's parser; only server_request.cpp needs it)

// A place among the requests in flight (ServerOptions::max_in_flight), given back when the
// request's Exchange ends however it ends.
class InFlightSlot {
 public:
  InFlightSlot() = default;
  InFlightSlot(const InFlightSlot&) = delete;
  InFlightSlot& operator=(const InFlightSlot&) = delete;
  ~InFlightSlot() {
    if (count_) count_->fetch_sub(1, std::memory_order_relaxed);
  }
  // False (and nothing taken) when `max` requests are in flight already.
  bool take(std::atomic<size_t>& count, size_t max) {
    if (count.fetch_add(1, std::memory_order_relaxed) >= max) {
      count.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    count_ = &count;
    return true;
  }

 private:
  std::atomic<size_t>* count_ = nullptr;
};

// One request as it moves through Server::Impl::serve's stages.
struct Exchange {
  Request req;
  // The server's own id of this request, whatever X-Request-Id the client sent: in the access
  // log, the X-Server-Request-Id header and (core::current_server_request_id) the audit log.
  std::string server_id;
  Response res;
  const Route* route = nullptr;  // null until routed, and for requests no route matched
  bool answered = false;         // `res` is final: later stages only write it
  bool close_after = false;
  bool preflight = false;               // `res` answers a CORS preflight (answer_preflight)
  std::string allowed;                  // the Allow header of a 405
  const ErrorFormat* errors = nullptr;  // a 405's: the format of the routes at its path
  std::chrono::steady_clock::time_point started;
  bool http10 = false;        // the request was HTTP/1.0: a stream is sent whole (no chunks)
  size_t streamed_bytes = 0;  // a streamed body's bytes, as sent
  bool skip_body = false;     // refused before its body (429, 503): the body is not read
  InFlightSlot in_flight;
};

// A connection's reusable output buffers: the response's bytes and the access-log line.
struct ConnectionBuffers {
  std::string out;
  std::string log_line;
};

struct Server::Impl {
  ServerOptions opts;
  const Router& router;
  core::Metrics& metrics;

  std::vector<std::unique_ptr<asio::io_context>> contexts;  // one per I/O thread
  std::atomic<size_t> next_context{0};
  asio::thread_pool workers;
  std::optional<asio::ssl::context> tls;
  asio::basic_socket_acceptor<tcp, IoExecutor> acceptor;
  std::optional<asio::basic_signal_set<IoExecutor>> signals;
  Timer drain_timer;

  core::Mutex conn_mu;
  std::set<std::shared_ptr<Connection>> connections GUARDED_BY(conn_mu);
  std::unordered_map<std::string, size_t> per_address GUARDED_BY(conn_mu);  // open, by client IP
  core::Counter* accept_failures = nullptr;
  core::Counter* refused_per_address = nullptr;
  // server.rate_limit.* and server.max_in_flight; null / 0 when off (a branch per request).
  std::unique_ptr<RateLimiter> address_limiter;
  std::unique_ptr<RateLimiter> client_limiter;
  core::Counter* limited_per_address = nullptr;
  core::Counter* limited_per_client = nullptr;
  core::Counter* refused_in_flight = nullptr;
  std::atomic<size_t> in_flight{0};
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
  // Registers an accepted connection from `address`, or returns null when the address already
  // has max_connections_per_address open (or the server max_connections).
  std::shared_ptr<Connection> admit(IoExecutor executor, const std::string& address);
  void release(const Connection& conn);
  awaitable<void> watchdog(std::shared_ptr<Connection> conn);
  awaitable<void> run_connection(Socket socket, std::shared_ptr<Connection> conn);
  // One request after another on a connection, in flat stages (server_request.cpp). A stage
  // that can finish with what is at hand is a plain function; its waiting half, a coroutine, is
  // awaited only when it must wait. Each stage says whether to go on, that it must wait, that the
  // request is answered (a Failure in the route's format), or that the connection is to be
  // dropped without an answer (timeout, disconnect).
  enum class Flow { kContinue, kWait, kAnswered, kDrop };
  template <class Stream>
  awaitable<void> serve(Stream& stream, const std::string& remote, Connection& conn);
  Flow parse_header(boost::beast::flat_buffer& buffer, RequestParser& parser, Connection& conn,
                    Exchange& ex);
  template <class Stream>
  awaitable<Flow> read_header(Stream& stream, boost::beast::flat_buffer& buffer,
                              RequestParser& parser, Connection& conn, Exchange& ex);
  Flow header_failed(const error_code& ec, Connection& conn, Exchange& ex);
  Flow route_request(Exchange& ex);
  // The per-address rate limit (429), after routing so that the refusal is in the route's
  // format and before the body is read.
  Flow admit_request(const Connection& conn, Exchange& ex);
  // server.max_in_flight: a place for the request from its body read to its response written,
  // or the 503.
  void enter_flight(Exchange& ex);
  // The per-client rate limit once the request is authenticated: the 429, or nothing.
  std::optional<Failure> limit_client(const Request& req);
  void refuse(Exchange& ex, int status, std::string code, std::string message,
              RateLimiter::Clock::duration wait);
  // CORS (http/cors.h): a preflight answered before routing; the group's headers on the way out.
  bool answer_preflight(Exchange& ex);
  void finish_response(Exchange& ex);
  size_t body_limit(const Exchange& ex) const;
  Flow parse_body(boost::beast::flat_buffer& buffer, RequestParser& parser, Connection& conn,
                  Exchange& ex);
  template <class Stream>
  awaitable<Flow> read_body(Stream& stream, boost::beast::flat_buffer& buffer,
                            RequestParser& parser, Connection& conn, Exchange& ex);
  Flow body_failed(const error_code& ec, Connection& conn, Exchange& ex);
  void answer_too_large(Exchange& ex, const std::string& size);
  // Running the route: authentication decided at once or deferred to the burst's end, then the
  // handler inline or elsewhere (dispatch).
  enum class RouteStep { kDone, kAuthenticate, kDispatch };
  RouteStep start_route(Exchange& ex, std::unique_ptr<PendingAuthentication>& pending);
  RouteStep after_authentication(Exchange& ex, std::optional<Failure> denied);
  RouteStep run_inline(Exchange& ex);
  // The response's bytes (and the write deadline); then, once written, metrics and access log.
  void serialize(Connection& conn, Exchange& ex, ConnectionBuffers& bufs);
  // The next piece of a streamed body, produced on a worker; `failed` when next() threw.
  struct Piece {
    std::optional<std::string> data;
    bool failed = false;
  };
  awaitable<Piece> produce(std::shared_ptr<BodyStream> stream, std::string request_id);
  // Writes a streamed body as chunks; false when the connection must close (a write or the
  // producer failed).
  template <class Stream>
  awaitable<bool> write_stream(Stream& stream, Connection& conn, Exchange& ex,
                               ConnectionBuffers& bufs);
  // An HTTP/1.0 client's streamed body, gathered into `body`.
  awaitable<bool> gather_stream(Exchange& ex);
  void record(const Exchange& ex, ConnectionBuffers& bufs);
  // Answers `ex` with a failure of the platform's own (400, 404, 405, 413, 431).
  void answer(Exchange& ex, int status, std::string code, std::string message, bool close);

  // Blocking routes' handlers run on the workers (authentication included); inline and async
  // ones are authenticated on the I/O thread, a signature check deferred to the burst's end.
  // `server_id` is the exchange's, set as the current server request id where the handler runs.
  awaitable<Response> dispatch(Request& req, const Route* route, const std::string& server_id);
  Response invoke_sync(Request& req, const Route& route);
  std::optional<Failure> authenticate(Request& req, const Route& route);
  std::unique_ptr<PendingAuthentication> start_authentication(Request& req, const Route& route,
                                                              std::optional<Failure>& decision);
  awaitable<std::optional<Failure>> finish_authentication(
      Request& req, const Route& route, std::unique_ptr<PendingAuthentication> pending);
  Response run_handler(Request& req, const Route& route);
  // The failure written in the format of `route` (or of the request's path when null).
  // In the route's error format; with no route, `format` or else the one of the path's prefix.
  Response render(const Request& req, const Route* route, const Failure& failure,
                  const ErrorFormat* format = nullptr);
  Response failure_response(const Request& req, const Route& route);
  void begin_shutdown();
  void maybe_finish_drain();
  void stop_all();
};

// Marks the calling thread as the I/O thread of `ctx` for as long as it runs it, so that
// defer_to_burst_end (http/burst.h) queues work there; implemented in burst.cpp.
class IoThreadScope {
 public:
  explicit IoThreadScope(asio::io_context& ctx);
  ~IoThreadScope();
  IoThreadScope(const IoThreadScope&) = delete;
  IoThreadScope& operator=(const IoThreadScope&) = delete;
};

// When the calling thread has an http::DeliveryBatch open (http/delivery.h), takes `deliver` (the
// answer's completion, to run on `executor`) to hand over when the batch closes, and returns
// true; otherwise leaves it and returns false. Implemented in delivery.cpp.
bool hold_answer(IoExecutor executor, std::function<void()>& deliver);

}  // namespace registrar::http
