#include "sync/mosip_settings_api.h"

#include <algorithm>
#include <map>

#include "http/compression.h"
#include "mosip/envelope.h"
#include "sync/machine_crypto.h"
#include "sync/mosip_machine.h"
#include "sync/mosip_selection.h"

namespace registrar::sync {
namespace {

using http::Request;
using http::Response;

// One entity's DTOs as a JSON array under construction.
struct DtoList {
  std::string json = "[";
  bool empty() const { return json.size() == 1; }
  void add(const RowState& row, std::string_view lang_json) {
    if (!empty()) json += ',';
    append_dto(json, row.data, lang_json, row.active, row.deleted);
  }
  std::string finish() && {
    json += ']';
    return std::move(json);
  }
};

// The JSON of a row's language, remembered: most rows share a handful.
class LangJson {
 public:
  std::string_view of(const std::string& lang) {
    if (lang.empty()) return "null";
    auto it = cache_.find(lang);
    if (it == cache_.end()) it = cache_.emplace(lang, Json(lang).dump()).first;
    return it->second;
  }

 private:
  std::map<std::string, std::string, std::less<>> cache_;
};

// fullSyncEntities: MOSIP entity names (case-insensitive); names we do not know are ignored, as
// a client may list entities of a newer MOSIP.
std::vector<const Entity*> full_sync_entities(const std::optional<std::string>& param) {
  std::vector<const Entity*> out;
  if (!param) return out;
  std::string_view rest = *param;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view name = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (const Entity* e = find_entity_by_mosip_name(name)) out.push_back(e);
  }
  return out;
}

// The name of a v2 entity's file (mosip_url_entries.h), nullopt for entities v2 does not send.
std::optional<std::string> url_entry_name(const Entity& e) {
  if (e.mosip_name.empty() || !e.in_v2) return std::nullopt;
  if (e.dynamic) return std::string(kDynamicFileName);
  return e.mosip_name;
}

// (entityName, entityType, plaintext: a JSON array, or a URL entry's detail) in catalogue
// order, then the scripts.
struct Entry {
  std::string name, type, plain;
};

// The envelope up to dataToSync's first entry. The envelope is written as text: the data strings
// are megabytes of base64url, which need no escaping, and a JSON library would copy and scan them
// byte by byte.
std::string envelope_head(const core::Clock& clock, int64_t to_us) {
  std::string head = R"({"id":null,"version":null,"responsetime":)";
  head += Json(mosip::response_time(clock)).dump();
  head += R"(,"metadata":null,"errors":null,"response":{"lastSyncTime":")";
  head += format_sync_time(to_us);
  head += R"(","dataToSync":[)";
  return head;
}

// The answer piece by piece: the envelope's head, then each entity's entry, encrypted when it
// is asked for (its plaintext freed), then the tail. Streamed (docs/sync.md), only one entry's
// ciphertext is in memory at a time and the first bytes leave before the last entity is
// encrypted.
class SettingsStream final : public http::BodyStream {
 public:
  SettingsStream(std::string head, MachineKey key, std::vector<Entry> entries)
      : head_(std::move(head)), key_(std::move(key)), entries_(std::move(entries)) {}
  std::optional<std::string> next() override {
    if (!started_) {
      started_ = true;
      return std::move(head_);
    }
    if (next_ < entries_.size()) {
      Entry& entry = entries_[next_];
      std::string data = encrypt_for_machine_b64(key_, entry.plain);
      std::string().swap(entry.plain);
      std::string out = next_++ == 0 ? R"({"entityName":)" : R"(,{"entityName":)";
      out += Json(entry.name).dump();
      out += R"(,"entityType":")";
      out += entry.type;
      out += R"(","data":")";
      out += data;
      out += "\"}";
      return out;
    }
    if (!ended_) {
      ended_ = true;
      return "]}}";
    }
    return std::nullopt;
  }

 private:
  std::string head_;
  const MachineKey key_;
  std::vector<Entry> entries_;
  size_t next_ = 0;
  bool started_ = false, ended_ = false;
};

