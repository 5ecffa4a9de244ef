#include "dci_client/batch.h"

#include <openssl/sha.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/thread_annotations.h"

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

bool finished(const Check& c) {
  return c.state == CheckState::kCompleted || c.state == CheckState::kFailed;
}

// Counts envelopes finished, for a caller that waits on them.
struct Waiter {
  core::Mutex mu;
  core::CondVar cv;
  size_t chunks_done GUARDED_BY(mu) = 0;
  size_t checks_done GUARDED_BY(mu) = 0;
};

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

std::vector<std::optional<Check>> run_batch(CheckService& checks, const BatchFile& file,
                                            const BatchOptions& options, const Actor& actor,
                                            BatchSummary& summary) {
  summary = {};
  summary.lines = file.lines.size();
  const std::string prefix = batch_prefix(options.source, file.digest);
  // 1. One check per valid line; a resumed batch finds its own.
  std::map<size_t, Check> by_line;
  std::vector<NewCheck> wanted;
  std::vector<size_t> wanted_lines;
  auto flush = [&] {
    if (wanted.empty()) return;
    std::vector<Check> made = checks.create_many(wanted, options.source, actor);
    for (size_t i = 0; i < made.size(); ++i) by_line[wanted_lines[i]] = std::move(made[i]);
    wanted.clear();
    wanted_lines.clear();
  };
  for (const auto& l : file.lines) {
    if (!l.error.empty()) {
      ++summary.invalid;
      continue;
    }
    wanted.push_back({l.registrant, batch_key(prefix, l.line)});
    wanted_lines.push_back(l.line);
    if (wanted.size() >= 500) flush();
  }
  flush();
  // 2. What to send: ready checks, and sync ones an interrupted run left `checking` (that
  // process is gone, and its answer with it; a search is read-only, asking again is harmless).
  std::vector<std::string> to_send;
  size_t total = by_line.size(), done = 0;
  for (auto& [line, c] : by_line) {
    if (c.state == CheckState::kChecking && c.correlation_id.empty()) c = checks.retry(c.id, actor);
    if (c.state == CheckState::kReady)
      to_send.push_back(c.id);
    else if (finished(c))
      ++done;
  }
  summary.already_done = done;
  if (options.progress) options.progress(done, total);
  // 3. Send, `window` envelopes at a time.
  auto waiter = std::make_shared<Waiter>();
  size_t per_window =
      size_t(std::max(1, options.window)) * size_t(std::max(1, checks.settings().batch_size));
  for (size_t from = 0; from < to_send.size(); from += per_window) {
    std::vector<std::string> ids(
        to_send.begin() + long(from),
        to_send.begin() + long(std::min(to_send.size(), from + per_window)));
    {
      core::MutexLock l(waiter->mu);
      waiter->chunks_done = 0;
    }
    RunObserver observer;
    observer.on_chunk = [waiter, async = options.mode ==
                                         RunMode::kAsync](const std::vector<std::string>& chunk) {
      core::MutexLock l(waiter->mu);
      ++waiter->chunks_done;
      if (!async) waiter->checks_done += chunk.size();
      waiter->cv.notify_all();
    };
    std::vector<RunEntry> entries = checks.run(ids, options.mode, actor, observer);
    size_t sent = 0;
    for (const auto& e : entries) sent += e.sent ? 1 : 0;
    summary.sent += sent;
    size_t envelopes =
        (sent + size_t(checks.settings().batch_size) - 1) / size_t(checks.settings().batch_size);
    core::MutexLock l(waiter->mu);
    while (waiter->chunks_done < envelopes) {
      waiter->cv.wait(waiter->mu);
      if (options.progress) options.progress(done + waiter->checks_done, total);
    }
  }
  // 4. Async answers arrive at the server: wait for them in the database.
  auto reload = [&] {
    size_t n = 0;
    for (auto& [line, c] : by_line) {
      if (!finished(c))
        if (auto fresh = checks.find(c.id)) c = std::move(*fresh);
      n += finished(c) ? 1 : 0;
    }
    return n;
  };
  size_t now_done = reload();
  if (options.progress) options.progress(now_done, total);
  auto give_up = std::chrono::steady_clock::now() + options.async_wait;
  while (now_done < total && options.mode == RunMode::kAsync &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    now_done = reload();
    if (options.progress) options.progress(now_done, total);
  }
  // 5. Every line's check, in file order.
  std::vector<std::optional<Check>> out;
  for (const auto& l : file.lines) {
    auto it = by_line.find(l.line);
    if (it == by_line.end()) {
      out.push_back(std::nullopt);
      continue;
    }
    const Check& c = it->second;
    if (c.state == CheckState::kFailed)
      ++summary.failed;
    else if (c.state != CheckState::kCompleted)
      ++summary.pending;
    else if (c.result == CheckResult::kConfirmedMatch)
      ++summary.confirmed;
    else if (c.result == CheckResult::kPossibleMatch)
      ++summary.possible;
    else
      ++summary.no_match;
    out.push_back(c);
  }
  return out;
}

}  // namespace registrar::dci_client
