// Group-commit issuance of UIN / VID / PRID. Callers submit requests from any thread; a
// core::BatchQueue on the platform's Background gathers them for up to `commit_delay` (or until
// `batch_max` IDs are pending) and hands them, one batch at a time, to the committer step, which
// serves each from returned (UNASSIGNED) IDs first and then from the generator's leased counter
// block, writes them all in one transaction, and only then calls every request's callback. So an
// ID is durably recorded before any caller sees it, at the cost of one commit per batch rather
// than per request. While the queue is idle the same step generates IDs ahead (on_idle), one
// chunk per turn. No HTTP types here: the API wraps its Responder in the callback.
//
// Threads: submit/issue/note_unassigned from any thread; stop from any thread but a callback.
// process() and prefill run on Background threads, never two at once (max_concurrent = 1), so
// the generator state (`types_`) needs no lock; the hints that note_unassigned sets do.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/background.h"
#include "core/batch_queue.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/metrics.h"
#include "core/thread_annotations.h"
#include "ids/config.h"
#include "ids/issuance.h"
#include "store/database.h"

namespace registrar::ids {

struct IssueRequest {
  IdType type = IdType::kUin;
  int count = 1;
  std::optional<int64_t> expires_ms;  // VID expiry (unix ms); must be in the future
  std::string actor;
};

struct IssueOutcome {
  std::vector<std::string> ids;  // all `count` IDs, or none
  // Set when nothing was issued: kUnavailable with exhausted == true when the ID space (and the
  // pool of returned IDs) is used up, kUnavailable/kInternal when the database failed.
  std::optional<core::Error> error;
  bool exhausted = false;
  std::optional<int64_t> expires_ms;
  bool ok() const { return !error; }
};

using IssueCallback = std::function<void(IssueOutcome)>;

// Fingerprint of the generator of one type (key + ID space): stored with the counters so that
// a changed key or length, which would start a different permutation, is refused at start.
std::string generator_fingerprint(std::string_view key, IdType type, const IdGenerator& gen);

class Issuer {
 public:
  // `key` is the issuance secret. Checks the stored generator fingerprints (throws
  // core::ConfigError when a key or length changed after IDs were issued). Batches run on
  // `background`, which must outlive the Issuer.
  Issuer(store::Database& db, const core::Clock& clock, core::Background& background,
         const IdsConfig& config, const std::string& key, core::Metrics* metrics = nullptr);
  ~Issuer();  // stop()
  Issuer(const Issuer&) = delete;
  Issuer& operator=(const Issuer&) = delete;

  // Thread-safe. The callback runs on a Background thread (or inline when stopped / invalid,
  // or on the submitting thread if the Background has already stopped).
  void submit(IssueRequest request, IssueCallback done);
  // Blocking form (CLI, tests). Never call it from the callback of submit().
  IssueOutcome issue(IssueRequest request);
  // A local status change returned an ID: look for UNASSIGNED rows in the next batch.
  void note_unassigned(IdType type) EXCLUDES(mu_);
  // Completes everything queued, then returns. Later submits fail at once.
  void stop();

 private:
  struct Pending {
    IssueRequest request;
    IssueCallback done;
  };
  // Generator state of one type: touched only by the batch step (one at a time, see above).
  struct TypeState {
    std::unique_ptr<IdGenerator> gen;
    CounterBlock block;
    std::deque<IssuedId> ready;   // generated, not yet recorded
    bool exhausted = false;       // the counter space is used up
    bool used = false;            // requested since start: worth generating ahead
    bool failed_prefill = false;  // the last generation ahead failed (database down)
    core::Counter* issued = nullptr;
  };
  // Whether UNASSIGNED rows of a type may exist; set by note_unassigned from any thread.
  struct UnassignedHint {
    bool maybe = true;
    std::chrono::steady_clock::time_point last_check{};
  };

  // The batch step (BatchQueue's process).
  void process(std::vector<Pending>& batch) EXCLUDES(mu_);
  // Tops up ready IDs of `t` to `need` (leasing blocks as needed); false when the space ran out.
  void fill(TypeState& t, IdType type, size_t need);
  // The idle step: generates a chunk ahead for one type in use; false when there is nothing to do.
  bool prefill_one_chunk();

  store::Database& db_;
  const core::Clock& clock_;
  IssuanceConfig config_;
  std::array<TypeState, 3> types_;

  core::Mutex mu_;
  std::array<UnassignedHint, 3> hints_ GUARDED_BY(mu_);

  // Last: destroyed (stopped) first, while the state its batches use still exists.
  std::unique_ptr<core::BatchQueue<Pending>> queue_;
};

}  // namespace registrar::ids
