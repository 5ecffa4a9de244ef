#include "intercoop/receiver.h"

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/batch_queue.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "intercoop/package.h"
#include "intercoop/target_model.h"
#include "intercoop/target_responses.h"
#include "intercoop/target_store.h"
#include "store/audit.h"

namespace registrar::intercoop {

// One batch inside its transaction: what has been read of peers and services, so that a batch
// of packages from one peer for one service reads each once.
class Receiver::Batch {
 public:
  // Peers' keys as parsed, by peer id, with the PEM they came from: a key is parsed again only
  // when its row's PEM changed (parsing checks the RSA modulus, which costs more than a verify).
  using KeyCache = std::map<std::string, std::pair<std::string, crypto::PublicKey>>;

  Batch(soci::session& s, const TargetSettings& settings, core::SystemTime now, KeyCache& keys)
      : s_(s), settings_(settings), now_(now), audit_(s), keys_(keys) {}

  // Checks one package and stores it (still uncommitted): its answer, or its refusal.
  http::Response receive(const Arrival& a) {
    const Service* service = service_named(a.service);
    if (!service) return bad_message(404, "unknown service '" + a.service + "'");
    try {
      // §3.1a steps 1-8; an inactive peer, one that does not accept 1.0 or has no usable key is
      // BadPeer (403), never the original's 500 (§7.5).
      ReceivedPackage package = receive_package(a.body, [this](std::string_view id) {
        const PeerKey* key = peer_key(std::string(id));
        return key ? std::optional<crypto::PublicKey>(key->key) : std::nullopt;
      });
      // Step 9: the service's own rules.
      if (auto field = missing_field(package.values, *service))
        throw ProtocolError(ErrorClass::kMissingField, {*field});
      if (!peer_allowed(*service, package.origin_peer))
        throw ProtocolError(ErrorClass::kBadPeer, {package.origin_peer});
      Transfer t = store(package, service->name, a.request_id);
      yaml::Value answer = yaml::Value::object();
      answer["uuid"] = t.uuid;
      answer["continuationUrl"] = continuation_url(settings_.continuation_url, a.own_base, t.uuid);
      return yaml_response(200, answer);
    } catch (const ProtocolError& e) {
      return protocol_error(e);
    }
  }

 private:
  struct PeerKey {
    crypto::PublicKey key;
  };

  const Service* service_named(const std::string& name) {
    auto it = services_.find(name);
    if (it == services_.end()) {
      std::optional<Service> found;
      if (valid_service_name(name)) found = db::find_service(s_, name);
      if (found && !found->active) found.reset();
      it = services_.emplace(name, std::move(found)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  const PeerKey* peer_key(const std::string& id) {
    auto it = peers_.find(id);
    if (it == peers_.end()) {
      std::optional<PeerKey> key;
      auto peer = db::find_peer(s_, id);
      if (peer && peer->active && accepts_1_0(*peer)) {
        auto cached = keys_.find(id);
        if (cached != keys_.end() && cached->second.first == peer->public_key_pem) {
          key = PeerKey{cached->second.second};
        } else if (auto k = parse_peer_key(peer->public_key_pem)) {
          keys_.insert_or_assign(id, std::make_pair(peer->public_key_pem, *k));
          key = PeerKey{std::move(*k)};
        }
      }
      it = peers_.emplace(id, std::move(key)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  static bool accepts_1_0(const Peer& p) {
    for (const auto& v : p.versions)
      if (v == kProtocolVersion) return true;
    return false;
  }

  Transfer store(const ReceivedPackage& package, const std::string& service,
                 const std::string& request_id) {
    Transfer t;
    t.uuid = core::uuid_v4();
    t.peer = package.origin_peer;
    t.service = service;
    t.data = package.values;
    t.received = now_;
    t.expires = now_ + settings_.token_ttl;
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& [key, value] : t.data.items()) fields.push_back(key);
    db::insert_transfer(s_, t);
    audit_.append({"intercoop:" + t.peer,
                   "intercoop.transfer.receive",
                   t.uuid,
                   request_id,
                   {{"peer", t.peer}, {"service", service}, {"fields", fields}}},
                  now_);
    return t;
  }

  soci::session& s_;
  const TargetSettings& settings_;
  const core::SystemTime now_;
  store::AuditWriter audit_;
  std::map<std::string, std::optional<Service>> services_;
  std::map<std::string, std::optional<PeerKey>> peers_;
  KeyCache& keys_;
};

struct Receiver::Impl {
  Impl(store::Database& db, const core::Clock& clock, core::Background& background,
       TargetSettings settings)
      : db(db),
        clock(clock),
        settings(std::move(settings)),
        queue(background, options(), [this](std::vector<Arrival>& batch) { process(batch); }) {}

  static core::BatchOptions options() {
    core::BatchOptions o;
    // No gathering delay: what arrives while a batch commits is the next batch, so a batch grows
    // with the load and a lone request waits for nothing.
    o.max_batch = 512;
    o.max_concurrent = 1;  // one batch at a time: `keys` below relies on it
    o.name = "intercoop_receive";
    return o;
  }

  void process(std::vector<Arrival>& batch) {
    std::vector<http::Response> answers;
    answers.reserve(batch.size());
    try {
      db.write([&](soci::session& s) {
        Batch b(s, settings, clock.now(), keys);
        for (const auto& a : batch) answers.push_back(b.receive(a));
      });
    } catch (const std::exception& e) {
      log::error("intercoop_receive_failed",
                 {{"error", core::loggable_message(e)}, {"packages", batch.size()}});
      for (auto& a : batch) a.respond(bad_message(500, "the transfer could not be stored"));
      return;
    }
    for (size_t i = 0; i < batch.size(); ++i) batch[i].respond(std::move(answers[i]));
  }

  store::Database& db;
  const core::Clock& clock;
  const TargetSettings settings;
  // Only process() touches it, and the queue never runs two batches at once (max_concurrent 1).
  Batch::KeyCache keys;
  core::BatchQueue<Arrival> queue;
};

Receiver::Receiver(store::Database& db, const core::Clock& clock, core::Background& background,
                   TargetSettings settings)
    : impl_(std::make_unique<Impl>(db, clock, background, std::move(settings))) {}

Receiver::~Receiver() {
  stop();
}

void Receiver::submit(Arrival arrival) {
  http::Responder respond = arrival.respond;
  if (!impl_->queue.submit(std::move(arrival))) respond(bad_message(503, "the server is stopping"));
}

void Receiver::stop() {
  impl_->queue.stop();
}

}  // namespace registrar::intercoop
