#include "app/app.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "app/builtin_routes.h"
#include "app/console_routes.h"
#include "app/embedded.h"
#include "app/openapi.h"
#include "app/platform_api.h"
#include "core/error.h"
#include "core/log.h"

#ifndef REGISTRAR_VERSION
#define REGISTRAR_VERSION "0.0.0"
#endif

namespace registrar::app {

using Json = nlohmann::json;

namespace {
core::ConfigCheck listen_check() {
  return [](const core::ConfigValue& v) -> std::optional<std::string> {
    try {
      http::parse_listen_address(std::get<std::string>(v));
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::nullopt;
  };
}
core::ConfigCheck url_check() {
  return [](const core::ConfigValue& v) -> std::optional<std::string> {
    try {
      store::backend_of(std::get<std::string>(v));
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::nullopt;
  };
}
core::ConfigCheck level_check() {
  return [](const core::ConfigValue& v) -> std::optional<std::string> {
    try {
      log::parse_level(std::get<std::string>(v));
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::nullopt;
  };
}
// server.cors: [{prefix, origins, methods?, headers?, expose_headers?, credentials?,
// max_age_seconds?}], one CORS policy per path prefix (http/cors.h). With `out`, also builds them.
std::optional<std::string> parse_cors_config(
    const Json& j, std::vector<std::pair<std::string, http::CorsPolicy>>* out) {
  if (!j.is_array()) return "must be an array of tables";
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string where = "entry " + std::to_string(i + 1) + ": ";
    const Json& e = j[i];
    if (!e.is_object() || !e.contains("prefix") || !e["prefix"].is_string() ||
        e["prefix"].get<std::string>().empty() || e["prefix"].get<std::string>()[0] != '/')
      return where + "prefix is required: the path prefix it covers (\"/\" for every route)";
    http::CorsPolicy policy;
    if (auto problem = http::parse_cors_policy(e, &policy)) return where + *problem;
    if (out) out->emplace_back(e["prefix"].get<std::string>(), std::move(policy));
  }
  return std::nullopt;
}
}  // namespace

void declare_platform_config(core::ConfigSchema& s) {
  s.add_string("server.admin_listen", "",
               "host:port of a second listener serving /healthz, /readyz and /metrics, which then "
               "leave the main one (bind it to an internal address); empty: all on server.listen.",
               [](const core::ConfigValue& v) -> std::optional<std::string> {
                 const auto& s = std::get<std::string>(v);
                 if (s.empty()) return std::nullopt;
                 return listen_check()(v);
               });
  s.add_string("server.listen", "127.0.0.1:8080",
               "Address and port to listen on (loopback unless you mean otherwise).",
               listen_check());
  s.add_int("server.io_threads", 1, "Threads that run the HTTP I/O loop.", 1, 256);
  s.add_int("server.worker_threads", 4, "Threads for handlers that block (database work).", 1,
            1024);
  s.add_int("server.background_threads", 2,
            "Threads for background work: group commit of issued IDs, batched PIP reads, the "
            "change-feed poll, timers.",
            1, 256);
  s.add_int("server.max_header_bytes", 16 * 1024, "Largest request header accepted (431 beyond).",
            1024, 1024 * 1024);
  s.add_int("server.max_body_bytes", 1024 * 1024,
            "Largest request body accepted unless a route sets its own (413 beyond).", 0,
            1024LL * 1024 * 1024);
  s.add_int("server.header_timeout_ms", 10'000, "Time allowed to send a request header.", 100,
            3'600'000);
  s.add_int("server.body_timeout_ms", 30'000, "Time allowed to send a request body.", 100,
            3'600'000);
  s.add_int("server.idle_timeout_ms", 60'000, "Keep-alive connections idle this long are closed.",
            100, 3'600'000);
  s.add_int("server.write_timeout_ms", 30'000, "Time allowed for the client to read a response.",
            100, 3'600'000);
  s.add_int("server.drain_timeout_ms", 20'000,
            "On shutdown, how long in-flight requests may take before the process exits anyway.", 0,
            3'600'000);
  s.add_int("server.max_connections", 10'000,
            "Open connections beyond this are closed at once. Lowered at start to what the "
            "process's open-file limit allows (after raising the soft limit to the hard one).",
            1, 1'000'000);
  s.add_int("server.max_connections_per_address", 1'000,
            "Open connections from one client IP beyond this are closed at once; 0: no cap. "
            "Behind a reverse proxy all connections share the proxy's address: raise it or set 0.",
            0, 1'000'000);
  s.add_int("server.rate_limit.per_address", 0,
            "Requests a second one client IP may make on average (429 with Retry-After beyond); "
            "0: no limit (the default). Behind a reverse proxy every request has its address.",
            0, 10'000'000);
  s.add_int("server.rate_limit.per_address_burst", 0,
            "Requests one client IP may make at once before per_address applies; 0: per_address.",
            0, 10'000'000);
  s.add_int("server.rate_limit.per_client", 0,
            "Requests a second one authenticated client (token client id, else subject) may make "
            "on average (429 with Retry-After beyond); 0: no limit (the default).",
            0, 10'000'000);
  s.add_int("server.rate_limit.per_client_burst", 0,
            "Requests one client may make at once before per_client applies; 0: per_client.", 0,
            10'000'000);
  s.add_int("server.max_in_flight", 0,
            "Requests handled at once (header read, response not yet written); beyond it 503 with "
            "Retry-After. 0: no cap (the default; max_connections bounds them).",
            0, 10'000'000);
  s.add_string("server.tls_cert_file", "", "PEM certificate chain; with tls_key_file enables TLS.");
  s.add_string("server.tls_key_file", "", "PEM private key for tls_cert_file.");
  s.add_string("server.port_file", "",
               "If set, the bound port is written to this file once listening (tests, scripts).");
  s.add_bool("server.access_log", true, "Log one JSON line per request.");
  s.add_json(
      "server.cors", Json::array(),
      "CORS per path prefix: [{prefix, origins ([\"*\"] or exact origins), methods?, "
      "headers? (default: those the preflight asks for), expose_headers?, credentials?, "
      "max_age_seconds?}]; none by default (DHP's routes: identity.dhp_cors_origins).",
      [](const core::ConfigValue& v) { return parse_cors_config(std::get<Json>(v), nullptr); });
  s.add_string("database.url", "sqlite:var/registrar.db",
               "sqlite:PATH (embedded default) or postgresql://user:pass@host:port/db.",
               url_check());
  s.add_int("database.pool_size", 8, "Pooled database sessions.", 1, 1024);
  s.add_int("database.busy_timeout_ms", 5'000, "SQLite: how long a writer waits for the lock.", 0,
            600'000);
  s.add_int("database.sqlite_cache_mib", 64,
            "SQLite: page cache per pooled session, in MiB (allocated only as pages are read).", 1,
            65'536);
  s.add_int("database.sqlite_max_size_mib", 0,
            "SQLite: the largest the database file may grow, in MiB (0: no cap). Writes beyond "
            "it fail with 503 as on a full disk; reads go on (docs/operations.md).",
            0, int64_t(1) << 32);
  s.add_bool("database.read_only", false,
             "Refuse every write (503) and serve reads (maintenance). `serve` applies it once the "
             "modules have started; CLI verbs from the start.");
  s.add_bool("database.migrate_on_start", true, "Apply pending migrations when `serve` starts.");
  s.add_bool("server.console", true, "Serve the operators' web console at /console/.");
  s.add_string("audit.scope", "audit:read",
               "Bearer scope to read the audit log through the API (GET /v1/audit/events).");
  s.add_string("log.level", "info", "debug, info, warn, error or off.", level_check());
  s.add_string("log.file", "", "Log file; empty for standard error.");
}

http::ServerOptions server_options(const core::Config& c) {
  http::ServerOptions o;
  using ms = std::chrono::milliseconds;
  o.listen = c.str("server.listen");
  o.io_threads = int(c.integer("server.io_threads"));
  o.worker_threads = int(c.integer("server.worker_threads"));
  o.max_header_bytes = size_t(c.integer("server.max_header_bytes"));
  o.max_body_bytes = size_t(c.integer("server.max_body_bytes"));
  o.header_timeout = ms(c.integer("server.header_timeout_ms"));
  o.body_timeout = ms(c.integer("server.body_timeout_ms"));
  o.idle_timeout = ms(c.integer("server.idle_timeout_ms"));
  o.write_timeout = ms(c.integer("server.write_timeout_ms"));
  o.drain_timeout = ms(c.integer("server.drain_timeout_ms"));
  o.max_connections = size_t(c.integer("server.max_connections"));
  o.max_connections_per_address = size_t(c.integer("server.max_connections_per_address"));
  o.rate_limit_per_address = {double(c.integer("server.rate_limit.per_address")),
                              double(c.integer("server.rate_limit.per_address_burst"))};
  o.rate_limit_per_client = {double(c.integer("server.rate_limit.per_client")),
                             double(c.integer("server.rate_limit.per_client_burst"))};
  o.max_in_flight = size_t(c.integer("server.max_in_flight"));
  o.tls_cert_file = c.str("server.tls_cert_file");
  o.tls_key_file = c.str("server.tls_key_file");
  o.access_log = c.boolean("server.access_log");
  return o;
}

core::Background::Options background_options(const core::Config& c) {
  core::Background::Options o;
  o.threads = int(c.integer("server.background_threads"));
  o.name = "bg";
  return o;
}

store::DatabaseOptions database_options(const core::Config& c) {
  store::DatabaseOptions o;
  o.url = c.str("database.url");
  o.pool_size = int(c.integer("database.pool_size"));
  o.busy_timeout = std::chrono::milliseconds(c.integer("database.busy_timeout_ms"));
  o.sqlite_cache_mib = int(c.integer("database.sqlite_cache_mib"));
  o.sqlite_max_size_mib = c.integer("database.sqlite_max_size_mib");
  o.read_only = c.boolean("database.read_only");
  return o;
}

std::vector<std::unique_ptr<Module>> in_dependency_order(
    std::vector<std::unique_ptr<Module>> modules) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < modules.size(); ++i) index[modules[i]->name()] = i;
  std::vector<std::string> problems;
  for (auto& m : modules)
    for (auto& d : m->dependencies())
      if (!index.count(d))
        problems.push_back("module " + m->name() + " depends on module " + d +
                           ", which is not built into this binary");
  if (!problems.empty()) throw core::ConfigError(std::move(problems));
  // Depth-first, in list order: a module goes after everything it depends on.
  enum class Mark { kNone, kVisiting, kDone };
  std::vector<Mark> mark(modules.size(), Mark::kNone);
  std::vector<size_t> order;
  std::function<void(size_t, std::string)> visit = [&](size_t i, std::string path) {
    if (mark[i] == Mark::kDone) return;
    path += (path.empty() ? "" : " -> ") + modules[i]->name();
    if (mark[i] == Mark::kVisiting)
      throw core::ConfigError({"modules depend on each other in a cycle: " + path});
    mark[i] = Mark::kVisiting;
    for (auto& d : modules[i]->dependencies()) visit(index[d], path);
    mark[i] = Mark::kDone;
    order.push_back(i);
  };
  for (size_t i = 0; i < modules.size(); ++i) visit(i, "");
  std::vector<std::unique_ptr<Module>> sorted;
  for (size_t i : order) sorted.push_back(std::move(modules[i]));
  return sorted;
}

App::App(std::vector<std::unique_ptr<Module>> modules)
    : modules_(in_dependency_order(std::move(modules))) {
  declare_platform_config(schema_);
  for (auto& m : modules_) m->declare_config(schema_);
}

App::~App() = default;

std::vector<store::ModuleSchema> App::module_schemas() const {
  std::vector<store::ModuleSchema> out{store::platform_schema()};
  for (auto& m : modules_) {
    auto migs = m->migrations();
    if (!migs.empty()) out.push_back({m->name(), std::move(migs)});
  }
  return out;
}

std::vector<std::string> App::migrate(const core::Config& config) {
  store::Database db(database_options(config));
  return store::migrate(db, module_schemas(), core::SystemClock::instance()).applied;
}

// What serve() and openapi() share: everything up to listening.
struct App::Started {
  store::Database& db;
  core::Metrics& metrics;
  services::Registry& registry;
  http::Router& router;
  http::Router* admin_router;  // server.admin_listen's (/healthz, /readyz, /metrics), or null
  const std::string& openapi;
  const std::vector<std::string>& openapi_problems;
};

int App::with_routes(const core::Config& config, const std::function<int(Started&)>& then) {
  const core::Clock& clock = core::SystemClock::instance();
  core::Metrics metrics;
  // database.read_only takes effect once the modules have started: their start-up writes
  // (first keys, counters) are made, or found made, before writes are refused.
  store::DatabaseOptions db_options = database_options(config);
  db_options.read_only = false;
  store::Database db(db_options);
  db.register_metrics(metrics);
  auto schemas = module_schemas();
  if (config.boolean("database.migrate_on_start")) store::migrate(db, schemas, clock);
  auto status = store::schema_status(db, schemas);
  if (!status.current) {
    std::string detail;
    for (auto& p : status.problems) detail += (detail.empty() ? "" : "; ") + p;
    throw core::Error(core::ErrorKind::kUnavailable,
                      "database schema is not current (run `registrar db migrate`): " + detail);
  }

  core::Background background(background_options(config));
  http::HttpClient::Options client_options;
  client_options.metrics = &metrics;
  http::HttpClient http_client(client_options);
  services::Registry registry;
  Services services{config, db, clock, metrics, registry, background, http_client};
  http::Router router;
  auto openapi = std::make_shared<std::string>();
  router.set_tag("platform");
  // With server.admin_listen, /readyz and /metrics are served there only (see run_server).
  std::optional<http::Router> admin_router;
  if (!config.str("server.admin_listen").empty()) admin_router.emplace();
  std::vector<std::string> actuator_bases;
  for (auto& m : modules_)
    for (auto& base : m->actuator_bases()) actuator_bases.push_back(base);
  add_builtin_routes(router, admin_router ? *admin_router : router, db, schemas, metrics, openapi,
                     actuator_bases);
  // Shutdown order: the server stops (run() returns, or its destructor when something throws)
  // → the modules that started, in reverse order → the async client → the Background. The guard
  // covers the paths that throw; on the normal path the caller's `serve` calls it itself.
  size_t started = 0;
  struct StopStarted {
    std::vector<std::unique_ptr<Module>>& modules;
    size_t& started;
    void operator()() {
      while (started > 0) {
        try {
          modules[--started]->stop();
        } catch (const std::exception& e) {
          log::error("module_stop_failed",
                     {{"module", modules[started]->name()}, {"error", core::loggable_message(e)}});
        }
      }
    }
    ~StopStarted() { (*this)(); }
  } stop_started{modules_, started};
  for (auto& m : modules_) {
    registry.begin_start(m->name(), m->dependencies());
    try {
      m->start(services);
    } catch (const core::Error& e) {
      throw core::Error(e.kind(), "module " + m->name() + " did not start: " + e.what(), e.field());
    }
    ++started;
  }
  registry.begin_start("", {});
  if (config.boolean("database.read_only")) {
    db.set_read_only(true);
    log::warn("database_read_only", {{"reason", "database.read_only: every write is refused"}});
  }
  for (auto& m : modules_) {
    router.set_tag(m->name());
    m->add_routes(router);
  }
  router.set_tag("platform");
  if (router.has_authenticator(http::kBearerAuthenticator)) {
    PlatformApiSettings platform{REGISTRAR_VERSION, {}, config.str("audit.scope")};
    for (auto& m : modules_) platform.modules.push_back(m->name());
    add_platform_api(router, db, std::move(platform));
  }
  if (config.boolean("server.console")) add_console_routes(router);
  // After the modules: a configured prefix replaces the policy a module set for it.
  std::vector<std::pair<std::string, http::CorsPolicy>> cors;
  parse_cors_config(config.json("server.cors"), &cors);
  for (auto& [prefix, policy] : cors)
    router.set_cors(prefix, std::make_shared<const http::CorsPolicy>(std::move(policy)));
  // Every route bound and checked (authenticators, reserved prefixes) before anything listens,
  // and for `registrar openapi` too.
  router.resolve();
  // Generated once, now that every route is in; the server's threads start after this write.
  std::vector<std::string> openapi_problems;
  *openapi = openapi_document(router, embedded_file("openapi.yaml"), &openapi_problems);
  if (!openapi_problems.empty()) log::warn("openapi_problems", {{"problems", openapi_problems}});

  Started started_app{
      db,       metrics,         registry, router, admin_router ? &*admin_router : nullptr,
      *openapi, openapi_problems};
  int rc = then(started_app);  // serve: returns once the server has stopped
  stop_started();
  http_client.stop();
  background.stop();
  return rc;
}

std::string App::openapi(const core::Config& config, std::vector<std::string>* problems) {
  std::string document;
  with_routes(config, [&](Started& s) {
    document = s.openapi;
    if (problems) *problems = s.openapi_problems;
    return 0;
  });
  return document;
}

nlohmann::json App::routes(const core::Config& config) {
  const http::ServerOptions server = server_options(config);
  nlohmann::json out = nlohmann::json::array();
  with_routes(config, [&](Started& s) {
    for (const http::Route* r : s.router.routes()) {
      // The limit the server applies (server_request.cpp, body_limit): a GET without its own
      // limit reads no body at all.
      const bool bodiless = r->method == http::Method::kGet || r->method == http::Method::kHead;
      const size_t limit = r->max_body_bytes ? r->max_body_bytes
                           : bodiless        ? 0
                                             : server.max_body_bytes;
      out.push_back({{"method", http::method_name(r->method)},
                     {"pattern", r->pattern},
                     {"auth", r->auth},
                     {"scopes", r->scopes},
                     {"max_body_bytes", limit},
                     {"exec", r->async_handler                 ? "async"
                              : r->exec == http::Exec::kInline ? "inline"
                                                               : "worker"},
                     {"errors", r->errors ? r->errors->name() : "problem+json"},
                     {"side_effects", r->side_effects},
                     {"hidden", r->doc.hidden},
                     {"tag", r->doc.tag}});
    }
    return 0;
  });
  return out;
}

int App::serve(const core::Config& config) {
  return with_routes(config, [&](Started& s) { return run_server(config, s); });
}

int App::run_server(const core::Config& config, Started& s) {
  http::Router& router = s.router;
  core::Metrics& metrics = s.metrics;
  store::Database& db = s.db;
  services::Registry& registry = s.registry;

  http::Server server(server_options(config), router, metrics);
  uint16_t port = server.listen();
  auto opts = server_options(config);
  std::string host = http::parse_listen_address(opts.listen).first;
  std::string scheme = opts.tls_cert_file.empty() ? "http" : "https";
  std::string url = scheme + "://" +
                    (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                    std::to_string(port);
  auto routes = router.routes();
  size_t hidden = size_t(std::count_if(routes.begin(), routes.end(),
                                       [](const http::Route* r) { return r->doc.hidden; }));
  log::info("listening", {{"url", url},
                          {"routes", routes.size()},
                          {"hidden_routes", hidden},  // left out of /openapi.yaml (the console)
                          {"database", db.redacted_url()},
                          {"io_threads", opts.io_threads},
                          {"worker_threads", opts.worker_threads},
                          {"background_threads", config.integer("server.background_threads")},
                          {"modules",
                           [&] {
                             Json names = Json::array();
                             for (auto& m : modules_) names.push_back(m->name());
                             return names;
                           }()},
                          {"services", registry.describe()}});
  // The admin listener: its own small server (one I/O thread, one worker, no access log) on its
  // own thread, stopped after the main one.
  std::unique_ptr<http::Server> admin;
  std::thread admin_thread;
  struct StopAdmin {
    std::unique_ptr<http::Server>& server;
    std::thread& thread;
    ~StopAdmin() {
      if (!thread.joinable()) return;
      server->shutdown();
      thread.join();
    }
  } stop_admin{admin, admin_thread};
  if (s.admin_router) {
    http::ServerOptions a;
    a.listen = config.str("server.admin_listen");
    a.io_threads = 1;
    a.worker_threads = 1;
    a.max_connections = 64;
    a.access_log = false;
    a.tls_cert_file = opts.tls_cert_file;
    a.tls_key_file = opts.tls_key_file;
    admin = std::make_unique<http::Server>(a, *s.admin_router, metrics);
    const uint16_t admin_port = admin->listen();
    log::info("admin_listening", {{"listen", a.listen},
                                  {"port", admin_port},
                                  {"routes", {"/healthz", "/readyz", "/metrics"}}});
    admin_thread = std::thread([&admin] { admin->run(false); });
  }
  if (const auto& pf = config.str("server.port_file"); !pf.empty()) {
    std::string tmp = pf + ".tmp";
    {
      std::ofstream out(tmp);
      out << port << "\n";
    }
    std::rename(tmp.c_str(), pf.c_str());  // atomic: readers never see a partial file
  }
  server.run();
  log::flush();
  return 0;
}

}  // namespace registrar::app
