#include "workload.h"

#include <algorithm>
#include <stdexcept>

namespace registrar::sync_bench {
namespace {

using sync::Json;

constexpr int kHolidayLocations = 25;  // centre k's holidays are those of LOC<k % 25>
constexpr int64_t kReferenceRows = 6;

const sync::Entity& entity(const char* name) {
  const sync::Entity* e = sync::find_entity(name);
  if (!e) throw std::logic_error(std::string("no entity ") + name);
  return *e;
}

// As the service writes a row: parsed against its entity, placed in its scope.
sync::RowWrite row(const char* entity_name, const Json& body) {
  const sync::Entity& e = entity(entity_name);
  sync::RowWrite w;
  w.entity = e.name;
  if (auto bad = sync::parse_row(e, body, w.input))
    throw std::logic_error(e.name + "." + bad->field + " " + bad->message);
  w.scope = sync::scope_of(e, w.input.data, kTemplateModule);
  return w;
}

std::string user_id(int k, int64_t unit) {
  return "U" + centre_id(k) + "-" + std::to_string(unit);
}
std::string device_id(int k, int64_t unit) {
  return "D" + centre_id(k) + "-" + std::to_string(unit);
}

Json user(int k, int64_t unit, const std::string& name) {
  return {{"id", user_id(k, unit)},
          {"name", name},
          {"mail", "user" + std::to_string(unit) + "@centre" + centre_id(k) + ".example"},
          {"mobile", "+25570" + std::to_string(1000000 + unit % 9000000)},
          {"roles", Json::array({"REGISTRATION_OFFICER"})},
          {"regCenterId", centre_id(k)}};
}
Json device(int k, int64_t unit, const std::string& name) {
  return {{"id", device_id(k, unit)},
          {"name", name},
          {"serialNum", "SN-" + device_id(k, unit)},
          {"deviceSpecId", "DS1"},
          {"macAddress", "02:00:00:" + std::to_string(unit % 100) + ":00:01"},
          {"regCenterId", centre_id(k)}};
}
Json centre_device(int k, int64_t unit) {
  return {{"regCenterId", centre_id(k)}, {"deviceId", device_id(k, unit)}};
}

// Buffers rows and hands them on in batches.
class Sink {
 public:
  Sink(size_t batch, const std::function<void(std::vector<sync::RowWrite>&)>& emit)
      : batch_(batch), emit_(emit) {}
  void add(sync::RowWrite w) {
    rows_.push_back(std::move(w));
    if (rows_.size() >= batch_) flush();
  }
  void flush() {
    if (rows_.empty()) return;
    emit_(rows_);
    rows_.clear();
  }

