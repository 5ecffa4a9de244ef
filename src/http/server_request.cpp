// One request on a connection, from its header to its access-log line. Server::Impl::serve is a
// flat sequence of stages — wait for a request, read its header, route it, read its body, run
// it (authenticate, then the handler inline, on the workers or asynchronously), write the
// response — each of which may answer early with a Failure written in the route's format.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <limits>

#include "core/error.h"
#include "core/log.h"
#include "core/request_context.h"
#include "http/burst.h"
#include "http/request_parser.h"
#include "http/server_impl.h"
#include "http/wire.h"

namespace registrar::http {

namespace {

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

}  // namespace

Response Server::Impl::render(const Request& req, const Route* route, const Failure& failure,
                              const ErrorFormat* format) {
  const ErrorFormat& chosen =
      route ? *route->errors : (format ? *format : router.error_format_for(req.path));
  try {
    return render_failure(chosen, failure, req, route);
  } catch (const std::exception& e) {
    // A format that throws is a bug of ours; the client still gets an answer.
    log::error("error_format_failed",
               {{"request_id", req.request_id}, {"error", core::loggable_message(e)}});
    return Response::problem(failure.status, "", failure.message, failure.field, req.request_id);
  }
}

// The response for the exception being handled, thrown by a handler or an authenticator.
Response Server::Impl::failure_response(const Request& req, const Route& route) {
  return render(req, &route, current_failure(req.request_id, &route));
}

std::optional<Failure> Server::Impl::authenticate(Request& req, const Route& route) {
  try {
    if (auto denied = route.authenticator->authenticate(req, route)) return denied;
  } catch (...) {
    return current_failure(req.request_id, &route);
  }
  return limit_client(req);
}

// The client is whoever the authenticator established: the token's OAuth2 client, else its
// subject (a user, a DCI sender, a machine), under its issuer so that the same name at two
// issuers is two clients.
std::optional<Failure> Server::Impl::limit_client(const Request& req) {
  if (!client_limiter || !req.principal) return std::nullopt;
  const Principal& p = *req.principal;
  const std::string& who = p.client_id.empty() ? p.subject : p.client_id;
  const auto wait =
      client_limiter->acquire(p.issuer + '\n' + who, std::chrono::steady_clock::now());
  if (wait == RateLimiter::Clock::duration::zero()) return std::nullopt;
  limited_per_client->add();
  Failure f;
  f.status = 429;
  f.code = "too-many-requests";
  f.message = "too many requests from this client; retry later";
  f.headers.set("Retry-After", std::to_string(retry_after_seconds(wait)));
  return f;
}

std::unique_ptr<PendingAuthentication> Server::Impl::start_authentication(
    Request& req, const Route& route, std::optional<Failure>& decision) {
  try {
    return route.authenticator->start(req, route, decision);
  } catch (...) {
    decision = current_failure(req.request_id, &route);
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
  if (route.authenticator) {
    if (auto denied = authenticate(req, route)) return render(req, &route, *denied);
  }
  return run_handler(req, route);
}

// The deferred part of one authentication; `done` resumes the connection's coroutine.
template <class Completion>
class AuthenticationWork final : public DeferredWork {
 public:
  AuthenticationWork(Request& req, const Route& route,
                     std::unique_ptr<PendingAuthentication> pending, Completion done)
      : req_(req), route_(route), pending_(std::move(pending)), done_(std::move(done)) {}

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
    std::optional<Failure> decision;
    try {
      if (heavy_failed_) std::rethrow_exception(heavy_failed_);
      decision = pending_->finish(req_, route_);
    } catch (...) {
      decision = current_failure(req_.request_id, &route_);
    }
    std::move(done_)(std::move(decision));
  }

 private:
  Request& req_;
  const Route& route_;
  std::unique_ptr<PendingAuthentication> pending_;
  Completion done_;
  std::exception_ptr heavy_failed_;
};

// Not a coroutine: the awaitable async_initiate returns is awaited by serve() itself, so that no
// frame of our own is allocated around it.
awaitable<std::optional<Failure>> Server::Impl::finish_authentication(
    Request& req, const Route& route, std::unique_ptr<PendingAuthentication> pending) {
  return asio::async_initiate<const asio::use_awaitable_t<IoExecutor>&,
                              void(std::optional<Failure>)>(
      [&req, &route, pending = std::move(pending)](auto completion) mutable {
        using Work = AuthenticationWork<decltype(completion)>;
        defer_to_burst_end(
            std::make_unique<Work>(req, route, std::move(pending), std::move(completion)));
      },
      use_io);
}

awaitable<Response> Server::Impl::dispatch(Request& req, const Route* route,
                                           const std::string& server_id) {
  return asio::async_initiate<const asio::use_awaitable_t<IoExecutor>&, void(Response)>(
      [this, &req, route, &server_id](auto completion) {
        using Completion = decltype(completion);
        auto shared = std::make_shared<Completion>(std::move(completion));
        // Keep the connection's io_context alive while the response is produced elsewhere.
        auto work = std::make_shared<asio::executor_work_guard<IoExecutor>>(
            asio::get_associated_executor(*shared));
        Responder responder(
            [shared, work](Response r) {
              std::function<void()> deliver = [shared, work, r = std::move(r)]() mutable {
                (*shared)(std::move(r));
              };
              if (!hold_answer(work->get_executor(), deliver))
                asio::post(work->get_executor(), std::move(deliver));
            },
            // The request outlives the rendering: the Responder renders before it delivers.
            [this, &req, route](std::exception_ptr e) {
              return render(req, route, failure_of(e, req.request_id, route));
            });
        if (route->handler) {
          asio::post(workers, [this, &req, route, &server_id, responder] {
            core::ServerRequestScope scope(server_id);
            responder(invoke_sync(req, *route));
          });
          return;
        }
        core::ServerRequestScope scope(server_id);
        try {
          route->async_handler(req, responder);  // authenticated by start_route()
        } catch (...) {
          responder.fail(std::current_exception());
        }
      },
      use_io);
}

awaitable<Server::Impl::Piece> Server::Impl::produce(std::shared_ptr<BodyStream> body,
                                                     std::string request_id) {
  // The worker owns what it uses: the connection may be gone when it finishes.
  return asio::async_initiate<const asio::use_awaitable_t<IoExecutor>&, void(Piece)>(
      [this, body = std::move(body), request_id = std::move(request_id)](auto completion) {
        using Completion = decltype(completion);
        auto shared = std::make_shared<Completion>(std::move(completion));
        auto work = std::make_shared<asio::executor_work_guard<IoExecutor>>(
            asio::get_associated_executor(*shared));
        asio::post(workers, [body, request_id, shared, work] {
          Piece piece;
          try {
            piece.data = body->next();
          } catch (const std::exception& e) {
            piece.failed = true;
            log::error("response_stream_failed", {{"request_id", request_id}, {"error", e.what()}});
          }
          asio::post(work->get_executor(), [shared, work, piece = std::move(piece)]() mutable {
            (*shared)(std::move(piece));
          });
        });
      },
      use_io);
}

// One piece produced, then written, then the next asked for: the body is never held whole, and
// a slow client slows the producer instead of filling memory.
template <class Stream>
awaitable<bool> Server::Impl::write_stream(Stream& stream, Connection& conn, Exchange& ex,
                                           ConnectionBuffers& bufs) {
  std::shared_ptr<BodyStream> body = ex.res.stream;
  for (;;) {
    conn.deadline = std::chrono::steady_clock::time_point::max();  // the producer's time is ours
    Piece piece = co_await produce(body, ex.req.request_id);
    if (piece.failed) co_return false;  // no last chunk: the client sees the body cut short
    bufs.out.clear();
    if (piece.data) {
      if (piece.data->empty()) continue;
      wire::append_chunk(bufs.out, *piece.data);
      ex.streamed_bytes += piece.data->size();
    } else {
      bufs.out = wire::kLastChunk;
    }
    conn.deadline = std::chrono::steady_clock::now() + opts.write_timeout;
    error_code ec;
    co_await asio::async_write(stream, asio::buffer(bufs.out), asio::redirect_error(use_io, ec));
    if (ec) co_return false;
    if (!piece.data) co_return true;
  }
}

awaitable<bool> Server::Impl::gather_stream(Exchange& ex) {
  std::shared_ptr<BodyStream> body = std::move(ex.res.stream);
  ex.res.body.clear();
  for (;;) {
    Piece piece = co_await produce(body, ex.req.request_id);
    if (piece.failed) co_return false;
    if (!piece.data) co_return true;
    ex.res.body += *piece.data;
  }
}

Server::Impl::RouteStep Server::Impl::start_route(Exchange& ex,
                                                  std::unique_ptr<PendingAuthentication>& pending) {
  const Route& route = *ex.route;
  const bool on_io_thread = !route.handler || route.exec == Exec::kInline;
  if (on_io_thread && route.authenticator) {
    core::ServerRequestScope scope(ex.server_id);
    std::optional<Failure> denied;
    pending = start_authentication(ex.req, route, denied);
    if (pending) return RouteStep::kAuthenticate;
    if (!denied) denied = limit_client(ex.req);
    if (denied) {
      ex.res = render(ex.req, &route, *denied);
      return RouteStep::kDone;
    }
  }
  return run_inline(ex);
}

Server::Impl::RouteStep Server::Impl::after_authentication(Exchange& ex,
                                                           std::optional<Failure> denied) {
  if (!denied) denied = limit_client(ex.req);
  if (!denied) return run_inline(ex);
  ex.res = render(ex.req, ex.route, *denied);
  return RouteStep::kDone;
}

Server::Impl::RouteStep Server::Impl::run_inline(Exchange& ex) {
  const Route& route = *ex.route;
  if (!route.handler || route.exec != Exec::kInline) return RouteStep::kDispatch;
  core::ServerRequestScope scope(ex.server_id);
  ex.res = run_handler(ex.req, route);
  return RouteStep::kDone;
}

void Server::Impl::answer(Exchange& ex, int status, std::string code, std::string message,
                          bool close) {
  Failure f;
  f.status = status;
  f.code = std::move(code);
  f.message = std::move(message);
  if (!ex.allowed.empty()) f.headers.set("Allow", ex.allowed);
  ex.res = render(ex.req, ex.route, f, ex.errors);
  ex.answered = true;
  ex.close_after = ex.close_after || close;
}

namespace {

// Feeds `parser` what `buffer` already holds, up to the end of the header (or of the whole
// message when `whole`). True when that point is reached or the bytes are malformed (`ec`);
// false when more must be read from the socket.
bool parse_buffered(beast::flat_buffer& buffer, RequestParser& parser, bool whole, error_code& ec) {
  auto reached = [&] { return whole ? parser.is_done() : parser.is_header_done(); };
  while (!reached() && buffer.size() > 0) {
    const size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      return false;
    }
    if (ec) return true;
    if (used == 0) return false;
  }
  return reached();
}

}  // namespace

