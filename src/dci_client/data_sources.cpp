#include "dci_client/data_sources.h"

#include "core/error.h"
#include "core/log.h"
#include "dci_client/sources_store.h"
#include "store/audit.h"

namespace registrar::dci_client {
namespace {

struct SecretField {
  const char* name;
  std::string SourceSecrets::*member;
};
constexpr SecretField kSecretFields[] = {
    {"bearer_token", &SourceSecrets::bearer_token},
    {"basic_password", &SourceSecrets::basic_password},
    {"oauth2_client_secret", &SourceSecrets::oauth2_client_secret},
};

}  // namespace

std::string sealing_context(const std::string& code, const char* field) {
  return "dci_client.source:" + code + ":" + field;
}

DataSources::DataSources(store::Database& db, const core::Clock& clock,
                         const services::Sealing* sealing)
    : db_(db), clock_(clock), sealing_(sealing), snapshot_(std::make_shared<Map>()) {}

DataSource DataSources::sealed(const DataSource& source) const {
  DataSource out = source;
  for (const auto& f : kSecretFields) {
    std::string& value = out.secrets.*f.member;
    if (value.empty()) continue;
    if (!sealing_)
      throw core::invalid_argument(
          std::string(f.name) +
              " cannot be stored here: secrets are sealed with identity's master key, which "
              "this command does not have. Set it through the admin API (PUT "
              "/v1/dci/sources/" +
              source.code + ").",
          f.name);
    value = sealing_->seal(value, sealing_context(source.code, f.name));
  }
  return out;
}

DataSource DataSources::opened(DataSource source) const {
  if (!sealing_) return source;  // still sealed: only whether one is set is shown
  for (const auto& f : kSecretFields) {
    std::string& value = source.secrets.*f.member;
    if (value.empty()) continue;
    auto plain = sealing_->open(value, sealing_context(source.code, f.name));
    if (!plain)
      log::warn("dci_client_secret_unreadable",
                {{"source", source.code},
                 {"field", f.name},
                 {"why", "not sealed by this installation's master key; set it again"}});
    value = plain.value_or("");
  }
  return source;
}

DataSource DataSources::create(const SourceInput& input, const std::string& actor,
                               const std::string& request_id) {
  DataSource d = validate_source(input);
  DataSource row = sealed(d);
  core::SystemTime now = clock_.now();
  db_.write([&](soci::session& s) {
    db::insert_source(s, row, now);
    store::append_audit(
        s, {actor, "dci_client.source.add", "source:" + d.code, request_id, source_to_json(d)},
        now);
  });
  d.created = d.updated = now;
  reload();
  saved(d);
  return d;
}

void DataSources::saved(const DataSource& d) const {
  if (!on_saved_) return;
  try {
    on_saved_(d);
  } catch (const std::exception& e) {
    log::warn("dci_client_source_prepare_failed",
              {{"source", d.code}, {"error", core::loggable_message(e)}});
  }
}

template <typename F>
DataSource DataSources::change(const std::string& code, const std::string& action,
                               const std::string& actor, const std::string& request_id, F&& apply) {
  core::SystemTime now = clock_.now();
  DataSource result = db_.write([&](soci::session& s) {
    auto stored = db::find_source(s, code);
    if (!stored) throw core::not_found("no data source " + code);
    DataSource next = apply(s, opened(std::move(*stored)), now);
    next.updated = now;
    store::append_audit(s, {actor, action, "source:" + code, request_id, source_to_json(next)},
                        now);
    return next;
  });
  reload();
  return result;
}

DataSource DataSources::replace(const std::string& code, SourceInput input,
                                const std::string& actor, const std::string& request_id) {
  if (input.code.empty()) input.code = code;
  if (input.code != code)
    throw core::invalid_argument("the code of a data source cannot change (" + input.code +
                                     " in the body, " + code + " in the path)",
                                 "code");
  DataSource next = change(code, "dci_client.source.replace", actor, request_id,
                           [&](soci::session& s, const DataSource& stored, core::SystemTime now) {
                             DataSource next = validate_source(input, &stored.secrets);
                             next.created = stored.created;
                             db::update_source(s, sealed(next), now);
                             return next;
                           });
  saved(next);
  return next;
}

DataSource DataSources::set_state(const std::string& code, SourceState state,
                                  const std::string& actor, const std::string& request_id) {
  return change(code, "dci_client.source.state", actor, request_id,
                [&](soci::session& s, DataSource stored, core::SystemTime now) {
                  db::set_source_state(s, code, state, now);
                  stored.state = state;
                  return stored;
                });
}

DataSource DataSources::set_active(const std::string& code, bool active, const std::string& actor,
                                   const std::string& request_id) {
  return change(code, active ? "dci_client.source.activate" : "dci_client.source.deactivate", actor,
                request_id, [&](soci::session& s, DataSource stored, core::SystemTime now) {
                  db::set_source_active(s, code, active, now);
                  stored.active = active;
                  return stored;
                });
}

void DataSources::remove(const std::string& code, const std::string& actor,
                         const std::string& request_id) {
  core::SystemTime now = clock_.now();
  db_.write([&](soci::session& s) {
    if (!db::delete_source(s, code)) throw core::not_found("no data source " + code);
    store::append_audit(s, {actor, "dci_client.source.delete", "source:" + code, request_id, {}},
                        now);
  });
  reload();
}

std::optional<DataSource> DataSources::find(const std::string& code) {
  auto stored = db_.read([&](soci::session& s) { return db::find_source(s, code); });
  if (!stored) return std::nullopt;
  return opened(std::move(*stored));
}

std::vector<DataSource> DataSources::list() {
  auto rows = db_.read([](soci::session& s) { return db::all_sources(s); });
  for (auto& r : rows) r = opened(std::move(r));
  return rows;
}

void DataSources::reload() {
  auto next = std::make_shared<Map>();
  for (auto& d : list()) next->emplace(d.code, std::move(d));
  core::MutexLock lock(mu_);
  snapshot_ = std::move(next);
}

std::shared_ptr<const DataSources::Map> DataSources::snapshot() const {
  core::MutexLock lock(mu_);
  return snapshot_;
}

}  // namespace registrar::dci_client