Response client_settings(SyncService& service, const ClientSettingsConfig& config, Request& req,
                         bool v2) {
  const core::Clock& clock = service.clock();
  auto key_index = req.query_param("keyindex");
  if (!key_index || key_index->empty())
    return mosip::envelope_error(clock, "KER-SNC-002",
                                 "Required request parameter 'keyindex' is missing");
  std::optional<int64_t> last_updated;
  auto last = req.query_param("lastUpdated");
  if (last && last->find_first_not_of(" \t") != std::string::npos) {
    last_updated = parse_last_updated(*last);
    if (!last_updated)
      return mosip::envelope_error(clock, "KER_SNC-100",
                                   "Error occurred while parsing lastUpdated timestamp");
  }
  auto machine = service.machine_by_key_index(*key_index);
  if (!machine) return mosip::envelope_error(clock, "KER-SNC-155", "Machine not found");
  if (machine->centre.empty())
    return mosip::envelope_error(clock, "KER-SNC-141", "Registration center not found");
  auto centre = req.query_param("regcenterId");
  if (centre && !centre->empty() && *centre != machine->centre)
    return mosip::envelope_error(
        clock, "KER-SNC-149", "Registration Center has been updated for the received Machine ID");
  service.record_sync(machine->id);

  const SyncWindow window = sync_window(core::to_unix_us(clock.now()), last_updated, config.window);
  const std::vector<const Entity*> forced =
      v2 ? full_sync_entities(req.query_param("fullSyncEntities")) : std::vector<const Entity*>{};
  // v2: the entities sent as a URL to their file instead of their rows.
  std::vector<const Entity*> as_url;
  if (v2)
    for (const Entity& e : catalogue())
      if (auto name = url_entry_name(e);
          name && sent_as_url(config.urls, *name, last_updated.has_value()))
        as_url.push_back(&e);
  const MachineKey key = encryption_key(*machine);

  // Rows by entity as they are selected (a few statements, each over several entities).
  // Dynamic entities: one list per field name, in name order.
  std::map<std::string, DtoList, std::less<>> lists;
  std::map<std::string, std::map<std::string, DtoList>, std::less<>> dynamic_lists;
  LangJson langs;
  const auto queries = client_settings_queries(*machine, v2, forced, window, as_url);
  service.db().read([&](soci::session& s) {
    for (const auto& q : queries)
      db::select_window(s, q, [&](const RowState& row) {
        const Entity* e = find_entity(row.entity);
        if (e && e->dynamic) {
          Json data = Json::parse(row.data);
          dynamic_lists[row.entity][data.value("name", std::string())].add(row, langs.of(row.lang));
        } else {
          lists[row.entity].add(row, langs.of(row.lang));
        }
      });
  });

  std::vector<Entry> entries;
  size_t plain_bytes = 0;
  for (const Entity& e : catalogue()) {
    if (std::find(as_url.begin(), as_url.end(), &e) != as_url.end()) {
      const std::string name = *url_entry_name(e);
      entries.push_back({name, e.dynamic ? "dynamic-url" : "structured-url",
                         entity_url_detail(config.urls, name)});
    } else if (auto d = dynamic_lists.find(e.name); d != dynamic_lists.end()) {
      for (auto& [name, list] : d->second)
        entries.push_back({name, "dynamic", std::move(list).finish()});
    } else if (auto l = lists.find(e.name); l != lists.end()) {
      entries.push_back({e.mosip_name, "structured", std::move(l->second).finish()});
    }
  }
  if (v2)  // MOSIP sends every configured script on every v2 answer, full or delta
    for (const auto& script : config.urls.scripts)
      entries.push_back({script, "script", script_url_detail(config.urls, script)});
  for (const auto& e : entries) plain_bytes += e.plain.size();

  // Encrypted outside the transaction: the connection goes back to the pool first.
  auto answer =
      std::make_shared<SettingsStream>(envelope_head(clock, window.to_us), key, std::move(entries));
  Response resp;
  resp.status = 200;
  resp.headers.set("Content-Type", "application/json");
  if (plain_bytes >= config.stream_from_bytes) {
    resp.stream = std::move(answer);
  } else {
    while (auto piece = answer->next()) resp.body += *piece;
  }
  // The body is nearly all base64 of ciphertext: entropy coding is all gzip can do for it.
  http::compress_if_accepted(req, resp, 1024, http::GzipMode::kHuffmanOnly);
  return resp;
}

}  // namespace

void add_client_settings_routes(http::Router& router, SyncService& service,
                                const ClientSettingsConfig& config) {
  router.set_error_format("/v1/syncdata", std::make_shared<mosip::ErrorFormat>(service.clock()));
  router
      .get("/v1/syncdata/clientsettings",
           [&service, config](Request& r) { return client_settings(service, config, r, false); })
      .require_scopes({config.scope})
      .describe("MOSIP clientsettings (v1 entities): the machine's master data, full or delta");
  router
      .get("/v1/syncdata/v2/clientsettings",
           [&service, config](Request& r) { return client_settings(service, config, r, true); })
      .require_scopes({config.scope})
      .describe("MOSIP clientsettings (v2 entities, fullSyncEntities)");
}

}  // namespace registrar::sync
