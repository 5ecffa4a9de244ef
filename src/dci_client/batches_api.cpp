#include "dci_client/batches_api.h"

#include <algorithm>
#include <map>

#include "core/error.h"
#include "core/request_context.h"
#include "dci_client/batch.h"

namespace registrar::dci_client {
namespace {

using http::Request;
using http::Response;
using Json = nlohmann::json;

constexpr size_t kFileMaxBody = 8 * 1024 * 1024;  // tens of thousands of CSV rows
constexpr size_t kCreateChunk = 500;              // checks created per transaction

Actor actor_of(const Request& r) {
  return {r.actor(), r.request_id, core::current_server_request_id()};
}

std::string string_member(const Json& body, const char* name, bool required) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) throw core::invalid_argument(std::string(name) + " is required", name);
    return "";
  }
  if (!it->is_string()) throw core::invalid_argument(std::string(name) + " must be text", name);
  return it->get<std::string>();
}

// The line number a batch key ends with ("<source>:<digest>:<line>").
size_t line_of(const std::string& batch_key) {
  auto colon = batch_key.rfind(':');
  try {
    return colon == std::string::npos ? 0 : size_t(std::stoull(batch_key.substr(colon + 1)));
  } catch (const std::exception&) {
    return 0;
  }
}

// Progress and one page of results (by line, after `after_line`) of the batch `id`.
Json batch_status(CheckService& checks, const std::string& id, size_t after_line, size_t limit) {
  std::vector<Check> all = checks.batch(id);
  if (all.empty()) throw core::not_found("no batch " + id);
  std::map<std::string, size_t> counts = {
      {"ready", 0},    {"checking", 0},       {"completed", 0},      {"failed", 0},
      {"no_match", 0}, {"possible_match", 0}, {"confirmed_match", 0}};
  std::vector<std::pair<size_t, const Check*>> by_line;
  for (const auto& c : all) {
    ++counts[std::string(state_name(c.state))];
    if (c.state == CheckState::kCompleted && c.result)
      ++counts[std::string(result_name(*c.result))];
    by_line.emplace_back(line_of(c.batch_key), &c);
  }
  std::sort(by_line.begin(), by_line.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Json items = Json::array();
  size_t last = 0;
  for (const auto& [line, c] : by_line) {
    if (line <= after_line) continue;
    if (items.size() == limit) break;
    Json item = {{"line", line},
                 {"check_id", c->id},
                 {"reference", c->registrant.reference},
                 {"state", state_name(c->state)},
                 {"matched_programmes", c->matched_programmes}};
    item["result"] = c->result ? Json(result_name(*c->result)) : Json(nullptr);
    if (!c->error.empty()) item["error"] = c->error;
    items.push_back(std::move(item));
    last = line;
  }
  const size_t done = counts["completed"] + counts["failed"];
  Json out = {{"id", id},
              {"source", all.front().source},
              {"total", all.size()},
              {"done", done},
              {"finished", done == all.size()},
              {"counts", counts},
              {"items", std::move(items)}};
  out["next"] =
      (out["items"].size() == limit && last < by_line.back().first) ? Json(last) : Json(nullptr);
  return out;
}

Response create(const Request& r, CheckService& checks) {
  Json body = r.json_body();
  if (!body.is_object()) throw core::invalid_argument("the body must be a JSON object");
  const std::string source = string_member(body, "source", true);
  const std::string text = string_member(body, "file", true);
  std::string format = string_member(body, "format", false);
  if (format.empty()) format = "csv";
  if (format != "csv" && format != "jsonl")
    throw core::invalid_argument("format must be csv or jsonl", "format");
  RunMode mode = checks.settings().default_mode;
  if (std::string m = string_member(body, "mode", false); !m.empty()) {
    if (m != "sync" && m != "async")
      throw core::invalid_argument("mode must be sync or async", "mode");
    mode = m == "sync" ? RunMode::kSync : RunMode::kAsync;
  }
  bool retry_failed = false;
  if (auto it = body.find("retry_failed"); it != body.end()) {
    if (!it->is_boolean())
      throw core::invalid_argument("retry_failed must be true or false", "retry_failed");
    retry_failed = it->get<bool>();
  }
  BatchFile file;
  try {
    file = parse_batch(text, format == "csv");
  } catch (const core::Error& e) {
    throw core::invalid_argument(e.what(), "file");
  }
  const Actor actor = actor_of(r);
  const std::string id = batch_prefix(source, file.digest);
  // One check per valid line (a file posted again finds its own), then what to send: the ready
  // ones, and with retry_failed the failed ones. Checks `checking` are in flight: left alone.
  Json invalid = Json::array();
  std::vector<NewCheck> wanted;
  std::vector<std::string> to_send;
  auto flush = [&] {
    if (wanted.empty()) return;
    for (auto& c : checks.create_many(wanted, source, actor)) {
      if (c.state == CheckState::kFailed && retry_failed) c = checks.retry(c.id, actor);
      if (c.state == CheckState::kReady) to_send.push_back(c.id);
    }
    wanted.clear();
  };
  for (const auto& l : file.lines) {
    if (!l.error.empty()) {
      invalid.push_back({{"line", l.line}, {"error", l.error}});
      continue;
    }
    wanted.push_back({l.registrant, batch_key(id, l.line)});
    if (wanted.size() >= kCreateChunk) flush();
  }
  flush();
  if (invalid.size() == file.lines.size())
    throw core::invalid_argument(
        "the file holds no registrant (" + std::to_string(invalid.size()) + " invalid lines)",
        "file");
  size_t sent = 0;
  if (!to_send.empty())
    for (const auto& e : checks.run(to_send, mode, actor)) sent += e.sent ? 1 : 0;
  Json out = batch_status(checks, id, 0, 0);
  out.erase("items");
  out.erase("next");
  out["lines"] = file.lines.size();
  out["invalid"] = std::move(invalid);
  out["sent"] = sent;
  return Response::json(202, out);
}

}  // namespace

void add_batches_routes(http::Router& router, CheckService& checks) {
  const CheckSettings& s = checks.settings();
  router.post("/v1/dci/batches", [&checks](Request& r) { return create(r, checks); })
      .require_scopes({s.scope_run})
      .max_body(kFileMaxBody)
      .describe(
          "Run a batch of checks from a file ({source, file: CSV or JSONL text, format, mode, "
          "retry_failed}); 202 with the batch id and its progress");
  router
      .get("/v1/dci/batches/{id}",
           [&checks](Request& r) {
             size_t after = size_t(r.integer_query_param("after", 0, INT64_MAX, 0));
             size_t limit = size_t(r.integer_query_param("limit", 1, 1000, 100));
             return Response::json(200,
                                   batch_status(checks, std::string(r.param("id")), after, limit));
           })
      .require_scopes({s.scope_read})
      .describe(
          "A batch's progress (counts by state and result) and its results by line (?after, "
          "?limit)");
}

}  // namespace registrar::dci_client