Server::Impl::Flow Server::Impl::header_failed(const error_code& ec, Connection& conn,
                                               Exchange& ex) {
  if (conn.timed_out || is_disconnect(ec)) return Flow::kDrop;
  ex.server_id = wire::next_request_id();
  ex.req.request_id = ex.server_id;
  ex.req.method_text = "-";
  if (ec == bhttp::error::header_limit) {
    answer(ex, 431, "header-too-large",
           "request header exceeds " + std::to_string(opts.max_header_bytes) + " bytes", true);
  } else {
    answer(ex, 400, "malformed-request", "malformed HTTP request: " + ec.message(), true);
  }
  return Flow::kAnswered;
}

Server::Impl::Flow Server::Impl::parse_header(beast::flat_buffer& buffer, RequestParser& parser,
                                              Connection& conn, Exchange& ex) {
  error_code ec;
  if (!parse_buffered(buffer, parser, false, ec)) return Flow::kWait;
  return ec ? header_failed(ec, conn, ex) : Flow::kContinue;
}

template <class Stream>
awaitable<Server::Impl::Flow> Server::Impl::read_header(Stream& stream, beast::flat_buffer& buffer,
                                                        RequestParser& parser, Connection& conn,
                                                        Exchange& ex) {
  conn.deadline = ex.started + opts.header_timeout;
  error_code ec;
  co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(use_io, ec));
  co_return ec ? header_failed(ec, conn, ex) : Flow::kContinue;
}

