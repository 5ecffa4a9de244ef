// The master-data entities a registration client syncs (docs/sync.md; spec
// mosip-ids-and-sync.md §6.2, §6.4): what each is called in the admin API and in MOSIP's
// clientsettings, its fields, its key, what it refers to and which clients receive it. Pure data
// and checks, no I/O: the store keeps every entity's rows in one table, and this catalogue is
// what tells them apart.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace registrar::sync {

using Json = nlohmann::json;

enum class FieldType { kString, kBool, kInt, kNumber, kArray, kObject, kAny };

struct Field {
  std::string name;  // the DTO's camelCase name, as MOSIP clients read it
  FieldType type = FieldType::kString;
  bool required = false;
  // An entity (admin name) a non-empty value must name: a row with that id (in any language)
  // that is not deleted.
  std::string references;
  // For an array: what each item must be (kAny: anything), and for object items the members
  // they must or may have (`required`, `type`; other members are kept unchecked).
  FieldType items = FieldType::kAny;
  std::vector<Field> item_members;
};

// Which clients receive an entity's rows.
enum class ScopeRule {
  kGlobal,         // every machine
  kCentreField,    // the machines of the centre named by `scope_field` (the row itself for centres)
  kMachineId,      // only the machine the row is (MOSIP: Machine → id = machine)
  kLocationField,  // machines whose centre's holidayLocationCode is `scope_field`
  kTemplateModule,  // every machine when moduleId is the registration client's module, else none
  kConfigLevel      // configurations: machineId set -> that machine, else regCenterId set -> that
                    // centre's machines, else every machine
};

struct Entity {
  std::string name;           // admin API: /v1/masterdata/{name}
  std::string mosip_name;     // clientsettings entityName; "" when not sent there
  bool in_v1 = true;          // sent by /v1/syncdata/clientsettings
  bool in_v2 = true;          // sent by /v1/syncdata/v2/clientsettings
  bool dynamic = false;       // entityType "dynamic": grouped by `name` field, one entry per name
  bool per_language = false;  // the key includes langCode
  // Joined with '|' into the row id. An optional key field (configurations' regCenterId and
  // machineId) contributes "" when absent, so "timeout||" is the global row of "timeout".
  std::vector<std::string> key_fields;
  std::vector<Field> fields;  // besides langCode, isActive
  ScopeRule scope = ScopeRule::kGlobal;
  std::string scope_field;
  std::string description;

  const Field* field(std::string_view name) const;
};

// Every entity, in the order clientsettings lists them.
const std::vector<Entity>& catalogue();
// By admin name; null when unknown.
const Entity* find_entity(std::string_view name);
// By MOSIP entityName (case-insensitive, as fullSyncEntities is written by hand); null when
// unknown.
const Entity* find_entity_by_mosip_name(std::string_view mosip_name);

// The scope string a row is stored under (docs/sync.md, "Scopes"): "" for every machine,
// "c:<centre>", "m:<machine>", "l:<location>", or "-" for no machine.
inline constexpr const char* kNoScope = "-";
std::string scope_of(const Entity& entity, const Json& data, std::string_view template_module);
// The scopes a machine of `centre` (whose holidayLocationCode is `holiday_location`) receives.
std::vector<std::string> machine_scopes(const std::string& machine_id, const std::string& centre,
                                        const std::string& holiday_location);

// A row as a client or the admin API supplies it, checked against its entity.
struct RowInput {
  std::string id;    // key fields joined with '|'
  std::string lang;  // "" for entities that are not per language
  bool active = true;
  Json data;  // the entity's fields only (no langCode, isActive, isDeleted), compact
};
struct InvalidRow {
  std::string field;  // the JSON field at fault ("" for the body)
  std::string message;
};
// Validates `body` (a JSON object) for `entity`: required fields present, types right (an
// array's items too: the field then names the item as a JSON pointer, "fieldVal/2/code"), key
// fields non-empty and without '|', no unknown fields. Fills `out` or returns the first problem.
std::optional<InvalidRow> parse_row(const Entity& entity, const Json& body, RowInput& out);

// The row id of `data` (its key fields joined with '|').
std::string row_id(const Entity& entity, const Json& data);

}  // namespace registrar::sync
