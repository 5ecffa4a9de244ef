// The duplication checks' lifecycle (dci-ibr.md §5, §8.1, §8.4): create, run (sync or async),
// retry, delete; the callbacks that complete async runs (this is the module's CallbackSink); the
// sweeper that fails checks whose answer never came. Every state change is audited in the
// transaction that makes it: one entry per check for what touches one (create, retry, delete,
// the sweeper's timeout), one entry listing them all for what many share (created together,
// sent in one envelope, answered by one answer or callback).
//
// Threads. Everything here blocks on the database, so it runs on a worker, the CLI's thread or
// the Background, except the SourceClient's completions, which run on the HTTP client's thread
// and only hop to the Background (`on_chunk` and `on_all` of a run are called there).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/background.h"
#include "core/clock.h"
#include "core/thread_annotations.h"
#include "dci_client/check.h"
#include "dci_client/check_store.h"
#include "dci_client/checks_config.h"
#include "dci_client/seams.h"
#include "dci_client/search_answer.h"
#include "store/database.h"

namespace registrar::dci_client {

// Who asks, for the audit log.
struct Actor {
  std::string name;        // principal, "cli:<user>", "system", "dci:<sender_id>"
  std::string request_id;  // "" outside a request
  // The server's own id of the request (core::current_server_request_id() where the request is
  // handled): the entries of a run are written on the Background, after the request's thread.
  std::string server_request_id = {};
};

// One check of a run request: whether it was sent, and if not why.
struct RunEntry {
  std::string id;
  bool sent = false;
  std::string note;  // why nothing changed ("" when sent)
};

// Told as the answers of a run come in (on the Background): each envelope's checks once
// finished (answered, failed, or for async acknowledged), then the whole run. `on_chunk` gets
// the envelope's checks as this run left them: with their outcome where it wrote one, else as
// sent (`checking`: for async the callback is still to come; for sync something else changed
// the check first, so it must be read again to be known).
struct RunObserver {
  std::function<void(const std::vector<Check>& checks)> on_chunk;
  std::function<void()> on_all;
};

struct NewCheck {
  Registrant registrant;
  std::string batch_key;  // "" for none
};

// How send_batch treats one envelope's worth of a batch file's lines.
struct BatchSend {
  RunMode mode = RunMode::kSync;
  // Whether checks of these lines may exist already (a resumed batch). False for a batch with
  // no check yet: nothing is looked up.
  bool look_up = true;
  // Send again the failed ones (completed ones are kept).
  bool retry_failed = false;
};

class CheckService final : public CallbackSink {
 public:
  // `client` may be null (a CLI without the data-source part): run() then refuses before
  // changing anything. `trust` (may be null: nothing verified) checks sync answers' signatures
  // and holds answers and callbacks to their source's registry, unless
  // settings.verify_answers is off.
  CheckService(store::Database& db, const core::Clock& clock, core::Background& background,
               SourceClient* client, CheckSettings settings, AnswerTrust* trust = nullptr);
  ~CheckService() override;

  Check create(const Registrant& r, const std::string& source, const Actor& actor);
  // Many in one transaction. A check whose batch_key exists already is returned as it is (a
  // resumed batch re-sends nothing that is done).
  std::vector<Check> create_many(const std::vector<NewCheck>& checks, const std::string& source,
                                 const Actor& actor);
  std::optional<Check> find(const std::string& id);
  std::vector<Check> list(const CheckFilter& filter);
  // The checks a batch file made (batch.h), in no particular order, without raw responses.
  std::vector<Check> batch(const std::string& prefix);
  // Whether the batch `prefix` has made any check yet.
  bool batch_started(const std::string& prefix);

  // Sends every `ready` check among `ids`, grouped by data source, settings().batch_size per
  // envelope; those are `checking` when this returns. A check in another state (or unknown) is
  // left as it is, its entry saying so. Throws core::Error(kUnavailable) without a SourceClient.
  std::vector<RunEntry> run(const std::vector<std::string>& ids, RunMode mode, const Actor& actor,
                            RunObserver observer = {});
  // A batch file's lines, sent (batch.h): in one transaction, creates the checks of `lines`
  // that do not exist yet, already `checking`; takes those that exist back to `checking` when
  // they are ready, failed (with how.retry_failed) or `checking` without a correlation id (an
  // interrupted sync run's: that process and its answer are gone, and a search is read-only);
  // then sends them, settings().batch_size per envelope. Returns each line's check as the
  // transaction left it (`checking` when sent) and adds the number sent to `sent`. Throws as
  // run().
  std::vector<Check> send_batch(const std::vector<NewCheck>& lines, const std::string& source,
                                const BatchSend& how, const Actor& actor, RunObserver observer,
                                size_t& sent);
  // Back to `ready` (error cleared, correlation id forgotten: a late callback of the old run no
  // longer completes it). Throws core::Error(kNotFound).
  Check retry(const std::string& id, const Actor& actor);
  // Throws core::Error(kNotFound).
  void remove(const std::string& id, const Actor& actor);

