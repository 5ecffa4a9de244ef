#include "http/wire.h"

#include <gtest/gtest.h>

#include <set>

namespace registrar::http::wire {
namespace {

TEST(Wire, SerialisesStatusHeadersAndBody) {
  Response r = Response::json(201, {{"a", 1}});
  std::string out;
  serialize_response(out, r, "rid-1", false, true);
  EXPECT_EQ(out.rfind("HTTP/1.1 201 Created\r\n", 0), 0u);
  EXPECT_NE(out.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Request-Id: rid-1\r\n"), std::string::npos);
  EXPECT_NE(out.find("Content-Length: 7\r\n\r\n{\"a\":1}"), std::string::npos);
  EXPECT_EQ(out.find("Connection: close"), std::string::npos);
}

TEST(Wire, HeadKeepsLengthDropsBodyAndCloseIsSignalled) {
  Response r = Response::text(200, "hello");
  std::string out;
  serialize_response(out, r, "x", true, false);
  EXPECT_NE(out.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_NE(out.find("Connection: close\r\n\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(Wire, HandlerHeadersCannotInjectOrReframe) {
  Response r = Response::text(200, "ok");
  r.headers.add("X-Evil", "a\r\nSet-Cookie: x=1");
  r.headers.add("Content-Length", "999");
  r.headers.add("Transfer-Encoding", "chunked");
  std::string out;
  serialize_response(out, r, "x", false, true);
  EXPECT_EQ(out.find("Set-Cookie"), std::string::npos);
  EXPECT_EQ(out.find("999"), std::string::npos);
  EXPECT_EQ(out.find("chunked"), std::string::npos);
  EXPECT_NE(out.find("Content-Length: 2\r\n"), std::string::npos);
}

TEST(Wire, RequestIdsAreUniqueAndAcceptedOnlyWhenSafe) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(next_request_id());
  EXPECT_EQ(ids.size(), 10000u);
  EXPECT_TRUE(acceptable_request_id(*ids.begin()));
  EXPECT_TRUE(acceptable_request_id("0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_FALSE(acceptable_request_id(""));
  EXPECT_FALSE(acceptable_request_id(std::string(129, 'a')));
  EXPECT_FALSE(acceptable_request_id("a b"));
  EXPECT_FALSE(acceptable_request_id("a\"b"));
}

TEST(Wire, AccessLogLineIsJsonAndCarriesNoBody) {
  Request req;
  req.request_id = "r\"1";
  req.remote = "127.0.0.1:5";
  req.method_text = "POST";
  req.body = "secret-body";
  std::string line;
  append_access_log(line, req, "/v1/x/{id}", 201, 0.0015, 42);
  Json j = Json::parse(line);
  EXPECT_EQ(j["request_id"], "r\"1");
  EXPECT_EQ(j["status"], 201);
  EXPECT_EQ(j["route"], "/v1/x/{id}");
  EXPECT_DOUBLE_EQ(j["duration_ms"].get<double>(), 1.5);
  EXPECT_EQ(j["bytes_in"], 11);
  EXPECT_EQ(line.find("secret-body"), std::string::npos);
}

// The server's own id of a request beside the client's X-Request-Id: a header and a log field.
TEST(Wire, ServerRequestIdIsEchoedAndLogged) {
  std::string out;
  serialize_response(out, Response::text(200, "ok"), "client-1", false, true, "srv-7");
  EXPECT_NE(out.find("X-Request-Id: client-1\r\nX-Server-Request-Id: srv-7\r\n"),
            std::string::npos);
  out.clear();
  serialize_response(out, Response::text(200, "ok"), "client-1", false, true);
  EXPECT_EQ(out.find("X-Server-Request-Id"), std::string::npos);

  Request req;
  req.request_id = "client-1";
  std::string line;
  append_access_log(line, req, "/", 200, 0, 0, "srv-7");
  Json j = Json::parse(line);
  EXPECT_EQ(j["request_id"], "client-1");
  EXPECT_EQ(j["server_request_id"], "srv-7");
}

TEST(Wire, AccessLogDurationHasThreeDecimals) {
  Request req;
  auto duration = [&](double seconds) {
    std::string line;
    append_access_log(line, req, "/", 200, seconds, 0);
    size_t at = line.find("\"duration_ms\":") + 14;
    return line.substr(at, line.find(',', at) - at);
  };
  EXPECT_EQ(duration(0), "0.000");
  EXPECT_EQ(duration(-1), "0.000");
  EXPECT_EQ(duration(0.0000004), "0.000");
  EXPECT_EQ(duration(0.0000006), "0.001");
  EXPECT_EQ(duration(0.000434), "0.434");
  EXPECT_EQ(duration(0.0015), "1.500");
  EXPECT_EQ(duration(0.010203), "10.203");
  EXPECT_EQ(duration(12.3456789), "12345.679");
}

// parse_request is the server's request-head path without a socket (tests/fuzz drives it too).
TEST(Wire, ParseRequestFillsTheRequestAsTheServerDoes) {
  Request req;
  ASSERT_EQ(parse_request("POST /v1/a%20b?x=1&y=%41 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n"
                          "X-Request-Id: r-1\r\n\r\nbody",
                          req, 8192),
            ParseResult::kComplete);
  EXPECT_EQ(req.method, Method::kPost);
  EXPECT_EQ(req.path, "/v1/a b");
  EXPECT_EQ(req.query, "x=1&y=%41");
  EXPECT_EQ(req.query_param("y"), "A");
  EXPECT_EQ(req.headers.get("x-request-id"), "r-1");
  EXPECT_EQ(req.body, "body");

  Request chunked;
  EXPECT_EQ(parse_request("PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                          chunked, 8192),
            ParseResult::kComplete);
  EXPECT_EQ(chunked.body, "abcde");
}

TEST(Wire, ParseRequestNamesEachWayItFails) {
  auto outcome = [](std::string_view bytes, size_t limit = 8192) {
    Request req;
    return parse_request(bytes, req, limit);
  };
  EXPECT_EQ(outcome("GET / HTTP/1.1\r\nHost: h\r\n"), ParseResult::kIncomplete);
  EXPECT_EQ(outcome("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort"),
            ParseResult::kIncomplete);
  EXPECT_EQ(outcome("GET / HTTP/1.1\r\nBad Header\r\n\r\n"), ParseResult::kMalformed);
  EXPECT_EQ(outcome("GET / HTTP/1.1\r\nX: " + std::string(200, 'a') + "\r\n\r\n", 64),
            ParseResult::kHeaderTooLarge);
  EXPECT_EQ(outcome("GET relative HTTP/1.1\r\n\r\n"), ParseResult::kBadTarget);
  EXPECT_EQ(outcome("GET /%zz HTTP/1.1\r\n\r\n"), ParseResult::kBadTarget);
  // Decoded paths are UTF-8 text without NUL (the route catalogue test found invalid UTF-8 in a
  // path parameter reaching the database).
  EXPECT_EQ(outcome("GET /a/%00 HTTP/1.1\r\n\r\n"), ParseResult::kBadTarget);
  EXPECT_EQ(outcome("GET /a/%FF%FE HTTP/1.1\r\n\r\n"), ParseResult::kBadTarget);
  EXPECT_EQ(outcome("GET /a/%C0%AF HTTP/1.1\r\n\r\n"), ParseResult::kBadTarget);     // overlong
  EXPECT_EQ(outcome("GET /a/%ED%A0%80 HTTP/1.1\r\n\r\n"), ParseResult::kBadTarget);  // surrogate
  EXPECT_EQ(outcome("GET /a/%E2%82 HTTP/1.1\r\n\r\n"), ParseResult::kBadTarget);     // truncated
  Request ok;
  EXPECT_EQ(parse_request("GET /a/%E2%80%AE%F0%9F%92%A9%C3%A9 HTTP/1.1\r\n\r\n", ok, 8192),
            ParseResult::kComplete);
  EXPECT_EQ(ok.path, "/a/\u202e\U0001F4A9\u00e9");
}

}  // namespace
}  // namespace registrar::http::wire
