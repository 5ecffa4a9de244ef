#include "sync/catalogue.h"

#include <algorithm>

namespace registrar::sync {
namespace {

using T = FieldType;

Field req(std::string name, FieldType type = T::kString) {
  return Field{std::move(name), type, true, {}};
}
Field opt(std::string name, FieldType type = T::kString) {
  return Field{std::move(name), type, false, {}};
}
Field ref(std::string name, std::string entity, bool required = true) {
  return Field{std::move(name), T::kString, required, std::move(entity)};
}
// An optional or required array whose items are `items` (objects with `members`).
Field list(std::string name, bool required, FieldType items, std::vector<Field> members = {}) {
  Field f{std::move(name), T::kArray, required, {}};
  f.items = items;
  f.item_members = std::move(members);
  return f;
}

// A code/name/description entity, per language (most of MOSIP's reference lists).
Entity coded(std::string name, std::string mosip_name, std::string description,
             std::vector<Field> extra = {}) {
  Entity e;
  e.name = std::move(name);
  e.mosip_name = std::move(mosip_name);
  e.per_language = true;
  e.key_fields = {"code"};
  e.fields = {req("code"), req("name"), opt("description")};
  for (auto& f : extra) e.fields.push_back(std::move(f));
  e.description = std::move(description);
  return e;
}

std::vector<Entity> build() {
  std::vector<Entity> all;
  auto add = [&all](Entity e) -> Entity& {
    all.push_back(std::move(e));
    return all.back();
  };

  add(coded("registration_center_types", "RegistrationCenterType", "Kinds of centre.")).in_v2 =
      false;
  {
    Entity e;
    e.name = "registration_centers";
    e.mosip_name = "RegistrationCenter";
    e.per_language = true;
    e.key_fields = {"id"};
    e.fields = {req("id"),
                req("name"),
                ref("centerTypeCode", "registration_center_types"),
                opt("addressLine1"),
                opt("addressLine2"),
                opt("addressLine3"),
                opt("latitude"),
                opt("longitude"),
                ref("locationCode", "locations", false),
                ref("holidayLocationCode", "locations", false),
                opt("contactPhone"),
                opt("contactPerson"),
                opt("workingHours"),
                opt("numberOfKiosks", T::kInt),
                opt("perKioskProcessTime"),
                opt("centerStartTime"),
                opt("centerEndTime"),
                opt("lunchStartTime"),
                opt("lunchEndTime"),
                opt("timeZone"),
                opt("zoneCode")};
    e.scope = ScopeRule::kCentreField;
    e.scope_field = "id";
    e.description = "Registration centres; a machine receives its own centre.";
    add(std::move(e));
  }
  add(coded("template_file_formats", "TemplateFileFormat", "Template file formats.")).in_v2 = false;
  add(coded("template_types", "TemplateType", "Template types.")).in_v2 = false;
  {
    Entity e;
    e.name = "templates";
    e.mosip_name = "Template";
    e.per_language = true;
    e.key_fields = {"id"};
    e.fields = {req("id"),
                req("name"),
                opt("description"),
                ref("fileFormatCode", "template_file_formats"),
                opt("model"),
                opt("fileText"),
                req("moduleId"),
                opt("moduleName"),
                ref("templateTypeCode", "template_types")};
    e.scope = ScopeRule::kTemplateModule;
    e.description = "Templates; machines receive those of the registration client's module.";
    add(std::move(e));
  }
  add(coded("reason_categories", "ReasonCategory", "Categories of rejection reasons."));
  add(coded("reasons", "ReasonList", "Rejection reasons.",
            {ref("rsnCatCode", "reason_categories")}));
  add(coded("document_categories", "DocumentCategory", "Document categories."));
  add(coded("document_types", "DocumentType", "Document types."));
  {
    Entity e;
    e.name = "applicant_valid_documents";
    e.mosip_name = "ApplicantValidDocument";
    e.key_fields = {"appTypeCode", "docCatCode", "docTypeCode"};
    e.fields = {req("appTypeCode"), ref("docCatCode", "document_categories"),
                ref("docTypeCode", "document_types")};
    e.description = "Which documents an applicant type may present.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "valid_documents";
    e.mosip_name = "ValidDocument";
    e.in_v2 = false;
    e.key_fields = {"docCategoryCode", "docTypeCode"};
    e.fields = {ref("docCategoryCode", "document_categories"),
                ref("docTypeCode", "document_types")};
    e.description = "Document types valid in a category.";
    add(std::move(e));
  }
  add(coded("machine_types", "MachineType", "Machine types.")).in_v2 = false;
  {
    Entity e;
    e.name = "machine_specifications";
    e.mosip_name = "MachineSpecification";
    e.in_v2 = false;
    e.per_language = true;
    e.key_fields = {"id"};
    e.fields = {req("id"),
                req("name"),
                opt("brand"),
                opt("model"),
                ref("machineTypeCode", "machine_types"),
                opt("minDriverversion"),
                opt("description")};
    e.description = "Machine specifications.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "machines";
    e.mosip_name = "Machine";
    e.key_fields = {"id"};
    e.fields = {req("id"),
                req("name"),
                opt("serialNum"),
                opt("macAddress"),
                opt("ipAddress"),
                ref("machineSpecId", "machine_specifications", false),
                opt("validityDateTime"),
                req("publicKey"),
                opt("keyIndex"),
                opt("signPublicKey"),
                opt("signKeyIndex"),
                ref("regCenterId", "registration_centers", false),
                opt("zoneCode")};
    e.scope = ScopeRule::kMachineId;
    e.scope_field = "id";
    e.description = "Registration machines with their public keys; a machine receives itself.";
    add(std::move(e));
  }
  add(coded("device_types", "DeviceType", "Device types.")).in_v2 = false;
  {
    Entity e;
    e.name = "device_specifications";
    e.mosip_name = "DeviceSpecification";
    e.in_v2 = false;
    e.per_language = true;
    e.key_fields = {"id"};
    e.fields = {req("id"),
                req("name"),
                opt("brand"),
                opt("model"),
                ref("deviceTypeCode", "device_types"),
                opt("minDriverversion"),
                opt("description")};
    e.description = "Device specifications.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "devices";
    e.mosip_name = "Device";
    e.in_v2 = false;
    e.key_fields = {"id"};
    e.fields = {req("id"),
                req("name"),
                opt("serialNum"),
                ref("deviceSpecId", "device_specifications"),
                opt("macAddress"),
                opt("ipAddress"),
                opt("validityDateTime"),
                ref("regCenterId", "registration_centers", false),
                opt("zoneCode")};
    e.scope = ScopeRule::kCentreField;
    e.scope_field = "regCenterId";
    e.description = "Devices; the machines of a device's centre receive it.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "location_hierarchy_levels";
    e.mosip_name = "LocationHierarchy";
    e.per_language = true;
    e.key_fields = {"hierarchyLevel"};
    e.fields = {req("hierarchyLevel"), req("hierarchyLevelName")};
    e.description = "Levels of the location hierarchy (country, region, ...).";
    add(std::move(e));
  }
  add(coded("locations", "Location", "Locations.",
            {req("hierarchyLevel", T::kInt), opt("hierarchyName"), opt("parentLocCode")}));
  {
    Entity e;
    e.name = "languages";
    e.mosip_name = "Language";
    e.key_fields = {"code"};
    e.fields = {req("code"), req("name"), opt("family"), opt("nativeName")};
    e.description = "Languages.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "genders";
    e.mosip_name = "Gender";
    e.in_v2 = false;
    e.per_language = true;
    e.key_fields = {"code"};
    e.fields = {req("code"), req("genderName")};
    e.description = "Genders (v2 clients read them as the dynamic field \"gender\").";
    add(std::move(e));
  }
  add(coded("biometric_types", "BiometricType", "Biometric authentication types.")).in_v2 = false;
  add(coded("biometric_attributes", "BiometricAttribute", "Biometric attributes.",
            {ref("biometricTypeCode", "biometric_types")}))
      .in_v2 = false;
  {
    Entity e;
    e.name = "registration_center_machines";
    e.mosip_name = "RegistrationCenterMachine";
    e.in_v2 = false;
    e.key_fields = {"regCenterId", "machineId"};
    e.fields = {ref("regCenterId", "registration_centers"), ref("machineId", "machines")};
    e.scope = ScopeRule::kCentreField;
    e.scope_field = "regCenterId";
    e.description = "Centre–machine mappings.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "registration_center_devices";
    e.mosip_name = "RegistrationCenterDevice";
    e.in_v2 = false;
    e.key_fields = {"regCenterId", "deviceId"};
    e.fields = {ref("regCenterId", "registration_centers"), ref("deviceId", "devices")};
    e.scope = ScopeRule::kCentreField;
    e.scope_field = "regCenterId";
    e.description = "Centre–device mappings.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "registration_center_machine_devices";
    e.mosip_name = "RegistrationCenterMachineDevice";
    e.in_v2 = false;
    e.key_fields = {"regCenterId", "machineId", "deviceId"};
    e.fields = {ref("regCenterId", "registration_centers"), ref("machineId", "machines"),
                ref("deviceId", "devices")};
    e.scope = ScopeRule::kCentreField;
    e.scope_field = "regCenterId";
    e.description = "Centre–machine–device mappings.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "registration_center_user_machines";
    e.mosip_name = "RegistrationCenterUserMachine";
    e.in_v2 = false;
    e.key_fields = {"regCntrId", "machineId", "usrId"};
    e.fields = {ref("regCntrId", "registration_centers"), ref("machineId", "machines"),
                ref("usrId", "users")};
    e.scope = ScopeRule::kCentreField;
    e.scope_field = "regCntrId";
    e.description = "Centre–machine–user mappings (which operator may use which machine).";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "registration_center_users";
    e.mosip_name = "RegistrationCenterUser";
    e.in_v2 = false;
    e.key_fields = {"regCenterId", "userId"};
    e.fields = {ref("regCenterId", "registration_centers"), ref("userId", "users")};
    e.scope = ScopeRule::kCentreField;
    e.scope_field = "regCenterId";
    e.description = "Centre–user mappings.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "holidays";
    e.mosip_name = "Holiday";
    e.per_language = true;
    e.key_fields = {"holidayId"};
    e.fields = {req("holidayId"), req("holidayDate"), req("holidayName"), opt("holidayDesc"),
                ref("locationCode", "locations")};
    e.scope = ScopeRule::kLocationField;
    e.scope_field = "locationCode";
    e.description = "Holidays of a location; centres whose holidayLocationCode it is.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "blocklisted_words";
    e.mosip_name = "BlocklistedWords";
    e.per_language = true;
    e.key_fields = {"word"};
    e.fields = {req("word"), opt("description")};
    e.description = "Words a client refuses in names.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "sync_job_definitions";
    e.mosip_name = "SyncJobDef";
    e.key_fields = {"id"};
    e.fields = {req("id"),       req("name"),        opt("apiName"), opt("parentSyncJobId"),
                opt("syncFreq"), opt("lockDuration")};
    e.description = "The client's sync jobs and their schedules (cron).";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "app_authentication_methods";
    e.mosip_name = "AppAuthenticationMethod";
    e.key_fields = {"appId", "processId", "roleCode", "authMethodCode"};
    e.fields = {req("appId"), req("processId"), req("roleCode"), req("authMethodCode"),
                opt("methodSequence", T::kInt)};
    e.description = "How each role signs in to each process of the client.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "app_role_priorities";
    e.mosip_name = "AppRolePriority";
    e.key_fields = {"appId", "processId", "roleCode"};
    e.fields = {req("appId"), req("processId"), req("roleCode"), opt("priority", T::kInt)};
    e.description = "Role priorities per process.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "screen_authorizations";
    e.mosip_name = "ScreenAuthorization";
    e.key_fields = {"screenId", "roleCode"};
    e.fields = {req("screenId"), req("roleCode"), opt("isPermitted", T::kBool)};
    e.description = "Which role may open which screen.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "screen_details";
    e.mosip_name = "ScreenDetail";
    e.per_language = true;
    e.key_fields = {"id"};
    e.fields = {req("id"), req("appId"), req("name"), opt("descr")};
    e.description = "The client's screens.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "process_list";
    e.mosip_name = "ProcessList";
    e.per_language = true;
    e.key_fields = {"id"};
    e.fields = {req("id"), req("name"), opt("descr")};
    e.description = "The client's processes (registration, update, lost UIN...).";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "permitted_local_configs";
    e.mosip_name = "PermittedLocalConfig";
    e.key_fields = {"code"};
    e.fields = {req("code"), req("name"), req("type")};
    e.description = "Configuration keys a client may override locally.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "dynamic_fields";
    e.mosip_name = "DynamicField";
    e.dynamic = true;
    e.per_language = true;
    e.key_fields = {"id"};
    // fieldVal: the values a client offers, each as MOSIP's DynamicFieldValueDto: code and
    // value are strings the registration client reads as such; langCode, which the masterdata
    // DTO has and the sync DTO does not, a string when present; isActive and anything else kept
    // unchecked.
    e.fields = {req("id"), req("name"), opt("dataType"), opt("description"),
                list("fieldVal", true, T::kObject, {req("code"), req("value"), opt("langCode")})};
    e.description = "Dynamic fields (gender, residence status...): one entry per field name.";
    add(std::move(e));
  }
  // Served by their own routes, not clientsettings.
  {
    // Client configuration, versioned by the row version (GET /v1/syncdata/configs merges the
    // levels: global < centre < machine).
    Entity e;
    e.name = "configurations";
    e.key_fields = {"name", "regCenterId", "machineId"};
    e.fields = {req("name"), req("value"), ref("regCenterId", "registration_centers", false),
                ref("machineId", "machines", false)};
    e.scope = ScopeRule::kConfigLevel;
    e.description =
        "Client configuration (name = value): global, for a centre (regCenterId) or for one "
        "machine (machineId); GET /v1/syncdata/configs merges them.";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "users";
    e.key_fields = {"id"};
    e.fields = {req("id"),
                opt("name"),
                opt("mail"),
                opt("mobile"),
                list("roles", false, T::kString),  // userdetails' roles[]: role names
                ref("regCenterId", "registration_centers", false)};
    e.scope = ScopeRule::kCentreField;
    e.scope_field = "regCenterId";
    e.description = "Operators of a centre (GET /v1/syncdata/userdetails).";
    add(std::move(e));
  }
  {
    Entity e;
    e.name = "id_schemas";
    e.key_fields = {"idVersion"};
    // schema: the UI fields, each an object (MOSIP 1.2 serves them as JsonNode; their members
    // differ between versions and are not checked).
    e.fields = {req("idVersion"),
                opt("title"),
                opt("description"),
                req("schemaJson"),
                list("schema", false, T::kObject),
                opt("effectiveFrom"),
                opt("domain"),
                opt("type")};
    e.description = "Published identity schemas (GET /v1/syncdata/latestidschema).";
    add(std::move(e));
  }
  return all;
}

}  // namespace

const Field* Entity::field(std::string_view n) const {
  for (const auto& f : fields)
    if (f.name == n) return &f;
  return nullptr;
}

const std::vector<Entity>& catalogue() {
  static const std::vector<Entity> all = build();
  return all;
}

const Entity* find_entity(std::string_view name) {
  for (const auto& e : catalogue())
    if (e.name == name) return &e;
  return nullptr;
}

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}
}  // namespace

