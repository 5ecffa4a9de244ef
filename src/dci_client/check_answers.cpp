#include "dci_client/check_service_parts.h"

#include <optional>

#include "core/error.h"
#include "core/log.h"
#include "dci_client/search_query.h"

namespace registrar::dci_client {

using namespace check_detail;

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

}  // namespace registrar::dci_client
