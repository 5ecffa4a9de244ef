// The files operators import (each reader's documented error is core::Error; nothing else may
// come out). The input's first line names the reader, the rest is the file:
//   dci-csv / dci-jsonl   `registrar dci check --source CODE FILE` batch files (dci_client)
//   members               intercoop members CSV (`registrar intercoop members import`)
//   masterdata:<entity>   sync master-data CSV (`registrar sync import`), a header row then rows
// Properties: batch lines are in file order and each is a registrant or says why not; a
// master-data CSV that reads, written back with every field quoted, reads as the same records.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/error.h"
#include "dci_client/batch.h"
#include "intercoop/source_model.h"
#include "sync/catalogue.h"
#include "sync/csv.h"

using namespace registrar;

namespace {

void batch(const std::string& text, bool csv) {
  dci_client::BatchFile file;
  try {
    file = dci_client::parse_batch(text, csv);
  } catch (const core::Error&) {
    return;
  }
  if (file.digest.size() != 64) std::abort();
  size_t previous = 0;
  for (const auto& line : file.lines) {
    if (line.line <= previous) std::abort();
    previous = line.line;
    (void)dci_client::result_line(line, nullptr, csv);
  }
}

std::string quoted_csv(const std::vector<std::vector<std::string>>& records) {
  std::string out;
  for (const auto& record : records) {
    for (size_t i = 0; i < record.size(); ++i) {
      if (i) out += ',';
      out += '"';
      for (char c : record[i]) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    out += "\r\n";
  }
  return out;
}

void masterdata(std::string_view entity_name, std::string_view text) {
  const sync::Entity* entity = sync::find_entity(entity_name);
  if (!entity) entity = &sync::catalogue().front();
  std::vector<std::vector<std::string>> records;
  try {
    records = sync::parse_csv(text);
  } catch (const core::Error&) {
    return;
  }
  if (sync::parse_csv(quoted_csv(records)) != records) std::abort();
  if (records.empty()) return;
  for (size_t i = 1; i < records.size(); ++i) {
    try {
      (void)sync::csv_record_to_row(*entity, records[0], records[i]);
    } catch (const core::Error&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  const std::string_view reader = input.substr(0, nl);
  const std::string file(input.substr(nl + 1));
  if (reader == "dci-csv") {
    batch(file, true);
  } else if (reader == "dci-jsonl") {
    batch(file, false);
  } else if (reader == "members") {
    try {
      for (const auto& m : intercoop::parse_members_csv(file)) intercoop::check_member(m);
    } catch (const core::Error&) {
    }
  } else if (reader.substr(0, 11) == "masterdata:") {
    masterdata(reader.substr(11), file);
  }
  return 0;
}
