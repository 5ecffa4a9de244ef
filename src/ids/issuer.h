// Group-commit issuance of UIN / VID / PRID. Callers submit requests from any thread; one
// committer thread gathers them for up to `commit_delay` (or until `batch_max` IDs are pending),
// serves each from returned (UNASSIGNED) IDs first and then from the generator's leased counter
// block, writes them all in one transaction, and only then calls every request's callback. So an
// ID is durably recorded before any caller sees it, at the cost of one commit per batch rather
// than per request. No HTTP types here: the API wraps its Responder in the callback.
#pragma once

#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/metrics.h"
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
  // core::ConfigError when a key or length changed after IDs were issued) and starts the
  // committer thread.
  Issuer(store::Database& db, const core::Clock& clock, const IdsConfig& config,
         const std::string& key, core::Metrics* metrics = nullptr);
  ~Issuer();  // stop()
  Issuer(const Issuer&) = delete;
  Issuer& operator=(const Issuer&) = delete;

  // Thread-safe. The callback runs on the committer thread (or inline when stopped / invalid).
  void submit(IssueRequest request, IssueCallback done);
  // Blocking form (CLI, tests). Never call it from the callback of submit().
  IssueOutcome issue(IssueRequest request);
  // A local status change returned an ID: look for UNASSIGNED rows in the next batch.
  void note_unassigned(IdType type);
  // Completes everything queued, then joins the committer. Later submits fail at once.
  void stop();

 private:
  struct Pending {
    IssueRequest request;
    IssueCallback done;
  };
  struct TypeState {
    std::unique_ptr<IdGenerator> gen;
    CounterBlock block;
    std::deque<IssuedId> ready;   // generated, not yet recorded
    bool exhausted = false;       // the counter space is used up
    bool used = false;            // requested since start: worth generating ahead
    bool failed_prefill = false;  // the last generation ahead failed (database down)
    bool maybe_unassigned = true;
    std::chrono::steady_clock::time_point last_unassigned_check{};
    core::Counter* issued = nullptr;
  };

  void run();
  void process(std::vector<Pending>& batch);
  // Tops up ready IDs of `t` to `need` (leasing blocks as needed); false when the space ran out.
  void fill(TypeState& t, IdType type, size_t need);
  // Generates a chunk ahead for one type in use; false when there is nothing to do.
  bool prefill_one_chunk(std::unique_lock<std::mutex>& lk);

  store::Database& db_;
  const core::Clock& clock_;
  IssuanceConfig config_;
  std::array<TypeState, 3> types_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> queue_;
  size_t queued_ids_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace registrar::ids