const Entity* find_entity_by_mosip_name(std::string_view mosip_name) {
  for (const auto& e : catalogue())
    if (!e.mosip_name.empty() && iequals(e.mosip_name, mosip_name)) return &e;
  return nullptr;
}

namespace {
std::string string_field(const Json& data, const std::string& name) {
  auto it = data.find(name);
  if (it == data.end() || !it->is_string()) return {};
  return it->get<std::string>();
}
}  // namespace

std::string scope_of(const Entity& entity, const Json& data, std::string_view template_module) {
  switch (entity.scope) {
    case ScopeRule::kGlobal:
      return "";
    case ScopeRule::kCentreField: {
      std::string centre = string_field(data, entity.scope_field);
      return centre.empty() ? kNoScope : "c:" + centre;
    }
    case ScopeRule::kMachineId:
      return "m:" + string_field(data, entity.scope_field);
    case ScopeRule::kLocationField: {
      std::string location = string_field(data, entity.scope_field);
      return location.empty() ? kNoScope : "l:" + location;
    }
    case ScopeRule::kTemplateModule:
      return string_field(data, "moduleId") == template_module ? "" : kNoScope;
    case ScopeRule::kConfigLevel: {
      std::string machine = string_field(data, "machineId");
      if (!machine.empty()) return "m:" + machine;
      std::string centre = string_field(data, "regCenterId");
      return centre.empty() ? "" : "c:" + centre;
    }
  }
  return kNoScope;
}