// Parses the target, takes the request id, and finds the route. A path with no route is
// answered (404 / 405) but its body is still read, within the default limit, so that the
// connection can be kept.
Server::Impl::Flow Server::Impl::route_request(Exchange& ex) {
  Request& req = ex.req;
  ex.server_id = wire::next_request_id();
  auto rid = req.headers.get("X-Request-Id");
  req.request_id = (rid && wire::acceptable_request_id(*rid)) ? std::string(*rid) : ex.server_id;
  if (!wire::split_target(req)) {
    answer(ex, 400, "malformed-request",
           "request target must be an absolute path with valid percent-encoding of UTF-8 text",
           true);
    return Flow::kAnswered;
  }
  if (answer_preflight(ex)) return Flow::kContinue;  // parse_body reads or refuses its body
  auto match = router.match(req.method, req.path);
  if (match.route) {
    ex.route = match.route;
    req.path_params = std::move(match.params);
    return Flow::kContinue;
  }
  if (!match.allowed.empty()) {
    ex.allowed = allow_header(match.allowed);
    ex.errors = match.errors;
    answer(ex, 405, "method-not-allowed",
           "method " + req.method_text + " is not allowed on " + req.path, false);
  } else {
    answer(ex, 404, "not-found", "no route for " + req.path, false);
  }
  return Flow::kContinue;  // parse_body closes the connection rather than read a body
}

