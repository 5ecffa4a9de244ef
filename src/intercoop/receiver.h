// The target side's activateService with group commit (docs/intercoop.md, "Receiving"; issue 15:
// 10,000 packages/s, each stored durably before it is answered). The route hands each package to
// a core::BatchQueue on the platform's Background; a batch is checked and stored in one
// transaction: §3.1a's steps with the sending peer read in that transaction (once per peer and
// batch), a 2.0 package's binding (hardened.h), the service's own rules (step 9), a 2.0
// package's nonce (so that a copy in the same batch is refused as a replay), then each accepted
// package's transfer and audit entry. One commit (one fsync on SQLite) answers the whole batch. A
// refused package is answered with its protocol error and stores nothing, without touching the
// others; a failure of the transaction answers every package of the batch with a 500 and stores
// none of them.
//
// Steps 1-8 (parsing, the peer's keys, the signature) are most of a package's CPU and need nothing
// of the transaction but the peer's keys: submit() runs them before queueing, against the keys the
// last batch read, so that they overlap the commit (fsync) of the batch before. The batch takes
// that result only when the peer's row, read in its transaction, still gives the same keys and
// versions; otherwise (and for any package that did not pass) it runs them again itself. So a
// new key, a disabled peer or a changed version list takes effect on the next batch, as before.
//
// Threads. submit() from any thread (the route calls it on an I/O thread: it checks the package,
// about 50 µs for a 1.0 package, and queues it); the answers go out from Background threads.
// stop() before the Background stops: it answers everything already queued.
#pragma once

#include <memory>
#include <string>

#include "core/background.h"
#include "core/clock.h"
#include "http/router.h"
#include "intercoop/target_api.h"
#include "store/database.h"

namespace registrar::intercoop {

class Receiver {
  struct KnownPeer;
  struct PreChecked;
  class KnownPeers;

 public:
  struct Arrival {
    std::string service;     // the path's service, or the default one ("" for none)
    std::string body;        // the package as sent
    std::string request_id;  // for the audit entry
    std::string own_base;    // http://<Host>: the default continuation URL's base
    http::Responder respond;
    // Posted to /intercoop/activateService: a 2.0 package names its own (signed) service there.
    bool by_default = false;
    std::shared_ptr<PreChecked> pre;  // set by submit(): the package's checks passed already
  };

  Receiver(store::Database& db, const core::Clock& clock, core::Background& background,
           TargetSettings settings);
  ~Receiver();

  // Queues the package; it is answered through its Responder. Once stopping: answered at once
  // with a 503.
  void submit(Arrival arrival);
  void stop();

 private:
  class Batch;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace registrar::intercoop
