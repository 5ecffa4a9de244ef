#include "intercoop/target_store.h"

#include <limits>

#include "core/error.h"

namespace registrar::intercoop {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= text.size() && !text.empty()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

std::string json_text(const yaml::Value& v) {
  return v.dump();
}

yaml::Value from_json(const std::string& text) {
  return yaml::Value::parse(text);
}

std::vector<std::string> string_list(const std::string& json) {
  return from_json(json).get<std::vector<std::string>>();
}

constexpr const char* kPeerColumns =
    "peer_id, name, description, url, target_url, logo, public_key, versions, active, "
    "descriptor, created_us, updated_us, ed25519_key";

Peer peer_of(const soci::row& r) {
  Peer p;
  p.id = r.get<std::string>(0);
  p.name = r.get<std::string>(1);
  p.description = from_json(r.get<std::string>(2));
  p.url = from_json(r.get<std::string>(3));
  p.target_url = r.get<std::string>(4);
  p.logo = r.get<std::string>(5);
  p.public_key_pem = r.get<std::string>(6);
  p.versions = split(r.get<std::string>(7));
  p.active = store::row_int(r, 8) != 0;
  p.descriptor = from_json(r.get<std::string>(9));
  p.created = store::row_time(r, 10);
  p.updated = store::row_time(r, 11);
  p.ed25519_key_pem = r.get<std::string>(12);
  return p;
}

// The peer's values bound to a statement, alive until it has run.
struct BoundPeer {
  explicit BoundPeer(const Peer& p)
      : description(json_text(p.description)),
        url(json_text(p.url)),
        versions(joined(p.versions)),
        descriptor(json_text(p.descriptor)),
        active(p.active ? 1 : 0) {}
  std::string description, url, versions, descriptor;
  int active;
};

Service service_of(const soci::row& r) {
  Service s;
  s.name = r.get<std::string>(0);
  s.description = from_json(r.get<std::string>(1));
  s.fields = string_list(r.get<std::string>(2));
  s.peers = string_list(r.get<std::string>(3));
  s.active = store::row_int(r, 4) != 0;
  s.rules = rules_from_json(from_json(r.get<std::string>(5)));
  return s;
}

Transfer transfer_of(const soci::row& r) {
  Transfer t;
  t.uuid = r.get<std::string>(0);
  t.peer = r.get<std::string>(1);
  t.service = r.get<std::string>(2);
  t.data = from_json(r.get<std::string>(3));
  t.received = store::row_time(r, 4);
  t.expires = store::row_time(r, 5);
  t.consumed = store::row_optional<core::SystemTime>(r, 6);
  return t;
}

}  // namespace

store::Migration target_migration() {
  store::Migration m;
  m.version = 1;
  m.description = "intercoop target side: peers, services, received transfers";
  m.statements = {
      "CREATE TABLE intercoop_peers ("
      " peer_id VARCHAR(64) PRIMARY KEY,"
      " name VARCHAR(255) NOT NULL,"
      " description TEXT NOT NULL,"  // JSON: a string or {lang: text}
      " url TEXT NOT NULL,"          // JSON, likewise
      " target_url VARCHAR(2048) NOT NULL,"
      " logo VARCHAR(2048) NOT NULL,"
      " public_key TEXT NOT NULL,"
      " versions VARCHAR(255) NOT NULL,"  // comma-separated protocol versions
      " active INTEGER NOT NULL,"
      " descriptor TEXT NOT NULL,"  // JSON: the imported descriptor, or null
      " created_us BIGINT NOT NULL,"
      " updated_us BIGINT NOT NULL)",
      "CREATE TABLE intercoop_services ("
      " name VARCHAR(64) PRIMARY KEY,"
      " description TEXT NOT NULL,"  // JSON {lang: text}
      " fields TEXT NOT NULL,"       // JSON array of field names
      " peers TEXT NOT NULL,"        // JSON array of peer ids; [] = any active peer
      " active INTEGER NOT NULL,"
      " created_us BIGINT NOT NULL,"
      " updated_us BIGINT NOT NULL)",
      "CREATE TABLE intercoop_transfers ("
      " uuid VARCHAR(36) PRIMARY KEY,"
      " peer_id VARCHAR(64) NOT NULL,"
      " service VARCHAR(64) NOT NULL,"
      " data TEXT NOT NULL,"  // JSON object: the payload's values in their order
      " received_us BIGINT NOT NULL,"
      " expires_us BIGINT NOT NULL,"
      " consumed_us BIGINT)",
      "CREATE INDEX intercoop_transfers_expires ON intercoop_transfers (expires_us)",
  };
  return m;
}

