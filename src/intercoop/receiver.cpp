#include "intercoop/receiver.h"

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/batch_queue.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "core/thread_annotations.h"
#include "http/delivery.h"
#include "intercoop/hardened.h"
#include "intercoop/hardened_store.h"
#include "intercoop/package.h"
#include "intercoop/rules_store.h"
#include "intercoop/service_rules.h"
#include "intercoop/target_model.h"
#include "intercoop/target_responses.h"
#include "intercoop/target_store.h"
#include "store/audit.h"

namespace registrar::intercoop {

// A peer as the last batch read it: its keys parsed (parsing an RSA key checks its modulus, which
// costs more than a verify), and the row's key material they came from. Immutable once shared.
struct Receiver::KnownPeer {
  std::string rsa_pem, ed25519_pem;
  PeerKeys keys;  // versions, and the keys that parsed
  bool same_row(const Peer& p) const {
    return p.public_key_pem == rsa_pem && p.ed25519_key_pem == ed25519_pem &&
           p.versions == keys.versions;
  }
};

// A package whose steps 1-8 (receive_versioned) passed before its batch, with the peer entry it was
// checked against: the batch takes the result when the peer's row still gives that same entry.
struct Receiver::PreChecked {
  Received received;
  std::shared_ptr<const KnownPeer> peer;
};

// The peers the batches have read, for submit()'s checks before the batch and for the next batch.
class Receiver::KnownPeers {
 public:
  std::shared_ptr<const KnownPeer> find(const std::string& id) const EXCLUDES(mu_) {
    core::MutexLock lock(mu_);
    auto it = peers_.find(id);
    return it == peers_.end() ? nullptr : it->second;
  }
  // The entry for the row `p` (active), the known one when its key material is unchanged.
  std::shared_ptr<const KnownPeer> refresh(const Peer& p) EXCLUDES(mu_) {
    if (auto known = find(p.id); known && known->same_row(p)) return known;
    auto fresh = std::make_shared<KnownPeer>();
    fresh->rsa_pem = p.public_key_pem;
    fresh->ed25519_pem = p.ed25519_key_pem;
    fresh->keys.versions = p.versions;
    // A key that does not parse is left out, so that its version's packages are BadPeer.
    fresh->keys.rsa = parse_peer_key(p.public_key_pem);
    if (!p.ed25519_key_pem.empty()) fresh->keys.ed25519 = parse_hardened_key(p.ed25519_key_pem);
    core::MutexLock lock(mu_);
    peers_.insert_or_assign(p.id, fresh);
    return fresh;
  }
  void forget(const std::string& id) EXCLUDES(mu_) {
    core::MutexLock lock(mu_);
    peers_.erase(id);
  }

 private:
  mutable core::Mutex mu_;
  std::map<std::string, std::shared_ptr<const KnownPeer>> peers_ GUARDED_BY(mu_);
};

// One batch inside its transaction: what has been read of peers and services, so that a batch
// of packages from one peer for one service reads each once.
class Receiver::Batch {
 public:
  Batch(soci::session& s, const TargetSettings& settings, core::SystemTime now, KnownPeers& known)
      : s_(s), settings_(settings), now_(now), audit_(s), transfers_(s), known_(known) {}

  // Checks one package and stores it (still uncommitted): its answer, or its refusal.
  http::Response receive(Arrival& a) {
    // A service's own route names its service before anything is read; the default route
    // learns it from a 2.0 package's signed `service`.
    const Service* service = nullptr;
    if (!a.by_default && !(service = service_named(a.service)))
      return bad_message(404, "unknown service '" + a.service + "'");
    try {
      // §3.1a steps 1-8 for either version; an inactive peer, or one without a usable key for
      // the version, is BadPeer (403), never the original's 500 (§7.5); a version the peer did
      // not declare is WrongVersion.
      Received r = a.pre && a.pre->peer == peer(a.pre->received.package.origin_peer)
                       ? std::move(a.pre->received)
                       : receive_versioned(a.body, [this](std::string_view id) {
                           auto p = peer(std::string(id));
                           return p ? &p->keys : nullptr;
                         });
      std::string name = a.service;
      if (r.hardened) {
        if (a.by_default) name = r.hardened->envelope.service;
        // Signed, so checked now: for us, for this service, and valid now.
        check_binding(r.hardened->envelope, settings_.peer_id, name,
                      core::to_unix_us(now_) / 1'000'000);
      }
      if (!service && !(service = service_named(name)))
        return bad_message(404, "unknown service '" + name + "'");
      // Step 9: the service's own rules.
      if (auto field = missing_field(r.stored, *service))
        throw ProtocolError(ErrorClass::kMissingField, {*field});
      if (!peer_allowed(*service, r.package.origin_peer))
        throw ProtocolError(ErrorClass::kBadPeer, {r.package.origin_peer});
      if (auto no = unavailable_for(r.stored, service->rules))
        throw ProtocolError(ErrorClass::kNotAvailable, {service->name, no->field, no->value});
      std::string member = check_limits(*service, r);
      // Last, so that only an accepted package uses its nonce up. In this transaction: a
      // duplicate earlier in the batch, or committed by another process, is already there.
      if (r.hardened) {
        const Envelope& e = r.hardened->envelope;
        if (!db::insert_nonce(s_, e.origin_peer, e.nonce,
                              core::from_unix_us(e.expires * 1'000'000)))
          throw ProtocolError(ErrorClass::kReplayedMessage, {e.nonce, e.origin_peer});
      }
      Transfer t = store(r, service->name, a.request_id);
      if (service->rules.limits.any())
        db::insert_limited(s_, service->name, r.package.origin_peer, member, now_,
                           now_ + std::chrono::seconds(service->rules.limits.window_s));
      yaml::Value answer = yaml::Value::object();
      answer["uuid"] = t.uuid;
      answer["continuationUrl"] = continuation_url(settings_.continuation_url, a.own_base, t.uuid);
      return yaml_response(200, answer);
    } catch (const ProtocolError& e) {
      return protocol_error(e);
    }
  }

