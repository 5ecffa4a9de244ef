#include "authz/service.h"

#include "core/random.h"

#include <sodium.h>

#include <algorithm>
#include <set>
#include <type_traits>

#include "authz/identifiers.h"
#include "authz/store.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "store/audit.h"

namespace registrar::authz {
namespace {

// The rows of one estate inside a write transaction: every insert and delete goes to the
// database, the audit log and this in-memory copy, so later rules see the current state; the
// first one also lists the estate in `changed` (for the change feed).
class EstateWriter {
 public:
  EstateWriter(soci::session& s, const Actor& actor, core::SystemTime now, std::string estate,
               EventResult& counts, std::vector<std::string>& changed)
      : s_(s),
        actor_(actor),
        now_(now),
        estate_(std::move(estate)),
        counts_(counts),
        changed_(changed) {
    rows_ = db::load_estate(s_, estate_);
  }

  const std::vector<Assignment>& rows() const { return rows_; }
  core::SystemTime now() const { return now_; }

  void grant(Assignment a) {
    a.estate = estate_;
    a.id = db::insert_assignment(s_, a);
    audit("authz.role.grant", a, a.justification);
    rows_.push_back(std::move(a));
    counts_.granted++;
    mark_changed();
  }

  void revoke(const Assignment& a, const std::string& justification) {
    db::delete_assignment(s_, a.id);
    audit("authz.role.revoke", a, justification);
    std::erase_if(rows_, [&](const Assignment& r) { return r.id == a.id; });
    counts_.revoked++;
    mark_changed();
  }

  // Brings the proxies to the state the collective rule derives (spec §5).
  void apply_collective_rule(const RoleVocabulary& roles) {
    CollectivePlan plan = plan_collective(rows_, roles);
    for (const auto& r : plan.revoke_individual)
      revoke(r, "individual proxy revoked: the granting heir holds no probate certificate");
    for (const auto& recipient : plan.grant_collective) {
      auto reason =
          std::find_if(plan.eligible.begin(), plan.eligible.end(),
                       [&](const CollectiveReason& c) { return c.recipient == recipient; });
      grant(
          {0, estate_, roles.collective_proxy, recipient, std::nullopt, now_, reason->describe()});
    }
    for (const auto& r : plan.revoke_collective)
      revoke(r, "collective proxy revoked: the collective rule no longer holds");
  }

 private:
  void mark_changed() {
    if (std::find(changed_.begin(), changed_.end(), estate_) == changed_.end())
      changed_.push_back(estate_);
  }

  void audit(const char* action, const Assignment& a, const std::string& justification) {
    store::AuditEntry e;
    e.actor = actor_.name;
    e.action = action;
    e.subject = "estate/" + estate_;
    e.request_id = actor_.request_id;
    e.detail = {{"estateSsn", a.estate},
                {"recipientSsn", a.recipient},
                {"role", a.role},
                {"heirSsn", a.heir ? Json(*a.heir) : Json(nullptr)},
                {"created", format_created(a.created)},
                {"justification", justification}};
    store::append_audit(s_, e, now_);
  }