void Server::Impl::refuse(Exchange& ex, int status, std::string code, std::string message,
                          RateLimiter::Clock::duration wait) {
  Failure f;
  f.status = status;
  f.code = std::move(code);
  f.message = std::move(message);
  f.headers.set("Retry-After", std::to_string(retry_after_seconds(wait)));
  ex.res = render(ex.req, ex.route, f, ex.errors);
  ex.answered = true;
  ex.skip_body = true;
}

Server::Impl::Flow Server::Impl::admit_request(const Connection& conn, Exchange& ex) {
  if (!ex.preflight) {  // unmatched paths count too: a flood of 404s is a flood
    const auto wait = address_limiter->acquire(conn.address, ex.started);
    if (wait != RateLimiter::Clock::duration::zero()) {
      limited_per_address->add();
      refuse(ex, 429, "too-many-requests", "too many requests from this address; retry later",
             wait);
    }
  }
  return Flow::kContinue;
}

// Taken once the body is in, so that clients slow to send their bodies (bounded by the body
// timeout) cannot hold the places of requests ready to run.
void Server::Impl::enter_flight(Exchange& ex) {
  if (ex.in_flight.take(in_flight, opts.max_in_flight)) return;
  refused_in_flight->add();
  refuse(ex, 503, "unavailable", "the server is handling as many requests as it may; retry later",
         std::chrono::seconds(1));
}

// A CORS preflight under a prefix with a policy is answered before routing and authentication:
// the browser sends it without credentials, for any path it is about to call.
bool Server::Impl::answer_preflight(Exchange& ex) {
  if (ex.req.method != Method::kOptions || !is_preflight(ex.req)) return false;
  const CorsPolicy* cors = router.cors_for(ex.req.path);
  if (!cors) return false;
  ex.res = preflight_response(*cors, ex.req);
  ex.answered = true;
  ex.preflight = true;
  return true;
}

// What the route's (or, unmatched, the path's) group adds to every response: the protocol's own
// headers (Router::on_response), then CORS's.
void Server::Impl::finish_response(Exchange& ex) {
  const CorsPolicy* cors = ex.route ? ex.route->cors : router.cors_for(ex.req.path);
  const ResponseHook* hook =
      ex.route ? ex.route->on_response : router.response_hook_for(ex.req.path);
  if (hook) {
    try {
      (*hook)(ex.req, ex.res);
    } catch (const std::exception& e) {  // a bug of ours; the response goes out as it is
      log::error("response_hook_failed", {{"request_id", ex.req.request_id}, {"error", e.what()}});
    }
  }
  if (cors && !ex.preflight) apply_cors(*cors, ex.req, ex.res);
}