 private:
  // The service's per-peer and per-member limits over its window, counting the transfers this
  // transaction already accepted. Returns the member's key ("" when the service has no
  // per-member limit); a per-member limit needs `innerid` or `nif` (MissingField).
  std::string check_limits(const Service& service, const Received& r) {
    const ServiceLimits& l = service.rules.limits;
    if (!l.any()) return "";
    const std::string& peer = r.package.origin_peer;
    const core::SystemTime since = now_ - std::chrono::seconds(l.window_s);
    auto refuse = [&](int64_t limit, const char* who) {
      throw ProtocolError(ErrorClass::kLimitReached,
                          {service.name, std::to_string(limit), who, std::to_string(l.window_s)});
    };
    if (l.per_peer > 0 && db::count_limited(s_, service.name, peer, "", since) >= l.per_peer)
      refuse(l.per_peer, "peer");
    if (l.per_member <= 0) return "";
    auto member = member_key(r.stored);
    if (!member) throw ProtocolError(ErrorClass::kMissingField, {"innerid"});
    if (db::count_limited(s_, service.name, peer, *member, since) >= l.per_member)
      refuse(l.per_member, "member");
    return *member;
  }

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

  // The peer as this transaction reads it (null: unknown or disabled), once per batch.
  const std::shared_ptr<const KnownPeer>& peer(const std::string& id) {
    auto it = peers_.find(id);
    if (it == peers_.end()) {
      std::shared_ptr<const KnownPeer> entry;
      auto row = db::find_peer(s_, id);
      if (row && row->active)
        entry = known_.refresh(*row);
      else
        known_.forget(id);
      it = peers_.emplace(id, std::move(entry)).first;
    }
    return it->second;
  }

  Transfer store(const Received& r, const std::string& service, const std::string& request_id) {
    Transfer t;
    t.uuid = core::uuid_v4_time_ordered(core::to_unix_us(now_) / 1000);
    t.peer = r.package.origin_peer;
    t.service = service;
    t.data = r.stored;
    t.received = now_;
    t.expires = now_ + settings_.token_ttl;
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& [key, value] : t.data.items()) fields.push_back(key);
    transfers_.insert(t);
    audit_.append({"intercoop:" + t.peer,
                   "intercoop.transfer.receive",
                   t.uuid,
                   request_id,
                   {{"peer", t.peer},
                    {"service", service},
                    {"fields", fields},
                    {"version", r.package.version}}},
                  now_);
    return t;
  }

  soci::session& s_;
  const TargetSettings& settings_;
  const core::SystemTime now_;
  store::AuditWriter audit_;
  db::TransferWriter transfers_;
  std::map<std::string, std::optional<Service>> services_;
  std::map<std::string, std::shared_ptr<const KnownPeer>> peers_;
  KnownPeers& known_;
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
    o.max_concurrent = 1;  // one writer at a time: SQLite has one
    o.name = "intercoop_receive";
    return o;
  }

  void process(std::vector<Arrival>& batch) {
    std::vector<http::Response> answers;
    answers.reserve(batch.size());
    try {
      db.write([&](soci::session& s) {
        Batch b(s, settings, clock.now(), known);
        for (auto& a : batch) answers.push_back(b.receive(a));
      });
    } catch (const std::exception& e) {
      log::error("intercoop_receive_failed",
                 {{"error", core::loggable_message(e)}, {"packages", batch.size()}});
      http::DeliveryBatch together;
      for (auto& a : batch) a.respond(bad_message(500, "the transfer could not be stored"));
      return;
    }
    http::DeliveryBatch together;  // one hand-over to the I/O thread, not one per package
    for (size_t i = 0; i < batch.size(); ++i) batch[i].respond(std::move(answers[i]));
  }

  store::Database& db;
  const core::Clock& clock;
  const TargetSettings settings;
  KnownPeers known;
  core::BatchQueue<Arrival> queue;
};

Receiver::Receiver(store::Database& db, const core::Clock& clock, core::Background& background,
                   TargetSettings settings)
    : impl_(std::make_unique<Impl>(db, clock, background, std::move(settings))) {}

Receiver::~Receiver() {
  stop();
}

void Receiver::submit(Arrival arrival) {
  // Steps 1-8 now, on this thread, when the peer is known: outside the batch's transaction, so
  // that they overlap the commit of the batch before (one core checks while the disk syncs).
  // Anything but a pass is left for the batch, which checks again against the peer's row.
  try {
    std::shared_ptr<const KnownPeer> used;
    Received r = receive_versioned(arrival.body, [&](std::string_view id) -> const PeerKeys* {
      used = impl_->known.find(std::string(id));
      return used ? &used->keys : nullptr;
    });
    if (used) arrival.pre = std::make_shared<PreChecked>(PreChecked{std::move(r), std::move(used)});
  } catch (const std::exception&) {
  }
  http::Responder respond = arrival.respond;
  if (!impl_->queue.submit(std::move(arrival))) respond(bad_message(503, "the server is stopping"));
}

void Receiver::stop() {
  impl_->queue.stop();
}

}  // namespace registrar::intercoop
