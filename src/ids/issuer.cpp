#include "ids/issuer.h"

#include <sodium.h>

#include <algorithm>
#include <future>
#include <tuple>

#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "http/delivery.h"
#include "ids/store.h"

namespace registrar::ids {

namespace {

constexpr auto kUnassignedRecheck = std::chrono::seconds(5);

int64_t now_ms(const core::Clock& c) {
  return core::to_unix_ms(c.now());
}

size_t index_of(IdType t) {
  return static_cast<size_t>(t);
}

core::Error exhausted_error(IdType t) {
  return core::Error(core::ErrorKind::kUnavailable,
                     std::string("no ") + id_type_name(t) + " is available for allocation");
}

}  // namespace

std::string generator_fingerprint(std::string_view key, IdType type, const IdGenerator& gen) {
  core::ensure_sodium();
  std::string input = std::string("registrar.ids.generator:") + id_type_name(type) + ":" +
                      std::to_string(gen.policy().length) + ":" +
                      std::to_string(gen.counter_space()) + ":";
  input.append(key);
  unsigned char h[16];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), nullptr, 0);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : h) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

Issuer::Issuer(store::Database& db, const core::Clock& clock, core::Background& background,
               const IdsConfig& config, const std::string& key, core::Metrics* metrics)
    : db_(db), clock_(clock), config_(config.issuance) {
  std::vector<std::string> problems;
  for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid}) {
    TypeState& st = types_[index_of(t)];
    st.gen = std::make_unique<IdGenerator>(config.policy(t), key);
    std::string fp = generator_fingerprint(key, t, *st.gen);
    std::string name = id_type_name(t);
    db_.write([&](soci::session& s) {
      auto state = counter_state(s, name);
      if (state && state->next_counter > 0 && state->generator != fp) {
        problems.push_back(config_prefix(t) + ".length or ids.issuance.key: changed after " + name +
                           "s were issued with another; restore the previous values (a new key "
                           "or length would issue duplicates)");
        return;
      }
      set_counter_generator(s, name, fp);
    });
    if (metrics)
      st.issued = &metrics->counter("registrar_ids_issued_total",
                                    "IDs issued and durably recorded.", "type=\"" + name + "\"");
  }
  if (!problems.empty()) throw core::ConfigError(std::move(problems));
  core::BatchOptions o;
  o.max_batch = config_.batch_max;  // in IDs: a request weighs its count
  o.max_concurrent = 1;             // types_ is the committer's alone
  o.delay = config_.commit_delay;
  o.name = "ids_issuer";
  queue_ = std::make_unique<core::BatchQueue<Pending>>(
      background, o, [this](std::vector<Pending>& batch) { process(batch); },
      [](const Pending& p) { return size_t(p.request.count); },
      [this] { return prefill_one_chunk(); });
}

Issuer::~Issuer() {
  stop();
}

void Issuer::stop() {
  queue_->stop();
}

void Issuer::submit(IssueRequest request, IssueCallback done) {
  if (request.count < 1) {
    IssueOutcome o;
    o.error = core::invalid_argument("count must be at least 1", "count");
    done(std::move(o));
    return;
  }
  Pending p{std::move(request), std::move(done)};
  if (queue_->submit(std::move(p))) return;
  // Refused (stopping): `p` was left untouched.
  IssueOutcome o;
  o.error = core::Error(core::ErrorKind::kUnavailable, "the server is shutting down");
  p.done(std::move(o));
}

IssueOutcome Issuer::issue(IssueRequest request) {
  auto promise = std::make_shared<std::promise<IssueOutcome>>();
  auto future = promise->get_future();
  submit(std::move(request), [promise](IssueOutcome o) { promise->set_value(std::move(o)); });
  return future.get();
}

void Issuer::note_unassigned(IdType type) {
  core::MutexLock lock(mu_);
  hints_[index_of(type)].maybe = true;
}

bool Issuer::prefill_one_chunk() {
  const size_t target = std::min<size_t>(config_.batch_max, 4096);
  for (size_t i = 0; i < types_.size(); ++i) {
    TypeState& t = types_[i];
    if (!t.used || t.exhausted || t.failed_prefill || t.ready.size() >= target) continue;
    try {
      fill(t, IdType(i), std::min(target, t.ready.size() + 256));
    } catch (const std::exception& e) {
      t.failed_prefill = true;  // retried after the next batch; the batch reports the error
      log::warn("ids_prefill_failed", {{"error", core::loggable_message(e)}});
    }
    return true;
  }
  return false;
}

void Issuer::fill(TypeState& t, IdType type, size_t need) {
  std::vector<IssuedId> out;
  while (t.ready.size() < need && !t.exhausted) {
    if (t.block.exhausted()) {
      const uint64_t space = t.gen->counter_space();
      int64_t step = config_.block_size;
      int64_t start = db_.write([&](soci::session& s) {
        return lease_counters(s, db_.backend(), id_type_name(type), step);
      });
      if (uint64_t(start) >= space) {
        t.exhausted = true;
        break;
      }
      t.block = CounterBlock{uint64_t(start), std::min(space, uint64_t(start + step))};
    }
    out.clear();
    t.gen->next_ids(t.block, need - t.ready.size(), out);
    for (auto& id : out) t.ready.push_back(std::move(id));
  }
}

