#include "dci_client/check_service.h"

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "core/thread_annotations.h"
#include "dci_client/check_service_parts.h"
#include "dci_client/search_query.h"
#include "store/audit.h"

namespace registrar::dci_client {

using namespace check_detail;

CheckService::CheckService(store::Database& db, const core::Clock& clock,
                           core::Background& background, SourceClient* client,
                           CheckSettings settings, AnswerTrust* trust)
    : life_(std::make_shared<Life>()),
      db_(db),
      clock_(clock),
      background_(background),
      client_(client),
      settings_(std::move(settings)),
      trust_(settings_.verify_answers ? trust : nullptr) {}

CheckService::~CheckService() {
  stop();
}

void CheckService::stop() {
  sweeper_.cancel();
  life_->end();
}

void CheckService::audit(Writes& w, const Actor& actor, const std::string& action, const Check& c,
                         Json detail) {
  detail["source"] = c.source;
  detail["state"] = std::string(state_name(c.state));
  if (c.result) detail["result"] = std::string(result_name(*c.result));
  w.audit.append({actor.name, "dci_client.check." + action, c.id, actor.request_id,
                  std::move(detail), actor.server_request_id},
                 clock_.now());
}

void CheckService::audit_many(Writes& w, const Actor& actor, const std::string& action,
                              const std::string& subject, Json detail, Json checks) {
  if (checks.empty()) return;
  detail["checks"] = std::move(checks);
  w.audit.append({actor.name, "dci_client.checks." + action, subject, actor.request_id,
                  std::move(detail), actor.server_request_id},
                 clock_.now());
}

Check CheckService::create(const Registrant& r, const std::string& source, const Actor& actor) {
  return create_many({{r, ""}}, source, actor).at(0);
}

std::vector<Check> CheckService::create_many(const std::vector<NewCheck>& checks,
                                             const std::string& source, const Actor& actor) {
  if (source.empty())
    throw core::invalid_argument("source (a data source code) is required", "source");
  std::vector<std::string> keys;
  for (const auto& n : checks)
    if (!n.batch_key.empty()) keys.push_back(n.batch_key);
  return db_.write([&](soci::session& s) {
    std::map<std::string, Check> existing;
    for (auto& c : db::find_by_batch_keys(s, keys)) {
      std::string key = c.batch_key;
      existing.emplace(std::move(key), std::move(c));
    }
    Writes w(s);
    std::vector<Check> out;
    out.reserve(checks.size());
    core::SystemTime now = clock_.now();
    const bool one = checks.size() == 1;
    Json made = Json::array();
    for (const auto& n : checks) {
      if (!n.batch_key.empty())
        if (auto it = existing.find(n.batch_key); it != existing.end()) {
          out.push_back(it->second);
          continue;
        }
      Check c;
      // Time-ordered: the checks created together are neighbours in the id index.
      c.id = core::uuid_v4_time_ordered(core::to_unix_us(now) / 1000);
      c.registrant = n.registrant;
      c.source = source;
      c.batch_key = n.batch_key;
      c.created = c.updated = now;
      w.checks.insert(c);
      if (one)
        audit(w, actor, "create", c);
      else
        made.push_back(audit_line(c));
      if (!c.batch_key.empty()) existing.emplace(c.batch_key, c);  // twice in one call
      out.push_back(std::move(c));
    }
    // Many at once: one entry. A batch file's checks share its prefix ("<source>:<digest>").
    std::string subject = checks[0].batch_key.empty()
                              ? "create:" + core::uuid_v4()
                              : checks[0].batch_key.substr(0, checks[0].batch_key.rfind(':'));
    audit_many(w, actor, "create", subject, {{"source", source}}, std::move(made));
    return out;
  });
}

std::optional<Check> CheckService::find(const std::string& id) {
  return db_.read([&](soci::session& s) { return db::find_check(s, id); });
}

std::vector<Check> CheckService::list(const CheckFilter& filter) {
  return db_.read([&](soci::session& s) { return db::list_checks(s, filter); });
}

std::vector<Check> CheckService::batch(const std::string& prefix) {
  return db_.read([&](soci::session& s) { return db::batch_checks(s, prefix, false); });
}

bool CheckService::batch_started(const std::string& prefix) {
  return db_.read([&](soci::session& s) { return db::batch_started(s, prefix); });
}

std::vector<RunEntry> CheckService::run(const std::vector<std::string>& ids, RunMode mode,
                                        const Actor& actor, RunObserver observer) {
  if (!client_)
    throw core::Error(core::ErrorKind::kUnavailable,
                      "no data-source client here: checks cannot be sent");
  if (life_->ended())
    throw core::Error(core::ErrorKind::kUnavailable, "the checks service is stopping");
  std::vector<RunEntry> entries;
  std::vector<std::shared_ptr<Chunk>> chunks;
  auto run = std::make_shared<RunState>();
  run->observer = std::move(observer);
  db_.write([&](soci::session& s) {
    entries.clear();
    chunks.clear();
    std::map<std::string, std::shared_ptr<Chunk>> open;  // by source: the chunk being filled
    std::map<std::string, Check> found = by_id(db::find_checks(s, ids, true));
    Writes w(s);
    core::SystemTime now = clock_.now();
    for (const auto& id : ids) {
      RunEntry e{id, false, ""};
      auto it = found.find(id);
      Check* c = it == found.end() ? nullptr : &it->second;
      if (!c) {
        e.note = "no such check";
      } else if (c->state != CheckState::kReady) {
        // OpenSPP: a run on a completed or failed check logs and changes nothing (§8.1).
        e.note = c->state == CheckState::kChecking
                     ? "the check is already being checked"
                     : "the check is " + std::string(state_name(c->state)) +
                           ": nothing changed (retry it first to ask again)";
      } else {
        auto& chunk = open[c->source];
        if (!chunk || int(chunk->checks.size()) >= settings_.batch_size) {
          chunk = new_chunk(c->source, mode, actor, run);
          chunks.push_back(chunk);
        }
        c->state = CheckState::kChecking;
        c->error.clear();
        c->correlation_id = chunk->correlation_id;
        c->notes = correlation_note(chunk->correlation_id);
        c->updated = now;
        w.checks.update(*c);
        // A copy: the one in `found`, now `checking`, answers an id named twice.
        chunk->checks.push_back(*c);
        e.sent = true;
      }
      entries.push_back(std::move(e));
    }
    audit_runs(w, actor, mode, chunks);
  });
  send_all(run, chunks);
  return entries;
}

std::shared_ptr<CheckService::Chunk> CheckService::new_chunk(const std::string& source,
                                                             RunMode mode, const Actor& actor,
                                                             std::shared_ptr<RunState> run) {
  auto chunk = std::make_shared<Chunk>();
  chunk->source = source;
  chunk->mode = mode;
  chunk->actor = actor;
  chunk->run = std::move(run);
  // We choose the correlation id and send it (§12.5): the callback can then arrive before the
  // ACK does and still find its checks.
  if (mode == RunMode::kAsync) chunk->correlation_id = core::uuid_v4();
  chunk->transaction_id = core::uuid_v4();
  return chunk;
}

void CheckService::audit_runs(Writes& w, const Actor& actor, RunMode mode,
                              const std::vector<std::shared_ptr<Chunk>>& chunks) {
  for (const auto& chunk : chunks) {
    Json lines = Json::array();
    for (const auto& c : chunk->checks) lines.push_back(audit_line(c));
    audit_many(w, actor, "run", chunk->transaction_id,
               {{"source", chunk->source},
                {"mode", mode == RunMode::kAsync ? "async" : "sync"},
                {"correlation_id", chunk->correlation_id}},
               std::move(lines));
  }
}

void CheckService::send_all(const std::shared_ptr<RunState>& run,
                            const std::vector<std::shared_ptr<Chunk>>& chunks) {
  run->left = chunks.size();
  if (chunks.empty() && run->observer.on_all) run->observer.on_all();
  for (const auto& chunk : chunks) send(chunk);
}

std::vector<Check> CheckService::send_batch(const std::vector<NewCheck>& lines,
                                            const std::string& source, const BatchSend& how,
                                            const Actor& actor, RunObserver observer,
                                            size_t& sent) {
  if (!client_)
    throw core::Error(core::ErrorKind::kUnavailable,
                      "no data-source client here: checks cannot be sent");
  if (life_->ended())
    throw core::Error(core::ErrorKind::kUnavailable, "the checks service is stopping");
  if (source.empty())
    throw core::invalid_argument("source (a data source code) is required", "source");
  auto run = std::make_shared<RunState>();
  run->observer = std::move(observer);
  std::vector<std::shared_ptr<Chunk>> chunks;
  std::vector<Check> out;
  size_t now_sent = 0;
  db_.write([&](soci::session& s) {
    chunks.clear();
    out.clear();
    now_sent = 0;
    std::map<std::string, Check> existing;
    if (how.look_up) {
      std::vector<std::string> keys;
      for (const auto& n : lines) keys.push_back(n.batch_key);
      for (auto& c : db::find_by_batch_keys(s, keys)) {
        std::string key = c.batch_key;
        existing.emplace(std::move(key), std::move(c));
      }
    }
    Writes w(s);
    core::SystemTime now = clock_.now();
    Json made = Json::array(), again = Json::array();
    auto chunk_for_next = [&]() -> Chunk& {
      if (chunks.empty() || int(chunks.back()->checks.size()) >= settings_.batch_size)
        chunks.push_back(new_chunk(source, how.mode, actor, run));
      return *chunks.back();
    };
    std::set<std::string_view> seen;  // a key named twice is sent once
    for (const auto& n : lines) {
      auto it = existing.find(n.batch_key);
      if (!seen.insert(n.batch_key).second) {
        out.push_back(it->second);
        continue;
      }
      if (it == existing.end()) {
        Chunk& chunk = chunk_for_next();
        Check c;
        // Time-ordered: the checks created together are neighbours in the id index.
        c.id = core::uuid_v4_time_ordered(core::to_unix_us(now) / 1000);
        c.registrant = n.registrant;
        c.source = source;
        c.batch_key = n.batch_key;
        c.state = CheckState::kChecking;
        c.correlation_id = chunk.correlation_id;
        c.notes = correlation_note(chunk.correlation_id);
        c.created = c.updated = now;
        w.checks.insert(c);
        made.push_back(audit_line(c));
        existing.emplace(c.batch_key, c);
        chunk.checks.push_back(c);
        out.push_back(std::move(c));
        ++now_sent;
        continue;
      }
      const Check& found = it->second;
      const bool resend = found.state == CheckState::kReady ||
                          (found.state == CheckState::kChecking && found.correlation_id.empty()) ||
                          (found.state == CheckState::kFailed && how.retry_failed);
      if (!resend) {
        out.push_back(found);
        continue;
      }
      Chunk& chunk = chunk_for_next();
      Check c = found;
      c.state = CheckState::kChecking;
      c.error.clear();
      c.correlation_id = chunk.correlation_id;
      c.notes = correlation_note(chunk.correlation_id);
      c.updated = now;
      // On PostgreSQL another transaction may have changed it since it was read: left alone.
      if (!w.checks.start(c, found.state)) {
        out.push_back(found);
        continue;
      }
      if (found.state != CheckState::kReady) again.push_back(audit_line(found));
      it->second = c;
      chunk.checks.push_back(c);
      out.push_back(std::move(c));
      ++now_sent;
    }
    std::string prefix =
        lines.empty() ? std::string() : lines[0].batch_key.substr(0, lines[0].batch_key.rfind(':'));
    audit_many(w, actor, "create", prefix, {{"source", source}}, std::move(made));
    // Sent again: what each was before (an interrupted run's `checking`, or failed).
    audit_many(w, actor, "retry", prefix, {{"source", source}}, std::move(again));
    audit_runs(w, actor, how.mode, chunks);
  });
  sent += now_sent;
  send_all(run, chunks);
  return out;
}

Check CheckService::retry(const std::string& id, const Actor& actor) {
  return db_.write([&](soci::session& s) {
    auto c = db::find_check_for_update(s, id);
    if (!c) throw core::not_found("no check " + id);
    if (c->state == CheckState::kReady) return *c;
    std::string before(state_name(c->state));
    c->state = CheckState::kReady;
    c->error.clear();
    c->correlation_id.clear();
    c->notes.clear();
    c->updated = clock_.now();
    Writes w(s);
    w.checks.update(*c);
    audit(w, actor, "retry", *c, {{"from", before}});
    return *c;
  });
}

void CheckService::remove(const std::string& id, const Actor& actor) {
  db_.write([&](soci::session& s) {
    auto c = db::find_check_for_update(s, id);
    if (!c) throw core::not_found("no check " + id);
    db::delete_check(s, id);
    Writes w(s);
    audit(w, actor, "delete", *c);
  });
}

int CheckService::sweep() {
  core::SystemTime before = clock_.now() - settings_.deadline;
  Actor system{"system", ""};
  std::string reason =
      "timeout: no answer within " + std::to_string(settings_.deadline.count()) + " s of sending";
  int failed = 0;
  for (;;) {
    std::vector<Check> stale =
        db_.read([&](soci::session& s) { return db::stale_checks(s, before, 200); });
    if (stale.empty()) break;
    int now_failed = db_.write([&](soci::session& s) {
      int n = 0;
      Writes w(s);
      for (auto& fresh : db::find_checks(s, ids_of(stale), true)) {
        if (fresh.state != CheckState::kChecking || fresh.updated >= before) continue;
        ItemOutcome o;
        o.reason = reason;
        o.raw = nullptr;
        n += apply(w, fresh, o, system) ? 1 : 0;
      }
      return n;
    });
    failed += now_failed;
    if (now_failed == 0 || stale.size() < 200) break;
  }
  if (failed > 0) log::info("dci_checks_timed_out", {{"count", failed}});
  return failed;
}

void CheckService::start_sweeper() {
  sweeper_ = background_.every(
      settings_.sweep_interval,
      [this] {
        try {
          sweep();
        } catch (const std::exception& e) {
          log::warn("dci_checks_sweep_failed", {{"error", core::loggable_message(e)}});
        }
      },
      settings_.sweep_interval);
}

}  // namespace registrar::dci_client
