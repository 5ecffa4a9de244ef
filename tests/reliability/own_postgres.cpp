#include "own_postgres.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace registrar::reliability {

namespace {

// A loopback port nobody listens on right now (the kernel's pick for an ephemeral bind).
uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("no free loopback port");
  close(fd);
  return ntohs(a.sin_port);
}

// Runs scripts/pg-test-server.sh (PG_TEST_SERVER_SCRIPT, set by CMake) with `args`; its output, or
// throws with it when it fails.
std::string script(const std::string& args) {
  std::string cmd = std::string(PG_TEST_SERVER_SCRIPT) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  if (pclose(p) != 0) throw std::runtime_error(cmd + " failed:\n" + out);
  return out;
}

}  // namespace

OwnPostgres::OwnPostgres() : data_(dir_.file("pg")), port_(free_port()) {
  // The script runs the server as the postgres user when we are root: it must reach the data
  // directory inside our (private) temp dir.
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::others_exec,
                               std::filesystem::perm_options::add);
  start();
  url_ = "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

OwnPostgres::~OwnPostgres() {
  try {
    stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stopping the test's PostgreSQL: %s\n", e.what());
  }
}

void OwnPostgres::start() {
  script("start " + data_ + " " + std::to_string(port_));
}

void OwnPostgres::stop() {
  script("stop " + data_);
}

}  // namespace registrar::reliability
