// Bad input on every route (issue 20): the real binary with every module, its routes read from
// `registrar routes` (so that a new route is covered without editing this test), and for each
// one malformed, mistyped, incomplete, oversized and deeply nested bodies, bad encodings, missing
// / garbage / expired / forged / untrusted / wrong-audience / scope-less tokens, and nonsense path
// parameters. Every answer must be a refusal (400 401 403 404 405 413 415 422, or MOSIP's own
// error envelope) in the route's error format, within the client's timeout, and a refused
// request must have stored nothing: the SQLite file's data_version (which moves on every commit
// by another connection) is read after each one. The per-route figures are printed as the table
// of docs/reliability.md ("Bad input per route").
//
// A second test takes a well-formed body of each route (route_examples.json) and sends it again
// with one member, at any depth, of another JSON type: signed as a trusted DCI sender or a
// registration machine where the route wants that, so that the handler, not the authenticator,
// reads it. No answer may be a 5xx; a refusal is in the route's format and stores nothing. An
// example with `taken_by_design` must refuse every probe but those it lists, each with why.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <openssl/sha.h>

#include "abuse/probes.h"
#include "core/base64.h"
#include "core/clock.h"
#include "crypto/jws.h"
#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "dci/canonical_json.h"
#include "dci/envelope.h"
#include "dci/signature.h"
#include "http/client.h"
#include "http/router.h"
#include "support/callback_receiver.h"
#include "support/loopback_server.h"
#include "support/raw_client.h"
#include "support/registrar_process.h"
#include "support/temp_dir.h"

namespace registrar {
namespace {

using Json = nlohmann::json;
using testing::CatalogueRoute;
using testing::Probe;
using testing::ProbeKind;
using testing::RegistrarProcess;

constexpr const char* kIssuer = "https://issuer.abuse.test";
constexpr const char* kAudience = "https://registrar.abuse.test";
constexpr const char* kEventSecret = "abuse-test-event-secret";

// A read-only connection to the server's SQLite file. PRAGMA data_version changes whenever
// another connection commits; the audit log's row count is reported beside it.
class Fingerprint {
 public:
  explicit Fingerprint(const std::string& file) {
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + file);
  }
  ~Fingerprint() { sqlite3_close(db_); }
  long long data_version() const { return scalar("PRAGMA data_version"); }
  long long audit_rows() const { return scalar("SELECT count(*) FROM audit_log"); }
  // Rows in every table but the migrations' record.
  long long total_rows() const {
    long long n = 0;
    for (const std::string& t : tables()) n += scalar("SELECT count(*) FROM \"" + t + "\"");
    return n;
  }

 private:
  std::vector<std::string> tables() const {
    std::vector<std::string> out;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &st,
                       nullptr);
    while (sqlite3_step(st) == SQLITE_ROW)
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    return out;
  }
  long long scalar(const std::string& sql) const {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  }
  sqlite3* db_ = nullptr;
};

// Routes whose 2xx to a probe is their documented behaviour, not a bad input let through. Each
// says why; a route that starts accepting bad input must not be added here without one.
const std::map<std::string, std::string>& accepted_by_design() {
  static const std::map<std::string, std::string> m = {
      {"POST /v1/identity/keys/rotate", "every body member is optional; unknown ones are ignored"},
      {"POST /v1/identity/challenges", "every body member is optional; unknown ones are ignored"},
      {"POST /dhp/generate", "DHP's generate reads no body"},
      {"POST /v1/ids/{type}/issue", "count is optional (default 1); unknown members are ignored"},
      {"PUT /v1/idgenerator/uin",
       "MOSIP answers an empty 200 to a request without `request` (docs/compatibility.md)"},
      {"GET /v1/ids/tokens/{uin}/{partner}",
       "a token ID is a keyed hash of any UIN and partner code; nothing is stored"},
      {"GET /v1/keymanager/tokenid/{uin}/{partnercode}",
       "as MOSIP's: a keyed hash of any UIN and partner code; nothing is stored"},
      {"PUT /v1/intercoop/members/{id}",
       "an upsert: the member id is the organisation's own (any text), fields are optional"},
      {"DELETE /v1/intercoop/members/{id}", "idempotent: deleting an absent member is a 204"},
  };
  return m;
}

struct Answer {
  int status = 0;  // 0: no answer within the timeout (a hang) or the connection failed
  std::string content_type;
  std::string body;
};