namespace db {

void insert_peer(soci::session& s, const Peer& p, core::SystemTime now) {
  BoundPeer b(p);
  long long us = core::to_unix_us(now);
  try {
    s << std::string("INSERT INTO intercoop_peers (") + kPeerColumns +
             ") VALUES (:a, :b, :c, :d, :e, :f, :g, :h, :i, :j, :k, :l, :m)",
        soci::use(p.id), soci::use(p.name), soci::use(b.description), soci::use(b.url),
        soci::use(p.target_url), soci::use(p.logo), soci::use(p.public_key_pem),
        soci::use(b.versions), soci::use(b.active), soci::use(b.descriptor), soci::use(us),
        soci::use(us), soci::use(p.ed25519_key_pem);
  } catch (const std::exception& e) {
    if (store::is_unique_violation(e))
      throw core::conflict("peer " + p.id + " already exists", "peer_id");
    throw;
  }
}

bool upsert_peer(soci::session& s, const Peer& p, core::SystemTime now) {
  BoundPeer b(p);
  long long us = core::to_unix_us(now);
  soci::statement st =
      (s.prepare << "UPDATE intercoop_peers SET name = :b, description = :c, url = :d, "
                    "target_url = :e, logo = :f, public_key = :g, versions = :h, "
                    "descriptor = :j, updated_us = :l, ed25519_key = :m WHERE peer_id = :a",
       soci::use(p.name), soci::use(b.description), soci::use(b.url), soci::use(p.target_url),
       soci::use(p.logo), soci::use(p.public_key_pem), soci::use(b.versions),
       soci::use(b.descriptor), soci::use(us), soci::use(p.ed25519_key_pem), soci::use(p.id));
  st.execute(true);
  if (st.get_affected_rows() > 0) return false;
  insert_peer(s, p, now);
  return true;
}

std::optional<Peer> find_peer(soci::session& s, const std::string& id) {
  soci::rowset<soci::row> rows = (s.prepare << std::string("SELECT ") + kPeerColumns +
                                                   " FROM intercoop_peers WHERE peer_id = :a",
                                  soci::use(id));
  for (const auto& r : rows) return peer_of(r);
  return std::nullopt;
}

std::vector<Peer> all_peers(soci::session& s) {
  return peers_page(s, std::nullopt, std::numeric_limits<int>::max());
}

std::vector<Peer> peers_page(soci::session& s, const std::optional<std::string>& after, int limit) {
  auto page = store::KeysetPage::by_key("peer_id", after, limit);
  auto prep = (s.prepare << std::string("SELECT ") + kPeerColumns + " FROM intercoop_peers WHERE " +
                                page.condition() + page.order_and_limit());
  page.bind(prep);
  soci::rowset<soci::row> rows = prep;
  std::vector<Peer> out;
  for (const auto& r : rows) out.push_back(peer_of(r));
  return out;
}

bool set_peer_active(soci::session& s, const std::string& id, bool active, core::SystemTime now) {
  int a = active ? 1 : 0;
  long long us = core::to_unix_us(now);
  soci::statement st =
      (s.prepare << "UPDATE intercoop_peers SET active = :a, updated_us = :u WHERE peer_id = :i",
       soci::use(a), soci::use(us), soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

void insert_service(soci::session& s, const Service& sv, core::SystemTime now) {
  std::string description = json_text(sv.description);
  std::string fields = yaml::Value(sv.fields).dump();
  std::string peers = yaml::Value(sv.peers).dump();
  std::string rules = json_text(rules_to_json(sv.rules));
  int active = sv.active ? 1 : 0;
  long long us = core::to_unix_us(now);
  try {
    s << "INSERT INTO intercoop_services (name, description, fields, peers, active, created_us, "
         "updated_us, rules) VALUES (:a, :b, :c, :d, :e, :f, :g, :h)",
        soci::use(sv.name), soci::use(description), soci::use(fields), soci::use(peers),
        soci::use(active), soci::use(us), soci::use(us), soci::use(rules);
  } catch (const std::exception& e) {
    if (store::is_unique_violation(e))
      throw core::conflict("service " + sv.name + " already exists", "name");
    throw;
  }
}

std::optional<Service> find_service(soci::session& s, const std::string& name) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT name, description, fields, peers, active, rules FROM "
                    "intercoop_services WHERE name = :a",
       soci::use(name));
  for (const auto& r : rows) return service_of(r);
  return std::nullopt;
}

std::vector<Service> all_services(soci::session& s) {
  return services_page(s, std::nullopt, std::numeric_limits<int>::max());
}

std::vector<Service> services_page(soci::session& s, const std::optional<std::string>& after,
                                   int limit) {
  auto page = store::KeysetPage::by_key("name", after, limit);
  auto prep = (s.prepare << "SELECT name, description, fields, peers, active, rules FROM "
                            "intercoop_services WHERE " +
                                page.condition() + page.order_and_limit());
  page.bind(prep);
  soci::rowset<soci::row> rows = prep;
  std::vector<Service> out;
  for (const auto& r : rows) out.push_back(service_of(r));
  return out;
}

bool set_service_active(soci::session& s, const std::string& name, bool active,
                        core::SystemTime now) {
  int a = active ? 1 : 0;
  long long us = core::to_unix_us(now);
  soci::statement st =
      (s.prepare << "UPDATE intercoop_services SET active = :a, updated_us = :u WHERE name = :n",
       soci::use(a), soci::use(us), soci::use(name));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

TransferWriter::TransferWriter(soci::session& s)
    : insert_((s.prepare << "INSERT INTO intercoop_transfers (uuid, peer_id, service, data, "
                            "received_us, expires_us) VALUES (:a, :b, :c, :d, :e, :f)",
               soci::use(uuid_), soci::use(peer_), soci::use(service_), soci::use(data_),
               soci::use(received_us_), soci::use(expires_us_))) {}

void TransferWriter::insert(const Transfer& t) {
  uuid_ = t.uuid;
  peer_ = t.peer;
  service_ = t.service;
  data_ = json_text(t.data);
  received_us_ = core::to_unix_us(t.received);
  expires_us_ = core::to_unix_us(t.expires);
  insert_.execute(true);
}

void insert_transfer(soci::session& s, const Transfer& t) {
  TransferWriter(s).insert(t);
}

std::optional<Transfer> find_transfer(soci::session& s, const std::string& uuid) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT uuid, peer_id, service, data, received_us, expires_us, consumed_us "
                    "FROM intercoop_transfers WHERE uuid = :a",
       soci::use(uuid));
  for (const auto& r : rows) return transfer_of(r);
  return std::nullopt;
}

