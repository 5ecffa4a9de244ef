#include "dci_client/search_answer.h"

#include <algorithm>
#include <set>

#include "core/error.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

// A scalar as text: ids may be numbers.
std::string scalar(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number()) return j.dump();
  return "";
}

// The first of `keys` with a non-empty scalar value.
std::string first_of(const Json& obj, std::initializer_list<const char*> keys) {
  if (!obj.is_object()) return "";
  for (const char* k : keys) {
    auto it = obj.find(k);
    if (it == obj.end()) continue;
    std::string v = scalar(*it);
    if (!v.empty()) return v;
  }
  return "";
}

void add(std::vector<std::string>& out, std::string name) {
  if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end())
    out.push_back(std::move(name));
}

const Json* member(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

// A list member, or an object member taken as a list of one.
std::vector<const Json*> each(const Json& obj, const char* key) {
  std::vector<const Json*> out;
  const Json* m = member(obj, key);
  if (!m) return out;
  if (m->is_array())
    for (const auto& e : *m) out.push_back(&e);
  else
    out.push_back(m);
  return out;
}

void spec_programmes(std::vector<std::string>& out, const Json& holder) {
  // Person: programme[] {programme_name, programme_identifier}.
  for (const Json* p : each(holder, "programme"))
    add(out, first_of(*p, {"programme_name", "programme_identifier"}));
  // Beneficiary member: programme_identifier {programme: {programme_name, ...}}.
  for (const Json* pi : each(holder, "programme_identifier"))
    if (const Json* p = member(*pi, "programme"))
      add(out, first_of(*p, {"programme_name", "programme_identifier"}));
}

}  // namespace

std::string text_member(const Json& obj, const char* key) {
  return first_of(obj, {key});
}

std::vector<const Json*> item_records(const Json& item) {
  std::vector<const Json*> out;
  const Json* data = member(item, "data");
  if (!data) return out;
  const Json* records = data;
  if (data->is_object()) records = member(*data, "reg_records");
  if (!records || !records->is_array()) return out;
  for (const auto& r : *records)
    if (r.is_object()) out.push_back(&r);
  return out;
}

std::vector<std::string> record_programmes(const Json& r) {
  std::vector<std::string> out;
  for (const Json* p : each(r, "programs")) {
    if (p->is_string())
      add(out, p->get<std::string>());
    else
      // OpenSPP sync: name, id, code; its callback path also program_name.
      add(out, first_of(*p, {"name", "id", "code", "program_name"}));
  }
  for (const Json* e : each(r, "enrollments"))
    add(out, first_of(*e, {"program_name", "program_id", "program"}));
  spec_programmes(out, r);
  if (const Json* m = member(r, "member")) spec_programmes(out, *m);
  if (const Json* match = member(r, "registrar_match"))
    for (const Json* e : each(*match, "enrollments"))
      add(out, first_of(*e, {"programme_name", "programme_id"}));
  return out;
}

CheckResult records_result(const std::vector<const Json*>& records) {
  if (records.empty()) return CheckResult::kNoMatch;
  for (const Json* r : records) {
    const Json* match = member(*r, "registrar_match");
    if (!match || first_of(*match, {"level"}) != "possible") return CheckResult::kConfirmedMatch;
  }
  return CheckResult::kPossibleMatch;
}

ItemOutcome read_item(const Json& item, AnswerPath path) {
  ItemOutcome out;
  out.raw = item;
  if (!item.is_object()) {
    out.reason = "the answer item is not a JSON object";
    return out;
  }
  std::string status = first_of(item, {"status"});
  if (status == "rjct") {
    std::string code = first_of(item, {"status_reason_code"});
    std::string message = first_of(item, {"status_reason_message"});
    out.reason = "rejected by the registry" + (code.empty() ? "" : ": " + code) +
                 (message.empty() ? "" : " (" + message + ")");
    return out;
  }
  if (path == AnswerPath::kCallback && status != "succ") {
    out.kind = ItemOutcome::Kind::kWaiting;
    out.reason = "status " + (status.empty() ? std::string("missing") : status) + ", not succ";
    return out;
  }
  std::vector<const Json*> records = item_records(item);
  out.kind = ItemOutcome::Kind::kCompleted;
  out.result = records_result(records);
  std::set<std::string> names;
  for (const Json* r : records)
    for (auto& p : record_programmes(*r)) names.insert(std::move(p));
  out.programmes.assign(names.begin(), names.end());
  return out;
}

std::map<std::string, const Json*> items_by_reference(const Json& message) {
  const Json* items = member(message, "search_response");
  if (!items || !items->is_array())
    throw core::invalid_argument("the answer has no search_response list", "search_response");
  std::map<std::string, const Json*> out;
  for (const auto& item : *items) out.emplace(first_of(item, {"reference_id"}), &item);
  return out;
}

}  // namespace registrar::dci_client
