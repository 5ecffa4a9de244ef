#include "sync/service.h"

#include <openssl/sha.h>

#include <algorithm>

#include "core/base64.h"
#include "core/error.h"
#include "crypto/keys.h"
#include "store/audit.h"
#include "sync/tpm_public.h"

namespace registrar::sync {

std::string key_index_of(std::string_view public_key, const std::string& field) {
  // The bytes MOSIP fingerprints: the DER key, or a TPM machine's TPMT_PUBLIC as sent.
  std::string der;
  try {
    if (public_key.find("-----BEGIN") != std::string_view::npos) {
      der = crypto::PublicKey::from_pem(public_key).to_spki_der();
    } else {
      // MOSIP clients send the DER key in base64 (standard or url-safe).
      auto raw = core::base64_decode_lenient(public_key);
      if (!raw) raw = core::base64url_decode(public_key);
      if (!raw) throw core::invalid_argument("must be a PEM or base64 DER public key", field);
      der =
          parse_tpm_rsa_public(*raw) ? *raw : crypto::PublicKey::from_spki_der(*raw).to_spki_der();
    }
  } catch (const core::Error& e) {
    throw core::invalid_argument(std::string("is not a usable public key: ") + e.what(), field);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(der.data()), der.size(), digest);
  std::string hex =
      core::hex_encode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
  std::string out;
  out.reserve(hex.size() * 3 / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i) out += ':';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(hex[i])));
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(hex[i + 1])));
  }
  return out;
}

SyncService::SyncService(store::Database& db, const core::Clock& clock, SyncSettings settings)
    : db_(db), clock_(clock), settings_(std::move(settings)) {}

namespace {

std::string string_field(const Json& data, const std::string& name) {
  auto it = data.find(name);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The key of a delete: the key fields and langCode of `body`.
RowInput key_of(const Entity& entity, const Json& body) {
  if (!body.is_object()) throw core::invalid_argument("the body must be a JSON object");
  RowInput in;
  in.data = Json::object();
  for (const auto& k : entity.key_fields) {
    auto it = body.find(k);
    bool absent = it == body.end() || it->is_null() ||
                  (it->is_string() && it->get_ref<const std::string&>().empty());
    if (absent && entity.field(k)->required) throw core::invalid_argument("is required", k);
    if (!absent) in.data[k] = *it;
  }
  in.id = row_id(entity, in.data);
  if (entity.per_language) {
    in.lang = string_field(body, "langCode");
    if (in.lang.empty()) throw core::invalid_argument("is required for " + entity.name, "langCode");
  }
  return in;
}

}  // namespace

RowWrite SyncService::prepare(soci::session& s, const Entity& entity, const Json& body, bool remove,
                              std::optional<int64_t> expected_version,
                              const std::vector<RowWrite>& earlier) {
  RowWrite w;
  w.entity = entity.name;
  w.remove = remove;
  w.expected_version = expected_version;
  if (remove) {
    w.input = key_of(entity, body);
    return w;
  }
  if (auto bad = parse_row(entity, body, w.input))
    throw core::invalid_argument(bad->message, bad->field);
  Json& data = w.input.data;
  if (entity.name == "machines") {
    data["keyIndex"] = key_index_of(data.at("publicKey").get<std::string>(), "publicKey");
    if (data.contains("signPublicKey"))
      data["signKeyIndex"] =
          key_index_of(data.at("signPublicKey").get<std::string>(), "signPublicKey");
    else
      data.erase("signKeyIndex");
  }
  for (const auto& f : entity.fields) {
    if (f.references.empty()) continue;
    std::string value = string_field(data, f.name);
    if (value.empty()) continue;
    bool in_batch = std::any_of(earlier.begin(), earlier.end(), [&](const RowWrite& e) {
      return !e.remove && e.entity == f.references && e.input.id == value;
    });
    if (!in_batch && !db::live_row_exists(s, f.references, value))
      throw core::Error(core::ErrorKind::kUnprocessable,
                        "names " + f.references + " '" + value + "', which does not exist", f.name);
  }
  w.scope = scope_of(entity, data, settings_.template_module);
  return w;
}

WriteResult SyncService::put(const Entity& entity, const Json& body, const std::string& actor,
                             std::optional<int64_t> expected_version) {
  auto results = apply_batch({BatchItem{&entity, body, false, expected_version, ""}}, actor,
                             "sync." + entity.name + ".put");
  WriteResult& r = results.front();
  if (r.status == WriteStatus::kConflict) {
    std::string held = r.row ? "version " + std::to_string(r.row->version) : "no such row";
    throw core::conflict("the row changed since version " +
                             std::to_string(expected_version.value_or(0)) + "; the server holds " +
                             held,
                         "version");
  }
  return r;
}

WriteResult SyncService::remove(const Entity& entity, const std::string& id,
                                const std::string& lang, const std::string& actor) {
  return db_.write([&](soci::session& s) {
    RowWrite w;
    w.entity = entity.name;
    w.remove = true;
    w.input.id = id;
    w.input.lang = entity.per_language ? lang : "";
    auto results = db::apply(s, {w}, actor, core::to_unix_us(clock_.now()));
    if (results.front().status == WriteStatus::kDeleted)
      store::append_audit(s, {actor, "sync." + entity.name + ".delete", id + "|" + w.input.lang},
                          clock_.now());
    return results.front();
  });
}

std::vector<WriteResult> SyncService::apply_batch(const std::vector<BatchItem>& items,
                                                  const std::string& actor,
                                                  const std::string& audit_action,
                                                  const BatchHooks& hooks) {
  return db_.write([&](soci::session& s) {
    std::vector<RowWrite> writes;
    writes.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      try {
        writes.push_back(prepare(s, *items[i].entity, items[i].body, items[i].remove,
                                 items[i].expected_version, writes));
      } catch (const core::Error& e) {
        if (items.size() == 1) throw;
        // Name the row of a batch: "[12].machineId".
        std::string where = items[i].label.empty() ? "[" + std::to_string(i) + "]" : items[i].label;
        throw core::Error(e.kind(), e.what(), e.field().empty() ? where : where + "." + e.field());
      }
    }
    if (hooks.check) hooks.check(s, writes);
    auto now = clock_.now();
    auto results = db::apply(s, writes, actor, core::to_unix_us(now));
    int64_t changed = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      const WriteResult& r = results[i];
      if (r.status != WriteStatus::kCreated && r.status != WriteStatus::kUpdated &&
          r.status != WriteStatus::kDeleted)
        continue;
      ++changed;
      if (writes[i].entity == "machines" && r.row && !r.row->deleted) {
        Json data = Json::parse(r.row->data);
        db::set_machine_keys(s, r.row->id, string_field(data, "keyIndex"),
                             string_field(data, "signKeyIndex"));
      }
    }
    if (changed > 0) {
      store::AuditEntry entry{actor, audit_action, ""};
      if (items.size() == 1) {
        entry.subject = writes[0].input.id;
        entry.detail = {{"entity", writes[0].entity},
                        {"lang", writes[0].input.lang},
                        {"status", write_status_name(results[0].status)}};
      } else {
        entry.subject = std::to_string(changed) + " rows";
        entry.detail = {{"rows", items.size()}, {"changed", changed}};
      }
      store::append_audit(s, entry, now);
    }
    if (hooks.done) hooks.done(s, writes, results);
    return results;
  });
}