// Nothing is read for a request that cannot use a body: an unmatched path or method (answered
// 404 / 405 before the body) and GET / HEAD, unless the route asks for a limit. A client without
// credentials could otherwise make every such request cost a megabyte of reading.
size_t Server::Impl::body_limit(const Exchange& ex) const {
  if (!ex.route) return 0;
  if (ex.route->max_body_bytes) return ex.route->max_body_bytes;
  const bool bodiless = ex.route->method == Method::kGet || ex.route->method == Method::kHead;
  return bodiless ? 0 : opts.max_body_bytes;
}

void Server::Impl::answer_too_large(Exchange& ex, const std::string& size) {
  ex.answered = false;  // a 404 with an oversized body is answered as the 413 it also is
  answer(
      ex, 413, "payload-too-large",
      "request body" + size + " exceeds the limit of " + std::to_string(body_limit(ex)) + " bytes",
      true);
}

Server::Impl::Flow Server::Impl::body_failed(const error_code& ec, Connection& conn, Exchange& ex) {
  if (ec == bhttp::error::body_limit) {
    answer_too_large(ex, "");
    return Flow::kAnswered;
  }
  if (conn.timed_out) {
    log::info("body_timeout", {{"remote", ex.req.remote}, {"request_id", ex.req.request_id}});
    return Flow::kDrop;
  }
  if (is_disconnect(ec)) return Flow::kDrop;
  ex.answered = false;
  answer(ex, 400, "malformed-request", "malformed HTTP request body: " + ec.message(), true);
  return Flow::kAnswered;
}

Server::Impl::Flow Server::Impl::parse_body(beast::flat_buffer& buffer, RequestParser& parser,
                                            Connection& conn, Exchange& ex) {
  const size_t limit = body_limit(ex);
  parser.body_limit(limit);
  if ((limit == 0 || ex.skip_body) && ex.answered &&
      (parser.chunked() || parser.content_length().value_or(0) > 0)) {
    // A 404 / 405 (or a request refused by the limits) keeps its answer; the body is not read,
    // so the connection cannot be reused.
    ex.close_after = true;
    return Flow::kAnswered;
  }
  if (auto len = parser.content_length(); len && *len > limit) {
    answer_too_large(ex, " of " + std::to_string(*len) + " bytes");
    return Flow::kAnswered;
  }
  error_code ec;
  if (!parse_buffered(buffer, parser, true, ec)) return Flow::kWait;
  return ec ? body_failed(ec, conn, ex) : Flow::kContinue;
}

template <class Stream>
awaitable<Server::Impl::Flow> Server::Impl::read_body(Stream& stream, beast::flat_buffer& buffer,
                                                      RequestParser& parser, Connection& conn,
                                                      Exchange& ex) {
  if (auto expect = ex.req.headers.get("Expect"); expect && iequals(*expect, "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    conn.deadline = std::chrono::steady_clock::now() + opts.write_timeout;
    co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()), use_io);
  }
  conn.deadline = std::chrono::steady_clock::now() + opts.body_timeout;
  error_code ec;
  co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_io, ec));
  co_return ec ? body_failed(ec, conn, ex) : Flow::kContinue;
}

void Server::Impl::serialize(Connection& conn, Exchange& ex, ConnectionBuffers& bufs) {
  finish_response(ex);
  if (draining) ex.close_after = true;
  bufs.out.clear();
  wire::serialize_response(bufs.out, ex.res, ex.req.request_id, ex.req.method == Method::kHead,
                           !ex.close_after, ex.server_id);
  conn.deadline = std::chrono::steady_clock::now() + opts.write_timeout;
}

void Server::Impl::record(const Exchange& ex, ConnectionBuffers& bufs) {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - ex.started).count();
  metrics.observe_request(ex.route ? ex.route->metrics_id : unmatched_metrics_id,
                          ex.req.method_text, ex.res.status, seconds);
  if (opts.access_log && log::enabled(log::Level::kInfo)) {
    bufs.log_line.clear();
    wire::append_access_log(bufs.log_line, ex.req,
                            ex.route       ? std::string_view(ex.route->pattern)
                            : ex.preflight ? "preflight"
                                           : "unmatched",
                            ex.res.status, seconds, ex.res.body.size() + ex.streamed_bytes,
                            ex.server_id);
    log::write_raw(log::Level::kInfo, bufs.log_line);
  }
}