// A declared body larger than the route's limit: the header and a few bytes only, over a raw
// socket (the server must answer 413 without waiting for the rest).
Answer send_declared(uint16_t port, const std::string& method, const Probe& p) {
  testing::RawClient c(port);
  c.send(method + " " + p.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + p.content_type +
         "\r\nContent-Length: " + std::to_string(p.declared_length) +
         "\r\nConnection: close\r\n\r\n" + p.body);
  const std::string raw = c.read_until_close(std::chrono::seconds(10));
  Answer a;
  a.status = testing::status_of(raw);
  const size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return a;
  std::istringstream head(raw.substr(0, end));
  for (std::string line; std::getline(head, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > 14 && strncasecmp(line.c_str(), "content-type: ", 14) == 0)
      a.content_type = line.substr(14);
  }
  a.body = raw.substr(end + 4);
  return a;
}

// How one answer fares. A failure (added to `failures`): no answer in time, a 5xx, a refusal
// out of the route's format or after which the database changed (`stored`). Otherwise a
// refusal, or taken: not a refusal, which the caller judges.
enum class Fate { kFailed, kRefused, kTaken };
Fate fate(const CatalogueRoute& r, const Probe& p, const Answer& a, bool stored,
          const std::string& what, std::vector<std::string>& failures) {
  if (a.status == 0) {
    failures.push_back(what + ": no answer (" + a.body + ")");
    return Fate::kFailed;
  }
  if (a.status >= 500) {
    failures.push_back(what + ": " + std::to_string(a.status) + " " + a.body.substr(0, 200));
    return Fate::kFailed;
  }
  const testing::Verdict v = testing::judge(r, p, a.status, a.content_type, a.body);
  if (!v.refused) return Fate::kTaken;
  if (!v.format_ok)
    failures.push_back(what + ": " + std::to_string(a.status) + " not in the " + r.errors +
                       " format (" + v.why + "): " + a.body.substr(0, 200));
  if (stored)
    failures.push_back(what + ": refused with " + std::to_string(a.status) +
                       " but the database changed");
  return v.format_ok && !stored ? Fate::kRefused : Fate::kFailed;
}

struct RouteFigures {
  std::string format;
  size_t tried = 0;
  std::map<int, size_t> statuses;
  std::map<std::string, size_t> by_kind;
  size_t by_design = 0;  // 2xx answers listed in accepted_by_design()
};

class RouteCatalogue : public ::testing::Test {
 protected:
  void SetUp() override {
    // The trusted issuer whose tokens the test signs itself: valid ones with every scope, and
    // expired, forged, untrusted and wrong-audience ones.
    key_ = std::make_unique<crypto::PrivateKey>(
        crypto::PrivateKey::generate(crypto::KeyType::kEd25519));
    other_key_ = std::make_unique<crypto::PrivateKey>(
        crypto::PrivateKey::generate(crypto::KeyType::kEd25519));
    Json jwks = {{"keys", Json::array({key_->public_key().to_jwk({"abuse-1", "EdDSA", "sig"})})}};
    jwks_router_.get("/jwks", [jwks](http::Request&) { return http::Response::json(200, jwks); });
    jwks_ = std::make_unique<testing::LoopbackServer>(jwks_router_);

    testing::ProcessOptions o;
    o.extra_config =
        std::string(
            "[identity]\npassword_hash_cost = \"minimal\"\ndhp_login_client = \"dhp-app\"\n") +
        "trusted_issuers = [{issuer = \"" + kIssuer + "\", jwks_url = \"" + jwks_->url("/jwks") +
        "\", audience = \"" + kAudience +
        "\", scopes = [\"*\"], algorithms = [\"EdDSA\"], clock_skew_seconds = 0, "
        "allow_http = true}]\n" +
        "[authz]\nevent_secret = \"" + kEventSecret +
        "\"\n[ids.token]\nuin_salt = \"0123456789abcdef0123456789abcdef\"\n"
        "partner_code_salt = \"fedcba9876543210fedcba9876543210\"\n"
        // A callback an accepted async DCI request queues leaves at once (the nested test waits
        // for it, so that its commit is not taken for a later request's).
        "[ibr.outbox]\npoll_interval_ms = 50\nbackoff_base_ms = 50\nbackoff_cap_ms = 200\n";
    o.env["REGISTRAR_LOG_LEVEL"] = "warn";
    process_ = std::make_unique<RegistrarProcess>(o);

    auto listed = process_->cli("routes");
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    const size_t start = listed.output.find("\n[");
    const size_t end = listed.output.find("\n]", start);
    ASSERT_NE(start, std::string::npos) << listed.output;
    routes_ = testing::parse_catalogue(
        Json::parse(listed.output.substr(start + 1, end + 2 - (start + 1))));
    for (const auto& r : routes_)
      for (const auto& s : r.scopes) all_scopes_ += (all_scopes_.empty() ? "" : " ") + s;
  }