Json SyncService::render(const RowState& row, bool with_audit) {
  Json out = Json::parse(row.data);
  out["langCode"] = row.lang.empty() ? Json(nullptr) : Json(row.lang);
  out["isActive"] = row.active;
  out["isDeleted"] = row.deleted;
  if (with_audit) {
    auto time = [](std::optional<int64_t> us) -> Json {
      if (!us) return nullptr;
      return core::format_rfc3339(core::from_unix_us(*us), true);
    };
    out["version"] = row.version;
    out["createdBy"] = row.created_by;
    out["createdDateTime"] = time(row.created_us);
    out["updatedBy"] = row.updated_by ? Json(*row.updated_by) : Json(nullptr);
    out["updatedDateTime"] = time(row.updated_us);
    out["deletedDateTime"] = time(row.deleted_us);
  }
  return out;
}

std::optional<MachineContext> SyncService::machine_in(soci::session& s,
                                                      const std::string& machine_id) {
  auto row = db::find_row(s, "machines", machine_id, "");
  if (!row) return std::nullopt;
  MachineContext m;
  m.id = machine_id;
  m.machine = Json::parse(row->data);
  m.active = row->active;
  m.deleted = row->deleted;
  m.row_seq = row->seq;
  m.centre = string_field(m.machine, "regCenterId");
  if (!m.centre.empty()) {
    db::ListQuery q;
    q.entity = "registration_centers";
    q.after_id = m.centre;  // rows after (centre, "") in (id, lang) order: the centre's
    q.limit = 1;
    q.after_lang = "";
    // Any language of the centre: (id = centre AND lang > "") is the first one.
    for (const auto& c : db::list_rows(s, q)) {
      if (c.id != m.centre) break;
      m.holiday_location = string_field(Json::parse(c.data), "holidayLocationCode");
      m.lang = c.lang;
    }
  }
  if (std::string spec = string_field(m.machine, "machineSpecId"); !spec.empty()) {
    db::ListQuery q;
    q.entity = "machine_specifications";
    q.after_id = spec;
    q.after_lang = "";
    q.limit = 1;
    for (const auto& row : db::list_rows(s, q))
      if (row.id == spec) m.machine_type = string_field(Json::parse(row.data), "machineTypeCode");
  }
  m.scopes = machine_scopes(m.id, m.centre, m.holiday_location);
  return m;
}

std::optional<MachineContext> SyncService::machine_by_key_index(const std::string& key_index) {
  std::string lower = key_index;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return db_.read([&](soci::session& s) -> std::optional<MachineContext> {
    auto hit = db::machine_for_key_index(s, lower);
    if (!hit) return std::nullopt;
    return machine_in(s, hit->machine_id);
  });
}

std::optional<MachineContext> SyncService::machine_by_id(const std::string& machine_id) {
  return db_.read([&](soci::session& s) { return machine_in(s, machine_id); });
}

void SyncService::record_sync(const std::string& machine_id) {
  const auto now = clock_.now();
  core::MutexLock lock(last_sync_mu_);
  last_sync_[machine_id] = now;
}

std::map<std::string, core::SystemTime> SyncService::last_syncs() const {
  core::MutexLock lock(last_sync_mu_);
  return last_sync_;
}

}  // namespace registrar::sync