  soci::session& s_;
  const Actor& actor_;
  core::SystemTime now_;
  std::string estate_;
  EventResult& counts_;
  std::vector<std::string>& changed_;
  std::vector<Assignment> rows_;
};

std::string event_reason(const EstateCaseEvent& e, const EstateCasePayload& p) {
  return e.type + " event " + e.id + " (case " + p.case_id + ", status " + p.case_status + ")";
}

// Runs f (a write) and turns a uniqueness violation that slipped past the checks into a 409.
template <class F>
auto map_conflicts(F&& f) {
  try {
    return f();
  } catch (const core::Error&) {
    throw;
  } catch (const std::exception& e) {
    if (store::is_unique_violation(e))
      throw core::conflict(
          "There can only be one proxy assignment per estate-heir-recipient-role combination.");
    throw;
  }
}

}  // namespace

AuthzService::AuthzService(store::Database& db, const core::Clock& clock, AuthzSettings settings)
    : db_(db), clock_(clock), settings_(std::move(settings)) {}

template <class F>
auto AuthzService::write_estates(F&& f) {
  std::vector<std::string> changed;
  // After the transaction, whether it committed, rolled back or failed to commit.
  struct Notify {
    const ChangeListener& listener;
    const std::vector<std::string>& changed;
    ~Notify() {
      if (!listener || changed.empty()) return;
      try {
        listener(changed);
      } catch (const std::exception& e) {
        log::error("authz_change_listener_failed", {{"error", core::loggable_message(e)}});
      }
    }
  } notify{listener_, changed};
  return db_.write([&](soci::session& s) {
    changed.clear();
    using Result = std::invoke_result_t<F&, soci::session&, std::vector<std::string>&>;
    if constexpr (std::is_void_v<Result>) {
      f(s, changed);
      db::append_changes(s, changed, clock_.now());
    } else {
      Result result = f(s, changed);
      db::append_changes(s, changed, clock_.now());
      return result;
    }
  });
}

bool AuthzService::event_secret_matches(std::string_view presented) const {
  return !settings_.event_secret.empty() && core::secrets_equal(presented, settings_.event_secret);
}

EventResult AuthzService::ingest_event(std::string_view presented_secret, std::string_view body,
                                       const Actor& actor) {
  if (!event_secret_matches(presented_secret))
    throw core::Error(core::ErrorKind::kUnauthenticated, "missing or wrong event secret",
                      settings_.event_auth_parameter);
  return ingest_event(body, actor);
}

EventResult AuthzService::ingest_event(std::string_view body, const Actor& actor) {
  return apply_event(parse_event(body), actor);
}

EventResult AuthzService::apply_event(const Event& event, const Actor& actor) {
  if (auto* e = std::get_if<EstateCaseEvent>(&event)) return apply_estate_case(*e, actor);
  if (auto* e = std::get_if<ProtectedAddressEvent>(&event))
    return apply_protected_address(*e, actor);
  return {};
}

EventResult AuthzService::apply_estate_case(const EstateCaseEvent& e, const Actor& actor) {
  const RoleVocabulary& roles = settings_.roles;
  return write_estates([&](soci::session& s, std::vector<std::string>& changed) {
    EventResult result;
    db::lock_estate(s, e.estate);
    if (!should_process(db::read_cursor(s, e.estate, e.type), e.time)) {
      log::info("authz_event_discarded",
                {{"estate", log::mask(e.estate)}, {"type", e.type}, {"id", e.id}});
      result.outcome = EventResult::Outcome::kDiscarded;
      return result;
    }
    if (!e.data) throw core::invalid_argument("data must not be null", "data");
    const EstateCasePayload p = parse_case_payload(*e.data, roles);
    if (p.probate_issued && !p.contains_probate_heirs)
      log::warn("authz_event_incomplete_role_information",
                {{"estate", log::mask(e.estate)}, {"id", e.id}});
    core::SystemTime now = clock_.now();
    EstateWriter w(s, actor, now, e.estate, result, changed);
    std::string why = event_reason(e, p);
    if (p.feilfort) {
      for (Assignment r : std::vector<Assignment>(w.rows()))
        w.revoke(r, "estate wiped: case registered in error (FEILFORT) by " + why);
    } else {
      std::set<CourtRole> current;
      for (const auto& r : w.rows())
        if (roles.is_court_role(r.role)) current.insert({r.recipient, r.role});
      std::set<CourtRole> desired(p.court_roles.begin(), p.court_roles.end());
      for (const auto& d : desired)
        if (!current.count(d))
          w.grant({0, e.estate, d.role, d.recipient, std::nullopt, e.time.value_or(now),
                   "court role from " + why});
      for (Assignment r : std::vector<Assignment>(w.rows()))
        if (roles.is_court_role(r.role) && !desired.count({r.recipient, r.role}))
          w.revoke(r, "court role not in " + why);
      w.apply_collective_rule(roles);
    }
    if (e.time) db::write_cursor(s, e.estate, e.type, *e.time);
    result.outcome = EventResult::Outcome::kApplied;
    return result;
  });
}

EventResult AuthzService::apply_protected_address(const ProtectedAddressEvent& e,
                                                  const Actor& actor) {
  if (!e.person) return {};
  const RoleVocabulary& roles = settings_.roles;
  const std::string& person = *e.person;
  return write_estates([&](soci::session& s, std::vector<std::string>& changed) {
    EventResult result;
    result.outcome = EventResult::Outcome::kApplied;
    std::vector<std::string> estates = db::estates_of_person(s, person);
    for (const auto& estate : estates) db::lock_estate(s, estate);  // sorted: no deadlock
    core::SystemTime now = clock_.now();
    std::string why = std::string(kProtectedAddressUpdate) + " event " + e.id;
    for (const auto& estate : estates) {
      EstateWriter w(s, actor, now, estate, result, changed);
      bool wipe = std::any_of(w.rows().begin(), w.rows().end(), [&](const Assignment& r) {
        return (r.recipient == person && roles.is_court_role(r.role)) ||
               (r.heir == person && roles.is_proxy_role(r.role));
      });
      for (Assignment r : std::vector<Assignment>(w.rows())) {
        if (wipe)
          w.revoke(r, "estate wiped: an heir got a protected address (" + why + ")");
        else if (r.recipient == person && roles.is_proxy_role(r.role))
          w.revoke(r, "proxy revoked: the recipient got a protected address (" + why + ")");
      }
    }
    return result;
  });
}

namespace {
// Only an heir holding the probate certificate may grant or remove an individual proxy.
void require_probate_heir(const std::vector<Assignment>& rows, const ProxyChange& c,
                          const RoleVocabulary& roles) {
  if (std::none_of(rows.begin(), rows.end(), [&](const Assignment& r) {
        return r.role == roles.probate_certificate && r.recipient == c.heir;
      }))
    throw core::invalid_argument("The heir does not have the probate role for the given estate",
                                 c.wrapper + ".heirSsn");
}
}  // namespace

std::vector<Assignment> AuthzService::add_proxy(const ProxyChange& c, const Actor& actor) {
  const RoleVocabulary& roles = settings_.roles;
  validate_proxy_change(c, roles);
  return map_conflicts([&] {
    return write_estates([&](soci::session& s, std::vector<std::string>& changed) {
      EventResult counts;
      db::lock_estate(s, c.estate);
      EstateWriter w(s, actor, clock_.now(), c.estate, counts, changed);
      const auto& rows = w.rows();
      require_probate_heir(rows, c, roles);
      if (std::any_of(rows.begin(), rows.end(), [&](const Assignment& r) {
            return r.role == c.role && r.recipient == c.recipient && r.heir == c.heir;
          }))
        throw core::conflict(
            "There can only be one proxy assignment per estate-heir-recipient-role combination.",
            c.wrapper);
      w.grant({0, c.estate, c.role, c.recipient, c.heir, w.now(),
               "individual proxy granted by heir " + c.heir});
      w.apply_collective_rule(roles);
      Lookup all;
      all.estate = c.estate;
      return authz::search_proxies(w.rows(), all, roles);
    });
  });
}

void AuthzService::remove_proxy(const ProxyChange& c, const Actor& actor) {
  const RoleVocabulary& roles = settings_.roles;
  validate_proxy_change(c, roles);
  write_estates([&](soci::session& s, std::vector<std::string>& changed) {
    EventResult counts;
    db::lock_estate(s, c.estate);
    EstateWriter w(s, actor, clock_.now(), c.estate, counts, changed);
    const auto& rows = w.rows();
    require_probate_heir(rows, c, roles);
    auto it = std::find_if(rows.begin(), rows.end(), [&](const Assignment& r) {
      return r.role == c.role && r.recipient == c.recipient && r.heir == c.heir;
    });
    if (it != rows.end()) w.revoke(*it, "individual proxy removed by heir " + c.heir);
    w.apply_collective_rule(roles);
  });
}

std::vector<Assignment> AuthzService::load_lookup(const Lookup& lookup) {
  validate_lookup(lookup);
  return db_.read([&](soci::session& s) { return db::load_estate(s, lookup.estate); });
}

std::vector<RoleView> AuthzService::search_roles(const Lookup& lookup, bool unfiltered) {
  return authz::search_roles(load_lookup(lookup), lookup, unfiltered, settings_.roles);
}

std::vector<Assignment> AuthzService::search_proxies(const Lookup& lookup) {
  return authz::search_proxies(load_lookup(lookup), lookup, settings_.roles);
}

std::vector<Assignment> AuthzService::pip(const Lookup& lookup) {
  return pip_rows(load_lookup(lookup), lookup.recipient);
}

std::map<std::string, std::vector<Assignment>> AuthzService::load_estates(
    std::vector<std::string> estates) {
  for (const auto& e : estates)
    if (!is_valid_ssn(e)) throw core::invalid_argument("Invalid EstateSsn", "estateSsn");
  std::sort(estates.begin(), estates.end());
  estates.erase(std::unique(estates.begin(), estates.end()), estates.end());
  return db_.read([&](soci::session& s) { return db::load_estates(s, estates); });
}

EstateReport AuthzService::show_estate(const std::string& estate) {
  if (!is_valid_ssn(estate)) throw core::invalid_argument("Invalid EstateSsn", "estate");
  EstateReport report;
  report.estate = estate;
  db_.read([&](soci::session& s) {
    report.rows = db::load_estate(s, estate);
    report.cursors = db::read_cursors(s, estate);
  });
  report.collective = plan_collective(report.rows, settings_.roles).eligible;
  return report;
}

}  // namespace registrar::authz
