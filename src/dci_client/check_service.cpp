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
#include "dci_client/search_query.h"
#include "store/audit.h"

namespace registrar::dci_client {

using Json = nlohmann::json;

struct CheckService::Life {
  core::Mutex mu;
  core::CondVar idle;
  bool alive GUARDED_BY(mu) = true;
  int running GUARDED_BY(mu) = 0;

  bool enter() EXCLUDES(mu) {
    core::MutexLock l(mu);
    if (!alive) return false;
    ++running;
    return true;
  }
  void leave() EXCLUDES(mu) {
    core::MutexLock l(mu);
    if (--running == 0) idle.notify_all();
  }
  bool ended() EXCLUDES(mu) {
    core::MutexLock l(mu);
    return !alive;
  }
  // After this, enter() refuses; waits for those inside.
  void end() EXCLUDES(mu) {
    core::MutexLock l(mu);
    alive = false;
    while (running > 0) idle.wait(mu);
  }
};

struct CheckService::RunState {
  RunObserver observer;
  std::atomic<size_t> left{0};  // on_all when the last envelope is finished
};

// One envelope of a run: checks of one source, in the order of the items.
struct CheckService::Chunk {
  std::string source;
  RunMode mode = RunMode::kSync;
  std::string transaction_id;  // the envelope's; the subject of its audit entries
  std::string correlation_id;  // async
  std::vector<Check> checks;
  Actor actor;
  std::shared_ptr<RunState> run;
};

struct CheckService::Writes {
  explicit Writes(soci::session& s) : checks(s), audit(s) {}
  db::CheckWriter checks;
  store::AuditWriter audit;
};

namespace {

// By id, for a loop over the ids in their own order.
std::map<std::string, Check> by_id(std::vector<Check> checks) {
  std::map<std::string, Check> out;
  for (auto& c : checks) {
    std::string id = c.id;
    out.emplace(std::move(id), std::move(c));
  }
  return out;
}

std::vector<std::string> ids_of(const std::vector<Check>& checks) {
  std::vector<std::string> out;
  out.reserve(checks.size());
  for (const auto& c : checks) out.push_back(c.id);
  return out;
}

std::string reason_of(const PeerAnswer& a) {
  if (!a.error.empty()) return a.error;
  return "HTTP " + std::to_string(a.http_status);
}

// "correlation: <id>" (§12.5: what OpenSPP's callback looks for in notes).
std::string correlation_note(const std::string& id) {
  return id.empty() ? "" : "correlation: " + id;
}

}  // namespace

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

namespace {

Json audit_line(const Check& c) {
  Json line = {{"id", c.id}, {"state", std::string(state_name(c.state))}};
  if (c.state == CheckState::kCompleted && c.result)
    line["result"] = std::string(result_name(*c.result));
  if (!c.error.empty()) line["error"] = c.error;
  return line;
}

}  // namespace

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

void CheckService::send(std::shared_ptr<Chunk> chunk) {
  Json items = Json::array();
  core::SystemTime now = clock_.now();
  for (const auto& c : chunk->checks)
    items.push_back(search_item(c.registrant, c.id, now, settings_.query));
  Json message = search_request(chunk->transaction_id, std::move(items), chunk->correlation_id);
  Endpoint endpoint = chunk->mode == RunMode::kAsync ? Endpoint::kSearch : Endpoint::kSyncSearch;
  client_->post(chunk->source, endpoint, std::move(message),
                [this, bg = &background_, life = life_, chunk](PeerAnswer answer) {
                  // The HTTP client's thread: the database work goes to the Background (which
                  // outlives this service; `this` is only used once the Life is entered).
                  bool queued = bg->schedule([this, life, chunk, answer = std::move(answer)] {
                    if (!life->enter()) {
                      // The observer is told even when nothing was written (the service
                      // stopped): whoever waits on it must not wait forever.
                      tell(*chunk);
                      return;
                    }
                    try {
                      std::optional<Finished> f = chunk->mode == RunMode::kAsync
                                                      ? finish_async(*chunk, answer)
                                                      : finish_sync(*chunk, answer);
                      if (f) {
                        f->chunk = chunk;
                        write_finished(std::move(*f));  // tells the observer once written
                      } else {
                        tell(*chunk);
                      }
                    } catch (const std::exception& e) {
                      // The checks stay `checking`; the sweeper fails them at the deadline.
                      log::warn("dci_checks_answer_not_written",
                                {{"source", chunk->source}, {"error", core::loggable_message(e)}});
                      tell(*chunk);
                    }
                    life->leave();
                  });
                  if (!queued)
                    log::warn("dci_checks_answer_dropped",
                              {{"source", chunk->source},
                               {"why", "shutting down; the sweeper fails the checks later"}});
                });
}

void CheckService::tell(Chunk& chunk) {
  const RunObserver& o = chunk.run->observer;
  if (o.on_chunk) o.on_chunk(chunk.checks);
  if (chunk.run->left.fetch_sub(1) == 1 && o.on_all) o.on_all();
}

void CheckService::write_finished(Finished f) {
  {
    core::MutexLock l(finished_mu_);
    finished_.push_back(std::move(f));
    if (writing_finished_) return;  // the writer takes it with its next transaction
    writing_finished_ = true;
  }
  // Group commit: this thread writes whatever has been queued, in one transaction, until
  // nothing is left; answers that arrive meanwhile wait for the next one instead of each
  // paying its own commit.
  for (;;) {
    std::vector<Finished> batch;
    {
      core::MutexLock l(finished_mu_);
      if (finished_.empty()) {
        writing_finished_ = false;
        return;
      }
      batch.swap(finished_);
    }
    try {
      db_.write([&](soci::session& s) {
        Writes w(s);
        for (auto& one : batch) {
          Chunk& chunk = *one.chunk;
          Json lines = Json::array();
          // Only the run that sent it may finish it (a retry, the sweeper or a callback came
          // first): `checking` with the correlation id it was sent with (none for sync).
          for (size_t i = 0; i < chunk.checks.size(); ++i)
            apply(w, chunk.checks[i], one.outcomes[i], chunk.actor, &lines, &chunk.correlation_id);
          audit_many(w, chunk.actor, one.action, chunk.transaction_id, {{"source", chunk.source}},
                     std::move(lines));
        }
      });
    } catch (const std::exception& e) {
      // Nothing was written: the checks are `checking` again, as far as anyone knows.
      for (auto& one : batch)
        for (auto& c : one.chunk->checks) c.state = CheckState::kChecking;
      log::warn("dci_checks_answer_not_written",
                {{"envelopes", batch.size()}, {"error", core::loggable_message(e)}});
    }
    for (auto& one : batch) tell(*one.chunk);
  }
}

bool CheckService::apply(Writes& w, Check& c, ItemOutcome& outcome, const Actor& actor, Json* many,
                         const std::string* sent_correlation) {
  if (outcome.kind == ItemOutcome::Kind::kWaiting) return false;
  core::SystemTime now = clock_.now();
  // What an outcome changes, kept to be put back when the conditional write finds the check
  // taken by something else (c then stays as it was).
  struct Before {
    CheckState state;
    std::optional<CheckResult> result;
    std::vector<std::string> programmes;
    Json raw;
    std::string error;
    core::SystemTime updated;
    std::optional<core::SystemTime> checked;
  } before{c.state,
           c.result,
           std::move(c.matched_programmes),
           std::move(c.raw_response),
           std::move(c.error),
           c.updated,
           c.checked};
  c.raw_response = std::move(outcome.raw);
  c.updated = now;
  c.checked = now;
  if (outcome.kind == ItemOutcome::Kind::kCompleted) {
    c.state = CheckState::kCompleted;
    c.result = outcome.result;
    c.matched_programmes = std::move(outcome.programmes);
    c.error.clear();
  } else {
    c.state = CheckState::kFailed;
    c.result = before.result;
    c.matched_programmes = before.programmes;
    c.error = outcome.reason;
  }
  bool written = true;
  if (!sent_correlation)
    w.checks.update(c);
  else
    written = w.checks.finish(c, *sent_correlation);
  if (!written) {
    c.state = before.state;
    c.result = before.result;
    c.matched_programmes = std::move(before.programmes);
    c.raw_response = std::move(before.raw);
    c.error = std::move(before.error);
    c.updated = before.updated;
    c.checked = before.checked;
    return false;
  }
  if (many)
    many->push_back(audit_line(c));
  else
    audit(w, actor, c.state == CheckState::kCompleted ? "complete" : "fail", c,
          c.error.empty() ? Json::object() : Json{{"error", c.error}});
  return true;
}

CheckService::Finished CheckService::failed(const Chunk& chunk, const std::string& reason) {
  Finished f;
  f.action = "fail";
  f.outcomes.resize(chunk.checks.size());
  for (auto& o : f.outcomes) o.reason = reason;
  return f;
}

std::optional<CheckService::Finished> CheckService::finish_sync(const Chunk& chunk,
                                                                const PeerAnswer& answer) {
  if (!answer.ok()) return failed(chunk, "the search failed: " + reason_of(answer));
  Json parsed;  // the answer, when `body` was left to its reader (a sync answer's text)
  if (trust_) {
    // A header-level rejection is signed too (§2.4): checked before it is read.
    std::string signer;
    std::string why =
        trust_->refusal(answer.raw, signer, answer.body.is_null() ? &parsed : nullptr);
    if (!why.empty()) return failed(chunk, "the answer's signature was refused: " + why);
    std::string registry = trust_->signer_of(chunk.source);
    if (!registry.empty() && signer != registry)
      return failed(chunk, "the answer is signed by sender " + signer +
                               ", not by the data source's registry " + registry);
  }
  if (!trust_ && answer.body.is_null()) {
    parsed = Json::parse(answer.raw, nullptr, false);
    if (parsed.is_discarded()) parsed = nullptr;
  }
  const Json& body = answer.body.is_null() ? parsed : answer.body;
  auto message_it = body.is_object() ? body.find("message") : body.end();
  const Json* message = body.is_object() && message_it != body.end() ? &*message_it : nullptr;
  std::map<std::string, const Json*> items;
  try {
    if (!message) throw core::invalid_argument("the answer is not a DCI envelope");
    items = items_by_reference(*message);
  } catch (const core::Error& e) {
    // A header-level rejection carries its reason in the header (§2.4).
    Json h = body.is_object() ? body.value("header", Json::object()) : Json();
    std::string why = text_member(h, "status") == "rjct"
                          ? "rejected by the registry: " + text_member(h, "status_reason_code") +
                                " " + text_member(h, "status_reason_message")
                          : std::string("the answer could not be read: ") + e.what();
    return failed(chunk, why);
  }
  Finished f;
  f.action = "answer";
  std::vector<ItemOutcome>& outcomes = f.outcomes;
  outcomes.reserve(chunk.checks.size());
  for (const auto& sent : chunk.checks) {
    auto it = items.find(sent.id);
    ItemOutcome& o = outcomes.emplace_back();
    if (it == items.end())
      o.reason = "the answer has no item for this check (reference_id " + sent.id + ")";
    else
      o = read_item(*it->second, AnswerPath::kSync);
  }
  return f;
}

std::optional<CheckService::Finished> CheckService::finish_async(const Chunk& chunk,
                                                                 const PeerAnswer& answer) {
  if (!answer.ok()) {
    if (answer.http_status != 0)
      return failed(chunk, "the search was refused: " + reason_of(answer));
    // No HTTP answer (timeout, connection lost): the registry may have the search and call
    // back; the checks wait, and the sweeper fails them at the deadline if nothing comes.
    log::warn("dci_checks_async_unacknowledged", {{"source", chunk.source},
                                                  {"correlation_id", chunk.correlation_id},
                                                  {"error", answer.error}});
    return std::nullopt;
  }
  Json ack = answer.body.is_object() ? answer.body.value("message", Json()) : Json();
  std::string status = text_member(ack, "ack_status");
  if (status == "NACK" || status == "ERR") {
    Json err = ack.is_object() ? ack.value("error", Json()) : Json();
    return failed(chunk, "the registry did not accept the search: " + status + " " +
                             text_member(err, "code") + " " + text_member(err, "message"));
  }
  std::string theirs = text_member(ack, "correlation_id");
  if (theirs.empty() || theirs == chunk.correlation_id) return std::nullopt;
  // A registry that ignores the correlation id we chose names its own: its callback will
  // carry that one.
  db_.write([&](soci::session& s) {
    db::CheckWriter writer(s);
    for (auto& c : db::find_checks(s, ids_of(chunk.checks), true)) {
      if (c.state != CheckState::kChecking || c.correlation_id != chunk.correlation_id) continue;
      c.correlation_id = theirs;
      c.notes = correlation_note(theirs);
      c.updated = clock_.now();
      writer.update(c);
    }
  });
  return std::nullopt;
}

CallbackOutcome CheckService::on_search(const std::string& sender_id, const Json& message) {
  CallbackOutcome out;
  std::string cid = text_member(message, "correlation_id");
  if (cid.empty()) {
    out.note = "the callback has no correlation_id";
    return out;
  }
  Actor actor{"dci:" + sender_id, ""};
  return db_.write([&](soci::session& s) {
    CallbackOutcome o;
    std::vector<Check> all = db::checks_by_correlation(s, cid, true);
    if (all.empty()) {
      o.note = "no check waits for correlation_id " + cid;
      return o;
    }
    o.known = true;
    std::vector<Check> waiting;
    std::string other_registry;
    for (auto& c : all) {
      if (c.state != CheckState::kChecking) continue;
      // Only the registry a check asked may answer it: a trusted sender cannot complete the
      // checks another registry was asked (the correlation ids are not secret).
      std::string registry = trust_ ? trust_->signer_of(c.source) : "";
      if (!registry.empty() && registry != sender_id) {
        other_registry = "the checks of correlation_id " + cid + " asked " + registry +
                         ", not sender " + sender_id + ": nothing changed";
        continue;
      }
      waiting.push_back(std::move(c));
    }
    if (waiting.empty() && !other_registry.empty()) {
      o.note = other_registry;
      return o;
    }
    if (waiting.empty()) {
      o.note = "the checks of correlation_id " + cid + " are no longer waiting (" +
               std::string(state_name(all[0].state)) + ")";
      return o;
    }
    std::map<std::string, const Json*> items;
    try {
      items = items_by_reference(message);
    } catch (const core::Error& e) {
      o.note = e.what();
      return o;
    }
    std::string last_reason;
    Writes w(s);
    Json lines = Json::array();
    for (auto& c : waiting) {
      auto it = items.find(c.id);
      // A registry that does not echo reference_ids (OpenSPP matches by correlation id alone,
      // §8.4): one check, one item.
      if (it == items.end() && waiting.size() == 1 && items.size() == 1) it = items.begin();
      if (it == items.end()) {
        last_reason = "no search_response item for check " + c.id;
        continue;
      }
      // Locked when read (checks_by_correlation): still `checking` with this correlation id.
      ItemOutcome outcome = read_item(*it->second, AnswerPath::kCallback);
      if (apply(w, c, outcome, actor, &lines))
        o.changed = true;
      else
        last_reason = outcome.reason;
    }
    audit_many(w, actor, "answer", cid, {{"source", waiting[0].source}, {"callback", true}},
               std::move(lines));
    if (!o.changed) o.note = last_reason.empty() ? "nothing to write" : last_reason;
    return o;
  });
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