  std::string token(const std::string& scope, long long exp_offset = 3600,
                    const std::string& aud = kAudience, bool other_key = false) const {
    const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    Json claims = {{"iss", kIssuer},         {"sub", "abuse-tester"}, {"aud", aud},
                   {"client_id", "abuse"},   {"scope", scope},        {"iat", now - 10},
                   {"exp", now + exp_offset}};
    crypto::JwtIssueOptions opts;
    opts.kid = "abuse-1";
    return crypto::issue_jwt(claims, other_key ? *other_key_ : *key_, crypto::JwsAlg::kEdDSA, opts);
  }

  http::Headers credentials(const CatalogueRoute& r, const std::string& which,
                            std::string& path) const {
    http::Headers h;
    auto bearer = [&](const std::string& t) { h.set("Authorization", "Bearer " + t); };
    if (which == "valid" || which == "valid-bearer-elsewhere") {
      bearer(token(all_scopes_));
      // The shared secret of authz's event route, where that route expects it.
      if (which == "valid" && r.auth == "authz.events")
        path +=
            (path.find('?') == std::string::npos ? "?" : "&") + std::string("auth=") + kEventSecret;
    } else if (which == "garbage") {
      bearer("not.a.jwt");
    } else if (which == "expired") {
      bearer(token(all_scopes_, -600));
    } else if (which == "forged") {
      std::string t = token(all_scopes_);
      const size_t sig = t.rfind('.') + 5;
      t[sig] = t[sig] == 'A' ? 'B' : 'A';  // one signature byte changed
      bearer(t);
    } else if (which == "untrusted") {
      bearer(token(all_scopes_, 3600, kAudience, true));  // same kid, another key
    } else if (which == "wrong-audience") {
      bearer(token(all_scopes_, 3600, "https://elsewhere.test"));
    } else if (which == "no-scopes") {
      bearer(token("nothing:here"));
    }
    return h;
  }

  Answer send(const CatalogueRoute& r, const Probe& p) const {
    std::string path = p.path;
    http::Headers h = credentials(r, p.credential, path);
    if (p.declared_length > p.body.size()) {
      Probe q = p;
      q.path = path;
      return send_declared(process_->port(), r.method_name, q);
    }
    return send(r.method, path, p.body, p.content_type, std::move(h));
  }

  Answer send(http::Method method, const std::string& path, const std::string& body,
              const std::string& content_type, http::Headers h) const {
    http::ClientRequest req;
    req.method = method;
    req.url = process_->url(path);
    req.body = body;
    req.headers = std::move(h);
    if (!content_type.empty()) req.headers.set("Content-Type", content_type);
    req.timeout = std::chrono::seconds(20);
    req.read_timeout = std::chrono::seconds(20);
    Answer a;
    try {
      http::Response res = http::fetch(req);
      a.status = res.status;
      a.content_type = std::string(res.headers.get("Content-Type").value_or(""));
      a.body = res.body;
    } catch (const std::exception& e) {
      a.body = e.what();
    }
    return a;
  }

  std::unique_ptr<crypto::PrivateKey> key_, other_key_;
  http::Router jwks_router_;
  std::unique_ptr<testing::LoopbackServer> jwks_;
  std::unique_ptr<RegistrarProcess> process_;
  std::vector<CatalogueRoute> routes_;
  std::string all_scopes_;
};

