#include "sync/csv.h"

#include "core/error.h"

namespace registrar::sync {

std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  size_t line = 1, i = 0;
  bool quoted = false, field_started = false;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    if (!(record.size() == 1 && record[0].empty())) records.push_back(std::move(record));
    record.clear();
  };
  while (i < text.size()) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        ++i;
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          throw core::invalid_argument("a quoted field must end at a comma or a line's end",
                                       "line " + std::to_string(line));
        continue;
      }
      if (c == '\n') ++line;
      field += c;
      ++i;
      continue;
    }
    if (c == '"') {
      if (field_started || !field.empty())
        throw core::invalid_argument("a quote inside an unquoted field",
                                     "line " + std::to_string(line));
      quoted = true;
      field_started = true;
      ++i;
      continue;
    }
    if (c == ',') {
      end_field();
      ++i;
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    if (c == '\n' || c == '\r') {
      end_record();
      ++line;
      ++i;
      continue;
    }
    field += c;
    ++i;
  }
  if (quoted)
    throw core::invalid_argument("a quoted field never ends", "line " + std::to_string(line));
  if (!field.empty() || !record.empty()) end_record();
  return records;
}

Json csv_record_to_row(const Entity& entity, const std::vector<std::string>& header,
                       const std::vector<std::string>& record) {
  if (record.size() != header.size())
    throw core::invalid_argument("has " + std::to_string(record.size()) + " fields, the header " +
                                 std::to_string(header.size()));
  Json row = Json::object();
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string& name = header[c];
    const std::string& cell = record[c];
    if (cell.empty()) continue;
    FieldType type = FieldType::kString;
    if (name == "isActive") {
      type = FieldType::kBool;
    } else if (name != "langCode") {
      const Field* f = entity.field(name);
      if (!f) throw core::invalid_argument("is not a field of " + entity.name, name);
      type = f->type;
    }
    if (type == FieldType::kString) {
      row[name] = cell;
      continue;
    }
    Json v = Json::parse(cell, nullptr, false);
    if (v.is_discarded()) throw core::invalid_argument("is not a JSON value: " + cell, name);
    row[name] = std::move(v);
  }
  return row;
}

}  // namespace registrar::sync
