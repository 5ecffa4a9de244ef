#include "authz/events.h"

#include <set>

#include "authz/identifiers.h"
#include "core/error.h"
#include "core/json_reader.h"

namespace registrar::authz {
namespace {

const Json* find(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::optional<std::string> opt_string(const Json& obj, const char* key, const std::string& path) {
  const Json* v = find(obj, key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) throw core::invalid_argument(path + " must be a string", path);
  return v->get<std::string>();
}

// Present and not null (the original's `required` properties; their values are not used).
void require_present(const Json& obj, const char* key, const std::string& prefix) {
  const Json* v = find(obj, key);
  if (!v || v->is_null()) throw core::invalid_argument(prefix + key + " is required", prefix + key);
}

bool non_empty_string(const Json* v) {
  return v && v->is_string() && !v->get_ref<const std::string&>().empty();
}

std::optional<core::SystemTime> parse_time(const Json& envelope) {
  auto text = opt_string(envelope, "time", "time");
  if (!text) return std::nullopt;
  auto t = core::parse_rfc3339(*text);
  if (!t) throw core::invalid_argument("time must be an RFC 3339 date-time", "time");
  return t;
}

// `data` is an object or a JSON string holding the JSON; nullopt for JSON null.
std::optional<Json> unwrap_data(const Json& envelope) {
  const Json* data = find(envelope, "data");
  if (!data) throw core::invalid_argument("data is required", "data");
  if (data->is_null()) return std::nullopt;
  if (!data->is_string()) return *data;
  Json inner = core::read_json_or_discarded(data->get_ref<const std::string&>());
  if (inner.is_discarded()) throw core::invalid_argument("data is not valid JSON", "data");
  if (inner.is_null()) return std::nullopt;
  return inner;
}

}  // namespace

EstateCasePayload parse_case_payload(const Json& data, const RoleVocabulary& roles) {
  if (!data.is_object()) throw core::invalid_argument("data must be a JSON object", "data");
  for (const char* key :
       {"time", "caseId", "caseNumber", "caseStatus", "districtCourtName", "probateDeadline"})
    require_present(data, key, "data.");
  EstateCasePayload p;
  const Json& case_id = data["caseId"];
  p.case_id = case_id.is_string() ? case_id.get<std::string>() : case_id.dump();
  p.case_status = opt_string(data, "caseStatus", "data.caseStatus").value_or("");
  p.feilfort = p.case_status == kCaseStatusFeilfort;

  if (const Json* result = find(data, "probateResultV2"); result && result->is_object()) {
    p.probate_issued = non_empty_string(find(*result, "result"));
    const Json* heirs = find(*result, "heirs");
    p.contains_probate_heirs = heirs && heirs->is_array() && !heirs->empty();
  }
  p.probate_issued = p.probate_issued || non_empty_string(find(data, "resultType"));

  std::set<CourtRole> desired;
  if (const Json* heirs = find(data, "heirRolesV2"); heirs && !heirs->is_null()) {
    if (!heirs->is_array())
      throw core::invalid_argument("data.heirRolesV2 must be an array", "data.heirRolesV2");
    for (size_t i = 0; i < heirs->size(); ++i) {
      const Json& h = (*heirs)[i];
      std::string path = "data.heirRolesV2[" + std::to_string(i) + "]";
      if (!h.is_object()) throw core::invalid_argument(path + " must be an object", path);
      auto type = opt_string(h, "type", path + ".type");
      if (!type || (*type != "Person" && *type != "PappPerson" && *type != "Organization" &&
                    *type != "PappOrganization"))
        throw core::invalid_argument(
            path + ".type must be Person, PappPerson, Organization or PappOrganization",
            path + ".type");
      require_present(h, "relation", path + ".");
      if (*type != "Person") continue;  // paper persons and organisations hold no court role
      require_present(h, "nin", path + ".");
      auto nin = opt_string(h, "nin", path + ".nin");
      auto role = opt_string(h, "role", path + ".role");
      if (!role || !roles.is_court_role(*role) || p.feilfort) continue;
      if (!is_valid_ssn(*nin)) throw core::invalid_argument("Nin", path + ".nin");
      if (role->size() > kMaxRoleCodeLength)
        throw core::invalid_argument(
            "role codes are at most " + std::to_string(kMaxRoleCodeLength) + " characters",
            path + ".role");
      desired.insert({*nin, *role});
    }
  }
  p.court_roles.assign(desired.begin(), desired.end());
  return p;
}

Event parse_event(const Json& envelope) {
  if (!envelope.is_object()) throw core::invalid_argument("event must be a JSON object");
  auto type = opt_string(envelope, "type", "type");
  if (!type) throw core::invalid_argument("type is required", "type");
  std::string id = opt_string(envelope, "id", "id").value_or("");

  if (*type == kValidateSubscription) return IgnoredEvent{id, *type};

  if (*type == kCaseStatusUpdateValidated || *type == kCaseStatusManuallySynced) {
    EstateCaseEvent e;
    e.id = id;
    e.type = *type;
    e.estate = estate_from_subject(opt_string(envelope, "subject", "subject"));
    e.time = parse_time(envelope);
    e.data = unwrap_data(envelope);
    return e;
  }

  if (*type == kProtectedAddressUpdate) {
    ProtectedAddressEvent e;
    e.id = id;
    if (auto data = unwrap_data(envelope)) {
      if (!data->is_object()) throw core::invalid_argument("data must be a JSON object", "data");
      auto nin = opt_string(*data, "nin", "data.nin");
      if (!nin) throw core::invalid_argument("data.nin is required", "data.nin");
      if (!is_valid_ssn(*nin)) throw core::invalid_argument("Nin", "data.nin");
      e.person = *nin;
    }
    return e;
  }

  throw core::invalid_argument("Unknown event type", "type");
}

Event parse_event(std::string_view body) {
  Json envelope;
  const core::JsonRead read = core::read_json(body, envelope);
  if (read == core::JsonRead::kInvalid || read == core::JsonRead::kTooDeep)
    throw core::invalid_argument("event body is not valid JSON (" +
                                 core::json_error_position(body, read) + ")");
  return parse_event(envelope);
}

bool should_process(const std::optional<core::SystemTime>& cursor,
                    const std::optional<core::SystemTime>& event_time) {
  if (!cursor) return true;
  return event_time && *event_time > *cursor;
}

}  // namespace registrar::authz
