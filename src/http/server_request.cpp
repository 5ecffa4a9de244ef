// One request on a connection, from its header to its access-log line: Server::Impl::serve and
// what it calls to authenticate (deferring a signature check to the burst's end) and to run the
// route's handler inline, on the workers or asynchronously.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <limits>

#include "core/error.h"
#include "core/log.h"
#include "http/burst.h"
#include "http/request_parser.h"
#include "http/server_impl.h"
#include "http/wire.h"

namespace registrar::http {

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

}  // namespace

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

// run_connection (server.cpp) serves plain and TLS connections.
template awaitable<void> Server::Impl::serve<Socket>(Socket&, const std::string&, Connection&);
template awaitable<void> Server::Impl::serve<TlsStream>(TlsStream&, const std::string&,
                                                        Connection&);

}  // namespace registrar::http
