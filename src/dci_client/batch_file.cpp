// Batch files: reading CSV and JSONL into registrants, the file's digest, result lines (pure
// but for read_batch_file).
#include "dci_client/batch.h"

#include <openssl/sha.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

std::string hex_sha256(const std::string& bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : md) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// RFC 4180 fields of one record starting at `pos`; advances `pos` past the record and counts
// the newlines it crossed (a quoted field may hold some).
std::vector<std::string> csv_record(const std::string& t, size_t& pos, size_t& newlines) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  while (pos < t.size()) {
    char c = t[pos++];
    if (quoted) {
      if (c == '"' && pos < t.size() && t[pos] == '"') {
        fields.back() += '"';
        ++pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++newlines;
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n') {
      ++newlines;
      break;
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

bool blank(const std::vector<std::string>& fields) {
  return std::all_of(fields.begin(), fields.end(), [](const std::string& f) {
    return f.find_first_not_of(" \t") == std::string::npos;
  });
}

// "UIN:123;NID:9" as identifiers (the type ends at the first colon, as OpenSPP's "TYPE:VALUE").
Json identifier_list(const std::string& text) {
  Json ids = Json::array();
  std::stringstream in(text);
  std::string one;
  while (std::getline(in, one, ';')) {
    if (one.find_first_not_of(" ") == std::string::npos) continue;
    auto colon = one.find(':');
    if (colon == std::string::npos)
      throw core::invalid_argument("identifiers must be TYPE:VALUE;TYPE:VALUE", "identifiers");
    ids.push_back({{"type", one.substr(0, colon)}, {"value", one.substr(colon + 1)}});
  }
  return ids;
}

BatchLine line_of(size_t line, const Json& j) {
  BatchLine b;
  b.line = line;
  try {
    b.registrant = registrant_from_json(j);
  } catch (const core::Error& e) {
    b.error = e.field().empty() ? e.what() : e.field() + ": " + e.what();
  }
  return b;
}

void parse_csv(const std::string& t, BatchFile& out) {
  size_t pos = 0, newlines = 0;
  std::vector<std::string> header;
  while (pos < t.size() && (header.empty() || blank(header))) header = csv_record(t, pos, newlines);
  for (auto& h : header) {
    h.erase(0, h.find_first_not_of(" \t\xEF\xBB\xBF"));  // spaces and a UTF-8 BOM
    h.erase(h.find_last_not_of(" \t") + 1);
  }
  static const std::vector<std::string> kKnown = {
      "reference",   "identifier_type", "identifier_value", "identifiers", "given_name",
      "family_name", "other_names",     "birth_date",       "sex",         "location"};
  bool any = false;
  for (const auto& h : header) {
    if (std::find(kKnown.begin(), kKnown.end(), h) == kKnown.end())
      throw core::invalid_argument("unknown CSV column '" + h + "'", "header");
    any = true;
  }
  if (!any) throw core::invalid_argument("the CSV file has no header row", "header");
  while (pos < t.size()) {
    size_t line = newlines + 1;
    std::vector<std::string> fields = csv_record(t, pos, newlines);
    if (blank(fields)) continue;
    Json j = Json::object();
    std::string problem;
    for (size_t i = 0; i < header.size() && i < fields.size(); ++i) {
      if (fields[i].empty()) continue;
      if (header[i] == "identifiers") {
        try {
          j["identifiers"] = identifier_list(fields[i]);
        } catch (const core::Error& e) {
          problem = std::string("identifiers: ") + e.what();
        }
      } else {
        j[header[i]] = fields[i];
      }
    }
    if (fields.size() > header.size())
      problem = "more fields (" + std::to_string(fields.size()) + ") than columns";
    BatchLine b = line_of(line, j);
    if (!problem.empty()) b.error = problem;
    out.lines.push_back(std::move(b));
  }
}

void parse_jsonl(const std::string& t, BatchFile& out) {
  std::stringstream in(t);
  std::string text;
  for (size_t line = 1; std::getline(in, text); ++line) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded()) {
      BatchLine b;
      b.line = line;
      b.error = "not a JSON object";
      out.lines.push_back(std::move(b));
      continue;
    }
    out.lines.push_back(line_of(line, j));
  }
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

BatchFile parse_batch(const std::string& text, bool csv) {
  BatchFile out;
  out.digest = hex_sha256(text);
  if (csv)
    parse_csv(text, out);
  else
    parse_jsonl(text, out);
  return out;
}

BatchFile read_batch_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::invalid_argument("cannot read " + path, "file");
  std::stringstream buf;
  buf << in.rdbuf();
  bool csv = path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
  return parse_batch(buf.str(), csv);
}

std::string batch_prefix(const std::string& source, const std::string& digest) {
  return source + ":" + digest.substr(0, 32);
}

std::string batch_key(const std::string& prefix, size_t line) {
  return prefix + ":" + std::to_string(line);
}

std::string result_header_csv() {
  return "line,reference,check_id,state,result,matched_programmes,error";
}

std::string result_line(const BatchLine& line, const Check* c, bool csv) {
  std::string state = c ? std::string(state_name(c->state)) : "invalid";
  std::string result = c && c->result && c->state == CheckState::kCompleted
                           ? std::string(result_name(*c->result))
                           : "";
  std::string error = c ? c->error : line.error;
  std::vector<std::string> programmes = c ? c->matched_programmes : std::vector<std::string>{};
  if (c && c->state != CheckState::kCompleted) programmes.clear();
  if (!csv) {
    Json j = {{"line", line.line},
              {"reference", line.registrant.reference},
              {"check_id", c ? c->id : ""},
              {"state", state},
              {"result", result.empty() ? Json() : Json(result)},
              {"matched_programmes", programmes}};
    if (!error.empty()) j["error"] = error;
    return j.dump();
  }
  std::string joined;
  for (const auto& p : programmes) joined += (joined.empty() ? "" : ";") + p;
  return std::to_string(line.line) + "," + csv_field(line.registrant.reference) + "," +
         (c ? c->id : "") + "," + state + "," + result + "," + csv_field(joined) + "," +
         csv_field(error);
}

}  // namespace registrar::dci_client
