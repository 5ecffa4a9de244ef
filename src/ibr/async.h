// The asynchronous DCI operations (dci-ibr.md §3, §5): search, txn-status, subscribe and
// unsubscribe answer at once with an ACK and leave their signed callback in the outbox, written
// in the same transaction as the transaction record (and, for subscribe, the subscriptions); the
// enrollment updates that match a subscription leave a signed notify there too. No HTTP types.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "dci/envelope.h"
#include "ibr/answers.h"
#include "ibr/async_messages.h"
#include "ibr/async_store.h"
#include "ibr/senders.h"
#include "ibr/service.h"
#include "store/database.h"

namespace registrar::ibr {

class AsyncOperations {
 public:
  AsyncOperations(store::Database& db, const core::Clock& clock, IbrService& service,
                  const AnswerSigner& answers, const Senders& senders);

  // Each takes a verified request envelope of `sender_id` and returns the ACK. Throws
  // core::Error(kInvalidArgument) — a malformed message, a sender_uri we will not call
  // (callback_url.h), a correlation_id the sender already used — with nothing stored.
  dci::Ack search(const dci::Envelope& request, const std::string& sender_id);
  dci::Ack txn_status(const dci::Envelope& request, const std::string& sender_id);
  dci::Ack subscribe(const dci::Envelope& request, const std::string& sender_id);
  dci::Ack unsubscribe(const dci::Envelope& request, const std::string& sender_id);

  // /sync/txn/status: the signed txn-on-status envelope, nothing stored.
  std::string sync_txn_status(const dci::Envelope& request, const std::string& sender_id);

  // IbrService's update listener: a notify envelope into the outbox per matching subscription.
  void notify(soci::session& s, const std::string& transaction_id,
              const std::vector<UpdateEvent>& events);

  // Called after a commit that queued envelopes (the delivery job looks at once).
  void on_queued(std::function<void()> fn) { on_queued_ = std::move(fn); }

 private:
  // What an operation computed inside the transaction: the callback's message and status.
  struct Answer {
    nlohmann::json message;
    dci::RequestStatus status = dci::RequestStatus::kSucc;
    int64_t total = 0;
    int64_t completed = 0;
  };
  using Compute = std::function<Answer(soci::session&, const std::string& correlation_id,
                                       const std::string& callback_url)>;
  dci::Ack accept(const dci::Envelope& request, const std::string& sender_id,
                  const Compute& compute);
  Answer status_of(soci::session& s, const std::string& sender_id, const TxnStatusQuery& q,
                   const std::string& correlation_id);
  std::string target_for(const dci::MsgHeader& header, const std::string& sender_id) const;

  store::Database& db_;
  const core::Clock& clock_;
  IbrService& service_;
  const AnswerSigner& answers_;
  const Senders& senders_;
  std::function<void()> on_queued_;
};

}  // namespace registrar::ibr