void Issuer::process(std::vector<Pending>& batch) {
  const int64_t now = now_ms(clock_);
  std::vector<IssueOutcome> outcomes(batch.size());
  std::array<size_t, 3> need{0, 0, 0};
  for (auto& p : batch) need[index_of(p.request.type)] += size_t(p.request.count);
  for (size_t i = 0; i < 3; ++i) {
    if (need[i] == 0) continue;
    types_[i].used = true;
    types_[i].failed_prefill = false;
  }

  std::array<bool, 3> check_unassigned{};
  {
    core::MutexLock lock(mu_);
    auto steady = std::chrono::steady_clock::now();
    for (size_t i = 0; i < 3; ++i) {
      if (steady - hints_[i].last_check > kUnassignedRecheck) hints_[i].maybe = true;
      check_unassigned[i] = need[i] > 0 && hints_[i].maybe;
    }
  }

  std::array<size_t, 3> used_ready{0, 0, 0};
  try {
    for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid})
      if (need[index_of(t)] > 0) fill(types_[index_of(t)], t, need[index_of(t)]);

    db_.write([&](soci::session& s) {
      std::vector<IssuedRow> rows;
      std::array<std::vector<std::string>, 3> reclaimed;
      std::array<size_t, 3> next_reclaimed{0, 0, 0};
      for (size_t i = 0; i < 3; ++i) {
        used_ready[i] = 0;
        if (check_unassigned[i])
          reclaimed[i] = unassigned_ids(s, db_.backend(), id_type_name(IdType(i)), now, need[i]);
      }
      std::array<bool, 3> failed{false, false, false};
      for (size_t r = 0; r < batch.size(); ++r) {
        const IssueRequest& req = batch[r].request;
        const size_t ti = index_of(req.type);
        TypeState& t = types_[ti];
        IssueOutcome& o = outcomes[r];
        o = IssueOutcome{};
        size_t available =
            (reclaimed[ti].size() - next_reclaimed[ti]) + (t.ready.size() - used_ready[ti]);
        if (failed[ti] || available < size_t(req.count)) {
          failed[ti] = true;  // keep order: later requests of this type fail too
          o.error = exhausted_error(req.type);
          o.exhausted = true;
          continue;
        }
        o.expires_ms = req.expires_ms;
        for (int k = 0; k < req.count; ++k) {
          if (next_reclaimed[ti] < reclaimed[ti].size()) {
            const std::string& id = reclaimed[ti][next_reclaimed[ti]++];
            reissue(s, id_type_name(req.type), id, now, req.expires_ms, req.actor);
            o.ids.push_back(id);
          } else {
            const IssuedId& g = t.ready[used_ready[ti]++];
            rows.push_back(IssuedRow{id_type_name(req.type), g.id, int64_t(g.counter), kIssued, now,
                                     now, req.expires_ms, req.actor});
            o.ids.push_back(g.id);
          }
        }
      }
      // In key order: the generated IDs are scattered over the unique index, and inserting them
      // sorted walks its pages once, left to right, instead of jumping between them.
      std::sort(rows.begin(), rows.end(), [](const IssuedRow& a, const IssuedRow& b) {
        return std::tie(a.type, a.id) < std::tie(b.type, b.id);
      });
      insert_issued(s, db_.backend(), rows);
      core::MutexLock lock(mu_);
      for (size_t i = 0; i < 3; ++i) {
        if (!check_unassigned[i]) continue;
        hints_[i].last_check = std::chrono::steady_clock::now();
        if (reclaimed[i].size() < need[i]) hints_[i].maybe = false;
      }
    });
    for (size_t i = 0; i < 3; ++i) {
      types_[i].ready.erase(types_[i].ready.begin(), types_[i].ready.begin() + long(used_ready[i]));
    }
    for (size_t r = 0; r < batch.size(); ++r) {
      TypeState& t = types_[index_of(batch[r].request.type)];
      if (outcomes[r].ok() && t.issued) t.issued->add(outcomes[r].ids.size());
    }
  } catch (const std::exception& e) {
    // Nothing of this batch was recorded. IDs handed to the failed transaction are dropped, not
    // reused: after an unknown commit outcome, reusing them could issue one twice.
    for (size_t i = 0; i < 3; ++i)
      types_[i].ready.erase(
          types_[i].ready.begin(),
          types_[i].ready.begin() + long(std::min(used_ready[i], types_[i].ready.size())));
    bool unique = store::is_unique_violation(e);
    log::error("ids_issue_failed",
               {{"error", core::loggable_message(e)}, {"requests", batch.size()}});
    for (auto& o : outcomes) {
      o = IssueOutcome{};
      o.error = core::Error(
          unique ? core::ErrorKind::kInternal : core::ErrorKind::kUnavailable,
          unique ? "an issued ID collided with a recorded one" : "the ID store is not available");
    }
  }
  http::DeliveryBatch together;  // the answers reach the I/O threads in one hand-over each
  for (size_t r = 0; r < batch.size(); ++r) {
    try {
      batch[r].done(std::move(outcomes[r]));
    } catch (const std::exception& e) {
      log::error("ids_issue_callback_failed", {{"error", core::loggable_message(e)}});
    }
  }
}

}  // namespace registrar::ids