 private:
  size_t batch_;
  const std::function<void(std::vector<sync::RowWrite>&)>& emit_;
  std::vector<sync::RowWrite> rows_;
};

void reference_rows(Sink& out) {
  out.add(row("languages", {{"code", "eng"}, {"name", "English"}, {"nativeName", "English"}}));
  out.add(row("registration_center_types",
              {{"code", "REG"}, {"name", "Registration centre"}, {"langCode", "eng"}}));
  out.add(
      row("device_types", {{"code", "DT"}, {"name", "Fingerprint scanner"}, {"langCode", "eng"}}));
  out.add(row(
      "device_specifications",
      {{"id", "DS1"}, {"name", "Slap scanner"}, {"deviceTypeCode", "DT"}, {"langCode", "eng"}}));
  out.add(row("machine_types", {{"code", "MT"}, {"name", "Desktop"}, {"langCode", "eng"}}));
  out.add(row("machine_specifications", {{"id", "MS1"},
                                         {"name", "Registration laptop"},
                                         {"machineTypeCode", "MT"},
                                         {"langCode", "eng"}}));
}

// Locations, blocklisted words and holidays in turn; holidays of the first locations only.
void global_rows(int64_t n, Sink& out) {
  for (int64_t j = 0; j < n; ++j) {
    std::string m = std::to_string(j / 3);
    switch (j % 3) {
      case 0:
        out.add(row("locations", {{"code", "LOC" + m},
                                  {"name", "Location " + m},
                                  {"hierarchyLevel", 3},
                                  {"hierarchyName", "District"},
                                  {"langCode", "eng"}}));
        break;
      case 1:
        out.add(row("blocklisted_words",
                    {{"word", "word" + m}, {"description", "refused"}, {"langCode", "eng"}}));
        break;
      default:
        out.add(
            row("holidays", {{"holidayId", "H" + m},
                             {"holidayDate", "2026-" + std::to_string(1 + (j / 3) % 12) + "-15"},
                             {"holidayName", "Holiday " + m},
                             {"locationCode", "LOC" + std::to_string((j / 3) % kHolidayLocations)},
                             {"langCode", "eng"}}));
    }
  }
}

void centre_rows(int k, int64_t n, const MachineKeys& keys, Sink& out) {
  const std::string c = centre_id(k);
  out.add(row("registration_centers", {{"id", c},
                                       {"name", "Centre " + c},
                                       {"centerTypeCode", "REG"},
                                       {"addressLine1", "1 Main Street"},
                                       {"locationCode", holiday_location(k)},
                                       {"holidayLocationCode", holiday_location(k)},
                                       {"timeZone", "UTC"},
                                       {"langCode", "eng"}}));
  if (n > 1)
    out.add(row("machines", {{"id", machine_id(k)},
                             {"name", "Machine " + machine_id(k)},
                             {"serialNum", "SN-" + machine_id(k)},
                             {"machineSpecId", "MS1"},
                             {"publicKey", keys.encryption},
                             {"keyIndex", keys.encryption_index},
                             {"signPublicKey", keys.signing},
                             {"signKeyIndex", keys.signing_index},
                             {"regCenterId", c}}));
  for (int64_t i = 2; i < n; ++i) {
    int64_t unit = (i - 2) / 4;
    switch ((i - 2) % 4) {
      case 0:
        out.add(row("users", user(k, unit, "Operator " + std::to_string(unit))));
        break;
      case 1:
        out.add(row("devices", device(k, unit, "Scanner " + std::to_string(unit))));
        break;
      case 2:
        out.add(
            row("registration_center_users", {{"regCenterId", c}, {"userId", user_id(k, unit)}}));
        break;
      default:
        out.add(row("registration_center_devices", centre_device(k, unit)));
    }
  }
}

}  // namespace

Shape shape_for(int64_t rows, int centres) {
  if (rows < 10'000 || centres < 2) throw std::invalid_argument("need rows >= 10000, centres >= 2");
  Shape s;
  s.rows = rows;
  s.centres = centres;
  s.big_centre_rows = std::min<int64_t>(133'336, rows / 10);
  s.global_rows = std::min<int64_t>(10'000, rows / 100);
  return s;
}

std::string centre_id(int k) {
  return std::to_string(10000 + k);
}
std::string machine_id(int k) {
  return centre_id(k) + "-M";
}
std::string holiday_location(int k) {
  return "LOC" + std::to_string(k % kHolidayLocations);
}

void generate(const Shape& shape, size_t batch, const MachineKeys& keys,
              const std::function<void(std::vector<sync::RowWrite>&)>& emit) {
  Sink out(batch, emit);
  reference_rows(out);
  global_rows(shape.global_rows - kReferenceRows, out);
  centre_rows(0, shape.big_centre_rows, keys, out);
  int64_t rest = shape.rows - shape.global_rows - shape.big_centre_rows;
  int others = shape.centres - 1;
  for (int k = 1; k <= others; ++k)
    centre_rows(k, rest / others + (k <= rest % others ? 1 : 0), keys, out);
  out.flush();
}

std::vector<sync::RowWrite> changes(const Shape& shape, int n) {
  int64_t units = (shape.big_centre_rows - 2) / 4;
  int64_t step = std::max<int64_t>(1, units / std::max(1, n));
  std::vector<sync::RowWrite> out;
  for (int i = 0; i < n; ++i) {
    int64_t unit = (i * step) % units;
    switch (i % 3) {
      case 0:
        out.push_back(row("devices", device(0, unit, "Scanner " + std::to_string(unit) + " (v2)")));
        break;
      case 1:
        out.push_back(row(
            "registration_center_users",
            {{"regCenterId", centre_id(0)}, {"userId", user_id(0, unit)}, {"isActive", false}}));
        break;
      default: {
        sync::RowWrite w = row("registration_center_devices", centre_device(0, unit));
        w.remove = true;
        out.push_back(std::move(w));
      }
    }
  }
  return out;
}

}  // namespace registrar::sync_bench
