// A PostgreSQL server of the test's own (scripts/pg-test-server.sh in a temp dir, on a free
// loopback port) that the test may stop and start again: the shared test server is never
// touched. Stopped and removed on destruction.
#pragma once

#include <cstdint>
#include <string>

#include "support/temp_dir.h"

namespace registrar::reliability {

class OwnPostgres {
 public:
  OwnPostgres();  // initdb and start; throws std::runtime_error with the script's output
  ~OwnPostgres();
  OwnPostgres(const OwnPostgres&) = delete;
  OwnPostgres& operator=(const OwnPostgres&) = delete;

  const std::string& url() const { return url_; }
  void stop();   // pg_ctl stop -m fast: sessions are terminated, the port closes
  void start();  // again on the same data directory and port

 private:
  testing::TempDir dir_;
  std::string data_;
  uint16_t port_ = 0;
  std::string url_;
};

}  // namespace registrar::reliability
