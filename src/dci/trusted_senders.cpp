#include "dci/trusted_senders.h"

#include <cctype>

#include "core/error.h"
#include "store/audit.h"

namespace registrar::dci {

namespace {

// OpenSPP's rule (§6.3): letters and digits, '.', '-', '_'. ASCII only here: a sender id travels
// in kids and logs, and Unicode look-alikes would make two senders hard to tell apart.
bool valid_sender_id(const std::string& id) {
  if (id.empty() || id.size() > 255) return false;
  for (unsigned char c : id)
    if (!std::isalnum(c) && c != '.' && c != '-' && c != '_') return false;
  return true;
}

bool http_url(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

TrustedSender sender_of(const soci::row& r) {
  TrustedSender t;
  t.sender_id = r.get<std::string>(0);
  t.name = r.get<std::string>(1);
  t.public_key = r.get<std::string>(2);
  t.jwks_url = r.get<std::string>(3);
  if (auto alg = store::row_optional<std::string>(r, 4)) t.algorithm = parse_algorithm(*alg);
  t.active = store::row_int(r, 5) != 0;
  t.notes = r.get<std::string>(6);
  t.last_key_fetch = store::row_optional<core::SystemTime>(r, 7);
  t.last_key_fetch_result = store::row_optional<std::string>(r, 8).value_or("");
  t.callback_url = r.get<std::string>(9);
  return t;
}

std::string select_columns(const std::string& table) {
  return "SELECT sender_id, name, public_key, jwks_url, algorithm, active, notes, "
         "last_key_fetch_us, last_key_fetch_result, callback_url FROM " +
         table + " ";
}

}  // namespace

TrustedSender validate_sender(const SenderInput& in) {
  if (!valid_sender_id(in.sender_id))
    throw core::invalid_argument("a sender id is 1 to 255 letters, digits, '.', '-' or '_'",
                                 "sender_id");
  if (in.public_key.empty() && in.jwks_url.empty())
    throw core::invalid_argument("give a public key or a JWKS URL", "public_key");
  if (!in.jwks_url.empty() && !http_url(in.jwks_url))
    throw core::invalid_argument("the JWKS URL must start with http:// or https://", "jwks_url");
  if (!in.callback_url.empty() && !http_url(in.callback_url))
    throw core::invalid_argument("the callback URL must start with http:// or https://",
                                 "callback_url");
  TrustedSender t;
  t.sender_id = in.sender_id;
  t.callback_url = in.callback_url;
  t.name = in.name.empty() ? in.sender_id : in.name;
  t.public_key = in.public_key;
  t.jwks_url = in.jwks_url;
  t.notes = in.notes;
  if (!in.algorithm.empty()) {
    t.algorithm = parse_algorithm(in.algorithm);
    if (!t.algorithm) throw core::invalid_argument("algorithm is ed25519 or rs256", "algorithm");
  }
  if (!t.public_key.empty()) {
    // The same choice the authenticator makes, so a key it could not use is refused now.
    KeyChoice c = select_sender_key(&t, "", nullptr);
    if (c.status == KeyChoiceStatus::kBadKey) throw core::invalid_argument(c.detail, "public_key");
  }
  return t;
}

TrustedSenders::TrustedSenders(store::Database& db, const core::Clock& clock, SenderTable table)
    : db_(db), clock_(clock), table_(std::move(table)), snapshot_(std::make_shared<Map>()) {}

void TrustedSenders::reload() {
  auto rows = db_.read([this](soci::session& s) { return sender_sql::all(s, table_.table); });
  auto next = std::make_shared<Map>();
  for (auto& r : rows) next->emplace(r.sender_id, std::move(r));
  core::MutexLock lock(mu_);
  snapshot_ = std::move(next);
}

std::shared_ptr<const TrustedSenders::Map> TrustedSenders::snapshot() const {
  core::MutexLock lock(mu_);
  return snapshot_;
}

TrustedSender TrustedSenders::add(const SenderInput& input, const std::string& actor,
                                  const std::string& request_id) {
  TrustedSender t = validate_sender(input);
  db_.write([&](soci::session& s) {
    bool existed = sender_sql::find(s, table_.table, t.sender_id).has_value();
    sender_sql::upsert(s, table_.table, t, clock_.now());
    store::append_audit(s,
                        {actor, table_.audit_prefix + (existed ? ".replace" : ".add"),
                         "sender:" + t.sender_id, request_id, sender_to_json(t)},
                        clock_.now());
  });
  reload();
  return t;
}

void TrustedSenders::disable(const std::string& sender_id, const std::string& actor,
                             const std::string& request_id) {
  db_.write([&](soci::session& s) {
    if (!sender_sql::set_active(s, table_.table, sender_id, false, clock_.now()))
      throw core::not_found("no sender " + sender_id);
    store::append_audit(
        s, {actor, table_.audit_prefix + ".disable", "sender:" + sender_id, request_id, {}},
        clock_.now());
  });
  reload();
}

std::vector<TrustedSender> TrustedSenders::list() {
  return db_.read([this](soci::session& s) { return sender_sql::all(s, table_.table); });
}

std::optional<TrustedSender> TrustedSenders::find(const std::string& sender_id) {
  return db_.read([&](soci::session& s) { return sender_sql::find(s, table_.table, sender_id); });
}

nlohmann::json sender_to_json(const TrustedSender& t) {
  nlohmann::json j = {{"sender_id", t.sender_id},
                      {"name", t.name},
                      {"public_key", t.public_key},
                      {"jwks_url", t.jwks_url},
                      {"algorithm", nullptr},
                      {"active", t.active},
                      {"notes", t.notes},
                      {"last_key_fetch", nullptr},
                      {"last_key_fetch_result", nullptr},
                      {"callback_url", t.callback_url}};
  if (t.algorithm) j["algorithm"] = std::string(algorithm_name(*t.algorithm));
  if (t.last_key_fetch) j["last_key_fetch"] = core::format_rfc3339(*t.last_key_fetch);
  if (!t.last_key_fetch_result.empty()) j["last_key_fetch_result"] = t.last_key_fetch_result;
  return j;
}

namespace sender_sql {

void upsert(soci::session& s, const std::string& table, const TrustedSender& t,
            core::SystemTime now) {
  long long us = core::to_unix_us(now);
  int active = t.active ? 1 : 0;
  std::optional<std::string> alg_text;
  if (t.algorithm) alg_text = std::string(algorithm_name(*t.algorithm));
  store::OptionalBind<std::string> alg(alg_text);
  auto fetched = store::bind_time(t.last_key_fetch);
  s << "INSERT INTO " + table +
           " (sender_id, name, public_key, jwks_url, algorithm, active, notes, "
           "last_key_fetch_us, callback_url, created_us, updated_us) "
           "VALUES (:id, :n, :k, :u, :a, :ac, :no, :f, :cb, :c, :c2) "
           "ON CONFLICT (sender_id) DO UPDATE SET name = excluded.name, "
           "public_key = excluded.public_key, jwks_url = excluded.jwks_url, "
           "algorithm = excluded.algorithm, active = excluded.active, notes = excluded.notes, "
           "last_key_fetch_us = excluded.last_key_fetch_us, last_key_fetch_result = NULL, "
           "callback_url = excluded.callback_url, "
           "updated_us = excluded.updated_us",
      soci::use(t.sender_id), soci::use(t.name), soci::use(t.public_key), soci::use(t.jwks_url),
      soci::use(alg.value, alg.indicator), soci::use(active), soci::use(t.notes),
      soci::use(fetched.value, fetched.indicator), soci::use(t.callback_url), soci::use(us),
      soci::use(us);
}

std::optional<TrustedSender> find(soci::session& s, const std::string& table,
                                  const std::string& sender_id) {
  soci::rowset<soci::row> rows =
      (s.prepare << select_columns(table) + "WHERE sender_id = :id", soci::use(sender_id));
  for (const auto& r : rows) return sender_of(r);
  return std::nullopt;
}

std::vector<TrustedSender> all(soci::session& s, const std::string& table) {
  std::vector<TrustedSender> out;
  soci::rowset<soci::row> rows = (s.prepare << select_columns(table) + "ORDER BY name");
  for (const auto& r : rows) out.push_back(sender_of(r));
  return out;
}

bool record_key_fetch(soci::session& s, const std::string& table, const std::string& sender_id,
                      core::SystemTime at, const std::string& result) {
  long long us = core::to_unix_us(at);
  soci::statement st = (s.prepare << "UPDATE " + table +
                                         " SET last_key_fetch_us = :t, last_key_fetch_result = :r "
                                         "WHERE sender_id = :id",
                        soci::use(us), soci::use(result), soci::use(sender_id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

bool set_active(soci::session& s, const std::string& table, const std::string& sender_id,
                bool active, core::SystemTime now) {
  long long us = core::to_unix_us(now);
  int a = active ? 1 : 0;
  soci::statement st =
      (s.prepare << "UPDATE " + table + " SET active = :a, updated_us = :u WHERE sender_id = :id",
       soci::use(a), soci::use(us), soci::use(sender_id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

}  // namespace sender_sql

}  // namespace registrar::dci
