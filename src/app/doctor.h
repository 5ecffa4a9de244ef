// `registrar doctor`: one line per check of what an installation needs — configuration, secret
// files and their modes, the database, its schema and clock, and the peers, IBRs and key sets it
// calls out to — and an exit code for scripts (0: nothing failed; 1: something did). Modules add
// their own checks through Module::doctor with the helpers below.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/config.h"
#include "store/database.h"

namespace registrar::app {

enum class DoctorStatus { kOk, kWarn, kFail };

struct DoctorLine {
  DoctorStatus status;
  std::string check;  // short name: "database", "identity.master_key_file", "intercoop peer x"
  std::string detail;
};

class DoctorReport {
 public:
  void ok(std::string check, std::string detail) { add(DoctorStatus::kOk, check, detail); }
  void warn(std::string check, std::string detail) { add(DoctorStatus::kWarn, check, detail); }
  void fail(std::string check, std::string detail) { add(DoctorStatus::kFail, check, detail); }
  void add(DoctorStatus status, std::string check, std::string detail);

  // A file holding a secret: it exists, is a regular file we can read, and neither its group
  // nor others may read or write it (fail otherwise, naming the mode and the fix).
  void secret_file(const std::string& check, const std::string& path);
  // An HTTP(S) URL answers at all (any status) within `timeout`; fail naming why not.
  void reachable(const std::string& check, const std::string& url, const std::string& ca_file = {},
                 bool verify_tls = true,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

  const std::vector<DoctorLine>& lines() const { return lines_; }
  int exit_code() const;

 private:
  std::vector<DoctorLine> lines_;
};

// "ok    database  sqlite:... answered in 0.2 ms", the check names padded to `width`.
std::string format_doctor_line(const DoctorLine& line, size_t width);

// What a module's checks may read. `db` is null when the database could not be opened, and
// `schema_current` false when migrations are pending: a module then skips checks that read its
// tables.
struct DoctorContext {
  const core::Config& config;
  store::Database* db;
  bool schema_current;
};

}  // namespace registrar::app
