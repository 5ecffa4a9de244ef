#include "app/console_routes.h"

#include <cstdint>
#include <map>
#include <memory>

#include "app/embedded.h"

namespace registrar::app {

namespace {

constexpr std::string_view kPrefix = "console/";

// Scripts and styles from this origin only, no inline code, no frames, no third-party requests
// (the console must work on a registration centre's LAN without the internet).
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

struct ConsoleFile {
  std::string_view data;
  std::string_view content_type;
  std::string etag;
};

// FNV-1a: an ETag only has to change when the file does (the binary is the version).
std::string etag_of(std::string_view data) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
  static const char* kHex = "0123456789abcdef";
  std::string out = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(h >> shift) & 0xf];
  return out + "\"";
}

using Files = std::map<std::string, ConsoleFile, std::less<>>;

std::shared_ptr<const Files> console_files() {
  auto files = std::make_shared<Files>();
  for (std::string_view name : embedded_names()) {
    if (name.substr(0, kPrefix.size()) != kPrefix) continue;
    std::string_view rel = name.substr(kPrefix.size());
    std::string_view type = console_content_type(rel);
    if (type.empty()) continue;
    std::string_view data = embedded_file(name);
    files->emplace(std::string(rel), ConsoleFile{data, type, etag_of(data)});
  }
  return files;
}

http::Response serve(const Files& files, const http::Request& req, std::string_view rel) {
  auto it = files.find(rel);
  if (it == files.end())
    return http::Response::problem(404, "Not Found", "no console file " + std::string(rel));
  const ConsoleFile& f = it->second;
  http::Response r;
  // Revalidated on every load: after an upgrade the pages and their scripts change together.
  r.headers.set("Cache-Control", "no-cache");
  r.headers.set("ETag", f.etag);
  auto match = req.headers.get("If-None-Match");
  if (match && *match == f.etag) {
    r.status = 304;
    return r;
  }
  r.headers.set("Content-Type", std::string(f.content_type));
  r.body = std::string(f.data);
  return r;
}

}  // namespace

std::string_view console_content_type(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json")) return "application/json";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  return {};
}

void add_console_routes(http::Router& router) {
  auto files = console_files();
  router.get("/console", [files](http::Request& req) { return serve(*files, req, "index.html"); })
      .run_inline()
      .doc.hidden = true;
  router
      .get("/console/{name}",
           [files](http::Request& req) { return serve(*files, req, req.param("name")); })
      .run_inline()
      .doc.hidden = true;
  router
      .get("/console/{name}/{file}",
           [files](http::Request& req) {
             std::string rel =
                 std::string(req.param("name")) + "/" + std::string(req.param("file"));
             return serve(*files, req, rel);
           })
      .run_inline()
      .doc.hidden = true;
  router.on_response("/console", [](const http::Request&, http::Response& r) {
    r.headers.set("Content-Security-Policy", kPolicy);
    r.headers.set("X-Content-Type-Options", "nosniff");
    r.headers.set("Referrer-Policy", "no-referrer");
    r.headers.set("X-Frame-Options", "DENY");
    r.headers.set("Cross-Origin-Opener-Policy", "same-origin");
  });
}

}  // namespace registrar::app
