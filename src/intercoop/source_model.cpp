#include "intercoop/source_model.h"

#include <set>

#include "core/error.h"
#include "intercoop/errors.h"
#include "intercoop/package.h"
#include "intercoop/yaml_emit.h"
#include "intercoop/yaml_parse.h"

namespace registrar::intercoop {
namespace {

bool field_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool scalar(const yaml::Value& v) {
  return v.is_null() || v.is_string() || v.is_number() || v.is_boolean();
}

// A member of a JSON pointer (RFC 6901): '~' and '/' escaped.
std::string pointer_token(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

// One CSV record and the physical line it starts on.
struct Record {
  size_t line;
  std::vector<std::string> cells;
};

core::Error at_line(size_t line, const std::string& why) {
  return core::invalid_argument("line " + std::to_string(line) + ": " + why);
}

// RFC 4180 records: quoted cells may hold commas, quotes ("") and line breaks; CRLF or LF ends
// a record; a final line break is optional; blank lines are skipped.
std::vector<Record> csv_records(std::string_view text) {
  std::vector<Record> out;
  size_t line = 1, i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a spreadsheet's UTF-8 byte order mark
  while (i < text.size()) {
    Record r{line, {}};
    std::string cell;
    bool done = false;
    while (!done) {
      if (i < text.size() && text[i] == '"') {
        size_t start_line = line;
        ++i;
        while (true) {
          if (i >= text.size()) throw at_line(start_line, "a quoted cell is not closed");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              cell += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          cell += text[i++];
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          throw at_line(line, "text after a quoted cell's closing quote");
      }
      while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        if (text[i] == '"') throw at_line(line, "a quote inside an unquoted cell");
        cell += text[i++];
      }
      r.cells.push_back(std::move(cell));
      cell.clear();
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == '\r') ++i;
      if (i < text.size() && text[i] == '\n') ++i;
      ++line;
      done = true;
    }
    bool blank = r.cells.size() == 1 && r.cells[0].empty();
    if (!blank) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

bool valid_member_id(std::string_view id) {
  if (id.empty() || id.size() > 255) return false;
  for (unsigned char c : id)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

bool valid_field_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!field_char(c)) return false;
  return true;
}

bool valid_member_lang(std::string_view lang) {
  return lang == "es" || lang == "ca" || lang == "en";
}

void check_member(const Member& m) {
  if (!valid_member_id(m.id))
    throw core::invalid_argument("member id: 1-255 characters, no control characters", "member");
  if (!valid_member_lang(m.lang)) throw core::invalid_argument("lang: es, ca or en", "lang");
  if (!m.fields.is_object())
    throw core::invalid_argument("fields: a map of field name to value", "fields");
  for (const auto& [name, value] : m.fields.items()) {
    // The field at fault as a JSON pointer into the request body: fields/nif, fields/email/1.
    const std::string at = "fields/" + pointer_token(name);
    if (!valid_field_name(name) || name == "member")
      throw core::invalid_argument("field name '" + name + "': letters, digits and '_'", at);
    if (name == "originpeer")
      throw core::invalid_argument("originpeer is ours (intercoop.peer_id), not a member's", at);
    // The original's user record (spec §1.2) holds text, a number (innerid: 666), null
    // (proxynif) and lists (email, peerroles): the types its YAML payload carries. A mapping or a
    // list inside a list is none of its fields.
    auto check_value = [&field = name](const yaml::Value& v, const std::string& where) {
      if (!scalar(v))
        throw core::invalid_argument(
            "field " + field + ": text, a number, true/false, null or a list of those", where);
      try {
        yaml::dump(v);  // the payload is YAML text: refuse what cannot be written
      } catch (const yaml::YamlError&) {
        throw core::invalid_argument("field " + field + ": text must be UTF-8", where);
      }
    };
    if (value.is_array()) {
      for (size_t i = 0; i < value.size(); ++i) check_value(value[i], at + "/" + std::to_string(i));
    } else {
      check_value(value, at);
    }
  }
}

std::vector<Member> parse_members_csv(std::string_view text) {
  std::vector<Record> records = csv_records(text);
  if (records.empty()) throw at_line(1, "no header row");
  const Record& header = records.front();
  std::set<std::string> seen;
  int member_col = -1, lang_col = -1;
  for (size_t c = 0; c < header.cells.size(); ++c) {
    const std::string& name = header.cells[c];
    if (!seen.insert(name).second) throw at_line(header.line, "column '" + name + "' twice");
    if (name == "member") {
      member_col = int(c);
    } else if (name == "lang") {
      lang_col = int(c);
    } else if (!valid_field_name(name) || name == "originpeer") {
      throw at_line(header.line,
                    "column '" + name + "' is not a field name (letters, digits, '_')");
    }
  }
  if (member_col < 0) throw at_line(header.line, "no 'member' column");
  std::vector<Member> out;
  std::set<std::string> ids;
  for (size_t r = 1; r < records.size(); ++r) {
    const Record& rec = records[r];
    if (rec.cells.size() != header.cells.size())
      throw at_line(rec.line, std::to_string(rec.cells.size()) + " cells, the header has " +
                                  std::to_string(header.cells.size()));
    Member m;
    m.id = rec.cells[size_t(member_col)];
    if (lang_col >= 0 && !rec.cells[size_t(lang_col)].empty()) m.lang = rec.cells[size_t(lang_col)];
    for (size_t c = 0; c < header.cells.size(); ++c) {
      if (int(c) == member_col || int(c) == lang_col || rec.cells[c].empty()) continue;
      m.fields[header.cells[c]] = rec.cells[c];
    }
    try {
      check_member(m);
    } catch (const core::Error& e) {
      throw at_line(rec.line, e.what());
    }
    if (!ids.insert(m.id).second) throw at_line(rec.line, "member '" + m.id + "' twice");
    out.push_back(std::move(m));
  }
  return out;
}

std::optional<std::vector<RemoteService>> remote_services_from_descriptor(const yaml::Value& d) {
  if (!d.is_object()) return std::nullopt;
  auto services = d.find("services");
  if (services == d.end() || !services->is_object()) return std::nullopt;
  auto field_list = [](const yaml::Value& v, const std::string& where) {
    std::vector<std::string> out;
    if (!v.is_array()) throw core::invalid_argument(where + ": a list of field names", "fields");
    for (const auto& f : v) {
      if (!f.is_string() || !valid_field_name(f.get<std::string>()))
        throw core::invalid_argument(where + ": '" + f.dump() + "' is not a field name", "fields");
      out.push_back(f.get<std::string>());
    }
    return out;
  };
  std::vector<std::string> defaults;
  if (auto f = d.find("fields"); f != d.end() && !f->is_null()) defaults = field_list(*f, "fields");
  std::string peer;
  if (auto p = d.find("peerid"); p != d.end()) {
    if (!p->is_string()) throw core::invalid_argument("peerid: a string", "peerid");
    peer = p->get<std::string>();
  }
  std::vector<RemoteService> out;
  for (const auto& [name, s] : services->items()) {
    if (!valid_service_name(name))
      throw core::invalid_argument("service '" + name + "': lowercase letters, digits and '_'",
                                   "services");
    RemoteService rs;
    rs.peer = peer;
    rs.name = name;
    rs.fields = defaults;
    if (s.is_object()) {
      if (auto f = s.find("fields"); f != s.end() && !f->is_null())
        rs.fields = field_list(*f, "services." + name + ".fields");
      if (auto t = s.find("name"); t != s.end() && (t->is_string() || t->is_object()))
        rs.title = *t;
      if (auto t = s.find("description"); t != s.end() && (t->is_string() || t->is_object()))
        rs.description = *t;
    }
    out.push_back(std::move(rs));
  }
  return out;
}

yaml::Value build_payload(std::string_view our_peer_id, const Member& member,
                          const RemoteService& service) {
  if (service.fields.empty())
    throw core::Error(
        core::ErrorKind::kUnprocessable,
        "peer '" + service.peer + "' does not specify fields for service '" + service.name + "'");
  std::set<std::string> wanted(service.fields.begin(), service.fields.end());
  wanted.erase("originpeer");
  yaml::Value payload = yaml::Value::object();
  payload["originpeer"] = std::string(our_peer_id);
  for (const auto& [name, value] : member.fields.items())
    if (wanted.erase(name)) payload[name] = value;
  if (wanted.erase("lang")) payload["lang"] = member.lang;
  if (!wanted.empty())
    throw core::Error(core::ErrorKind::kUnprocessable,
                      "member " + member.id + " has no value for field '" + *wanted.begin() +
                          "', which service '" + service.name + "' of peer '" + service.peer +
                          "' requires",
                      "fields");
  return payload;
}

TargetAnswer no_answer(std::string_view what) {
  TargetAnswer a;
  a.error = "BackendError";
  a.arguments = {std::string(what)};
  a.message = format_message(ErrorClass::kBackendError, a.arguments);
  return a;
}

TargetAnswer read_target_answer(int status, std::string_view content_type, std::string_view body) {
  auto backend = [status](std::string what) {
    TargetAnswer a = no_answer(what);
    a.status = status;
    return a;
  };
  if (content_type != kErrorContentType)
    return backend("Wrong mime type received: " +
                   (content_type.empty() ? std::string("Unspecified") : std::string(content_type)));
  yaml::Value v;
  try {
    v = yaml::load(body);
  } catch (const yaml::YamlError& e) {
    return backend(std::string("Bad yaml response\n") + e.what());
  }
  if (!v.is_object()) return backend("Wrong content format");
  if (status == 200) {
    auto url = v.find("continuationUrl");
    if (url == v.end() || !url->is_string()) return backend("Wrong content format");
    TargetAnswer a;
    a.accepted = true;
    a.status = status;
    a.continuation_url = url->get<std::string>();
    if (auto u = v.find("uuid"); u != v.end()) a.uuid = python_str(*u);
    return a;
  }
  if (auto e = error_from_body(v)) {
    TargetAnswer a;
    a.status = status;
    a.error = std::string(info(e->error_class()).name);
    a.message = e->what();
    a.arguments = e->arguments();
    return a;
  }
  return backend(std::string(body));
}

std::string outcome_of(const TargetAnswer& a) {
  if (a.accepted) return "accepted";
  return a.error == "BackendError" ? "unanswered" : "refused";
}

yaml::Value answer_json(const TargetAnswer& a) {
  yaml::Value out = yaml::Value::object();
  out["status"] = a.status;
  if (a.accepted) {
    out["uuid"] = a.uuid;
    out["continuation_url"] = a.continuation_url;
  } else {
    out["error"] = a.error;
    out["message"] = a.message;
    out["arguments"] = a.arguments;
  }
  return out;
}

yaml::Value translate(const yaml::Value& value, std::string_view lang) {
  if (!value.is_object()) return value;
  if (auto it = value.find(std::string(lang)); it != value.end()) return *it;
  if (auto it = value.find("es"); it != value.end()) return *it;
  return value;
}

std::string activate_url(std::string_view target_url) {
  std::string base(target_url);
  if (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/activateService";
}

yaml::Value our_descriptor(std::string_view peer_id, std::string_view name,
                           std::string_view public_key_pem, std::string_view target_url,
                           const Service* service, std::string_view ed25519_pem) {
  yaml::Value d = yaml::Value::object();
  d["intercoopVersion"] = std::string(kProtocolVersion);
  d["peerVersion"] = 1;
  d["peerid"] = std::string(peer_id);
  d["name"] = std::string(name);
  if (!target_url.empty()) {
    d["targetUrl"] = std::string(target_url);
    if (service) {
      yaml::Value s = yaml::Value::object();
      // §4.1's service `name` is translatable like its description: a language map that has
      // `es` goes out whole, so that a member reads the title in their language (§4.2 falls
      // back to Spanish); a map without `es` would break the schema, so the service's id.
      s["name"] = service->description.is_object() && service->description.contains("es")
                      ? service->description
                      : yaml::Value(service->name);
      s["description"] =
          service->description.empty() ? yaml::Value(service->name) : service->description;
      s["fields"] = service->fields;
      d["services"] = yaml::Value::object();
      d["services"][service->name] = s;
    }
  }
  d["publickey"] = std::string(public_key_pem);
  if (!ed25519_pem.empty()) {
    d["intercoopVersions"] = {std::string(kProtocolVersion), "2.0"};
    d["publickeyEd25519"] = std::string(ed25519_pem);
  }
  return d;
}

}  // namespace registrar::intercoop
