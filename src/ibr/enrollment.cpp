#include "ibr/enrollment.h"

#include "core/error.h"

namespace registrar::ibr {

namespace {

using Json = nlohmann::json;

// Values arrive as strings or numbers (and sometimes "" for absent): numbers keep their JSON
// text, so 847951632 and "847951632" are the same identifier.
std::string text_of(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return "";
}

std::string member_text(const Json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it == obj.end() ? "" : text_of(*it);
}

const Json* child(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

void add_identifiers(std::vector<Identifier>& out, const Json* list) {
  if (!list) return;
  auto add_one = [&](const Json& item) {
    Identifier id{member_text(item, "identifier_type"), member_text(item, "identifier_value")};
    if (id.type.empty() || id.value.empty()) return;
    for (const auto& e : out)
      if (e == id) return;
    out.push_back(std::move(id));
  };
  if (list->is_array())
    for (const auto& item : *list) add_one(item);
  else if (list->is_object())
    add_one(*list);
}

void add_enrollment(std::vector<Enrollment>& out, Enrollment e) {
  if (e.programme_id.empty()) e.programme_id = e.programme_name;
  if (e.programme_id.empty()) return;
  for (auto& existing : out)
    if (existing.programme_id == e.programme_id) {
      existing = std::move(e);  // the last mention of a programme wins, as in an update
      return;
    }
  out.push_back(std::move(e));
}

// member.programme_identifier: {programme: {programme_identifier, programme_name},
// enrolment_date, enrolment_status, status_change_date}, one or a list.
void add_member_programmes(std::vector<Enrollment>& out, const Json* p) {
  if (!p) return;
  auto one = [&](const Json& item) {
    const Json* programme = child(item, "programme");
    Enrollment e;
    e.programme_id = programme ? member_text(*programme, "programme_identifier") : "";
    e.programme_name = programme ? member_text(*programme, "programme_name") : "";
    e.enrolment_date = member_text(item, "enrolment_date");
    e.status = member_text(item, "enrolment_status");
    e.end_date = member_text(item, "status_change_date");
    add_enrollment(out, std::move(e));
  };
  if (p->is_array())
    for (const auto& item : *p) one(item);
  else if (p->is_object())
    one(*p);
}

// Person.programme[]: {programme_name, programme_identifier, enrolment_date, enrolment_status,
// graduation_date, suspension_date}.
void add_person_programmes(std::vector<Enrollment>& out, const Json* list) {
  if (!list || !list->is_array()) return;
  for (const auto& item : *list) {
    Enrollment e;
    e.programme_id = member_text(item, "programme_identifier");
    e.programme_name = member_text(item, "programme_name");
    e.enrolment_date = member_text(item, "enrolment_date");
    e.status = member_text(item, "enrolment_status");
    e.end_date = member_text(item, "graduation_date");
    if (e.end_date.empty()) e.end_date = member_text(item, "suspension_date");
    add_enrollment(out, std::move(e));
  }
}

// OpenSPP's flat programs[]: {name | program_name, id | code}.
void add_openspp_programs(std::vector<Enrollment>& out, const Json* list) {
  if (!list || !list->is_array()) return;
  for (const auto& item : *list) {
    Enrollment e;
    e.programme_name = member_text(item, "name");
    if (e.programme_name.empty()) e.programme_name = member_text(item, "program_name");
    e.programme_id = member_text(item, "id");
    if (e.programme_id.empty()) e.programme_id = member_text(item, "code");
    e.status = member_text(item, "status");
    add_enrollment(out, std::move(e));
  }
}

}  // namespace

std::vector<Identifier> identifiers_of(const Json& record) {
  std::vector<Identifier> out;
  const Json* member = child(record, "member");
  if (member) {
    add_identifiers(out, child(*member, "member_identifier"));
    if (const Json* demo = child(*member, "demographic_info"))
      if (const Json* person = child(*demo, "person"))
        add_identifiers(out, child(*person, "identifier"));
  }
  add_identifiers(out, child(record, "identifier"));
  return out;
}

std::vector<Enrollment> enrollments_of(const Json& record) {
  std::vector<Enrollment> out;
  if (const Json* member = child(record, "member"))
    add_member_programmes(out, child(*member, "programme_identifier"));
  add_person_programmes(out, child(record, "programme"));
  add_openspp_programs(out, child(record, "programs"));
  return out;
}

EnrollmentUpdates parse_enrollment_updates(const Json& message, const std::string& sender_id) {
  if (!message.is_object()) throw core::invalid_argument("message must be an object", "message");
  EnrollmentUpdates out;
  auto tx = message.find("transaction_id");
  if (tx == message.end() || !tx->is_string())
    throw core::invalid_argument("transaction_id is required", "message.transaction_id");
  out.transaction_id = tx->get<std::string>();
  const Json* holder = child(message, "enrolled_updates");
  std::string where = "message.enrolled_updates";
  if (!holder) {
    holder = child(message, "receipt_information");
    where = "message.receipt_information";
  }
  if (!holder || !holder->is_object())
    throw core::invalid_argument("enrolled_updates is required", "message.enrolled_updates");
  const Json* list = child(*holder, "beneficiaries");
  if (!list || !list->is_array())
    throw core::invalid_argument("beneficiaries must be a list", where + ".beneficiaries");
  for (const auto& record : *list) {
    UpdateItem item;
    if (!record.is_object()) {
      item.problem = "a beneficiary must be an object";
      out.items.push_back(std::move(item));
      continue;
    }
    item.beneficiary.sender_id = sender_id;
    item.beneficiary.identifiers = identifiers_of(record);
    item.beneficiary.enrollments = enrollments_of(record);
    item.beneficiary.record = record;
    item.reference_id = member_text(record, "reference_id");
    if (item.reference_id.empty() && !item.beneficiary.identifiers.empty()) {
      const auto& first = item.beneficiary.identifiers.front();
      item.reference_id = first.type + ":" + first.value;
    }
    if (item.reference_id.empty())
      item.problem = "a beneficiary needs a reference_id or an identifier";
    else if (item.reference_id.size() > 255)
      item.problem = "reference_id is longer than 255 characters";
    auto del = record.find("deleted");
    item.deleted = del != record.end() && del->is_boolean() && del->get<bool>();
    item.beneficiary.reference_id = item.reference_id;
    out.items.push_back(std::move(item));
  }
  return out;
}

}  // namespace registrar::ibr