// Each stage first does what it can with the bytes and decisions at hand (parse_header,
// parse_body, start_route) and only then, if it must wait, co_awaits its waiting half. A
// co_await of a coroutine of ours costs a frame allocation and a resumption, about a fifth of
// a small request's CPU time when every stage was one, while most requests arrive whole and
// most authentications are decided at once.
template <class Stream>
awaitable<void> Server::Impl::serve(Stream& stream, const std::string& remote, Connection& conn) {
  beast::flat_buffer buffer;
  ConnectionBuffers bufs;  // reused across the connection's requests
  for (bool first = true; !draining; first = false) {
    conn.busy = false;
    // Wait for the first byte of the next request under the idle (keep-alive) timeout.
    if (buffer.size() == 0) {
      conn.deadline =
          std::chrono::steady_clock::now() + (first ? opts.header_timeout : opts.idle_timeout);
      error_code ec;
      size_t n =
          co_await stream.async_read_some(buffer.prepare(4096), asio::redirect_error(use_io, ec));
      if (ec) break;
      buffer.commit(n);
    }
    conn.busy = true;

    Exchange ex;
    ex.started = std::chrono::steady_clock::now();
    ex.req.headers.reserve(8);
    ex.req.remote = remote;
    RequestParser parser(ex.req);
    parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
    // The real limit depends on the route, known only after the header; Beast would otherwise
    // fail the header read itself when Content-Length exceeds the default.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());

    Flow flow = parse_header(buffer, parser, conn, ex);
    if (flow == Flow::kWait) flow = co_await read_header(stream, buffer, parser, conn, ex);
    if (flow == Flow::kContinue) flow = route_request(ex);
    if (flow == Flow::kContinue && address_limiter) flow = admit_request(conn, ex);
    if (flow == Flow::kContinue) flow = parse_body(buffer, parser, conn, ex);
    if (flow == Flow::kWait) flow = co_await read_body(stream, buffer, parser, conn, ex);
    if (flow == Flow::kDrop) break;
    if (flow == Flow::kContinue && !parser.keep_alive()) ex.close_after = true;
    ex.http10 = parser.http_version() < 11;
    if (opts.max_in_flight && !ex.answered) enter_flight(ex);
    if (!ex.answered) {
      conn.deadline = std::chrono::steady_clock::time_point::max();  // the handler's time is ours
      std::unique_ptr<PendingAuthentication> pending;
      RouteStep step = start_route(ex, pending);
      if (step == RouteStep::kAuthenticate)
        step = after_authentication(
            ex, co_await finish_authentication(ex.req, *ex.route, std::move(pending)));
      if (step == RouteStep::kDispatch) ex.res = co_await dispatch(ex.req, ex.route, ex.server_id);
    }

    if (ex.res.stream && (ex.http10 || ex.req.method == Method::kHead)) {
      // HTTP/1.0 has no chunks: the body is gathered and sent with its length. A HEAD gets the
      // length too, which takes producing the body (as a handler's HEAD answer does).
      if (!co_await gather_stream(ex)) break;
    }
    serialize(conn, ex, bufs);
    // Let the I/O thread finish the other requests that are ready before writing this response:
    // a burst of requests is then answered by a burst of writes. Each write on loopback or a
    // LAN wakes the client; back-to-back writes find it awake, where writes spaced by handler
    // work pay a wake-up (and its interrupt) each, 10 µs of system time per request when the
    // handler verifies a signature. The cost is one queued handler per request.
    co_await asio::post(co_await asio::this_coro::executor, use_io);
    error_code ec;
    co_await asio::async_write(stream, asio::buffer(bufs.out), asio::redirect_error(use_io, ec));
    if (!ec && ex.res.stream && !co_await write_stream(stream, conn, ex, bufs))
      ex.close_after = true;
    record(ex, bufs);
    if (ec || ex.close_after) break;
  }
  conn.busy = false;
}

// run_connection (server.cpp) serves plain and TLS connections.
template awaitable<void> Server::Impl::serve<Socket>(Socket&, const std::string&, Connection&);
template awaitable<void> Server::Impl::serve<TlsStream>(TlsStream&, const std::string&,
                                                        Connection&);

}  // namespace registrar::http
