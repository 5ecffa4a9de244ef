// `registrar doctor`: the report's helpers (secret-file modes, reachability) and the command run
// against a real installation on each backend, with a reachable and an unreachable peer.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "app/doctor.h"
#include "support/databases.h"
#include "support/registrar_process.h"
#include "support/temp_dir.h"

namespace registrar::app {
namespace {

using testing::RegistrarProcess;

// A loopback port that is bound but does not listen (nothing answers; nobody else takes it).
class DeadPort {
 public:
  DeadPort() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~DeadPort() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_;
  uint16_t port_ = 0;
};

TEST(DoctorReport, ASecretFileMustBeKeptFromGroupAndOthers) {
  testing::TempDir dir;
  std::string key = dir.write("master.key", "secret");
  DoctorReport r;
  ::chmod(key.c_str(), 0600);
  r.secret_file("key", key);
  ::chmod(key.c_str(), 0640);
  r.secret_file("key", key);
  ::chmod(key.c_str(), 0604);
  r.secret_file("key", key);
  r.secret_file("key", dir.file("missing.key"));
  r.secret_file("key", dir.path().string());
  ASSERT_EQ(r.lines().size(), 5u);
  EXPECT_EQ(r.lines()[0].status, DoctorStatus::kOk);
  EXPECT_NE(r.lines()[0].detail.find("0600"), std::string::npos);
  EXPECT_EQ(r.lines()[1].status, DoctorStatus::kFail);
  EXPECT_NE(r.lines()[1].detail.find("chmod 600"), std::string::npos);
  EXPECT_EQ(r.lines()[2].status, DoctorStatus::kFail);
  EXPECT_EQ(r.lines()[3].status, DoctorStatus::kFail);
  EXPECT_NE(r.lines()[3].detail.find("does not exist"), std::string::npos);
  EXPECT_EQ(r.lines()[4].status, DoctorStatus::kFail);
  EXPECT_EQ(r.exit_code(), 1);
}

TEST(DoctorReport, WarningsDoNotFailAndLinesAreAligned) {
  DoctorReport r;
  r.ok("database", "fine");
  r.warn("identity.master_key_file", "not yet");
  EXPECT_EQ(r.exit_code(), 0);
  EXPECT_EQ(format_doctor_line(r.lines()[0], 10), "ok    database    fine");
  EXPECT_EQ(format_doctor_line(r.lines()[1], 10), "warn  identity.master_key_file  not yet");
}

class DoctorTest : public ::testing::TestWithParam<std::string> {
 protected:
  DoctorTest() : db_(GetParam()), p_(options()) {}
  testing::ProcessOptions options() {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    return o;
  }
  void add_peer(const std::string& id, const std::string& target_url) {
    std::string key = p_.dir().file(id + ".pem");
    std::string cmd =
        "openssl genrsa 2048 2>/dev/null | openssl rsa -pubout -out " + key + " 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    auto r = p_.cli("intercoop peers add " + id + " --name " + id + " --public-key-file " + key +
                    " --target-url " + target_url);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  testing::TestDatabase db_;
  RegistrarProcess p_;
};

TEST_P(DoctorTest, ReportsEachCheckAndFailsOnAnUnreachablePeer) {
  auto healthy = p_.cli("doctor");
  EXPECT_EQ(healthy.exit_code, 0) << healthy.output;
  for (const char* line : {"ok    config", "ok    database", "ok    schema", "ok    database clock",
                           "ok    identity.master_key_file"})
    EXPECT_NE(healthy.output.find(line), std::string::npos) << line << "\n" << healthy.output;

  add_peer("near", p_.url("/intercoop"));
  DeadPort dead;
  add_peer("gone", "http://127.0.0.1:" + std::to_string(dead.port()) + "/intercoop");
  auto r = p_.cli("doctor");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("ok    intercoop peer near"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("answered 200"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FAIL  intercoop peer gone"), std::string::npos) << r.output;

  ASSERT_EQ(p_.cli("intercoop peers disable gone").exit_code, 0);
  EXPECT_EQ(p_.cli("doctor").exit_code, 0);  // a disabled peer is not called, so not checked
}

INSTANTIATE_TEST_SUITE_P(Backends, DoctorTest, ::testing::ValuesIn(testing::test_backends()));

TEST(Doctor, ABadConfigurationAndAMissingSchemaAreFailedChecks) {
  testing::TempDir dir;
  std::map<std::string, std::string> env{
      {"REGISTRAR_DATABASE_URL", "sqlite:" + dir.file("r.db")},
      {"REGISTRAR_IDENTITY_MASTER_KEY_FILE", dir.file("master.key")}};
  auto fresh = testing::run_registrar("doctor", env);
  EXPECT_EQ(fresh.exit_code, 1) << fresh.output;
  EXPECT_NE(fresh.output.find("FAIL  schema"), std::string::npos) << fresh.output;
  EXPECT_NE(fresh.output.find("registrar db migrate"), std::string::npos) << fresh.output;
  EXPECT_NE(fresh.output.find("warn  identity.master_key_file"), std::string::npos) << fresh.output;

  env["REGISTRAR_SERVER_IO_THREADS"] = "0";
  auto bad = testing::run_registrar("doctor", env);
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("FAIL  config"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("server.io_threads"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace registrar::app
