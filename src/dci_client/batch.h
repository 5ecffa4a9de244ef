// Batch checks from a file (`registrar dci check --source CODE FILE`): thousands of registrants,
// one check each, keyed by (source, the file's SHA-256, line number) so that a run that was
// interrupted resumes without re-sending what is done.
//
//   CSV    a header row naming the columns: reference, identifier_type, identifier_value,
//          identifiers ("TYPE:VALUE;TYPE:VALUE"), given_name, family_name, other_names,
//          birth_date, sex, location (any subset, any order); quotes as RFC 4180
//   JSONL  one registrant object per line (registrant.h)
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dci_client/check_service.h"
#include "dci_client/registrant.h"

namespace registrar::dci_client {

struct BatchLine {
  size_t line = 0;  // 1-based line of the file (CSV: data rows count from 2)
  Registrant registrant;
  std::string error;  // why the line is not a registrant ("" when it is)
};

struct BatchFile {
  std::string digest;  // hex SHA-256 of the file's bytes
  std::vector<BatchLine> lines;
};

// Pure: the file's text as lines of registrants. `csv` chooses the format. Blank lines are
// skipped. Throws core::Error(kInvalidArgument) for a CSV without a usable header.
BatchFile parse_batch(const std::string& text, bool csv);
// Reads the file (format by extension: .csv, else JSONL). Throws core::Error.
BatchFile read_batch_file(const std::string& path);

std::string batch_prefix(const std::string& source, const std::string& digest);
std::string batch_key(const std::string& prefix, size_t line);

struct BatchOptions {
  std::string source;
  RunMode mode = RunMode::kSync;
  // Envelopes in flight at once: an interrupted run leaves at most this many in `checking`.
  int window = 8;
  // How long to wait for async answers (callbacks reach the server, which writes them to the
  // shared database) before writing the result file with what is known.
  std::chrono::seconds async_wait{900};
  // A resumed batch also sends again the checks that failed (retried: back to ready first).
  bool retry_failed = false;
  std::function<void(size_t done, size_t total)> progress;
};

struct BatchSummary {
  size_t lines = 0, invalid = 0, already_done = 0, sent = 0;
  size_t no_match = 0, possible = 0, confirmed = 0, failed = 0, pending = 0;
};

// One result line per registrant: {line, reference, check_id, state, result,
// matched_programmes, error} (JSON), or the same columns as CSV.
std::string result_line(const BatchLine& line, const Check* check, bool csv);
std::string result_header_csv();

// Creates the missing checks, sends the ready ones (and those a previous, interrupted sync run
// left `checking`), waits for the answers and returns every line's check (null for an invalid
// line) in file order.
std::vector<std::optional<Check>> run_batch(CheckService& checks, const BatchFile& file,
                                            const BatchOptions& options, const Actor& actor,
                                            BatchSummary& summary);

}  // namespace registrar::dci_client