  // Fails the checks `checking` for longer than the deadline; returns how many.
  int sweep();
  // The sweeper on the Background, every settings().sweep_interval. stop() cancels it.
  void start_sweeper();
  void stop();

  CallbackOutcome on_search(const std::string& sender_id, const nlohmann::json& message) override;

  const CheckSettings& settings() const { return settings_; }

 private:
  struct Chunk;
  // Shared by the envelopes of one run: its observer, and how many are still to finish.
  struct RunState;
  std::shared_ptr<Chunk> new_chunk(const std::string& source, RunMode mode, const Actor& actor,
                                   std::shared_ptr<RunState> run);
  void send(std::shared_ptr<Chunk> chunk);
  // What an answer (or its absence) writes to its envelope's checks: one outcome per check, in
  // order, and the audit action ("answer", "fail").
  struct Finished {
    std::shared_ptr<Chunk> chunk;
    std::vector<ItemOutcome> outcomes;
    std::string action;
  };
  // Read an envelope's answer (on the Background): what to write, or nothing (an async ACK).
  std::optional<Finished> finish_sync(const Chunk& chunk, const PeerAnswer& answer);
  std::optional<Finished> finish_async(const Chunk& chunk, const PeerAnswer& answer);
  static Finished failed(const Chunk& chunk, const std::string& reason);
  // Queues f and, unless another thread is at it, writes the queue in one transaction per
  // turn until it is empty (group commit), writing each outcome into its chunk's checks and
  // telling each chunk's observer once written (or not: then they are `checking` again).
  void write_finished(Finished f) EXCLUDES(finished_mu_);
  // The observer of the chunk's run: its checks, and the run's end after its last envelope.
  static void tell(Chunk& chunk);
  // The statements of one write transaction, prepared once for all its checks.
  struct Writes;
  // Writes an item's outcome to a check being run; false when nothing was written (waiting,
  // or, with `sent_correlation`, the check is no longer `checking` for that run). Audited as
  // its own entry, or, with `many`, as one line of the caller's entry for all. On false, c is
  // unchanged. Takes the outcome's raw item and programmes (moved).
  bool apply(Writes& w, Check& c, ItemOutcome& outcome, const Actor& actor,
             nlohmann::json* many = nullptr, const std::string* sent_correlation = nullptr);
  // The `run` entry of each envelope about to be sent.
  void audit_runs(Writes& w, const Actor& actor, RunMode mode,
                  const std::vector<std::shared_ptr<Chunk>>& chunks);
  // Counts the run's envelopes and sends them (after the transaction that marked them).
  void send_all(const std::shared_ptr<RunState>& run,
                const std::vector<std::shared_ptr<Chunk>>& chunks);
  void audit(Writes& w, const Actor& actor, const std::string& action, const Check& c,
             nlohmann::json detail = nlohmann::json::object());
  // One entry for a change many checks share (created together, sent in one envelope, answered
  // by one answer): `checks` lists them, each {id, state[, result | error]}. The subject is what
  // they share (the envelope's transaction id; a batch's prefix).
  void audit_many(Writes& w, const Actor& actor, const std::string& action,
                  const std::string& subject, nlohmann::json detail, nlohmann::json checks);

  // Completions of the SourceClient may come after this service is gone (the HTTP client stops
  // after the modules): they hold the Life and do nothing once it has ended.
  struct Life;
  std::shared_ptr<Life> life_;
  store::Database& db_;
  const core::Clock& clock_;
  core::Background& background_;
  SourceClient* client_;
  CheckSettings settings_;
  AnswerTrust* trust_;  // null: answers are taken as they come
  core::Job sweeper_;
  core::Mutex finished_mu_;
  std::vector<Finished> finished_ GUARDED_BY(finished_mu_);  // answers waiting to be written
  bool writing_finished_ GUARDED_BY(finished_mu_) = false;   // a thread is writing them
};

}  // namespace registrar::dci_client