std::vector<std::string> machine_scopes(const std::string& machine_id, const std::string& centre,
                                        const std::string& holiday_location) {
  std::vector<std::string> scopes = {"", "m:" + machine_id};
  if (!centre.empty()) scopes.push_back("c:" + centre);
  if (!holiday_location.empty()) scopes.push_back("l:" + holiday_location);
  return scopes;
}

namespace {

bool type_matches(FieldType type, const Json& v) {
  switch (type) {
    case T::kString:
      return v.is_string();
    case T::kBool:
      return v.is_boolean();
    case T::kInt:
      return v.is_number_integer();
    case T::kNumber:
      return v.is_number();
    case T::kArray:
      return v.is_array();
    case T::kObject:
      return v.is_object();
    case T::kAny:
      return true;
  }
  return false;
}

const char* type_name(FieldType type) {
  switch (type) {
    case T::kString:
      return "a string";
    case T::kBool:
      return "true or false";
    case T::kInt:
      return "an integer";
    case T::kNumber:
      return "a number";
    case T::kArray:
      return "an array";
    case T::kObject:
      return "an object";
    case T::kAny:
      return "a value";
  }
  return "a value";
}

// An array's items against the field's `items` and `item_members`; the problem names the item
// as a JSON pointer into the row (fieldVal/2, fieldVal/2/code).
std::optional<InvalidRow> check_items(const Field& f, const Json& value) {
  if (!value.is_array() || f.items == T::kAny) return std::nullopt;
  for (size_t i = 0; i < value.size(); ++i) {
    const Json& item = value[i];
    const std::string at = f.name + "/" + std::to_string(i);
    if (!type_matches(f.items, item))
      return InvalidRow{at, std::string("must be ") + type_name(f.items)};
    for (const Field& m : f.item_members) {
      auto it = item.find(m.name);
      if (it == item.end() || it->is_null()) {
        if (m.required) return InvalidRow{at + "/" + m.name, "is required"};
        continue;
      }
      if (!type_matches(m.type, *it))
        return InvalidRow{at + "/" + m.name, std::string("must be ") + type_name(m.type)};
    }
  }
  return std::nullopt;
}

constexpr size_t kMaxKeyBytes = 256;

}  // namespace