bool consume_transfer(soci::session& s, const std::string& uuid, core::SystemTime now) {
  long long us = core::to_unix_us(now);
  soci::statement st =
      (s.prepare << "UPDATE intercoop_transfers SET consumed_us = :n WHERE uuid = :u AND "
                    "consumed_us IS NULL AND expires_us > :e",
       soci::use(us), soci::use(uuid), soci::use(us));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<Transfer> received_transfers(soci::session& s, const TransferQuery& q) {
  auto page = store::KeysetPage::newest_first("received_us", "uuid", q.before, q.limit);
  // Every filter is bound, an unused one as '' that its own test lets through, so that one
  // statement text serves every combination.
  auto prep = (s.prepare << "SELECT uuid, peer_id, service, data, received_us, expires_us, "
                            "consumed_us FROM intercoop_transfers WHERE " +
                                page.condition() +
                                " AND (:p1 = '' OR peer_id = :p2) AND (:s1 = '' OR service = :s2)" +
                                page.order_and_limit());
  page.bind(prep), soci::use(q.peer), soci::use(q.peer), soci::use(q.service), soci::use(q.service);
  soci::rowset<soci::row> rows = prep;
  std::vector<Transfer> out;
  for (const auto& r : rows) out.push_back(transfer_of(r));
  return out;
}

int64_t purge_expired(soci::session& s, core::SystemTime now) {
  long long us = core::to_unix_us(now);
  soci::statement st =
      (s.prepare << "DELETE FROM intercoop_transfers WHERE expires_us <= :n", soci::use(us));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace db
}  // namespace registrar::intercoop