TEST_F(RouteCatalogue, EveryRouteRefusesBadInputInItsFormatAndStoresNothing) {
  ASSERT_GT(routes_.size(), 100u);
  // The token is good: a route that needs no scope answers it.
  ASSERT_EQ(process_->get("/v1/identity/whoami", testing::bearer(token(all_scopes_))).status, 200)
      << process_->log();
  const std::string db_file = process_->env().at("REGISTRAR_DATABASE_URL").substr(7);
  Fingerprint fp(db_file);
  const long long audit_before = fp.audit_rows();
  long long version = fp.data_version();

  std::vector<std::string> failures, accepted;
  std::map<std::string, RouteFigures> figures;  // "METHOD pattern"
  std::map<std::string, size_t> total_by_kind;
  size_t total = 0, total_by_design = 0;
  for (const CatalogueRoute& r : routes_) {
    const std::string key = r.method_name + " " + r.pattern;
    RouteFigures& f = figures[key];
    f.format = r.errors;
    for (const Probe& p : testing::probes_for(r)) {
      const Answer a = send(r, p);
      ++total;
      ++f.tried;
      ++f.statuses[a.status];
      ++f.by_kind[testing::kind_name(p.kind)];
      ++total_by_kind[testing::kind_name(p.kind)];
      const std::string what = key + " [" + p.name + " -> " + p.path.substr(0, 80) + "]";
      const long long now_version = fp.data_version();
      const bool stored = now_version != version;
      version = now_version;
      if (fate(r, p, a, stored, what, failures) != Fate::kTaken) continue;
      if (accepted_by_design().count(key)) {
        ++f.by_design;
        ++total_by_design;
        version = fp.data_version();  // it may have stored what it accepted
        continue;
      }
      accepted.push_back(what + ": " + std::to_string(a.status) + " " + a.body.substr(0, 160));
    }
  }

  // The table for docs/reliability.md.
  std::ostringstream table;
  table << "| route | error format | probes | answers |\n|---|---|---:|---|\n";
  for (const auto& [key, f] : figures) {
    std::string statuses;
    for (const auto& [status, n] : f.statuses)
      statuses += (statuses.empty() ? "" : ", ") + std::to_string(status) + "×" + std::to_string(n);
    table << "| `" << key << "` | " << f.format << " | " << f.tried << " | " << statuses << " |\n";
  }
  std::cout << table.str() << "\nroutes: " << figures.size() << ", probes: " << total;
  for (const auto& [kind, n] : total_by_kind) std::cout << ", " << kind << ": " << n;
  std::cout << ", answered 2xx by design: " << total_by_design
            << "\naudit rows added (by the accepted ones): " << fp.audit_rows() - audit_before
            << "\n";

  std::string accepted_text;
  for (const auto& a : accepted) accepted_text += "  " + a + "\n";
  std::string failure_text;
  for (const auto& f : failures) failure_text += "  " + f + "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures:\n" << failure_text;
  EXPECT_TRUE(accepted.empty()) << accepted.size() << " bad requests accepted:\n" << accepted_text;
  // The fingerprint sees writes: a request that stores something moves it.
  const long long before_write = fp.data_version();
  auto issued = process_->post("/v1/ids/uin/issue", "{}", "application/json",
                               testing::bearer(token(all_scopes_)));
  EXPECT_LT(issued.status, 300) << issued.body;
  for (int i = 0; i < 100 && fp.data_version() == before_write; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_NE(fp.data_version(), before_write);
}

// SHA-256 as base64url without padding: a machine signature's bodySha256.
std::string body_sha256(const std::string& body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  return core::base64url_encode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
}

std::string raw_ed25519(const crypto::PrivateKey& k) {
  const auto& raw = k.public_key().ed25519_raw();
  return core::base64_encode(std::string(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

// The first string member named `name` in `j`, at any depth ("" when none).
std::string string_member_anywhere(const Json& j, const std::string& name) {
  if (j.is_object() && j.contains(name) && j[name].is_string()) return j[name];
  if (j.is_structured())
    for (const auto& v : j)
      if (std::string s = string_member_anywhere(v, name); !s.empty()) return s;
  return "";
}

// A route's examples from route_examples.json, following `same_as`.
std::vector<Json> examples_of(const Json& examples, const std::string& key) {
  Json e = examples.at(key);
  if (e.is_object() && e.contains("same_as")) e = examples.at(e["same_as"].get<std::string>());
  return e.is_array() ? e.get<std::vector<Json>>() : std::vector<Json>{e};
}

bool writes(http::Method m) {
  return m == http::Method::kPost || m == http::Method::kPut || m == http::Method::kPatch;
}

TEST_F(RouteCatalogue, NestedMembersOfTheWrongTypeAreRefusedNeverA5xx) {
  const Json book = Json::parse(testing::read_file(
      std::string(std::getenv("REGISTRAR_TEST_SOURCE_DIR")) + "/tests/abuse/route_examples.json"));
  const Json& examples = book.at("examples");
  const Json& without = book.at("without");
  const http::Headers admin = testing::bearer(token(all_scopes_));
  auto admin_post = [&](const std::string& path, const Json& body) {
    auto r = process_->post(path, body.dump(), "application/json", admin);
    EXPECT_LT(r.status, 300) << path << ": " << r.body;
    return r.status < 300 ? Json::parse(r.body) : Json();
  };

  // The DCI sender of the signed routes, trusted by the IBR (its callbacks reach `receiver`) and
  // by the DCI client.
  testing::CallbackReceiver receiver;
  const auto dci_key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  const dci::Signer dci_signer(dci_key, dci::SignatureAlgorithm::kEd25519, "abuse-sender", "k1",
                               core::SystemClock::instance());
  admin_post("/v1/ibr/senders", {{"sender_id", "abuse-sender"},
                                 {"public_key", raw_ed25519(dci_key)},
                                 {"callback_url", receiver.url()}});
  admin_post("/v1/dci/senders",
             {{"sender_id", "abuse-sender"}, {"public_key", raw_ed25519(dci_key)}});
  // A registration machine in centre A, whose holidays are location LA's, for the cursor push.
  const auto machine_key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  const auto machine_enc = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
  admin_post("/v1/masterdata/registration_center_types",
             {{"code", "T"}, {"name", "Type"}, {"langCode", "eng"}});
  admin_post("/v1/masterdata/locations",
             {{"code", "LA"}, {"name", "LA"}, {"hierarchyLevel", 1}, {"langCode", "eng"}});
  admin_post("/v1/masterdata/registration_centers", {{"id", "A"},
                                                     {"name", "A"},
                                                     {"centerTypeCode", "T"},
                                                     {"holidayLocationCode", "LA"},
                                                     {"langCode", "eng"}});
  Json machine =
      admin_post("/v1/masterdata/machines", {{"id", "mA"},
                                             {"name", "mA"},
                                             {"publicKey", machine_enc.public_key().to_pem()},
                                             {"signPublicKey", machine_key.public_key().to_pem()},
                                             {"regCenterId", "A"}});
  const std::string machine_kid = string_member_anywhere(machine, "signKeyIndex");
  ASSERT_FALSE(machine_kid.empty()) << machine.dump();

  const std::string db_file = process_->env().at("REGISTRAR_DATABASE_URL").substr(7);
  Fingerprint fp(db_file);
  long long version = fp.data_version();
  // After an accepted request, until the database is quiet (an async DCI request's callback is
  // delivered and recorded in the background).
  auto settle = [&] {
    for (int quiet = 0, i = 0; quiet < 4 && i < 100; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const long long now = fp.data_version();
      quiet = now == version ? quiet + 1 : 0;
      version = now;
    }
  };

  int serial = 0;
  // The request for one mutated body: signed as the example asks, else the valid credentials.
  auto request_for = [&](const CatalogueRoute& r, const Json& ex, Json body, std::string& path,
                         http::Headers& h) -> std::string {
    // Keys made new for each request (so that a member is checked, not refused as a duplicate)
    // and times that move on (an event older than the estate's last is discarded unread).
    ++serial;
    for (const Json& at : ex.value("fresh", Json::array())) {
      const Json::json_pointer p(at.get<std::string>());
      if (body.contains(p) && body[p].is_string())
        body[p] = body[p].get<std::string>() + std::to_string(serial);
    }
    for (const Json& at : ex.value("fresh_time", Json::array())) {
      const Json::json_pointer p(at.get<std::string>());
      if (body.contains(p) && body[p].is_string())
        body[p] = core::format_rfc3339(core::SystemClock::instance().now() +
                                       std::chrono::seconds(serial));
    }
    if (ex.contains("dci")) {
      Json& header = body["header"];
      if (header.is_object()) {
        if (header.value("message_id", Json()).is_string())
          header["message_id"] = "nested-" + std::to_string(serial);
        if (header.value("message_ts", Json()).is_string())
          header["message_ts"] = dci::format_message_ts(core::SystemClock::instance().now());
        if (auto uri = header.value("sender_uri", Json()); uri.is_string())
          header["sender_uri"] = receiver.url(uri.get<std::string>().substr(8));  // "CALLBACK"
      }
      std::string canonical_header, canonical_message;
      dci::append_canonical(canonical_header, body["header"]);
      dci::append_canonical(canonical_message, body.value("message", Json()));
      body["signature"] = dci_signer.sign(canonical_header, canonical_message);
      return body.dump();
    }
    h = credentials(r, "valid", path);
    if (ex.contains("machine")) {
      h = {};
      const std::string text = body.dump();
      const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
      Json payload = {{"method", r.method_name},
                      {"path", path},
                      {"iat", now},
                      {"bodySha256", body_sha256(text)}};
      h.set("Authorization",
            "Machine " + crypto::sign_compact(payload.dump(), machine_key, crypto::JwsAlg::kEdDSA,
                                              {{"kid", machine_kid}}));
      return text;
    }
    return body.dump();
  };

  std::vector<std::string> failures, otherwise;
  std::map<std::string, std::map<int, size_t>> figures;  // route -> status -> count
  size_t total = 0;
  std::set<std::string> seen;
  for (const CatalogueRoute& r : routes_) {
    const std::string key = r.method_name + " " + r.pattern;
    seen.insert(key);
    if (!writes(r.method) || !r.takes_body() || without.contains(key)) continue;
    if (!examples.contains(key)) {
      failures.push_back(key +
                         ": no example body in tests/abuse/route_examples.json (or, under "
                         "`without`, why it needs none)");
      continue;
    }
    for (const Json& ex : examples_of(examples, key)) {
      const std::string base_path = ex.value("path", testing::fill_params(r.pattern, ""));
      // An example that lists what it takes by design (`taken_by_design`: probe -> why) is held
      // to it: any other probe taken is a failure, and so is a listed one that is refused.
      const Json* by_design = ex.contains("taken_by_design") ? &ex.at("taken_by_design") : nullptr;
      std::set<std::string> taken_here;
      for (const testing::WrongType& w : testing::wrong_types(ex.at("body"))) {
        std::string path = base_path;
        http::Headers h;
        const std::string body = request_for(r, ex, w.body, path, h);
        const Answer a = send(r.method, path, body, "application/json", std::move(h));
        ++total;
        ++figures[key][a.status];
        const std::string what = key + " [" + w.where + "]";
        const long long now_version = fp.data_version();
        const bool stored = now_version != version;
        version = now_version;
        const Probe p{ProbeKind::kBody, w.where, path, body, "application/json"};
        if (fate(r, p, a, stored, what, failures) != Fate::kTaken) continue;
        // Taken as it is (a member a route ignores, or reads leniently as MOSIP does): listed,
        // not a failure; what it stored is not a refused request's.
        otherwise.push_back(what + ": " + std::to_string(a.status) + " " + a.body.substr(0, 120));
        taken_here.insert(w.where);
        if (by_design && !by_design->contains(w.where))
          failures.push_back(
              what + ": taken (" + std::to_string(a.status) +
              "), and not in the example's taken_by_design: " + a.body.substr(0, 120));
        if (a.status == 202)
          settle();  // its callback is sent, and recorded, in the background
        else
          version = fp.data_version();  // answered after its commit
      }
      if (by_design)
        for (auto it = by_design->begin(); it != by_design->end(); ++it)
          if (!taken_here.count(it.key()))
            failures.push_back(key + " [" + it.key() +
                               "]: listed under taken_by_design, but refused (or never probed)");
    }
  }
  // Every example names a route that exists (a renamed route would leave its example unused).
  for (auto it = examples.begin(); it != examples.end(); ++it)
    if (!seen.count(it.key())) failures.push_back(it.key() + ": an example for no route");
  for (auto it = without.begin(); it != without.end(); ++it)
    if (!seen.count(it.key())) failures.push_back(it.key() + ": listed under without, no route");

  std::ostringstream table;
  table << "| route | wrong-type probes | answers |\n|---|---:|---|\n";
  for (const auto& [key, statuses] : figures) {
    size_t n = 0;
    std::string text;
    for (const auto& [status, count] : statuses) {
      n += count;
      text += (text.empty() ? "" : ", ") + std::to_string(status) + "×" + std::to_string(count);
    }
    table << "| `" << key << "` | " << n << " | " << text << " |\n";
  }
  std::cout << table.str() << "\nroutes: " << figures.size() << ", wrong-type probes: " << total
            << ", not refused: " << otherwise.size() << "\n";
  for (const auto& o : otherwise) std::cout << "  taken: " << o << "\n";
  EXPECT_GT(total, 1000u);
  std::string failure_text;
  for (const auto& f : failures) failure_text += "  " + f + "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures:\n" << failure_text;
}

}  // namespace
}  // namespace registrar