std::string row_id(const Entity& entity, const Json& data) {
  std::string id;
  for (size_t i = 0; i < entity.key_fields.size(); ++i) {
    if (i) id += '|';
    auto it = data.find(entity.key_fields[i]);
    if (it == data.end() || it->is_null()) continue;  // an optional key field
    id += it->is_string() ? it->get<std::string>() : it->dump();
  }
  return id;
}

std::optional<InvalidRow> parse_row(const Entity& entity, const Json& body, RowInput& out) {
  if (!body.is_object()) return InvalidRow{"", "the body must be a JSON object"};
  out = RowInput{};
  out.data = Json::object();
  for (const auto& [name, value] : body.items()) {
    if (name == "langCode") {
      if (!value.is_string()) return InvalidRow{"langCode", "must be a string"};
      out.lang = value.get<std::string>();
      continue;
    }
    if (name == "isActive") {
      if (!value.is_boolean()) return InvalidRow{"isActive", "must be true or false"};
      out.active = value.get<bool>();
      continue;
    }
    // What the server keeps itself: accepted (a client may send back what it read) and ignored.
    if (name == "isDeleted" || name == "version" || name == "createdBy" ||
        name == "createdDateTime" || name == "updatedBy" || name == "updatedDateTime" ||
        name == "deletedDateTime")
      continue;
    const Field* f = entity.field(name);
    if (!f) return InvalidRow{name, "is not a field of " + entity.name};
    if (value.is_null()) {
      if (f->required) return InvalidRow{name, "is required"};
      continue;
    }
    if (!type_matches(f->type, value))
      return InvalidRow{name, std::string("must be ") + type_name(f->type)};
    if (auto bad = check_items(*f, value)) return bad;
    out.data[name] = value;
  }
  for (const auto& f : entity.fields)
    if (f.required && !out.data.contains(f.name)) return InvalidRow{f.name, "is required"};
  for (const auto& k : entity.key_fields) {
    auto it = out.data.find(k);
    if (it == out.data.end()) continue;  // an optional key field, absent
    std::string text = it->is_string() ? it->get<std::string>() : it->dump();
    if (text.empty()) {
      if (!entity.field(k)->required) {
        out.data.erase(it);  // "" is the same as absent: one key for the global row
        continue;
      }
      return InvalidRow{k, "must not be empty"};
    }
    if (text.find('|') != std::string::npos) return InvalidRow{k, "must not contain '|'"};
    if (text.size() > kMaxKeyBytes)
      return InvalidRow{k, "must be at most " + std::to_string(kMaxKeyBytes) + " bytes"};
  }
  if (entity.per_language) {
    if (out.lang.empty()) return InvalidRow{"langCode", "is required for " + entity.name};
    if (out.lang.size() > 16 || out.lang.find('|') != std::string::npos)
      return InvalidRow{"langCode", "must be a language code (at most 16 characters)"};
  } else {
    out.lang.clear();  // accepted and ignored: MOSIP clients send it on every DTO
  }
  out.id = row_id(entity, out.data);
  if (out.id.size() > 2 * kMaxKeyBytes) return InvalidRow{"", "the key is too long"};
  return std::nullopt;
}

}  // namespace registrar::sync
